import { lookup } from 'node:dns/promises';
import {
  SslClickError,
  lookupName,
  verifyHostname,
  type CheckResult,
  type ProgressEvent,
  type VerificationSettings,
  type VerifyResult,
} from '@sslclick/core';
import { checkBeforeCutover } from '@sslclick/core/adapter';
import { isPartialZone, type CloudflareZoneReference } from './zone-lookup.js';

/** What the check through the edge found. */
export interface EdgeCheckOutcome {
  ok: boolean;
  checks: CheckResult[];
  /** What DNS answered for the host. */
  observedDns: string[];
  /** The verifier's findings, as one sentence, when it failed. */
  failure?: string;
}

/**
 * The verifier's settings for this zone. A proxied Cloudflare record has no CNAME to dial, only
 * Cloudflare's addresses, so the check resolves the hostname itself; without a configured
 * resolver it asks the zone's own Cloudflare nameserver, which answers the new proxied record at
 * once, where a caching resolver could still hand out the old `sendgrid.net` CNAME for its TTL.
 */
export async function verificationForZone(verification: VerificationSettings | undefined, zone: CloudflareZoneReference): Promise<VerificationSettings> {
  if (verification?.resolver !== undefined) return verification;
  // In a partial (CNAME-setup) zone the public asks the customer's own DNS, not Cloudflare's
  // nameserver, which would answer the proxied record whatever the public sees: only the
  // configured (or system) resolver tells what links will reach.
  if (isPartialZone(zone)) return verification ?? {};
  const nameServer = zone.nameServers[0];
  if (!nameServer) return verification ?? {};
  try {
    const { address } = await lookup(nameServer, { family: 4 });
    return { ...verification, resolver: address };
  } catch {
    return verification ?? {};
  }
}

// The check dials the host itself (connectTo = hostname), so what its DNS answered is Cloudflare's
// edge for this proxied record: the addresses the final verification can recognise as the CDN.
function observedOf(result: VerifyResult | undefined): string[] {
  const lookup = result?.observed.dns ?? result?.observed.connectTo;
  return lookup ? [...lookup.cnameChain, ...lookup.addresses] : [];
}

/**
 * Right after the cutover: polls the host through Cloudflare (DNS → edge → SendGrid) until TLS
 * is valid and a request reaches SendGrid, or `maxWaitTime` runs out. Never throws for a failed
 * check (aborts still throw): the caller rolls back.
 */
export async function checkThroughEdge(options: {
  hostname: string;
  /**
   * What to dial, with SNI and Host = hostname.
   * @default hostname (its DNS answer: Cloudflare's edge once the record is proxied)
   */
  edgeTarget?: string;
  verification: VerificationSettings;
  maxWaitTime: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}): Promise<EdgeCheckOutcome> {
  try {
    const result = await checkBeforeCutover({
      hostname: options.hostname,
      edgeTarget: options.edgeTarget ?? options.hostname,
      provider: 'cloudflare',
      verification: options.verification,
      maxWaitTime: options.maxWaitTime,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { ok: true, checks: result.checks, observedDns: observedOf(result) };
  } catch (error) {
    if (!SslClickError.isInstance(error) || error.code === 'ABORTED') throw error;
    // One more read-only look, for the structured findings the status reports.
    const last = await verifyOnce(options.hostname, options.verification, options.signal, options.edgeTarget);
    return { ok: false, checks: last.checks, observedDns: last.observedDns, failure: error.message };
  }
}

/**
 * One read-only verification of the host as the world sees it (TLS and the request to SendGrid),
 * or through `connectTo` (an edge name) with SNI and Host = hostname.
 */
export async function verifyOnce(hostname: string, verification: VerificationSettings, signal?: AbortSignal, connectTo?: string): Promise<EdgeCheckOutcome> {
  const result = await verifyHostname(hostname, { ...verification, checks: ['tls-valid', 'reaches-sendgrid'], ...(signal ? { signal } : {}), ...(connectTo ? { connectTo } : {}) });
  // Without a tracked link nothing proves SendGrid knows the Host; TLS and an answer that is no
  // CDN error are what the edge check can show (the rule forwards the viewer's Host itself).
  return { ok: result.edgeForwards, checks: result.checks, observedDns: observedOf(result) };
}

/** What DNS answers for the host through the zone's resolver: its CNAME chain and addresses. */
export async function observedAddresses(hostname: string, verification: VerificationSettings): Promise<string[]> {
  const servers = verification.resolver === undefined ? [] : Array.isArray(verification.resolver) ? verification.resolver : [verification.resolver];
  const lookup = await lookupName(hostname, { servers, timeoutMs: verification.timeoutMs ?? 10_000 });
  return [...lookup.cnameChain, ...lookup.addresses];
}

/**
 * What the public sees for a host of a partial zone: its CNAME chain and addresses, and whether
 * the chain goes through `target` (`<host>.cdn.cloudflare.net`). A failed lookup is "not yet".
 */
export async function publicView(hostname: string, target: string, verification: VerificationSettings): Promise<{ observed: string[]; pointsToCdn: boolean }> {
  try {
    const observed = await observedAddresses(hostname, verification);
    return { observed, pointsToCdn: observed.some((name) => name.toLowerCase().replace(/\.$/, '') === target) };
  } catch {
    return { observed: [], pointsToCdn: false };
  }
}
