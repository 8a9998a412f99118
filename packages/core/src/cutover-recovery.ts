import type { VerificationSettings } from './cutover.js';
import { SslClickError, throwIfAborted } from './errors.js';
import { describeDnsRecord } from './status.js';
import type { CheckResult, DnsRecord, ProgressEvent } from './types.js';
import { verifyHostname } from './verifier/verify-hostname.js';

/** Options for `restoreFailingCutover`. */
export interface FailingCutoverOptions {
  /** The branded host whose DNS may point at a failing CDN. */
  hostname: string;
  /** The adapter's provider name, for messages and the error. */
  provider: string;
  /**
   * What to dial to check the CDN: the CNAME target the hostname points at now, or the hostname
   * itself where the CDN has no name of its own (a proxied Cloudflare record).
   */
  edgeTarget: string;
  /** The record that makes links work again (the branding CNAME as it was before the cutover). */
  restoreRecord: DnsRecord;
  /** Writes `restoreRecord` where the hostname's DNS lives. */
  restore: () => Promise<unknown>;
  /** Where DNS is written, for messages: `cloudflare`, `Route 53 zone example.com`. */
  dnsName: string;
  /** How to reach and trust the CDN in the check (the sandbox passes its own). */
  verification?: VerificationSettings;
  /** Stops the check and the restore write. */
  signal?: AbortSignal;
  /** Receives the check's progress and the restore. */
  onProgress?: (event: ProgressEvent) => void;
}

/** What `restoreFailingCutover` found and did. */
export interface FailingCutoverOutcome {
  /** Whether DNS was put back (the CDN failed the checks). */
  restored: boolean;
  /** The checks through the CDN. */
  checks: CheckResult[];
  /** The failing checks in one sentence; empty when the CDN passed. */
  finding: string;
}

/**
 * The first thing `apply` does when the hostname already points at this CDN: one check through
 * the CDN (TLS valid, a request reaches SendGrid). A run can die between the cutover's DNS write
 * and putting the record back after the edge failed; then clicks fail until someone acts. So if
 * the check fails, DNS goes back to `restoreRecord` at once, before any other write, and the run
 * goes on from a host whose links work. If that write fails too, this throws `UNSAFE` naming the
 * record to restore by hand. Aborts throw `ABORTED` before anything is written.
 */
export async function restoreFailingCutover(options: FailingCutoverOptions): Promise<FailingCutoverOutcome> {
  const { hostname, provider } = options;
  const result = await verifyHostname(hostname, {
    ...options.verification,
    connectTo: options.edgeTarget,
    checks: ['tls-valid', 'reaches-sendgrid'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  throwIfAborted(options.signal, 'apply');
  // Only a check that failed puts DNS back. One not decided (`reaches-sendgrid` without a
  // tracked link to prove SendGrid knows the Host) is how a healthy host looks on every re-run:
  // restoring then would take a working proxy down each time apply runs.
  const failing = result.checks.filter((check) => check.ok === false);
  if (failing.length === 0) return { restored: false, checks: result.checks, finding: '' };
  const finding = failing.map((check) => check.detail).join(' ');
  const record = describeDnsRecord(options.restoreRecord);
  options.onProgress?.({
    type: 'cutover-failing',
    provider,
    hostname,
    message: `DNS points at a CDN that fails the checks: ${hostname} is on ${provider}, which does not serve it (${finding}). Putting ${record} back first.`,
  });
  try {
    await options.restore();
  } catch (error) {
    throw restoreFailedError({ hostname, provider, edgeTarget: options.edgeTarget, finding, dnsName: options.dnsName, restoreRecord: options.restoreRecord, cause: error });
  }
  options.onProgress?.({
    type: 'dns-restored',
    provider,
    hostname,
    message: `${hostname} is back at ${record} in ${options.dnsName}, so links work again; the ${provider} configuration is repaired next, and DNS moves again only after the edge passes the checks.`,
  });
  return { restored: true, checks: result.checks, finding };
}

/** The `UNSAFE` error when DNS points at a failing CDN and putting the record back failed. */
export function restoreFailedError(details: { hostname: string; provider: string; edgeTarget: string; finding: string; dnsName: string; restoreRecord: DnsRecord; cause: unknown }): SslClickError {
  const how = details.restoreRecord.purpose ? ` (${details.restoreRecord.purpose})` : '';
  return new SslClickError({
    code: 'UNSAFE',
    provider: details.provider,
    operation: 'cutover',
    cause: details.cause,
    message: `${details.hostname} points at ${details.edgeTarget} but the ${details.provider} edge does not serve it (${details.finding}), and putting the record back through ${details.dnsName} failed: restore ${describeDnsRecord(details.restoreRecord)}${how} by hand now, or its links break.`,
  });
}
