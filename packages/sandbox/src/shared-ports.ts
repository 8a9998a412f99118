import type { Server as NetServer } from 'node:net';
import { EDGE_ADDRESS, ORIGIN_ADDRESS } from './addresses.js';
import { closeNetServer, isAddressInUse, listenNetServer } from './listen.js';

/** The HTTPS and HTTP port numbers shared by the edge and the origin. */
export interface SharedPorts {
  readonly https: number;
  readonly http: number;
}

/** An HTTPS and an HTTP server to bind. */
export interface ServerPair {
  readonly httpsServer: NetServer;
  readonly httpServer: NetServer;
}

const allocationAttempts = 8;

/**
 * Binds the edge's servers on {@link EDGE_ADDRESS} with OS-chosen ports, then the origin's on
 * {@link ORIGIN_ADDRESS} with the same two port numbers. If one of those is taken on the origin
 * address, everything is closed and the allocation starts over (a few times).
 */
export async function listenOnSharedPorts(edge: ServerPair, origin: ServerPair): Promise<SharedPorts> {
  const servers = [edge.httpsServer, edge.httpServer, origin.httpsServer, origin.httpServer];
  for (let attempt = 1; ; attempt += 1) {
    try {
      const https = await listenNetServer(edge.httpsServer, 0, EDGE_ADDRESS);
      const http = await listenNetServer(edge.httpServer, 0, EDGE_ADDRESS);
      await listenNetServer(origin.httpsServer, https, ORIGIN_ADDRESS);
      await listenNetServer(origin.httpServer, http, ORIGIN_ADDRESS);
      return { https, http };
    } catch (error) {
      await Promise.all(servers.map((server) => closeNetServer(server)));
      if (!isAddressInUse(error) || attempt >= allocationAttempts) throw error;
    }
  }
}
