import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureVersion } from 'node:tls';
import { EDGE_ADDRESS } from './addresses.js';
import type { IssuedCertificate } from './certificate-authority.js';
import { closeNetServer, listenNetServer } from './listen.js';

/** Options for {@link startHttpsListener}. */
export interface HttpsListenerOptions {
  /** The certificate and key to serve. */
  readonly certificate: IssuedCertificate;
  /**
   * Send the intermediate certificates after the leaf, as a correctly configured server does;
   * false sends the leaf alone (the "incomplete chain" mistake).
   * @default true
   */
  readonly sendChain?: boolean;
  /** The lowest TLS version offered. @default 'TLSv1.2' */
  readonly minVersion?: SecureVersion;
  /** The highest TLS version offered. @default 'TLSv1.3' */
  readonly maxVersion?: SecureVersion;
  /**
   * OpenSSL cipher list. OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level, so a
   * server that still offers only them needs `'DEFAULT@SECLEVEL=0'`.
   */
  readonly ciphers?: string;
  /** The status every request is answered with. @default 200 */
  readonly status?: number;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The address to listen on. @default EDGE_ADDRESS (127.0.0.1) */
  readonly host?: string;
}

/** A running {@link startHttpsListener} server. */
export interface HttpsListener {
  readonly host: string;
  readonly port: number;
  /** Closes the server and its connections. */
  close(): Promise<void>;
}

/**
 * Starts a bare HTTPS server on loopback (port chosen by the OS) that serves one certificate with
 * the TLS settings given and answers every request with one status: the web servers a verifier
 * meets in the wild, misconfigured on purpose (TLS 1.1 only, no intermediate sent, …).
 */
export async function startHttpsListener(options: HttpsListenerOptions): Promise<HttpsListener> {
  const { certificate } = options;
  const sendChain = options.sendChain ?? true;
  const server = createHttpsServer(
    {
      key: certificate.key,
      cert: sendChain && certificate.chain ? `${certificate.certificate.trimEnd()}\n${certificate.chain}` : certificate.certificate,
      minVersion: options.minVersion ?? 'TLSv1.2',
      maxVersion: options.maxVersion ?? 'TLSv1.3',
      ...(options.ciphers ? { ciphers: options.ciphers } : {}),
    },
    (_request, response) => {
      response.writeHead(options.status ?? 200, { 'content-type': 'text/plain', connection: 'close', ...options.headers });
      response.end('sandbox https listener\n');
    },
  );
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  const host = options.host ?? EDGE_ADDRESS;
  const port = await listenNetServer(server, 0, host);
  return { host, port, close: () => closeNetServer(server, sockets) };
}
