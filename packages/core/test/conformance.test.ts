import { EDGE_ADDRESS, startSandbox } from '@sslclick/sandbox';
import { createDirectEdgeAdapter, directEdgeName, type DirectEdgeWorld } from './direct-edge-adapter.js';
import { runProxyConformance } from '@sslclick/core/testing';

let counter = 0;

runProxyConformance<DirectEdgeWorld>({
  name: 'direct edge (test adapter)',
  sandbox: async () => {
    const sandbox = await startSandbox();
    sandbox.dns.zone.setRecord({ name: directEdgeName, type: 'A', value: EDGE_ADDRESS });
    return Object.assign(sandbox, { writes: 0 });
  },
  createAdapter: (world) => createDirectEdgeAdapter(world),
  prepareHostname: async (world) => {
    counter += 1;
    const hostname = `url${counter}.conformance.example.com`;
    world.origin.addBrandedHost(hostname);
    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
    return hostname;
  },
  countWrites: (world) => world.writes,
  createForeignResource: async (world, hostname) => {
    world.edge.setRoute({ hostname, provider: 'other-cdn', originHost: 'origin.other.example', originProtocol: 'https', hostHeader: 'origin' });
    return async () => ({ route: world.edge.getRoute(hostname), cname: world.dns.zone.getRecords(hostname) });
  },
});
