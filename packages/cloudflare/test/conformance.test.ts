import { runProxyConformance } from '@sslclick/core/testing';
import { cloudflareWrites, createTestProxy, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

runProxyConformance<CloudflareWorld>({
  name: 'Cloudflare',
  sandbox: () => startCloudflareWorld(),
  createAdapter: (world) => createTestProxy(world),
  prepareHostname: (world) => seedBrandedHost(world),
  countWrites: cloudflareWrites,
  // Someone else's A record on the branded host: a conflict, left exactly as found.
  createForeignResource: async (world, hostname) => {
    const [record] = world.cloudflare.recordsAt(world.zone.id, hostname);
    if (record) world.cloudflare.state.records.delete(record.id);
    await world.cloudflare.addDnsRecord(world.zone.id, { name: hostname, type: 'A', content: '203.0.113.7', ttl: 300 });
    return async () => JSON.parse(JSON.stringify(world.cloudflare.recordsAt(world.zone.id, hostname))) as unknown;
  },
});
