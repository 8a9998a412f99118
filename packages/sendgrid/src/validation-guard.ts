import { SslClickError, verifyHostname } from '@sslclick/core';
import type { DnsLookup, VerificationSettings } from '@sslclick/core';
import { sendGridProvider } from './error-translation.js';
import type { LinkBranding } from './link-branding.js';

/** The CNAME targets SendGrid's validation expects of a classic branding. */
const classicTargets = new Set(['sendgrid.net', 'eu.sendgrid.net']);
/** The CNAME target of an Auto SSL branding: still SendGrid, so validating it is harmless. */
const autoSslTarget = 'click.sendgrid.net';

/** What the guard saw in DNS and concluded. */
export interface ValidationGuardResult {
  /** Whether the link CNAME leads straight to the SendGrid target the branding expects. */
  safe: boolean;
  /** The first CNAME of the branded host, if any. */
  cname: string | undefined;
  /** The target SendGrid's validation will expect (`sendgrid.net`, `eu.sendgrid.net`, …). */
  expected: string;
  /** A sentence saying what DNS shows. */
  detail: string;
}

/** Reads the branded host's CNAME through core's verifier (the same resolver the other checks use). */
export async function lookupBrandedHost(hostname: string, verification: VerificationSettings | undefined, signal?: AbortSignal): Promise<DnsLookup> {
  const result = await verifyHostname(hostname, { ...verification, checks: ['dns-not-sendgrid'], ...(signal ? { signal } : {}) });
  return result.observed.dns ?? { cnameChain: [], addresses: [], errorCode: 'ERROR', error: `DNS for ${hostname} was not read.` };
}

/**
 * Decides whether SendGrid's validation of this branding is safe now: only when the branded
 * host's first CNAME is exactly the SendGrid target the branding expects. SendGrid checks that
 * first hop, so any other answer (a CDN name, A records of a proxied or flattened record, no
 * record, a DNS failure that hides the truth) would fail validation and mark the branding
 * invalid, and SendGrid stops serving its links.
 */
export function judgeValidationSafety(branding: LinkBranding, lookup: DnsLookup): ValidationGuardResult {
  const expected = branding.raw.dns.domain_cname.data.trim().toLowerCase().replace(/\.$/, '');
  const cname = lookup.cnameChain[0];
  const expectedIsSendGrid = classicTargets.has(expected) || (branding.route === 'auto-ssl' && expected === autoSslTarget);
  let detail: string;
  if (cname !== undefined) detail = `${branding.hostname} is a CNAME to ${cname}`;
  else if (lookup.addresses.length > 0) detail = `${branding.hostname} answers with addresses (${lookup.addresses.join(', ')}) and no CNAME, as a proxied or flattened record does`;
  else detail = `${branding.hostname} could not be resolved (${lookup.error ?? lookup.errorCode ?? 'no answer'}), so it cannot be confirmed to point at ${expected}`;
  return { safe: expectedIsSendGrid && cname === expected, cname, expected, detail };
}

/** Throws `UNSAFE` unless {@link judgeValidationSafety} says the validation is safe. No option turns this off. */
export function assertSafeToValidate(branding: LinkBranding, lookup: DnsLookup, operation: string): ValidationGuardResult {
  const judgement = judgeValidationSafety(branding, lookup);
  if (judgement.safe) return judgement;
  throw new SslClickError({
    code: 'UNSAFE',
    provider: sendGridProvider,
    operation,
    retryable: false,
    message:
      `Refusing to validate link branding ${branding.id} (${branding.hostname}): ${judgement.detail}, not straight to ${judgement.expected}. ` +
      `SendGrid's validation would fail now, mark the branding invalid and stop serving its tracked links; SendGrid warns never to re-validate after the CNAME moves to a CDN. ` +
      `Nothing was sent to SendGrid. A branding that is valid already needs no validation; otherwise point ${branding.hostname} back at ${judgement.expected} first.`,
  });
}
