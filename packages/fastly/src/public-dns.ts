import { Resolver } from 'node:dns/promises';
import type { VerificationSettings } from '@sslclick/core';

/**
 * Reads the CNAME at `name` as public DNS (or the resolver in the verification settings) shows
 * it; `undefined` when there is none or the lookup fails. Used to tell whether records left to
 * the user have been published.
 */
export async function lookupCname(name: string, verification: VerificationSettings | undefined): Promise<string | undefined> {
  const resolver = new Resolver({ timeout: verification?.timeoutMs ?? 5_000, tries: 1 });
  const servers = verification?.resolver === undefined ? [] : Array.isArray(verification.resolver) ? verification.resolver : [verification.resolver];
  if (servers.length > 0) resolver.setServers(servers);
  try {
    const [target] = await resolver.resolveCname(name);
    return target?.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  } finally {
    resolver.cancel();
  }
}
