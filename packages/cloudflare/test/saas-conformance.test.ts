/**
 * The conformance suite in Cloudflare for SaaS mode: each branded host's DNS is at "another
 * provider" (a DnsProvider over the sandbox DNS, no Cloudflare zone of its own), and the host
 * becomes a custom hostname of the one provider zone.
 */
import { runProxyConformance } from '@sslclick/core/testing';
import { createSaasProxy, saasWrites, seedOutsideHost, startSaasWorld, type SaasWorld } from './saas-world.js';

runProxyConformance<SaasWorld>({
  name: 'Cloudflare for SaaS',
  sandbox: () => startSaasWorld(),
  createAdapter: (world) => createSaasProxy(world),
  prepareHostname: async (world) => seedOutsideHost(world),
  countWrites: saasWrites,
  // Someone else's custom hostname for the branded host in the provider zone (no sslclick marker).
  createForeignResource: async (world, hostname) => {
    world.cloudflare.saas.create(world.provider.id, hostname, { sslMethod: 'http', sslType: 'dv' });
    const snapshot = async (): Promise<unknown> => ({
      // What it is, not what reads of it mark in the fake.
      customHostnames: world.cloudflare.saas
        .zoneHostnames(world.provider.id)
        .filter((record) => record.hostname === hostname)
        .map(({ id, hostname: name, sslMethod, sslType, ownershipValue, dcvValue, customMetadata }) => ({ id, name, sslMethod, sslType, ownershipValue, dcvValue, customMetadata })),
      dns: world.dns.zone.getRecords(hostname),
    });
    return snapshot;
  },
});
