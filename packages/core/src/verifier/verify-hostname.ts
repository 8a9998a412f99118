import { isIP } from '../ip.js';
import { SslClickError } from '../errors.js';
import { normalizeHostname } from '../hostname.js';
import type { CheckId, CheckResult } from '../types.js';
import { lookupName, type DnsLookup } from './dns-lookup.js';
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
  /** A real tracked link from a sent message: `reaches-sendgrid` then expects its redirect. */
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
  /** True when no check failed and TLS and the request to SendGrid passed (where they ran). */
  ok: boolean;
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

const knownCdnSuffixes = ['.cloudfront.net', '.fastly.net', '.fastlylb.net', '.cdn.cloudflare.net', '.edgekey.net', '.akamaiedge.net'];
const cdnErrorStatuses = new Set([502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530]);

function isSendGridName(name: string): boolean {
  return name === 'sendgrid.net' || name.endsWith('.sendgrid.net');
}

function matchesTarget(value: string, target: string): boolean {
  const normalized = target.toLowerCase().replace(/\.$/, '');
  if (normalized.startsWith('*.')) return value.endsWith(normalized.slice(1));
  if (normalized.startsWith('.')) return value.endsWith(normalized);
  return value === normalized;
}

function toList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function dnsChecks(hostname: string, lookup: DnsLookup, options: VerifyOptions): { points: CheckResult; notSendGrid: CheckResult; autoSsl: boolean } {
  const chain = lookup.cnameChain;
  const first = chain[0];
  const seen = [...chain, ...lookup.addresses];
  const description = seen.length > 0 ? seen.join(' → ') : 'nothing';
  const autoSsl = first === 'click.sendgrid.net';
  if (lookup.error && seen.length === 0) {
    const detail = `${lookup.error} SendGrid support checks that ${hostname} resolves to the CDN.`;
    return { points: { id: 'dns-points-to-cdn', ok: false, detail }, notSendGrid: { id: 'dns-not-sendgrid', ok: null, detail }, autoSsl };
  }
  let notSendGrid: CheckResult;
  if (autoSsl) {
    notSendGrid = {
      id: 'dns-not-sendgrid',
      ok: null,
      detail: `${hostname} is a CNAME to click.sendgrid.net: SendGrid Auto SSL serves HTTPS for it already, no CDN is needed (and putting one in front risks Cloudflare error 1014).`,
    };
  } else if (first !== undefined && isSendGridName(first)) {
    notSendGrid = {
      id: 'dns-not-sendgrid',
      ok: false,
      detail: `${hostname} is still a CNAME to ${first}: links reach SendGrid directly, which serves only *.sendgrid.net certificates. Point it at the CDN once the CDN is ready.`,
    };
  } else {
    notSendGrid = { id: 'dns-not-sendgrid', ok: true, detail: `${hostname} does not lead straight to SendGrid (${description}).` };
  }

  const expected = options.expectedTargets ?? [];
  let points: CheckResult;
  if (expected.length > 0) {
    const match = seen.find((value) => expected.some((target) => matchesTarget(value, target)));
    points = match
      ? { id: 'dns-points-to-cdn', ok: true, detail: `${hostname} resolves through the CDN (${match}).` }
      : {
          id: 'dns-points-to-cdn',
          ok: false,
          detail: `${hostname} resolves to ${description}, not to the CDN (${expected.join(', ')}). Point its CNAME at the CDN.`,
        };
  } else {
    const match = seen.find((value) => knownCdnSuffixes.some((suffix) => value.endsWith(suffix)));
    points = match
      ? { id: 'dns-points-to-cdn', ok: true, detail: `${hostname} resolves through a CDN (${match}).` }
      : first !== undefined && isSendGridName(first)
        ? { id: 'dns-points-to-cdn', ok: false, detail: `${hostname} resolves to SendGrid (${description}), not to a CDN.` }
        : { id: 'dns-points-to-cdn', ok: null, detail: `${hostname} resolves to ${description}; pass expectedTargets to tell whether that is the CDN.` };
  }
  return { points, notSendGrid, autoSsl };
}

function tlsCheck(hostname: string, tls: TlsObservation, minimumDaysLeft: number, warnings: string[]): CheckResult {
  const where = `${tls.address}:${tls.port}`;
  if (!tls.handshake) {
    return {
      id: 'tls-valid',
      ok: false,
      detail:
        tls.errorCode === 'TIMEOUT'
          ? `${where} accepted no TLS handshake for ${hostname} within the time-out.`
          : `${where} refused TLS for ${hostname} (${tls.error ?? tls.errorCode}): the CDN has no certificate for it yet, or is not configured for it.`,
    };
  }
  const names = tls.names ?? [];
  if (names.some((name) => name === '*.sendgrid.net' || name === 'sendgrid.net')) {
    return {
      id: 'tls-valid',
      ok: false,
      detail: `${where} served SendGrid's own certificate (${names.join(', ')}): traffic reaches SendGrid directly, not through a CDN with a certificate for ${hostname}.`,
    };
  }
  if (!tls.coversHostname) {
    return {
      id: 'tls-valid',
      ok: false,
      detail: `The certificate served for ${hostname} is for ${names.join(', ') || tls.subject || 'another name'}: it does not cover ${hostname}.`,
    };
  }
  if (tls.trustError === 'CERT_HAS_EXPIRED' || (tls.daysLeft !== undefined && tls.daysLeft < 0)) {
    return { id: 'tls-valid', ok: false, detail: `The certificate for ${hostname} expired on ${tls.notAfter}.` };
  }
  if (tls.trustError === 'CERT_NOT_YET_VALID') {
    return { id: 'tls-valid', ok: false, detail: `The certificate for ${hostname} is not valid before ${tls.notBefore}.` };
  }
  if (!tls.trusted) {
    return {
      id: 'tls-valid',
      ok: false,
      detail: `The certificate for ${hostname} is not trusted (${tls.trustError ?? 'unknown reason'}, issuer ${tls.issuer ?? 'unknown'}): browsers will refuse it.`,
    };
  }
  if (tls.protocol && !['TLSv1.2', 'TLSv1.3'].includes(tls.protocol)) {
    return { id: 'tls-valid', ok: false, detail: `${where} negotiated ${tls.protocol}; TLS 1.2 or later is required.` };
  }
  if (tls.daysLeft !== undefined && tls.daysLeft < minimumDaysLeft) {
    warnings.push(`The certificate for ${hostname} expires in ${tls.daysLeft} days (${tls.notAfter}); check that the CDN renews it.`);
  }
  return {
    id: 'tls-valid',
    ok: true,
    detail: `${where} served a trusted certificate for ${hostname} over ${tls.protocol ?? 'TLS'}, valid until ${tls.notAfter} (${tls.daysLeft} days).`,
  };
}

function reachesCheck(hostname: string, https: HttpObservation, sampleLink: URL | undefined): CheckResult {
  const seenVia = https.cdn ? ` through ${https.cdn}` : '';
  if (https.status === undefined) {
    return { id: 'reaches-sendgrid', ok: false, detail: `No HTTP answer over TLS from ${hostname}: ${https.error ?? https.errorCode}.` };
  }
  if (cdnErrorStatuses.has(https.status)) {
    return {
      id: 'reaches-sendgrid',
      ok: false,
      detail: `The CDN answered ${https.status}${seenVia}: it could not reach SendGrid (origin TLS, SSL mode or origin address is wrong).`,
    };
  }
  if (sampleLink) {
    if (https.status >= 300 && https.status < 400 && https.location) {
      return {
        id: 'reaches-sendgrid',
        ok: true,
        detail: `The tracked link answered ${https.status}${seenVia} with Location ${https.location}: SendGrid received it with Host ${hostname}.`,
      };
    }
    return {
      id: 'reaches-sendgrid',
      ok: false,
      detail:
        https.status === 404
          ? `The tracked link answered 404${seenVia}: SendGrid does not know the Host it received, so the CDN replaces the Host header or changes the path.`
          : `The tracked link answered ${https.status}${seenVia} instead of a redirect.`,
    };
  }
  return {
    id: 'reaches-sendgrid',
    ok: true,
    detail: `${hostname} answered ${https.status}${seenVia} over HTTPS (no CDN error). Pass sampleLink to prove a real click redirects.`,
  };
}

function httpCheck(hostname: string, http: HttpObservation): CheckResult {
  if (http.status === undefined) {
    return {
      id: 'http-still-served',
      ok: false,
      detail: `Plain HTTP to ${hostname} failed (${http.error ?? http.errorCode}): http:// links in mail already sent would break.`,
    };
  }
  if (cdnErrorStatuses.has(http.status)) {
    return { id: 'http-still-served', ok: false, detail: `Plain HTTP to ${hostname} answered ${http.status}, a CDN error: old http:// links would break.` };
  }
  const redirect = http.status >= 300 && http.status < 400 && http.location?.startsWith(`https://${hostname}`);
  return {
    id: 'http-still-served',
    ok: true,
    detail: redirect
      ? `Plain HTTP to ${hostname} redirects to HTTPS (${http.status}).`
      : `Plain HTTP to ${hostname} still answers (${http.status}), so old http:// links keep working.`,
  };
}

function abortIfNeeded(signal: AbortSignal | undefined, hostname: string): void {
  if (signal?.aborted) {
    throw new SslClickError({ code: 'ABORTED', message: `Verification of ${hostname} was aborted.`, operation: 'verify', cause: signal.reason });
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
      throw new SslClickError({ code: 'INVALID_INPUT', message: `sampleLink "${options.sampleLink}" is not a URL; pass a tracked link copied from a sent message.` });
    }
    if (sampleLink.hostname.toLowerCase() !== hostname) {
      warnings.push(`sampleLink is on ${sampleLink.hostname}, not ${hostname}; its path is sent to ${hostname}.`);
    }
  }
  abortIfNeeded(options.signal, hostname);

  const needsDns = selected.has('dns-points-to-cdn') || selected.has('dns-not-sendgrid') || !options.connectTo;
  if (needsDns) {
    observed.dns = await lookupName(hostname, { servers, timeoutMs });
    const { points, notSendGrid, autoSsl } = dnsChecks(hostname, observed.dns, options);
    if (autoSsl) observed.autoSsl = true;
    if (selected.has('dns-points-to-cdn')) checks.push(points);
    if (selected.has('dns-not-sendgrid')) checks.push(notSendGrid);
  }
  abortIfNeeded(options.signal, hostname);

  let address: string | undefined;
  let unreachable = observed.dns?.error ?? 'no address';
  if (options.connectTo) {
    const target = options.connectTo.toLowerCase().replace(/\.$/, '');
    const lookup = isIP(target) !== 0 ? { cnameChain: [], addresses: [target] } : await lookupName(target, { servers, timeoutMs });
    if (isIP(target) === 0) observed.connectTo = lookup;
    address = lookup.addresses[0];
    if (address) observed.dialed = { address, via: 'connectTo' };
    else unreachable = `${target}: ${lookup.error ?? 'no address'}`;
  } else {
    address = observed.dns?.addresses[0];
    if (address) observed.dialed = { address, via: 'dns' };
  }

  const wantsTls = selected.has('tls-valid') || selected.has('reaches-sendgrid');
  if (wantsTls) {
    if (!address) {
      const detail = `Not run: nothing to dial for ${hostname} (${unreachable}).`;
      if (selected.has('tls-valid')) checks.push({ id: 'tls-valid', ok: false, detail });
      if (selected.has('reaches-sendgrid')) checks.push({ id: 'reaches-sendgrid', ok: false, detail });
    } else {
      const probe = { hostname, address, port: ports.https, ca, timeoutMs, signal: options.signal };
      const { probeHttp, probeTls } = await loadProbes();
      const { observation, socket } = await probeTls(probe);
      observed.tls = observation;
      abortIfNeeded(options.signal, hostname);
      if (selected.has('tls-valid')) checks.push(tlsCheck(hostname, observation, options.minimumDaysLeft ?? 14, warnings));
      if (selected.has('reaches-sendgrid')) {
        if (socket) {
          observed.https = await probeHttp({ ...probe, socket, path: sampleLink ? `${sampleLink.pathname}${sampleLink.search}` : '/' });
          checks.push(reachesCheck(hostname, observed.https, sampleLink));
        } else {
          checks.push({ id: 'reaches-sendgrid', ok: false, detail: `Not run: the TLS handshake with ${address} failed.` });
        }
      }
      socket?.destroy();
    }
  }
  abortIfNeeded(options.signal, hostname);

  if (selected.has('http-still-served')) {
    if (!address) {
      checks.push({ id: 'http-still-served', ok: false, detail: `Not run: nothing to dial for ${hostname} (${unreachable}).` });
    } else {
      const { probeHttp } = await loadProbes();
      observed.http = await probeHttp({
        hostname,
        address,
        port: ports.http,
        timeoutMs,
        signal: options.signal,
        path: sampleLink ? `${sampleLink.pathname}${sampleLink.search}` : '/',
      });
      checks.push(httpCheck(hostname, observed.http));
    }
  }
  abortIfNeeded(options.signal, hostname);

  const required = new Set<CheckId>(['tls-valid', 'reaches-sendgrid']);
  const ok = checks.every((check) => check.ok !== false) && checks.every((check) => !required.has(check.id) || check.ok === true);
  return { hostname, ok, checks, warnings, observed };
}

/** Options for `verifyHostnames`: those of `verifyHostname`, plus the bound on parallel checks. */
export interface VerifyManyOptions extends VerifyOptions {
  /** How many hostnames are checked at once. @default 16 */
  concurrency?: number;
}

/**
 * Verifies many hostnames, at most `concurrency` at once, returning results in input order. An
 * invalid hostname becomes a failed result rather than stopping the others.
 */
export async function verifyHostnames(hostnames: readonly string[], options: VerifyManyOptions = {}): Promise<VerifyResult[]> {
  const { concurrency = 16, ...single } = options;
  const results: VerifyResult[] = new Array(hostnames.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hostnames.length) {
      const index = next;
      next += 1;
      const hostname = hostnames[index] ?? '';
      try {
        results[index] = await verifyHostname(hostname, single);
      } catch (error) {
        if (SslClickError.isInstance(error) && error.code === 'ABORTED') throw error;
        results[index] = {
          hostname,
          ok: false,
          checks: [{ id: 'hostname-valid', ok: false, detail: error instanceof Error ? error.message : String(error) }],
          warnings: [],
          observed: {},
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, hostnames.length)) }, worker));
  return results;
}
