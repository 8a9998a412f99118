import { runProxyConformance } from '@sslclick/core/testing';
import { createTestAdapter, prepareBrandedHost, startCloudFrontWorld } from './cloudfront-world.js';

const zone = 'tenants.example';

// CloudFront SaaS Manager with the hostnames' zone in Route 53: one multi-tenant distribution
// shared by every case's host, a distribution tenant each, the default connection group.
runProxyConformance({
  name: 'CloudFront tenants mode (Route 53 DNS)',
  sandbox: async () => {
    const world = await startCloudFrontWorld();
    world.aws.addHostedZone(zone);
    return world;
  },
  createAdapter: (world) => createTestAdapter(world, { mode: 'tenants' }),
  prepareHostname: async (world) => prepareBrandedHost(world, zone),
  countWrites: (world) => world.aws.writes(),
  // A standard distribution holding the name: a tenant cannot take it.
  createForeignResource: async (world, hostname) => {
    const foreign = await world.aws.addForeignDistribution({ alias: hostname });
    return async () => world.aws.getDistribution(foreign.id);
  },
});

// The same suite under the other plausible answers where the evidence is unsure: the tenant's
// Domains as the API reference writes them (<DomainResult>, which the JavaScript SDK does not
// read), domains `inactive` until the CNAME moves, and ListDistributions leaving multi-tenant
// distributions out (ListDistributionsByConnectionMode lists them).
runProxyConformance({
  name: 'CloudFront tenants mode (the other plausible answers)',
  sandbox: async () => {
    const world = await startCloudFrontWorld({ deployDelayMs: 300, certificateIssueDelayMs: 100, changePropagationDelayMs: 50, tenantDomainMemberName: 'DomainResult', tenantDomainStatusBeforeCutover: 'inactive', listDistributionsShowsMultiTenant: false });
    world.aws.addHostedZone(zone);
    return world;
  },
  createAdapter: (world) => createTestAdapter(world, { mode: 'tenants' }),
  prepareHostname: async (world) => prepareBrandedHost(world, zone),
  countWrites: (world) => world.aws.writes(),
});
