import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { ORIGIN_ADDRESS } from './addresses.js';
import type { CertificateAuthority, IssuedCertificate } from './certificate-authority.js';
import { normalizeDnsName } from './dns-zone.js';
import { escapeHtml, hostnameFromHostHeader, readBody } from './http-utilities.js';

/** One request the fake SendGrid origin received. */
export interface OriginRequestLog {
  readonly method: string;
  /** The `Host` header's host name (lower-case, no port); empty when absent. */
  readonly host: string;
  /** The path without the query string. */
  readonly path: string;
  /** The query parameters (the first value of each). */
  readonly query: Readonly<Record<string, string>>;
  readonly protocol: 'https' | 'http';
  /** The TLS SNI name the client sent, for HTTPS requests that sent one. */
  readonly servername?: string;
  readonly headers: IncomingHttpHeaders;
  /** The request body as UTF-8, when there was one. */
  readonly body?: string;
  /** Sandbox clock time of arrival, in milliseconds since the epoch. */
  readonly receivedAt: number;
  /** The status the origin answered with. */
  status?: number;
}

/** A tracked link created with {@link SendGridOrigin.createLink}. */
export interface TrackedLink {
  /** SendGrid's opaque link token (the `upn` query parameter). */
  readonly upn: string;
  /** The branded link host the link belongs to. */
  readonly hostname: string;
  /** Where a click redirects to. */
  readonly destination: string;
  /** The click-tracking URL, `<protocol>://<hostname>/ls/click?upn=…`. */
  readonly clickUrl: string;
  /** The open-tracking pixel URL, `<protocol>://<hostname>/wf/open?upn=…`. */
  readonly openUrl: string;
}

/** Options for {@link SendGridOrigin.createLink}. */
export interface CreateLinkOptions {
  /** Scheme of the generated URLs; default `http` (SendGrid uses `https` once SSL click tracking is on). */
  readonly protocol?: 'http' | 'https';
}

/**
 * What the origin answers for `GET /` on a branded host it knows. No public source says what
 * SendGrid answers there, or for a `upn` it did not issue (reference/sendgrid-cdn-facts.md §3
 * "Responses to a bogus upn, or to /, are unknown (no source)" and §7 item 4), so the sandbox
 * can answer either plausible way, and the verifier must judge the same under both:
 * - `page`: a 200 page, unlike the 404 for an unknown host (the sandbox's historical answer);
 * - `not-found`: the same 404 as for an unknown host, so `/` tells nothing about the Host.
 */
export type OriginRootAnswer = 'page' | 'not-found';

/**
 * The fake SendGrid origin (`sendgrid.net`): routes by `Host` header like SendGrid does, answers
 * clicks with a redirect, opens with a GIF, and 404 for a host it does not know.
 */
export interface SendGridOrigin {
  /** The address it listens on ({@link ORIGIN_ADDRESS}). */
  readonly host: string;
  /** The certificate it presents on HTTPS, issued for `*.sendgrid.net` and `sendgrid.net`. */
  readonly certificate: IssuedCertificate;
  /** Every request received, oldest first. */
  readonly requests: OriginRequestLog[];
  /** Empties {@link SendGridOrigin.requests}. */
  clearRequests(): void;
  /** Starts serving `hostname` as a branded link host (as a valid link branding would). */
  addBrandedHost(hostname: string): void;
  /** Stops serving `hostname`; returns whether it was served. */
  removeBrandedHost(hostname: string): boolean;
  /** The branded link hosts served, sorted. */
  brandedHosts(): string[];
  /**
   * Serves `hostname` as a SendGrid Auto SSL branded host: SendGrid terminates TLS for it with a
   * certificate for the host itself (issued by the sandbox authority) instead of `*.sendgrid.net`,
   * and routes it like any branded host. Its DNS is a CNAME to `click.sendgrid.net`, which the
   * sandbox zone resolves to this origin. Evidence: the Auto SSL link branding points the host at
   * `click.sendgrid.net` with an `_acme-challenge` CNAME to `dcv.cloudflare.com`, so SendGrid
   * obtains and serves the host's certificate (reference/sendgrid-cdn-facts.md §0, support article
   * 55419969558427).
   */
  enableAutoSsl(hostname: string): Promise<void>;
  /** How `GET /` on a known branded host is answered (see {@link OriginRootAnswer}). @default 'page' */
  setRootAnswer(answer: OriginRootAnswer): void;
  /**
   * Creates a tracked link on the branded host `hostname` that redirects to `destination`.
   *
   * @throws TypeError when `hostname` is not a branded host or `destination` is not an absolute URL.
   */
  createLink(hostname: string, destination: string, options?: CreateLinkOptions): TrackedLink;
  /** The tracked link with this `upn`, if any. */
  getLink(upn: string): TrackedLink | undefined;
}

/** The origin plus its two servers, not yet listening; used by the sandbox to bind them. */
export interface SendGridOriginInstance {
  readonly origin: SendGridOrigin;
  readonly httpsServer: HttpsServer;
  readonly httpServer: HttpServer;
}

/** Options for {@link createSendGridOrigin}. */
export interface SendGridOriginOptions {
  /** Issues the origin's `*.sendgrid.net` certificate. */
  readonly authority: CertificateAuthority;
  /** Clock for the request log; default `Date.now`. */
  readonly now?: () => number;
}

/** A 1×1 transparent GIF, as SendGrid's open pixel. */
const transparentGif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const sendGridDomain = 'sendgrid.net';

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    server: 'nginx',
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-cache, no-store, must-revalidate',
    ...headers,
  });
  response.end(body);
}

function sendNotFound(response: ServerResponse): void {
  send(response, 404, 'text/html; charset=utf-8', '<html><body><h1>404 page not found</h1></body></html>\n');
}

/**
 * Creates the fake SendGrid origin and its HTTPS and HTTP servers (not listening yet).
 * {@link startSandbox} binds them on {@link ORIGIN_ADDRESS}.
 */
export async function createSendGridOrigin(options: SendGridOriginOptions): Promise<SendGridOriginInstance> {
  const now = options.now ?? Date.now;
  const certificate = await options.authority.issue({ names: [`*.${sendGridDomain}`, sendGridDomain] });
  const brandedHostnames = new Set<string>();
  const linksByUpn = new Map<string, TrackedLink>();
  const requests: OriginRequestLog[] = [];
  const autoSslContexts = new Map<string, SecureContext>();
  let rootAnswer: OriginRootAnswer = 'page';

  function route(entry: OriginRequestLog, response: ServerResponse): void {
    const { host, path, method } = entry;
    if (!brandedHostnames.has(host)) {
      if (host === sendGridDomain && path === '/' && (method === 'GET' || method === 'HEAD')) {
        send(response, 200, 'text/html; charset=utf-8', '<html><body><h1>SendGrid</h1></body></html>\n');
      } else {
        sendNotFound(response);
      }
      return;
    }
    if (path === '/ls/click' || path === '/wf/click') {
      const link = entry.query['upn'] === undefined ? undefined : linksByUpn.get(entry.query['upn']);
      if (link === undefined || link.hostname !== host) {
        sendNotFound(response);
        return;
      }
      send(response, 302, 'text/html; charset=utf-8', `<a href="${escapeHtml(link.destination)}">Found</a>.\n`, {
        location: link.destination,
      });
      return;
    }
    if (path === '/wf/open') {
      send(response, 200, 'image/gif', transparentGif);
      return;
    }
    if (path === '/wf/unsubscribe' || path === '/asm/unsubscribe') {
      send(response, 200, 'text/html; charset=utf-8', '<html><body><p>You have been unsubscribed.</p></body></html>\n');
      return;
    }
    if (path === '/' && rootAnswer === 'page') {
      send(response, 200, 'text/html; charset=utf-8', `<html><body><p>${escapeHtml(host)}</p></body></html>\n`);
      return;
    }
    sendNotFound(response);
  }

  function createHandler(protocol: 'https' | 'http') {
    return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
      const receivedAt = now();
      let body: Buffer;
      try {
        body = await readBody(request);
      } catch {
        response.destroy();
        return;
      }
      const url = new URL(request.url ?? '/', 'http://origin.invalid');
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams) {
        if (!(name in query)) query[name] = value;
      }
      const servername: unknown = (request.socket as unknown as { servername?: unknown }).servername;
      const entry: OriginRequestLog = {
        method: request.method ?? 'GET',
        host: hostnameFromHostHeader(request.headers.host) ?? '',
        path: url.pathname,
        query,
        protocol,
        ...(typeof servername === 'string' && servername !== '' ? { servername: normalizeDnsName(servername) } : {}),
        headers: request.headers,
        ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
        receivedAt,
      };
      requests.push(entry);
      route(entry, response);
      entry.status = response.statusCode;
    };
  }

  const httpsServer = createHttpsServer(
    {
      key: certificate.key,
      cert: certificate.certificate,
      SNICallback: (servername, callback) => callback(null, autoSslContexts.get(normalizeDnsName(servername))),
    },
    createHandler('https'),
  );
  const httpServer = createHttpServer(createHandler('http'));
  for (const server of [httpsServer, httpServer]) {
    server.on('clientError', (_error, socket) => socket.destroy());
    server.on('tlsClientError', () => undefined);
  }

  const origin: SendGridOrigin = {
    host: ORIGIN_ADDRESS,
    certificate,
    requests,
    clearRequests(): void {
      requests.length = 0;
    },
    addBrandedHost(hostname: string): void {
      brandedHostnames.add(normalizeDnsName(hostname));
    },
    removeBrandedHost(hostname: string): boolean {
      return brandedHostnames.delete(normalizeDnsName(hostname));
    },
    brandedHosts(): string[] {
      return [...brandedHostnames].sort();
    },
    async enableAutoSsl(hostname: string): Promise<void> {
      const normalizedHostname = normalizeDnsName(hostname);
      const issued = await options.authority.issue({ names: [normalizedHostname] });
      autoSslContexts.set(normalizedHostname, createSecureContext({ key: issued.key, cert: issued.certificate }));
      brandedHostnames.add(normalizedHostname);
    },
    setRootAnswer(answer: OriginRootAnswer): void {
      rootAnswer = answer;
    },
    createLink(hostname: string, destination: string, linkOptions: CreateLinkOptions = {}): TrackedLink {
      const normalizedHostname = normalizeDnsName(hostname);
      if (!brandedHostnames.has(normalizedHostname)) {
        throw new TypeError(`${normalizedHostname} is not a branded link host of the sandbox origin; call addBrandedHost first.`);
      }
      if (!URL.canParse(destination)) throw new TypeError(`${destination} is not an absolute URL.`);
      const upn = randomBytes(24).toString('base64url');
      const protocol = linkOptions.protocol ?? 'http';
      const link: TrackedLink = {
        upn,
        hostname: normalizedHostname,
        destination,
        clickUrl: `${protocol}://${normalizedHostname}/ls/click?upn=${upn}`,
        openUrl: `${protocol}://${normalizedHostname}/wf/open?upn=${upn}`,
      };
      linksByUpn.set(upn, link);
      return link;
    },
    getLink(upn: string): TrackedLink | undefined {
      return linksByUpn.get(upn);
    },
  };
  return { origin, httpsServer, httpServer };
}
