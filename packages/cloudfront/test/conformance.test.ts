import { runProxyConformance } from '@sslclick/core/testing';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld } from './cloudfront-world.js';

const zone = 'conformance.example';

// CloudFront with the hostname's zone in Route 53: sslclick writes the validation record and the cutover CNAME.
runProxyConformance({
  name: 'CloudFront (Route 53 DNS)',
  sandbox: async () => {
    const world = await startCloudFrontWorld();
    world.aws.addHostedZone(zone);
    return world;
  },
  createAdapter: (world) => createTestAdapter(world),
  prepareHostname: async (world) => prepareBrandedHost(world, zone),
  countWrites: (world) => world.aws.writes(),
  createForeignResource: async (world, hostname) => {
    const foreign = await world.aws.addForeignDistribution({ alias: hostname });
    return async () => world.aws.getDistribution(foreign.id);
  },
});
