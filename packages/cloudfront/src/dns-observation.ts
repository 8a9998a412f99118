import { Resolver } from 'node:dns/promises';
import type { VerificationSettings } from '@sslclick/core';

/**
 * The CNAME target of a name as public DNS (or the sandbox's resolver) answers it, or `undefined`
 * when there is none or the lookup fails. Used for records the user publishes by hand, such as
 * ACM's `_…` validation name, which the verifier's hostname rules would refuse.
 */
export async function lookupCname(name: string, verification: VerificationSettings | undefined): Promise<string | undefined> {
  const timeoutMs = verification?.timeoutMs ?? 5_000;
  const resolver = new Resolver({ timeout: Math.max(1, timeoutMs), tries: 2 });
  const servers = verification?.resolver === undefined ? [] : Array.isArray(verification.resolver) ? verification.resolver : [verification.resolver];
  if (servers.length > 0) resolver.setServers(servers);
  try {
    const [target] = await resolver.resolveCname(name);
    return target?.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  }
}
