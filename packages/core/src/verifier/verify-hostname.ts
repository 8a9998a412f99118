import { isIP } from '../ip.js';
import { SslClickError } from '../errors.js';
import { normalizeHostname } from '../hostname.js';
import type { CheckId, CheckResult } from '../types.js';
import { assertCdnAddressRanges, type CdnAddressRanges } from './cdn-address-ranges.js';
import { lookupName, type DnsLookup } from './dns-lookup.js';
import { judgeDns } from './dns-judgement.js';
import { judgeHttpStillServed, judgeReachesSendGrid } from './http-judgement.js';
import { clause, sentence, shorten } from './text.js';
import { judgeTls } from './tls-judgement.js';
import type { HttpObservation, TlsObservation } from './tls-probe.js';

// The probes load node:tls and node:http, which cost a large part of this package's import time:
// they are loaded on the first verification, not when @sslclick/core is imported.
let probesModule: Promise<typeof import('./tls-probe.js')> | undefined;
const loadProbes = (): Promise<typeof import('./tls-probe.js')> => (probesModule ??= import('./tls-probe.js'));

/** The checks the verifier can run. */
export type VerifierCheckId = 'dns-points-to-cdn' | 'dns-not-sendgrid' | 'tls-valid' | 'reaches-sendgrid' | 'http-still-served';

/** Every verifier check, in the order they run. */
export const verifierChecks: readonly VerifierCheckId[] = [
  'dns-points-to-cdn',
  'dns-not-sendgrid',
  'tls-valid',
  'reaches-sendgrid',
  'http-still-served',
];

/** Options for `verifyHostname`. */
export interface VerifyOptions {
  /** DNS servers to ask, as `"address"` or `"address:port"`. @default the system's resolvers */
  resolver?: string | string[];
  /** Extra trusted root certificates (PEM), added to Node's normal trust store. */
  ca?: string | string[];
  /**
   * An address or host name to dial instead of the hostname's own DNS answer, with SNI and Host
   * still the hostname: the pre-cutover check against a CDN edge before DNS points there.
   */
  connectTo?: string;
  /**
   * CNAME targets or addresses that mean "the CDN". A name matches exactly, or as a suffix when
   * written with a leading dot or `*.` (`.cloudfront.net`). Without it, well-known CDN domains count.
   */
  expectedTargets?: string[];
  /**
   * CIDR ranges that mean "this CDN's edge", replacing the published list of each CDN named
   * (`{ cloudflare: ['127.0.0.1/32'] }` for a local test edge). They decide `dns-points-to-cdn`
   * for a host that resolves to addresses only, as a proxied Cloudflare record does.
   * @default the ranges Cloudflare, Fastly and CloudFront publish (see `cdn-address-ranges.ts`)
   */
  cdnAddressRanges?: Partial<CdnAddressRanges>;
  /**
   * A tracked link copied from a message sent through SendGrid (`https://url1234.example.com/ls/click?upn=…`).
   * Only its redirect proves that SendGrid knows the branded Host; without it `reaches-sendgrid`
   * is `null` (not proven) and `ok` is false, except for an Auto SSL host.
   */
  sampleLink?: string;
  /** The ports to dial. @default { https: 443, http: 80 } */
  ports?: {
    /** The HTTPS port. @default 443 */
    https?: number;
    /** The plain HTTP port. @default 80 */
    http?: number;
  };
  /** The time-out of each DNS query, connection and request, in ms. @default 10000 */
  timeoutMs?: number;
  /** The certificate days left under which `tls-valid` warns. @default 14 */
  minimumDaysLeft?: number;
  /** Which checks to run. @default every check */
  checks?: readonly VerifierCheckId[];
  /** Stops the verification with `ABORTED`. */
  signal?: AbortSignal;
}

/** What `verifyHostname` returns. */
export interface VerifyResult {
  /** The host verified, normalised. */
  hostname: string;
  /**
   * True when no check failed and `tls-valid` and `reaches-sendgrid` passed (where they ran). An
   * unproven `reaches-sendgrid` (no sampleLink) leaves it false.
   */
  ok: boolean;
  /**
   * What can be shown without a tracked link: no check failed, TLS is valid and the request over
   * it was answered without a CDN error. It does not prove that SendGrid knows the Host (`ok`
   * does, with sampleLink); the pre-cutover checks use it for an edge they configured themselves.
   */
  edgeForwards: boolean;
  /** Every check run, passed or not. */
  checks: CheckResult[];
  /** Things worth knowing that do not fail a check (a certificate close to expiry). */
  warnings: string[];
  /** What the verifier saw, for reports and debugging. */
  observed: {
    /** The hostname's CNAME chain and addresses. */
    dns?: DnsLookup;
    /** The link uses SendGrid Auto SSL (`click.sendgrid.net`): no CDN is needed. */
    autoSsl?: boolean;
    /** The address dialled, and how it was chosen. */
    dialed?: {
      /** The address dialled. */
      address: string;
      /** From the hostname's own DNS answer, or from `connectTo`. */
      via: 'dns' | 'connectTo';
    };
    /** What DNS answered for `connectTo`, when it is a name (a CDN edge name, or the host itself). */
    connectTo?: DnsLookup;
    /** The TLS handshake with SNI = hostname. */
    tls?: TlsObservation;
    /** The HTTPS request to the tracked link (or `/`). */
    https?: HttpObservation;
    /** The plain HTTP request, which must still be served. */
    http?: HttpObservation;
  };
}

function toList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function abortIfNeeded(signal: AbortSignal | undefined, hostname: string): void {
  if (signal?.aborted) {
    throw new SslClickError({ code: 'ABORTED', message: `Verification of ${shorten(hostname)} was aborted.`, operation: 'verify', cause: signal.reason });
  }
}

/**
 * Checks a branded link host from the outside, as SendGrid support does before switching SSL
 * click tracking on: DNS leads to the CDN and not straight to SendGrid, TLS with SNI = hostname
 * is valid and trusted, a request over it reaches SendGrid with the branded Host, and plain HTTP
 * still answers. Network failures are reported as failed checks; it throws only for an invalid
 * hostname (`INVALID_INPUT`) or an abort (`ABORTED`). Every socket and query has a time-out.
 */
export async function verifyHostname(hostnameInput: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const hostname = normalizeHostname(hostnameInput);
  const selected = new Set<CheckId>(options.checks ?? verifierChecks);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ports = { https: options.ports?.https ?? 443, http: options.ports?.http ?? 80 };
  const servers = toList(options.resolver);
  const ca = toList(options.ca);
  const warnings: string[] = [];
  const checks: CheckResult[] = [];
  const observed: VerifyResult['observed'] = {};
  let sampleLink: URL | undefined;
  if (options.sampleLink) {
    try {
      sampleLink = new URL(options.sampleLink);
    } catch {
      throw new SslClickError({ code: 'INVALID_INPUT', message: `sampleLink "${shorten(options.sampleLink)}" is not a URL; pass a tracked link copied from a sent message.` });
    }
    if (sampleLink.hostname.toLowerCase() !== hostname) {
      warnings.push(`sampleLink is on ${shorten(sampleLink.hostname)}, not ${hostname}; its path is sent to ${hostname}.`);
    }
  }
  if (options.cdnAddressRanges) assertCdnAddressRanges(options.cdnAddressRanges);
  abortIfNeeded(options.signal, hostname);

  // The host's own DNS and the `connectTo` name are independent: both are asked at once.
  const needsDns = selected.has('dns-points-to-cdn') || selected.has('dns-not-sendgrid') || !options.connectTo;
  const connectTarget = options.connectTo?.toLowerCase().replace(/\.$/, '');
  const [hostLookup, connectLookup] = await Promise.all<[Promise<DnsLookup | undefined> | undefined, Promise<DnsLookup> | DnsLookup | undefined]>([
    needsDns ? lookupName(hostname, { servers, timeoutMs }) : undefined,
    connectTarget === undefined ? undefined : isIP(connectTarget) !== 0 ? { cnameChain: [], addresses: [connectTarget] } : lookupName(connectTarget, { servers, timeoutMs }),
  ]);
  if (hostLookup) {
    observed.dns = hostLookup;
    const { points, notSendGrid, autoSsl } = await judgeDns(hostname, hostLookup, {
      ...(options.expectedTargets ? { expectedTargets: options.expectedTargets } : {}),
      ...(options.cdnAddressRanges ? { cdnAddressRanges: options.cdnAddressRanges } : {}),
    });
    if (autoSsl) observed.autoSsl = true;
    if (selected.has('dns-points-to-cdn')) checks.push(points);
    if (selected.has('dns-not-sendgrid')) checks.push(notSendGrid);
  }
  abortIfNeeded(options.signal, hostname);

  let address: string | undefined;
  let unreachable = clause(observed.dns?.error ?? 'no address');
  if (connectTarget !== undefined && connectLookup) {
    if (isIP(connectTarget) === 0) observed.connectTo = connectLookup;
    address = connectLookup.addresses[0];
    if (address) observed.dialed = { address, via: 'connectTo' };
    else unreachable = connectLookup.error ? clause(connectLookup.error) : `${shorten(connectTarget)} has no address`;
  } else {
    address = observed.dns?.addresses[0];
    if (address) observed.dialed = { address, via: 'dns' };
  }

  const wantsTls = selected.has('tls-valid') || selected.has('reaches-sendgrid');
  const wantsHttp = selected.has('http-still-served');
  const path = sampleLink ? `${sampleLink.pathname}${sampleLink.search}` : '/';
  const probes = address && (wantsTls || wantsHttp) ? await loadProbes() : undefined;

  /** TLS, then the HTTPS request over that connection: tls-valid and reaches-sendgrid, in that order. */
  const secureChecks = async (dialled: string, { probeTls, probeHttp }: typeof import('./tls-probe.js')): Promise<{ checks: CheckResult[]; tlsValid: boolean }> => {
    const own: CheckResult[] = [];
    const probe = { hostname, address: dialled, port: ports.https, ca, timeoutMs, signal: options.signal };
    const { observation, socket } = await probeTls(probe);
    observed.tls = observation;
    try {
      abortIfNeeded(options.signal, hostname);
      // Judged even when tls-valid is not asked for: reaches-sendgrid depends on it.
      const tlsVerdict = judgeTls(hostname, observation, options.minimumDaysLeft ?? 14, selected.has('tls-valid') ? warnings : []);
      if (selected.has('tls-valid')) own.push(tlsVerdict);
      if (selected.has('reaches-sendgrid')) {
        if (socket) {
          observed.https = await probeHttp({ ...probe, socket, path });
          // Auto SSL: the host's own DNS leads to SendGrid's name and that is what was dialled.
          const autoSsl = observed.autoSsl === true && observed.dialed?.via === 'dns';
          own.push(judgeReachesSendGrid(hostname, observed.https, { ...(sampleLink ? { sampleLink } : {}), tlsValid: tlsVerdict.ok === true, autoSsl }));
        } else {
          own.push({
            id: 'reaches-sendgrid',
            ok: false,
            detail: selected.has('tls-valid') ? `Not run: no TLS connection to ${dialled} (see tls-valid).` : `Not run: the TLS handshake with ${dialled} failed.`,
          });
        }
      }
      return { checks: own, tlsValid: tlsVerdict.ok === true };
    } finally {
      socket?.destroy();
    }
  };

  // One host's probes run at once, so its verification takes about as long as its slowest probe.
  const [secure, plain] = await Promise.all([
    wantsTls && address && probes ? secureChecks(address, probes) : undefined,
    wantsHttp && address && probes ? probes.probeHttp({ hostname, address, port: ports.http, timeoutMs, signal: options.signal, path }) : undefined,
  ]);
  let tlsValid = false;
  if (wantsTls) {
    if (secure) {
      checks.push(...secure.checks);
      tlsValid = secure.tlsValid;
    } else {
      if (selected.has('tls-valid')) checks.push({ id: 'tls-valid', ok: false, detail: `Not run: nothing to dial for ${hostname} (${unreachable}).` });
      if (selected.has('reaches-sendgrid')) {
        checks.push({ id: 'reaches-sendgrid', ok: false, detail: selected.has('tls-valid') ? 'Not run: no address to send the request to (see tls-valid).' : `Not run: nothing to dial for ${hostname} (${unreachable}).` });
      }
    }
  }
  if (wantsHttp) {
    if (plain) {
      observed.http = plain;
      checks.push(judgeHttpStillServed(hostname, plain));
    } else {
      checks.push({ id: 'http-still-served', ok: false, detail: `Not run: nothing to dial for ${hostname} (${unreachable}).` });
    }
  }
  abortIfNeeded(options.signal, hostname);

  const required = new Set<CheckId>(['tls-valid', 'reaches-sendgrid']);
  // Every detail is one finished line, however it was assembled.
  const finished = checks.map((check) => ({ ...check, detail: sentence(check.detail) }));
  const noneFailed = finished.every((check) => check.ok !== false);
  const ok = noneFailed && finished.every((check) => !required.has(check.id) || check.ok === true);
  const answered = observed.https?.status !== undefined && finished.some((check) => check.id === 'reaches-sendgrid');
  const edgeForwards = noneFailed && tlsValid && answered;
  return { hostname, ok, edgeForwards, checks: finished, warnings: warnings.map(sentence), observed };
}

/** Options for `verifyHostnames`: those of `verifyHostname`, plus the bound on parallel checks. */
export interface VerifyManyOptions extends VerifyOptions {
  /** How many hostnames are checked at once. @default 16 */
  concurrency?: number;
  /** A tracked link per hostname (see `sampleLink`), for the hosts that have one. */
  sampleLinks?: Readonly<Record<string, string>>;
}

/**
 * Verifies many hostnames, at most `concurrency` at once, returning results in input order. An
 * invalid hostname becomes a failed result rather than stopping the others.
 */
export async function verifyHostnames(hostnames: readonly string[], options: VerifyManyOptions = {}): Promise<VerifyResult[]> {
  const { concurrency = 16, sampleLinks, ...single } = options;
  const results: VerifyResult[] = new Array(hostnames.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hostnames.length) {
      const index = next;
      next += 1;
      const hostname = hostnames[index] ?? '';
      try {
        const sampleLink = sampleLinks?.[hostname] ?? sampleLinks?.[hostname.toLowerCase()];
        results[index] = await verifyHostname(hostname, sampleLink ? { ...single, sampleLink } : single);
      } catch (error) {
        if (SslClickError.isInstance(error) && error.code === 'ABORTED') throw error;
        results[index] = {
          hostname: shorten(hostname),
          ok: false,
          edgeForwards: false,
          checks: [{ id: 'hostname-valid', ok: false, detail: sentence(error instanceof Error ? error.message : String(error)) }],
          warnings: [],
          observed: {},
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, hostnames.length)) }, worker));
  return results;
}
