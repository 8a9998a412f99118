import type { DnsProvider, ProgressEvent, RunOptions, VerificationSettings } from '@sslclick/core';
import { checkBeforeCutover, confirmAfterCutover } from '@sslclick/core/adapter';

const provider = 'fastly';

/** What moving one host onto its Fastly edge needs. */
export interface EdgeCutover {
  hostname: string;
  /** Where the host pointed before (SendGrid), and where a failing cutover puts it back. */
  origin: string;
  adopt: boolean;
  /** The Fastly TLS configuration's CNAME target. */
  cnameTarget: string;
  /** Where the host's DNS is written; without it the CNAME is left to the user. */
  dns: DnsProvider | undefined;
  verification: VerificationSettings | undefined;
  /** How long the edge may take to serve the host before the cutover is refused. */
  cutoverCheckTimeoutMs: number;
  /** The adapter's own longest wait; the check after the cutover waits at most 30 s of it. */
  maxWaitTime: number | undefined;
  emit(run: RunOptions | undefined, event: Omit<ProgressEvent, 'provider'>): void;
}

/**
 * The step both Fastly modes end with: prove the host through the edge, then point its CNAME at
 * Fastly and confirm from outside (putting it back on failure), or, without a DNS provider, tell
 * the user to point it.
 */
export async function cutOverToEdge(cutover: EdgeCutover, run: RunOptions | undefined): Promise<void> {
  const { hostname, cnameTarget, dns, verification } = cutover;
  const signals = { ...(run?.signal ? { signal: run.signal } : {}), ...(run?.onProgress ? { onProgress: run.onProgress } : {}) };
  await checkBeforeCutover({ hostname, edgeTarget: cnameTarget, provider, ...(verification ? { verification } : {}), maxWaitTime: cutover.cutoverCheckTimeoutMs, ...signals });
  if (!dns) {
    cutover.emit(run, { type: 'records-required', hostname, message: `The edge is verified: point ${hostname} CNAME ${cnameTarget}, then run apply again.` });
    return;
  }
  await dns.upsertCname(hostname, cnameTarget, {
    ...run,
    replaceable: [...new Set([cutover.origin, 'sendgrid.net'])],
    adopt: cutover.adopt,
    comment: 'sslclick: SendGrid HTTPS click tracking through Fastly',
  });
  cutover.emit(run, { type: 'dns-cutover', hostname, message: `Pointed ${hostname} at ${cnameTarget} through ${dns.name}.` });
  await confirmAfterCutover({
    hostname,
    edgeTarget: cnameTarget,
    provider,
    dns,
    restoreTo: cutover.origin,
    verification,
    maxWaitTime: Math.min(cutover.maxWaitTime ?? 30_000, 30_000),
    ...signals,
  });
}
