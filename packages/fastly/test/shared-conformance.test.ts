import { runProxyConformance } from '@sslclick/core/testing';
import { edgePackagePath, prepareHostname, publishRecords, restoreSendGrid, startFastlyWorld, type FastlyWorld } from './fastly-world.js';
import { createFastlyProxy } from '../src/index.js';

// The shared-service mode passes the same suite as the per-host modes: every case's host joins
// the one service and its subscriptions, and destroy takes only that host off them.
for (const mode of ['compute', 'vcl'] as const) {
  let packagePath: string | undefined;
  runProxyConformance<FastlyWorld>({
    name: `fastly shared service (${mode})`,
    sandbox: async () => {
      if (mode === 'compute') packagePath = await edgePackagePath();
      return startFastlyWorld();
    },
    createAdapter: (world) =>
      createFastlyProxy({
        apiToken: world.fastly.tokens.admin,
        baseURL: world.fastly.url,
        mode,
        shared: { batchWindowMs: 20, domainsPerSubscription: 2 },
        ...(packagePath ? { computePackage: packagePath } : {}),
        verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 3_000 },
        wait: { minDelay: 25, maxDelay: 100, maxWaitTime: 20_000 },
        retry: { minDelay: 10, maxDelay: 50, maxRetryTime: 10_000 },
      }),
    prepareHostname,
    countWrites: (world) => world.fastly.server.writes(),
    publishRecords,
    restoreDns: restoreSendGrid,
    createForeignResource: async (world, hostname) => {
      const foreign = world.fastly.addForeignService({ hostname });
      return async () => foreign.snapshot();
    },
  });
}
