import type { LinkBranding, LinkBrandingSource } from './link-branding.js';
import type { RunOptions } from './types.js';
import { verifyHostnames, type VerifyManyOptions, type VerifyResult } from './verifier/verify-hostname.js';

/**
 * Options for `accountReadiness`. Pass `sampleLinks` (a tracked link per branded host, from a
 * test message) to prove that SendGrid knows each Host; a host without one is not ready.
 */
export interface AccountReadinessOptions extends RunOptions, Omit<VerifyManyOptions, 'signal' | 'checks' | 'sampleLink' | 'connectTo'> {}

/** One branded link host of the account, and whether it is ready for SSL click tracking. */
export interface BrandedHostReadiness {
  /** The branded link host. */
  hostname: string;
  /** Its link branding, as SendGrid reports it. */
  branding: LinkBranding;
  /** Whether the host already works over HTTPS (or is Auto SSL). */
  ready: boolean;
  /** Why it is not ready (the failed checks' details); empty when ready. */
  reasons: string[];
  /** The outside view; absent for Auto SSL brandings, which SendGrid serves itself. */
  verification?: VerifyResult;
}

/** The whole account's readiness: SSL click tracking is switched on for every branding at once. */
export interface AccountReadiness {
  /** The sub-user checked, if any. */
  subuser?: string;
  /** True only when every branded link host would work over HTTPS. */
  ready: boolean;
  /** Every branded link host of the account, ready or not. */
  hosts: BrandedHostReadiness[];
  /** The hosts that would break if SSL click tracking were switched on now. */
  wouldBreak: string[];
}

/**
 * Checks every link branding of an account (or sub-user) before asking SendGrid support for SSL
 * click tracking, which applies to all of them at once: each host is verified concurrently, and
 * the ones that would break are listed with the reason. Auto SSL brandings count as ready: SendGrid
 * serves HTTPS for them itself. A classic host is ready only when a tracked link from
 * `sampleLinks` proved that SendGrid knows its Host.
 */
export async function accountReadiness(sendgrid: LinkBrandingSource, options: AccountReadinessOptions = {}): Promise<AccountReadiness> {
  const { onProgress, ...verifyOptions } = options;
  const brandings = await sendgrid.list({ ...(options.signal ? { signal: options.signal } : {}), ...(onProgress ? { onProgress } : {}) });
  const classic = brandings.filter((branding) => branding.route === 'classic');
  const results = await verifyHostnames(
    classic.map((branding) => branding.hostname),
    verifyOptions,
  );
  const verified = new Map(classic.map((branding, index) => [branding.id, results[index]]));
  const hosts: BrandedHostReadiness[] = brandings.map((branding) => {
    if (branding.route === 'auto-ssl') {
      return { hostname: branding.hostname, branding, ready: true, reasons: [] };
    }
    const verification = verified.get(branding.id) as VerifyResult;
    // A failed check, or a required one left unproven (reaches-sendgrid without a tracked link).
    const reasons = verification.checks
      .filter((check) => check.ok === false || (check.ok === null && (check.id === 'tls-valid' || check.id === 'reaches-sendgrid')))
      .map((check) => check.detail);
    if (!branding.valid) reasons.unshift(`SendGrid reports the link branding for ${branding.hostname} as not valid.`);
    return { hostname: branding.hostname, branding, ready: verification.ok && branding.valid, reasons, verification };
  });
  const wouldBreak = hosts.filter((host) => !host.ready).map((host) => host.hostname);
  return { ...(sendgrid.subuser ? { subuser: sendgrid.subuser } : {}), ready: wouldBreak.length === 0, hosts, wouldBreak };
}
