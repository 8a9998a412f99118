import { Agent as HttpAgent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import type {
  ClientRequest,
  IncomingMessage,
  OutgoingHttpHeaders,
  Server as HttpServer,
  ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { RequestOptions, Server as HttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, createSecureContext } from 'node:tls';
import type { PeerCertificate, SecureContext, TLSSocket } from 'node:tls';
import { EDGE_ADDRESS } from './addresses.js';
import { edgeErrorPage, fingerprintHeaders } from './cdn-fingerprint.js';
import type { EdgeCacheStatus } from './cdn-fingerprint.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { DnsZone } from './dns-zone.js';
import { normalizeDnsName } from './dns-zone.js';
import { hostnameFromHostHeader, withoutHopByHopHeaders } from './http-utilities.js';

/** A failure the edge can be told to simulate for one host. */
export type EdgeFailure = 'none' | 'refuse' | 'hang' | '502' | '503';

/** How the edge serves one hostname: the CDN configuration the sandbox enforces. */
export interface EdgeRoute {
  /** The viewer-facing host name (the branded link host). */
  readonly hostname: string;
  /** `cloudflare`, `fastly`, `cloudfront` or another name; picks fingerprint headers and error styles. */
  readonly provider: string;
  /** The origin host, resolved through the sandbox DNS zone, e.g. `sendgrid.net`. */
  readonly originHost: string;
  /** Protocol to the origin. */
  readonly originProtocol: 'https' | 'http';
  /** `Host` sent to the origin: the viewer's (`viewer`), `originHost` (`origin`), or this literal value. */
  readonly hostHeader: 'viewer' | 'origin' | (string & {});
  /**
   * The SNI sent to an HTTPS origin: the viewer's host (`viewer`), `originHost` (`origin`, the
   * default), or this literal value. Cloudflare for SaaS sends the custom hostname as SNI to the
   * fallback origin (see cloudflare-api/saas-fidelity.test.ts).
   */
  readonly originServername?: 'viewer' | 'origin' | (string & {});
  /**
   * Validate the origin certificate (default false). When true the origin's certificate must be
   * trusted and cover the name the provider checks: for Cloudflare (Full strict) the `Host` sent to
   * the origin; for others the origin host or that `Host`. Else 526 (Cloudflare) or 502.
   */
  readonly verifyOriginCertificate?: boolean;
  /** Cache GET responses by host and URL (default false): a repeated click never reaches the origin. */
  readonly cache?: boolean;
  /** Allowed methods (default all); others get 403. */
  readonly allowedMethods?: readonly string[];
  /** Serve plain HTTP for this host too (default true); false redirects HTTP to HTTPS with 301. */
  readonly http?: boolean;
  /** Whether the configuration is active (default true); false answers 403 (CloudFront) or 503. */
  readonly enabled?: boolean;
  /** An injected failure (default `none`): refuse the connection, hang, or answer 502/503. */
  readonly failure?: EdgeFailure;
}

/** What to issue for {@link Edge.setCertificate}. */
export interface EdgeCertificateRequest {
  /** Names in the certificate; default `[hostname]`. */
  readonly names?: readonly string[];
  /** Start of validity; default one hour ago. */
  readonly notBefore?: Date;
  /** End of validity; default in 90 days. */
  readonly notAfter?: Date;
  /** Issuing authority; default the sandbox authority (trusted by `sandbox.ca.certificate`). */
  readonly authority?: CertificateAuthority;
}

/** A certificate installed on the edge for one SNI name. */
export interface EdgeCertificate {
  /** The SNI name it is served for. */
  readonly hostname: string;
  /** The names in the certificate. */
  readonly names: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The certificate, PEM. */
  readonly pem: string;
  /** Name of the issuing authority. */
  readonly authorityName: string;
}

/** One request the edge received. */
export interface EdgeRequestLog {
  /** Host name the request was routed by (`Host` header, else SNI), lower-case. */
  readonly hostname: string;
  /** SNI name of the TLS connection, for HTTPS. */
  readonly servername?: string;
  readonly method: string;
  /** The request target (path and query). */
  readonly url: string;
  readonly protocol: 'https' | 'http';
  /** Sandbox clock time of arrival, in milliseconds since the epoch. */
  readonly receivedAt: number;
  /** Status sent to the viewer; absent while pending, or when the connection was dropped. */
  status?: number;
  /** How the response was produced: from the cache, the origin, or an edge error. */
  cacheStatus?: EdgeCacheStatus;
  /** The origin address dialled, when the request was forwarded. */
  originAddress?: string;
  /** Why the edge answered with an error itself, when it did. */
  error?: string;
}

/** One TLS handshake attempt at the edge. */
export interface EdgeHandshakeLog {
  /** SNI name sent by the client; absent when none was sent. */
  readonly servername?: string;
  readonly receivedAt: number;
  /** `certificate-served`, `no-certificate` (handshake failed), `refused` (injected), or `no-servername`. */
  readonly outcome: 'certificate-served' | 'no-certificate' | 'refused' | 'no-servername';
}

/**
 * The sandbox CDN edge on {@link EDGE_ADDRESS}: terminates TLS for a hostname only when a
 * certificate is installed for it, and forwards exactly as its route says.
 */
export interface Edge {
  /** The address it listens on. */
  readonly host: string;
  /** Every request received, oldest first. */
  readonly requests: EdgeRequestLog[];
  /** Every TLS handshake attempt, oldest first. */
  readonly handshakes: EdgeHandshakeLog[];
  /** Empties {@link Edge.requests} and {@link Edge.handshakes}. */
  clearRequests(): void;
  /** Issues a certificate (from the sandbox authority unless told otherwise) and serves it for SNI = `hostname`. */
  setCertificate(hostname: string, certificate?: EdgeCertificateRequest): Promise<EdgeCertificate>;
  /** Stops serving a certificate for `hostname` (handshakes then fail); returns whether one was installed. */
  removeCertificate(hostname: string): boolean;
  /** The certificate served for `hostname`, if any. */
  getCertificate(hostname: string): EdgeCertificate | undefined;
  /** Every installed certificate. */
  certificates(): EdgeCertificate[];
  /** Installs or replaces the route for `route.hostname` (and empties that host's cache). */
  setRoute(route: EdgeRoute): EdgeRoute;
  /** Removes the route for `hostname`; returns whether there was one. */
  removeRoute(hostname: string): boolean;
  /** The route for `hostname`, if any. */
  getRoute(hostname: string): EdgeRoute | undefined;
  /** Every route. */
  routes(): EdgeRoute[];
  /** Empties the cache of `hostname`, or of every host. */
  purgeCache(hostname?: string): void;
}

/** The edge plus its two servers, not yet listening; used by the sandbox to bind them. */
export interface EdgeInstance {
  readonly edge: Edge;
  readonly httpsServer: HttpsServer;
  readonly httpServer: HttpServer;
  /** Destroys requests still in flight to the origin. */
  abortForwarding(): void;
}

/** Options for {@link createEdge}. */
export interface EdgeOptions {
  /** Zone through which route origins are resolved. */
  readonly zone: DnsZone;
  /** Default issuer of edge certificates; also the trust anchor when validating origins. */
  readonly authority: CertificateAuthority;
  /** Ports the origin listens on (read at each request: known only once bound). */
  readonly originPorts: () => { readonly https: number; readonly http: number };
  /** Clock for logs; default `Date.now`. */
  readonly now?: () => number;
  /** Time allowed for the origin to connect and answer; default 5000 ms. */
  readonly originTimeoutMilliseconds?: number;
}

interface InstalledCertificate {
  readonly info: EdgeCertificate;
  readonly context: SecureContext;
}

interface CachedResponse {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

type OriginFailureKind = 'dns' | 'refused' | 'timeout' | 'tls-handshake' | 'certificate' | 'reset';

const loopMarker = 'sslclick-sandbox-edge';

const certificateErrorCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function classifyOriginFailure(error: unknown, timedOut: boolean, secureConnected: boolean, https: boolean): OriginFailureKind {
  if (timedOut) return 'timeout';
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return 'refused';
  if (certificateErrorCodes.has(code) || code.startsWith('CERT_') || code.startsWith('ERR_TLS_CERT')) return 'certificate';
  if (https && !secureConnected) return 'tls-handshake';
  return 'reset';
}

/** The status a provider answers when the origin fails in this way. */
function originFailureStatus(provider: string, kind: OriginFailureKind): number {
  if (provider === 'cloudflare') {
    return { dns: 530, refused: 521, timeout: 524, 'tls-handshake': 525, certificate: 526, reset: 520 }[kind];
  }
  return kind === 'timeout' ? 504 : 502;
}

/** Extra request headers a provider adds toward the origin. */
function providerRequestHeaders(provider: string, clientAddress: string, protocol: 'https' | 'http'): Record<string, string> {
  switch (provider) {
    case 'cloudflare':
      return { 'cf-connecting-ip': clientAddress, 'cf-visitor': JSON.stringify({ scheme: protocol }) };
    case 'cloudfront':
      return { 'cloudfront-forwarded-proto': protocol };
    case 'fastly':
      return { 'fastly-client-ip': clientAddress };
    default:
      return {};
  }
}

/**
 * Creates the sandbox CDN edge and its HTTPS and HTTP servers (not listening yet).
 * {@link startSandbox} binds them on {@link EDGE_ADDRESS}.
 */
export function createEdge(options: EdgeOptions): EdgeInstance {
  const now = options.now ?? Date.now;
  const originTimeoutMilliseconds = options.originTimeoutMilliseconds ?? 5000;
  const certificatesByHostname = new Map<string, InstalledCertificate>();
  const routesByHostname = new Map<string, EdgeRoute>();
  const cacheByHostname = new Map<string, Map<string, CachedResponse>>();
  const requests: EdgeRequestLog[] = [];
  const handshakes: EdgeHandshakeLog[] = [];
  const forwarding = new Set<ClientRequest>();
  // Like a real CDN, the edge keeps a pool of warm connections to the origin (keep-alive, with TLS
  // session resumption) instead of a new TCP and TLS handshake per forwarded request. A pool is
  // kept per way of checking the origin's certificate: a connection checked against one set of
  // names is never reused for a request that must be checked against another.
  const originAgents = new Map<string, HttpAgent | HttpsAgent>();
  function originAgent(https: boolean, verifyKey: string): HttpAgent | HttpsAgent {
    const key = `${https ? 'https' : 'http'}|${verifyKey}`;
    let agent = originAgents.get(key);
    if (agent === undefined) {
      // Idle connections are dropped after 4 s, before the origin's 5 s keep-alive time-out closes
      // them, so a request is not sent on a connection the origin is closing.
      const agentOptions = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 4_000 };
      agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
      originAgents.set(key, agent);
    }
    return agent;
  }

  function sniCallback(servername: string, callback: (error: Error | null, context?: SecureContext) => void): void {
    const hostname = normalizeDnsName(servername);
    const receivedAt = now();
    if (routesByHostname.get(hostname)?.failure === 'refuse') {
      handshakes.push({ servername: hostname, receivedAt, outcome: 'refused' });
      callback(new Error(`The edge refuses connections for ${hostname} (injected failure).`));
      return;
    }
    const installed = certificatesByHostname.get(hostname);
    if (installed === undefined) {
      handshakes.push({ servername: hostname, receivedAt, outcome: 'no-certificate' });
      callback(new Error(`The edge has no certificate for ${hostname}.`));
      return;
    }
    handshakes.push({ servername: hostname, receivedAt, outcome: 'certificate-served' });
    callback(null, installed.context);
  }

  function respondWithError(
    response: ServerResponse,
    entry: EdgeRequestLog,
    provider: string,
    status: number,
    detail: string,
    extraHeaders: Record<string, string> = {},
  ): void {
    const page = edgeErrorPage(provider, status, detail);
    entry.status = status;
    entry.cacheStatus = 'error';
    entry.error = detail;
    response.writeHead(status, {
      'content-type': page.contentType,
      'content-length': String(Buffer.byteLength(page.body)),
      'cache-control': 'no-store',
      ...fingerprintHeaders(provider, 'error'),
      ...extraHeaders,
    });
    response.end(page.body);
  }

  function respondFromCache(response: ServerResponse, entry: EdgeRequestLog, provider: string, cached: CachedResponse): void {
    entry.status = cached.status;
    entry.cacheStatus = 'hit';
    response.writeHead(cached.status, { ...cached.headers, ...fingerprintHeaders(provider, 'hit') });
    response.end(cached.body);
  }

  function forward(
    request: IncomingMessage,
    response: ServerResponse,
    entry: EdgeRequestLog,
    route: EdgeRoute,
    cacheKey: string | undefined,
  ): void {
    const provider = route.provider;
    const addresses = options.zone.resolveAddresses(route.originHost);
    const originAddress = addresses[0];
    if (originAddress === undefined) {
      request.resume();
      respondWithError(response, entry, provider, originFailureStatus(provider, 'dns'), `The origin ${route.originHost} does not resolve.`);
      return;
    }
    entry.originAddress = originAddress;
    const ports = options.originPorts();
    const https = route.originProtocol === 'https';
    const viewerHost = request.headers.host ?? entry.hostname;
    const hostHeader =
      route.hostHeader === 'viewer' ? viewerHost : route.hostHeader === 'origin' ? route.originHost : route.hostHeader;
    const clientAddress = request.socket.remoteAddress ?? '';
    const previousForwardedFor = request.headers['x-forwarded-for'];
    const headers: OutgoingHttpHeaders = {
      ...withoutHopByHopHeaders(request.headers),
      ...providerRequestHeaders(provider, clientAddress, entry.protocol),
      host: hostHeader,
      'x-forwarded-for': previousForwardedFor === undefined ? clientAddress : `${String(previousForwardedFor)}, ${clientAddress}`,
      'x-forwarded-proto': entry.protocol,
      'cdn-loop': loopMarker,
    };
    const requestOptions: RequestOptions = {
      host: originAddress,
      port: https ? ports.https : ports.http,
      method: request.method,
      path: request.url,
      headers,
    };
    let verifyKey = 'unverified';
    if (https) {
      const servername =
        route.originServername === undefined || route.originServername === 'origin'
          ? route.originHost
          : route.originServername === 'viewer'
            ? (hostnameFromHostHeader(viewerHost) ?? route.originHost)
            : route.originServername;
      if (isIP(servername) === 0) requestOptions.servername = servername;
      const verify = route.verifyOriginCertificate === true;
      requestOptions.rejectUnauthorized = verify;
      if (verify) {
        requestOptions.ca = options.authority.certificate;
        const hostHeaderName = hostnameFromHostHeader(hostHeader) ?? '';
        const acceptableNames = provider === 'cloudflare' ? [hostHeaderName] : [route.originHost, hostHeaderName];
        verifyKey = `verified:${acceptableNames.join(',')}`;
        requestOptions.checkServerIdentity = (_servername: string, certificate: PeerCertificate): Error | undefined => {
          const failures = acceptableNames.map((name) => checkServerIdentity(name, certificate));
          return failures.some((failure) => failure === undefined) ? undefined : failures[0];
        };
      }
    }
    requestOptions.agent = originAgent(https, verifyKey);

    let timedOut = false;
    let secureConnected = false;
    const upstream = (https ? httpsRequest : httpRequest)(requestOptions);
    forwarding.add(upstream);
    upstream.setTimeout(originTimeoutMilliseconds, () => {
      timedOut = true;
      upstream.destroy(new Error(`The origin did not answer within ${originTimeoutMilliseconds} ms.`));
    });
    upstream.on('socket', (socket) => {
      // A pooled connection finished its TLS handshake when it was first opened.
      if (upstream.reusedSocket) {
        secureConnected = true;
        return;
      }
      socket.once('secureConnect', () => {
        secureConnected = true;
      });
    });
    upstream.on('close', () => forwarding.delete(upstream));
    upstream.on('error', (error) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const kind = classifyOriginFailure(error, timedOut, secureConnected, https);
      respondWithError(response, entry, provider, originFailureStatus(provider, kind), `Origin ${route.originHost} failed (${kind}): ${error.message}`);
    });
    upstream.on('response', (originResponse) => {
      const status = originResponse.statusCode ?? 502;
      const originHeaders = withoutHopByHopHeaders(originResponse.headers);
      const cacheStatus: EdgeCacheStatus = cacheKey === undefined ? 'pass' : 'miss';
      entry.status = status;
      entry.cacheStatus = cacheStatus;
      response.writeHead(status, { ...originHeaders, ...fingerprintHeaders(provider, cacheStatus) });
      if (cacheKey === undefined) {
        originResponse.pipe(response);
        return;
      }
      const chunks: Buffer[] = [];
      originResponse.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        response.write(chunk);
      });
      originResponse.on('end', () => {
        let hostCache = cacheByHostname.get(entry.hostname);
        if (hostCache === undefined) {
          hostCache = new Map();
          cacheByHostname.set(entry.hostname, hostCache);
        }
        hostCache.set(cacheKey, { status, headers: originHeaders, body: Buffer.concat(chunks) });
        response.end();
      });
      originResponse.on('error', () => response.destroy());
    });
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    request.pipe(upstream);
  }

  function createHandler(protocol: 'https' | 'http') {
    return (request: IncomingMessage, response: ServerResponse): void => {
      const socket = request.socket as TLSSocket;
      const servername = protocol === 'https' && typeof socket.servername === 'string' ? normalizeDnsName(socket.servername) : undefined;
      const hostname = hostnameFromHostHeader(request.headers.host) ?? servername ?? '';
      const method = (request.method ?? 'GET').toUpperCase();
      const url = request.url ?? '/';
      const entry: EdgeRequestLog = {
        hostname,
        ...(servername === undefined ? {} : { servername }),
        method,
        url,
        protocol,
        receivedAt: now(),
      };
      requests.push(entry);

      const route = routesByHostname.get(hostname);
      const provider = route?.provider ?? 'sandbox';
      if (String(request.headers['cdn-loop'] ?? '').includes(loopMarker)) {
        request.resume();
        respondWithError(response, entry, provider, 508, 'Loop detected: the request came back to the edge.');
        return;
      }
      if (route === undefined) {
        request.resume();
        respondWithError(response, entry, 'sandbox', 421, `Misdirected request: the edge has no configuration for ${hostname || '(no host)'}.`);
        return;
      }
      if (route.enabled === false) {
        request.resume();
        const status = provider === 'cloudfront' ? 403 : 503;
        respondWithError(response, entry, provider, status, `The configuration for ${hostname} is disabled.`);
        return;
      }
      if (protocol === 'http' && route.http === false) {
        request.resume();
        entry.status = 301;
        response.writeHead(301, { location: `https://${request.headers.host ?? hostname}${url}`, 'content-length': '0', ...fingerprintHeaders(provider, 'pass') });
        response.end();
        return;
      }
      switch (route.failure ?? 'none') {
        case 'refuse':
          entry.error = 'Connection dropped (injected failure).';
          request.socket.destroy();
          return;
        case 'hang':
          entry.error = 'No answer (injected failure).';
          request.resume();
          return;
        case '502':
          request.resume();
          respondWithError(response, entry, provider, 502, 'Bad gateway (injected failure).');
          return;
        case '503':
          request.resume();
          respondWithError(response, entry, provider, 503, 'Service unavailable (injected failure).');
          return;
        case 'none':
          break;
      }
      if (route.allowedMethods !== undefined && !route.allowedMethods.some((allowed) => allowed.toUpperCase() === method)) {
        request.resume();
        respondWithError(response, entry, provider, 403, `This distribution is not configured to allow the HTTP request method ${method}.`);
        return;
      }
      let cacheKey: string | undefined;
      if (route.cache === true && (method === 'GET' || method === 'HEAD')) {
        const cached = cacheByHostname.get(hostname)?.get(url);
        if (cached !== undefined) {
          request.resume();
          respondFromCache(response, entry, provider, cached);
          return;
        }
        if (method === 'GET') cacheKey = url;
      }
      forward(request, response, entry, route, cacheKey);
    };
  }

  const httpsServer = createHttpsServer({ SNICallback: sniCallback }, createHandler('https'));
  const httpServer = createHttpServer(createHandler('http'));
  httpsServer.on('tlsClientError', (_error, socket) => {
    if (!socket.servername) handshakes.push({ receivedAt: now(), outcome: 'no-servername' });
  });
  for (const server of [httpsServer, httpServer]) {
    server.on('clientError', (_error, socket) => socket.destroy());
  }

  const edge: Edge = {
    host: EDGE_ADDRESS,
    requests,
    handshakes,
    clearRequests(): void {
      requests.length = 0;
      handshakes.length = 0;
    },
    async setCertificate(hostname: string, certificate: EdgeCertificateRequest = {}): Promise<EdgeCertificate> {
      const normalizedHostname = normalizeDnsName(hostname);
      const authority = certificate.authority ?? options.authority;
      const issued = await authority.issue({
        names: certificate.names ?? [normalizedHostname],
        ...(certificate.notBefore === undefined ? {} : { notBefore: certificate.notBefore }),
        ...(certificate.notAfter === undefined ? {} : { notAfter: certificate.notAfter }),
      });
      const info: EdgeCertificate = {
        hostname: normalizedHostname,
        names: issued.names,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        pem: issued.certificate,
        authorityName: authority.name,
      };
      certificatesByHostname.set(normalizedHostname, {
        info,
        context: createSecureContext({ key: issued.key, cert: issued.certificate }),
      });
      return info;
    },
    removeCertificate(hostname: string): boolean {
      return certificatesByHostname.delete(normalizeDnsName(hostname));
    },
    getCertificate(hostname: string): EdgeCertificate | undefined {
      return certificatesByHostname.get(normalizeDnsName(hostname))?.info;
    },
    certificates(): EdgeCertificate[] {
      return [...certificatesByHostname.values()].map((installed) => installed.info);
    },
    setRoute(route: EdgeRoute): EdgeRoute {
      const hostname = normalizeDnsName(route.hostname);
      if (hostname === '') throw new TypeError('An edge route needs a hostname.');
      const stored: EdgeRoute = Object.freeze({
        ...route,
        hostname,
        originHost: normalizeDnsName(route.originHost),
        ...(route.allowedMethods === undefined ? {} : { allowedMethods: Object.freeze([...route.allowedMethods]) }),
      });
      routesByHostname.set(hostname, stored);
      cacheByHostname.delete(hostname);
      return stored;
    },
    removeRoute(hostname: string): boolean {
      const normalizedHostname = normalizeDnsName(hostname);
      cacheByHostname.delete(normalizedHostname);
      return routesByHostname.delete(normalizedHostname);
    },
    getRoute(hostname: string): EdgeRoute | undefined {
      return routesByHostname.get(normalizeDnsName(hostname));
    },
    routes(): EdgeRoute[] {
      return [...routesByHostname.values()];
    },
    purgeCache(hostname?: string): void {
      if (hostname === undefined) cacheByHostname.clear();
      else cacheByHostname.delete(normalizeDnsName(hostname));
    },
  };

  return {
    edge,
    httpsServer,
    httpServer,
    abortForwarding(): void {
      for (const upstream of forwarding) upstream.destroy();
      forwarding.clear();
      for (const agent of originAgents.values()) agent.destroy();
      originAgents.clear();
    },
  };
}
