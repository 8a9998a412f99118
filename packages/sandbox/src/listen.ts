import type { AddressInfo, Server as NetServer } from 'node:net';

/** Whether `error` is an `EADDRINUSE` from `listen`/`bind`. */
export function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}

/** Starts `server` listening on `host:port` (0 = chosen by the OS); resolves with the bound port. */
export function listenNetServer(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

/**
 * Stops `server` and destroys its open connections (HTTP servers' `closeAllConnections`,
 * plus the `sockets` given). Resolves once closed; a server that is not listening is a no-op.
 */
export function closeNetServer(server: NetServer, sockets: Iterable<{ destroy(): void }> = []): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    const httpServer = server as NetServer & { closeAllConnections?: () => void };
    httpServer.closeAllConnections?.();
  });
}
