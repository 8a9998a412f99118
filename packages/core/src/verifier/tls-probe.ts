import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as tlsConnect, checkServerIdentity, createSecureContext, rootCertificates, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { opensslReason } from './text.js';

/** What the TLS handshake showed. */
export interface TlsObservation {
  /** The address and port dialled. */
  address: string;
  /** The port dialled. */
  port: number;
  /** The handshake completed (whether or not the certificate is trusted). */
  handshake: boolean;
  /** Why the handshake did not complete, in one line (OpenSSL's reason, not its dump). */
  error?: string;
  /** Node's error code for it (`ECONNREFUSED`, `ERR_SSL_…`). */
  errorCode?: string;
  /**
   * When a modern handshake failed on the protocol version: the old version (`TLSv1`,
   * `TLSv1.1`) the server completed a second, legacy-only handshake with. Absent when it did not.
   */
  legacyProtocol?: string;
  /** The TLS version negotiated, e.g. `TLSv1.3`. */
  protocol?: string;
  /** The chain is trusted by the trust store used. */
  trusted?: boolean;
  /** Why it is not trusted (`CERT_HAS_EXPIRED`, `SELF_SIGNED_CERT_IN_CHAIN`, …). */
  trustError?: string;
  /** Whether the certificate covers the hostname (SNI), and if not why. */
  coversHostname?: boolean;
  /** The certificate's subject common name. */
  subject?: string;
  /** The certificate's issuer (organisation or common name). */
  issuer?: string;
  /** The host names the certificate covers (subject alternative names). */
  names?: string[];
  /** ISO 8601 start of validity. */
  notBefore?: string;
  /** ISO 8601 end of validity. */
  notAfter?: string;
  /** Whole days left before `notAfter` (rounded down). */
  daysLeft?: number;
  /** Milliseconds left before `notAfter`, for wording that does not round a day away. */
  millisecondsLeft?: number;
  /** The leaf's Authority Information Access "CA Issuers" URLs: where its issuer can be fetched. */
  caIssuers?: string[];
}

/** What one HTTP request showed. */
export interface HttpObservation {
  /** The HTTP status answered. */
  status?: number;
  /** The `Location` header, for a redirect. */
  location?: string;
  /** Headers that identify a CDN or proxy. */
  fingerprint: Record<string, string>;
  /** The CDN recognised from those headers. */
  cdn?: 'cloudflare' | 'cloudfront' | 'fastly';
  /** Why no answer came (connection refused, time-out, TLS failure). */
  error?: string;
  /** Node's error code for it. */
  errorCode?: string;
}

/** Options shared by the probes. */
export interface ProbeOptions {
  hostname: string;
  address: string;
  port: number;
  /** Trusted roots: Node's defaults plus these. */
  ca?: string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

const fingerprintHeaders = ['server', 'via', 'x-cache', 'cf-ray', 'x-amz-cf-id', 'x-amz-cf-pop', 'x-served-by', 'x-fastly-request-id'];

function fingerprintOf(headers: IncomingHttpHeaders): Pick<HttpObservation, 'fingerprint' | 'cdn'> {
  const fingerprint: Record<string, string> = {};
  for (const name of fingerprintHeaders) {
    const value = headers[name];
    if (value !== undefined) fingerprint[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const via = fingerprint.via ?? '';
  const cdn =
    fingerprint['cf-ray'] || /cloudflare/i.test(fingerprint.server ?? '')
      ? 'cloudflare'
      : fingerprint['x-amz-cf-id'] || /cloudfront/i.test(via) || /cloudfront/i.test(fingerprint['x-cache'] ?? '')
        ? 'cloudfront'
        : fingerprint['x-served-by']?.startsWith('cache-') || /varnish/i.test(via)
          ? 'fastly'
          : undefined;
  return cdn ? { fingerprint, cdn } : { fingerprint };
}

// Parsing Node's ~150 root certificates costs milliseconds, so the trust store built from them
// plus the caller's extra roots is made once per distinct list and reused for every connection.
const secureContexts = new Map<string, SecureContext>();
const maximumCachedContexts = 16;

function secureContextFor(ca: string[] | undefined): SecureContext | undefined {
  if (!ca || ca.length === 0) return undefined;
  const key = ca.join('\n');
  let context = secureContexts.get(key);
  if (!context) {
    if (secureContexts.size >= maximumCachedContexts) secureContexts.clear();
    context = createSecureContext({ ca: [...rootCertificates, ...ca] });
    secureContexts.set(key, context);
  }
  return context;
}

function namesOf(certificate: PeerCertificate): string[] {
  const names = (certificate.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  const commonName = certificate.subject?.CN;
  if (names.length === 0 && typeof commonName === 'string') names.push(commonName.toLowerCase());
  return names;
}

function guard<Value>(socket: Socket, options: ProbeOptions, onTimeout: () => Value, settle: (value: Value) => void): () => void {
  socket.setTimeout(options.timeoutMs, () => {
    settle(onTimeout());
    socket.destroy();
  });
  const abort = (): void => {
    socket.destroy(new Error('aborted'));
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  return () => options.signal?.removeEventListener('abort', abort);
}

/**
 * Opens a TLS connection to `address:port` with SNI = hostname and reports what the handshake
 * showed. The certificate is checked but not enforced, so an untrusted or mismatched one is
 * described rather than just refused. Resolves with the observation and, when the handshake
 * completed, the open socket for an HTTP request over it. Never hangs: the socket has a time-out.
 */
export function probeTls(options: ProbeOptions): Promise<{ observation: TlsObservation; socket?: TLSSocket }> {
  return new Promise((resolve) => {
    let settled = false;
    const base = { address: options.address, port: options.port };
    // Node parses the peer's certificate for its own identity check when the chain is trusted:
    // the check is Node's own (tls.checkServerIdentity, so `authorized` means what it always
    // meant), and what it parsed and found is kept instead of being parsed and checked again.
    let checked: { certificate: PeerCertificate; identityError: Error | undefined } | undefined;
    const socket = tlsConnect({
      host: options.address,
      port: options.port,
      servername: options.hostname,
      secureContext: secureContextFor(options.ca),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      checkServerIdentity(hostname, certificate) {
        const identityError = checkServerIdentity(hostname, certificate);
        checked = { certificate, identityError };
        return identityError;
      },
    });
    const settle = (value: { observation: TlsObservation; socket?: TLSSocket }): void => {
      if (settled) return;
      settled = true;
      release();
      resolve(value);
    };
    const release = guard<{ observation: TlsObservation }>(
      socket,
      options,
      () => ({
        observation: {
          ...base,
          handshake: false,
          errorCode: 'TIMEOUT',
          error: `No TLS answer from ${options.address}:${options.port} within ${options.timeoutMs} ms.`,
        },
      }),
      settle,
    );
    socket.once('secureConnect', () => {
      const certificate = checked?.certificate ?? socket.getPeerCertificate();
      const names = namesOf(certificate);
      const identityError = checked ? checked.identityError : certificate.raw ? checkServerIdentity(options.hostname, certificate) : new Error('no certificate');
      const notAfter = certificate.valid_to ? new Date(certificate.valid_to) : undefined;
      const authorizationError = socket.authorizationError;
      const observation: TlsObservation = {
        ...base,
        handshake: true,
        protocol: socket.getProtocol() ?? undefined,
        trusted: socket.authorized,
        ...(authorizationError ? { trustError: String((authorizationError as { code?: string }).code ?? authorizationError) } : {}),
        coversHostname: identityError === undefined,
        subject: typeof certificate.subject?.CN === 'string' ? certificate.subject.CN : undefined,
        issuer: typeof certificate.issuer?.CN === 'string' ? certificate.issuer.CN : undefined,
        names,
        notBefore: certificate.valid_from ? new Date(certificate.valid_from).toISOString() : undefined,
        notAfter: notAfter?.toISOString(),
        daysLeft: notAfter ? Math.floor((notAfter.getTime() - Date.now()) / 86_400_000) : undefined,
        millisecondsLeft: notAfter ? notAfter.getTime() - Date.now() : undefined,
      };
      const caIssuers = certificate.infoAccess?.['CA Issuers - URI'];
      if (caIssuers && caIssuers.length > 0) observation.caIssuers = [...caIssuers];
      socket.setTimeout(0);
      settle({ observation, socket });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      const observation: TlsObservation = { ...base, handshake: false, errorCode: error.code ?? 'TLS_ERROR', error: opensslReason(error.message) };
      if (!protocolVersionErrors.has(observation.errorCode ?? '')) {
        settle({ observation });
        return;
      }
      void probeLegacyProtocol(options).then((legacyProtocol) => settle({ observation: legacyProtocol ? { ...observation, legacyProtocol } : observation }));
    });
  });
}

/** Handshake failures that mean "no TLS version in common". */
const protocolVersionErrors = new Set([
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_WRONG_SSL_VERSION',
]);

/**
 * Tries one handshake offering only TLS 1.0 and 1.1, to tell "this server speaks only an old
 * TLS" from other version failures. OpenSSL 3 refuses those versions at its default security
 * level, hence `SECLEVEL=0` for this probe alone. Resolves with the version, or undefined.
 */
function probeLegacyProtocol(options: ProbeOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = tlsConnect({
      host: options.address,
      port: options.port,
      servername: options.hostname,
      rejectUnauthorized: false,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    const settle = (value: string | undefined): void => {
      if (settled) return;
      settled = true;
      release();
      socket.destroy();
      resolve(value);
    };
    const release = guard<string | undefined>(socket, options, () => undefined, settle);
    socket.once('secureConnect', () => settle(socket.getProtocol() ?? undefined));
    socket.once('error', () => settle(undefined));
  });
}

/** Options for one HTTP request in a probe. */
export interface HttpProbeOptions extends ProbeOptions {
  /** Path and query, e.g. `/ls/click?upn=…`. */
  path: string;
  method?: string;
  /** An open TLS socket to send the request over; plain HTTP to address:port when absent. */
  socket?: TLSSocket;
}

/** Sends one request with `Host: hostname` and does not follow redirects. Never throws or hangs. */
export function probeHttp(options: HttpProbeOptions): Promise<HttpObservation> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (observation: HttpObservation): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      resolve(observation);
    };
    const request = httpRequest({
      host: options.address,
      port: options.port,
      method: options.method ?? 'GET',
      path: options.path,
      headers: { host: options.hostname, 'user-agent': 'sslclick-verifier', accept: '*/*', connection: 'close' },
      timeout: options.timeoutMs,
      // `agent: false` would make Node ignore createConnection and dial a new plain connection.
      ...(options.socket ? { createConnection: () => options.socket as unknown as Socket } : { agent: false }),
    });
    // Node arms `timeout` on sockets it opens itself, not on one handed over by createConnection
    // (the TLS probe's, whose time-out was cleared): without this, an edge that accepts the
    // request and never answers holds the probe until the server drops it, about a minute.
    options.socket?.setTimeout(options.timeoutMs);
    const abort = (): void => {
      request.destroy(new Error('aborted'));
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    request.once('response', (response) => {
      const location = response.headers.location;
      settle({
        status: response.statusCode,
        ...(location ? { location } : {}),
        ...fingerprintOf(response.headers),
      });
      response.resume();
      response.once('end', () => request.destroy());
      response.once('error', () => undefined);
    });
    request.once('timeout', () => {
      settle({ fingerprint: {}, errorCode: 'TIMEOUT', error: `No HTTP answer within ${options.timeoutMs} ms.` });
      request.destroy();
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      settle({ fingerprint: {}, errorCode: error.code ?? 'HTTP_ERROR', error: opensslReason(error.message) });
    });
    request.end();
  });
}
