import type { CheckResult } from '../types.js';
import { cdnDisplayNames, findCdnAddress, type CdnAddressRanges } from './cdn-address-ranges.js';
import type { DnsLookup } from './dns-lookup.js';
import { clause, shorten } from './text.js';

/** CNAME suffixes of the CDNs' edge names. */
const knownCdnSuffixes = ['.cloudfront.net', '.fastly.net', '.fastlylb.net', '.cdn.cloudflare.net', '.edgekey.net', '.akamaiedge.net'];

/** The name SendGrid Auto SSL link brandings are a CNAME to. */
export const autoSslTarget = 'click.sendgrid.net';

/** Whether `name` is SendGrid's own (`sendgrid.net` or below it). */
export function isSendGridName(name: string): boolean {
  return name === 'sendgrid.net' || name.endsWith('.sendgrid.net');
}

function matchesTarget(value: string, target: string): boolean {
  const normalized = target.toLowerCase().replace(/\.$/, '');
  if (normalized.startsWith('*.')) return value.endsWith(normalized.slice(1));
  if (normalized.startsWith('.')) return value.endsWith(normalized);
  return value === normalized;
}

/** What the two DNS checks need besides the lookup. */
export interface DnsJudgementOptions {
  expectedTargets?: readonly string[];
  cdnAddressRanges?: Partial<CdnAddressRanges>;
}

/** The DNS checks' verdicts, and whether the host is an Auto SSL branding. */
export interface DnsJudgement {
  points: CheckResult;
  notSendGrid: CheckResult;
  autoSsl: boolean;
}

/** The words for what a name leads to: its CNAME chain, then its addresses (cut when long). */
function describeChain(lookup: DnsLookup): string {
  const seen = [...lookup.cnameChain, ...lookup.addresses];
  if (seen.length === 0) return 'nothing';
  const shown = seen.length > 6 ? [...seen.slice(0, 6), `${seen.length - 6} more`] : seen;
  return shorten(shown.join(' → '), 160);
}

/**
 * Judges where DNS sends the host, as SendGrid support checks it with `dig`: at the CDN
 * (`dns-points-to-cdn`), and not straight at SendGrid (`dns-not-sendgrid`). An Auto SSL host (a
 * CNAME to click.sendgrid.net) needs no CDN, so both are "not applicable" with one sentence.
 */
export async function judgeDns(hostname: string, lookup: DnsLookup, options: DnsJudgementOptions): Promise<DnsJudgement> {
  const chain = lookup.cnameChain;
  const first = chain[0];
  const seen = [...chain, ...lookup.addresses];
  const description = describeChain(lookup);
  const autoSsl = first === autoSslTarget;
  if (lookup.error && seen.length === 0) {
    const detail = `${clause(lookup.error)}: SendGrid support checks that ${hostname} resolves to the CDN.`;
    return { points: { id: 'dns-points-to-cdn', ok: false, detail }, notSendGrid: { id: 'dns-not-sendgrid', ok: null, detail: `Not decided: ${clause(lookup.error)}.` }, autoSsl };
  }
  if (autoSsl) {
    const detail = `${hostname} is a CNAME to ${autoSslTarget}, a SendGrid Auto SSL link: SendGrid serves HTTPS for it itself and no CDN is needed, so the CDN checks do not apply.`;
    return { points: { id: 'dns-points-to-cdn', ok: null, detail }, notSendGrid: { id: 'dns-not-sendgrid', ok: null, detail }, autoSsl };
  }

  const notSendGrid: CheckResult =
    first !== undefined && isSendGridName(first)
      ? {
          id: 'dns-not-sendgrid',
          ok: false,
          detail: `${hostname} is still a CNAME to ${first}: links reach SendGrid directly, which serves only *.sendgrid.net certificates. Point it at the CDN once the CDN is ready.`,
        }
      : { id: 'dns-not-sendgrid', ok: true, detail: `${hostname} does not lead straight to SendGrid (${description}).` };

  const expected = options.expectedTargets ?? [];
  if (expected.length > 0) {
    const match = seen.find((value) => expected.some((target) => matchesTarget(value, target)));
    const points: CheckResult = match
      ? { id: 'dns-points-to-cdn', ok: true, detail: `${hostname} resolves through the CDN (${match}).` }
      : {
          id: 'dns-points-to-cdn',
          ok: false,
          detail: `${hostname} resolves to ${description}, not to the CDN (${shorten(expected.join(', '), 160)}). Point its CNAME at the CDN.`,
        };
    return { points, notSendGrid, autoSsl };
  }
  const named = seen.find((value) => knownCdnSuffixes.some((suffix) => value.endsWith(suffix)));
  if (named) return { points: { id: 'dns-points-to-cdn', ok: true, detail: `${hostname} resolves through a CDN (${named}).` }, notSendGrid, autoSsl };
  if (first !== undefined && isSendGridName(first)) {
    return { points: { id: 'dns-points-to-cdn', ok: false, detail: `${hostname} resolves to SendGrid (${description}), not to a CDN.` }, notSendGrid, autoSsl };
  }
  // A proxied Cloudflare record, or an alias at another CDN, answers with addresses only: their
  // published ranges tell whose edge they are.
  const byAddress = await findCdnAddress(lookup.addresses, options.cdnAddressRanges);
  if (byAddress) {
    const name = cdnDisplayNames[byAddress.cdn];
    return {
      points: {
        id: 'dns-points-to-cdn',
        ok: true,
        detail: `${hostname} resolves to ${byAddress.address}, inside ${name}'s address range ${byAddress.range}: it leads to ${name}'s edge.`,
      },
      notSendGrid,
      autoSsl,
    };
  }
  return {
    points: {
      id: 'dns-points-to-cdn',
      ok: null,
      detail: `${hostname} resolves to ${description}, which is no known CDN name and in no published CDN address range; pass expectedTargets to tell whether that is the CDN.`,
    },
    notSendGrid,
    autoSsl,
  };
}
