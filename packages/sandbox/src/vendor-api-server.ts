import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as a fake vendor API received it. */
export interface VendorRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Path parameters filled in by the router. */
  params: Record<string, string>;
  text(): string;
  /** The body parsed as JSON; `undefined` for an empty body. Throws on malformed JSON. */
  json(): unknown;
  /** The body parsed as `application/x-www-form-urlencoded`. */
  form(): URLSearchParams;
}

/** What a fake vendor answers. A plain object or array body is sent as JSON. */
export interface VendorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Record<string, unknown> | unknown[];
}

/** A request in the log, as tests and the benchmark read it. */
export interface VendorRequestRecord {
  /** Position in this API's log, from 0. */
  index: number;
  method: string;
  path: string;
  query: string;
  /** The body as text (credentials never appear in bodies of these APIs). */
  body: string;
  /** The status sent, or `undefined` for a dropped or hung request. */
  status?: number;
  /** The fault injected into this request, if any. */
  fault?: FaultKind;
  /** Whether the request changes state (POST, PUT, PATCH, DELETE). */
  write: boolean;
  receivedAt: number;
}

/** The faults a test can inject into a fake vendor API. */
export type FaultKind = 'rate-limit' | 'server-error' | 'unavailable' | 'reset' | 'slow' | 'hang' | 'html-error' | 'malformed' | 'echo-credential';

/** One injected fault. */
export interface Fault {
  kind: FaultKind;
  /** Which requests it hits: by index in the log, method, or path; the next request when omitted. */
  match?: { index?: number; method?: string; path?: string | RegExp; write?: boolean };
  /** How many matching requests it hits. @default 1 */
  times?: number;
  /** For `rate-limit`: the Retry-After to send, in seconds. @default 1 */
  retryAfterSeconds?: number;
  /** For `slow`: how long to hold the answer, in ms; the request itself is carried out at once. @default 5000 */
  delayMs?: number;
  /**
   * For `echo-credential`: the HTTP status of the error answer. The answer quotes the credentials
   * the request carried (see `credentialsQuotedBy`) in every field of the vendor's error format,
   * as gateways, proxies and some vendor errors that echo the request do.
   * @default 401
   */
  status?: number;
}

/** How a vendor writes the bodies of injected faults in its own error format. */
export interface VendorErrorFormat {
  /** The body and headers of an error response with this status, in the vendor's format. */
  error(status: number, message: string): VendorResponse;
  /**
   * An error response with this status whose every field (messages, titles, details, pointers,
   * request ids, and the code where the format's code is text) quotes `quoted`, for the
   * `echo-credential` fault. The request tells formats with more than one error shape (Fastly's
   * classic and JSON:API) which one this endpoint uses. Without it, `error` carries the quote.
   */
  echo?(status: number, quoted: string, request: { method: string; path: string }): VendorResponse;
}

/**
 * The credentials a request carried, as a vendor echoing them would quote them: bearer and
 * basic tokens without their scheme, `Fastly-Key`, Cloudflare's `X-Auth-Key`, the access key id
 * of an AWS SigV4 signature and `X-Amz-Security-Token`. Joined by spaces; empty when none.
 */
export function credentialsQuotedBy(headers: IncomingHttpHeaders): string {
  const quoted: string[] = [];
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
    if (accessKeyId) quoted.push(accessKeyId);
    else quoted.push(authorization.replace(/^(bearer|basic|token)\s+/i, ''));
  }
  for (const name of ['fastly-key', 'x-auth-key', 'x-api-key', 'x-amz-security-token']) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') quoted.push(value);
  }
  return quoted.join(' ');
}

type RouteHandler = (request: VendorRequest) => VendorResponse | Promise<VendorResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/** A small path router for the fakes: `/zones/:zoneId/dns_records`. */
export interface VendorRouter {
  add(method: string, path: string, handler: RouteHandler): VendorRouter;
}

/** A running fake vendor API. */
export interface VendorApiServer {
  /** The base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: VendorRequestRecord[];
  /** How many requests changed state. */
  writes(): number;
  /** How many requests only read. */
  reads(): number;
  /** Forget the log (counts start again from 0). */
  clearRequests(): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), names };
}

function matches(fault: Fault, record: VendorRequestRecord): boolean {
  const match = fault.match;
  if (!match) return true;
  if (match.index !== undefined && match.index !== record.index) return false;
  if (match.method !== undefined && match.method.toUpperCase() !== record.method) return false;
  if (match.write !== undefined && match.write !== record.write) return false;
  if (match.path !== undefined) {
    if (typeof match.path === 'string' ? !record.path.includes(match.path) : !match.path.test(record.path)) return false;
  }
  return true;
}

/** The environment variable that gives every fake vendor API of a process its first faults. */
export const sandboxFaultsVariable = 'SSLCLICK_SANDBOX_FAULTS';

/**
 * The faults every fake vendor API of this process starts with, read from
 * `SSLCLICK_SANDBOX_FAULTS`: a JSON array of `Fault`s, where a `match.path` written `/…/` is a
 * regular expression. It lets a test fault an example or CLI run it starts as a child process.
 */
function faultsFromEnvironment(): Fault[] {
  const text = process.env[sandboxFaultsVariable];
  if (!text) return [];
  const parsed = JSON.parse(text) as Fault[];
  if (!Array.isArray(parsed)) throw new Error(`${sandboxFaultsVariable} must be a JSON array of faults.`);
  return parsed.map((fault) => {
    const path = fault.match?.path;
    if (typeof path !== 'string' || !/^\/.+\/$/.test(path)) return fault;
    return { ...fault, match: { ...fault.match, path: new RegExp(path.slice(1, -1)) } };
  });
}

function send(response: ServerResponse, answer: VendorResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  let body: string | Buffer = '';
  if (answer.body !== undefined) {
    if (typeof answer.body === 'string' || Buffer.isBuffer(answer.body)) {
      body = answer.body;
    } else {
      body = JSON.stringify(answer.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  response.writeHead(answer.status, headers).end(body);
}

/**
 * Starts a fake vendor API on 127.0.0.1 (port chosen by the OS): routes requests to the vendor's
 * handlers, logs every request, and applies injected faults (429 with Retry-After, 500, 503, a
 * connection reset, a slow or hung answer, an HTML error page from a proxy, a malformed body, an
 * error that quotes the request's credentials back)
 * before the handler runs, so a faulted request never changes state; except `slow`, whose request
 * is carried out at once and only its answer is held back (the client cannot tell if it happened).
 */
export async function startVendorApiServer(options: {
  format: VendorErrorFormat;
  routes: (router: VendorRouter) => void;
}): Promise<VendorApiServer> {
  const routes: Route[] = [];
  const router: VendorRouter = {
    add(method, path, handler) {
      routes.push({ method: method.toUpperCase(), ...compile(path), handler });
      return router;
    },
  };
  options.routes(router);

  const requests: VendorRequestRecord[] = [];
  let faults: Array<Fault & { remaining: number }> = faultsFromEnvironment().map((fault) => ({ ...fault, remaining: fault.times ?? 1 }));
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();

  const server: Server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(incoming.url ?? '/', 'http://sandbox');
    const method = (incoming.method ?? 'GET').toUpperCase();
    const record = {
      index: requests.length,
      method,
      path: url.pathname,
      query: url.search,
      write: writeMethods.has(method),
      receivedAt: Date.now(),
    } as VendorRequestRecord;
    // Decoded when first read: most bodies in the log are never read, and decoding every upload
    // (a Fastly Compute package is ~4 MB per host) took a fifth of a fleet run's CPU.
    let text: string | undefined;
    Object.defineProperty(record, 'body', {
      enumerable: true,
      configurable: true,
      get: () => (text ??= body.toString('utf8')),
      set: (value: string) => {
        text = value;
      },
    });
    requests.push(record);

    let delayAnswerMs = 0;
    const fault = faults.find((candidate) => candidate.remaining > 0 && matches(candidate, record));
    if (fault) {
      fault.remaining -= 1;
      faults = faults.filter((candidate) => candidate.remaining > 0);
      record.fault = fault.kind;
      switch (fault.kind) {
        case 'reset':
          incoming.socket.destroy();
          return;
        case 'hang':
          hung.add(response);
          return;
        case 'slow':
          // The vendor carries the request out; only its answer is late. A client that gave up
          // meanwhile does not know whether a write happened, as on the real internet.
          delayAnswerMs = fault.delayMs ?? 5_000;
          break;
        case 'rate-limit': {
          const answer = options.format.error(429, 'Rate limit exceeded');
          record.status = 429;
          send(response, { ...answer, headers: { ...answer.headers, 'retry-after': String(fault.retryAfterSeconds ?? 1) } });
          return;
        }
        case 'server-error':
          record.status = 500;
          send(response, options.format.error(500, 'Internal server error'));
          return;
        case 'unavailable':
          record.status = 503;
          send(response, options.format.error(503, 'Service unavailable'));
          return;
        case 'html-error':
          record.status = 502;
          send(response, {
            status: 502,
            headers: { 'content-type': 'text/html' },
            body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
          });
          return;
        case 'echo-credential': {
          const status = fault.status ?? 401;
          const quoted = credentialsQuotedBy(incoming.headers);
          record.status = status;
          send(
            response,
            options.format.echo?.(status, quoted, { method, path: url.pathname }) ??
              options.format.error(status, `The request with credentials ${quoted} was refused`),
          );
          return;
        }
        case 'malformed':
          record.status = 200;
          send(response, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"result": [' });
          return;
      }
    }

    const route = routes.find((candidate) => candidate.method === method && candidate.pattern.test(url.pathname));
    let answer: VendorResponse;
    if (!route) {
      answer = options.format.error(404, `No route for ${method} ${url.pathname} in the sandbox`);
    } else {
      const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
      const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(values[index] ?? '')]));
      const request: VendorRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        body,
        params,
        text: () => body.toString('utf8'),
        json: () => (body.length === 0 ? undefined : JSON.parse(body.toString('utf8'))),
        form: () => new URLSearchParams(body.toString('utf8')),
      };
      try {
        answer = await route.handler(request);
      } catch (error) {
        answer = options.format.error(500, `Sandbox handler failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    record.status = answer.status;
    if (delayAnswerMs > 0) await new Promise((resolve) => setTimeout(resolve, delayAnswerMs));
    if (response.destroyed) return;
    send(response, answer);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    writes: () => requests.filter((record) => record.write).length,
    reads: () => requests.filter((record) => !record.write).length,
    clearRequests: () => {
      requests.length = 0;
    },
    injectFault: (fault) => {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    clearFaults: () => {
      faults = [];
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const response of hung) response.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
