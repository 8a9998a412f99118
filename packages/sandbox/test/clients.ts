/**
 * Small real-socket clients for the sandbox's own tests (not exported from the package).
 *
 * @packageDocumentation
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import type { PeerCertificate } from 'node:tls';

/** A finished HTTP exchange. */
export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What to send with {@link sendRequest}. */
export interface SendRequestOptions {
  readonly protocol: 'https' | 'http';
  /** IP address to dial. */
  readonly address: string;
  readonly port: number;
  /** `Host` header; also the SNI name for HTTPS unless `servername` is given. */
  readonly host: string;
  readonly path: string;
  readonly method?: string;
  readonly servername?: string;
  /** Trusted roots for HTTPS. */
  readonly ca?: string;
  readonly body?: string;
  readonly timeoutMilliseconds?: number;
}

/** Sends one request without connection reuse and collects the whole answer. */
export function sendRequest(options: SendRequestOptions): Promise<HttpResult> {
  return new Promise<HttpResult>((resolve, reject) => {
    const common = {
      host: options.address,
      port: options.port,
      path: options.path,
      method: options.method ?? 'GET',
      headers: { host: options.host, connection: 'close' },
      agent: false as const,
      timeout: options.timeoutMilliseconds ?? 3000,
    };
    const request =
      options.protocol === 'https'
        ? httpsRequest({ ...common, servername: options.servername ?? options.host, ...(options.ca === undefined ? {} : { ca: options.ca }) })
        : httpRequest(common);
    request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.end(options.body);
  });
}

/** The outcome of a TLS handshake attempt. */
export interface HandshakeResult {
  readonly authorized: boolean;
  readonly authorizationError?: string;
  readonly certificate: PeerCertificate;
}

/**
 * Completes a TLS handshake without verifying (so the certificate can be inspected), reporting
 * whether `ca` would have authorised it for `servername`; rejects if the handshake itself fails.
 */
export function handshake(address: string, port: number, servername: string, ca?: string): Promise<HandshakeResult> {
  return new Promise<HandshakeResult>((resolve, reject) => {
    const socket = connect({ host: address, port, servername, rejectUnauthorized: false, ...(ca === undefined ? {} : { ca }) });
    socket.setTimeout(3000, () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', reject);
    socket.on('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      const authorizationError = socket.authorizationError === null ? undefined : String(socket.authorizationError);
      socket.end();
      resolve({ authorized: socket.authorized, ...(authorizationError === undefined ? {} : { authorizationError }), certificate });
    });
  });
}

/** Connects with verification on (`rejectUnauthorized: true`); resolves when trusted, rejects otherwise. */
export function verifiedHandshake(address: string, port: number, servername: string, ca: string): Promise<PeerCertificate> {
  return new Promise<PeerCertificate>((resolve, reject) => {
    const socket = connect({ host: address, port, servername, ca, rejectUnauthorized: true });
    socket.setTimeout(3000, () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', reject);
    socket.on('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
  });
}
