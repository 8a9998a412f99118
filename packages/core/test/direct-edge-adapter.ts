import type { Sandbox } from '@sslclick/sandbox';
import { normalizeHostname, SslClickError, type ProxyAdapter, type ProxyRequest, type ProxyStatus } from '@sslclick/core';
import { buildStatus, checkBeforeCutover } from '@sslclick/core/adapter';

/**
 * A minimal adapter, test code only, that drives the sandbox edge directly the way a CDN's control
 * plane would: certificate, route, pre-cutover check, then the CNAME. It proves the conformance
 * suite itself against real servers before any vendor adapter relies on it.
 */
export const directEdgeName = 'edge.direct-cdn.sandbox.test';

/** The sandbox plus the count of writes the test adapter made (its "vendor" is the edge itself). */
export interface DirectEdgeWorld extends Sandbox {
  writes: number;
}

export function createDirectEdgeAdapter(world: DirectEdgeWorld, settings: { managesDns?: boolean } = {}): ProxyAdapter {
  const managesDns = settings.managesDns ?? true;
  const owned = new Set<string>();
  const verification = { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 3_000 };

  function read(request: ProxyRequest): ProxyStatus {
    const hostname = normalizeHostname(request.hostname);
    const route = world.edge.getRoute(hostname);
    const certificate = world.edge.getCertificate(hostname);
    const cname = world.dns.zone.getRecords(hostname).find((record) => record.type === 'CNAME')?.value;
    const ours = owned.has(hostname);
    return buildStatus({
      provider: 'direct-edge',
      hostname,
      origin: request.origin ?? 'sendgrid.net',
      edge: { state: route && ours ? 'deployed' : 'absent', target: directEdgeName, raw: route },
      certificate: { state: certificate && ours ? 'issued' : 'absent', ...(certificate ? { notAfter: certificate.notAfter.toISOString() } : {}) },
      dns: { managed: managesDns, required: [{ name: hostname, type: 'CNAME', value: directEdgeName, purpose: 'cutover' }], observed: cname ? [cname] : [], pointsToCdn: cname === directEdgeName },
      resources: ours ? [{ kind: 'edge-route', id: hostname, owned: true }] : route ? [{ kind: 'edge-route', id: hostname, owned: false }] : [],
    });
  }

  return {
    specificationVersion: 'v1',
    provider: 'direct-edge',
    capabilities: { managesDns, managedCertificate: true },
    async plan(request) {
      const status = read(request);
      return { provider: 'direct-edge', hostname: status.hostname, changes: [], warnings: [] };
    },
    async apply(request, options) {
      const hostname = normalizeHostname(request.hostname);
      if (world.edge.getRoute(hostname) && !owned.has(hostname) && !request.adopt) {
        throw new SslClickError({ code: 'CONFLICT', message: `${hostname} is already routed by someone else; pass adopt: true to take it over.`, provider: 'direct-edge' });
      }
      if (!owned.has(hostname)) {
        await world.edge.setCertificate(hostname);
        world.edge.setRoute({ hostname, provider: 'fastly', originHost: request.origin ?? 'sendgrid.net', originProtocol: 'https', hostHeader: 'viewer' });
        owned.add(hostname);
        world.writes += 2;
      }
      if (managesDns && world.dns.zone.getRecords(hostname).find((record) => record.type === 'CNAME')?.value !== directEdgeName) {
        await checkBeforeCutover({ hostname, edgeTarget: directEdgeName, provider: 'direct-edge', verification, ...options });
        world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: directEdgeName });
        world.writes += 1;
      }
      return read(request);
    },
    async status(request) {
      return read(request);
    },
    async destroy(request) {
      const hostname = normalizeHostname(request.hostname);
      if (owned.has(hostname)) {
        if (managesDns) world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
        world.edge.removeRoute(hostname);
        world.edge.removeCertificate(hostname);
        owned.delete(hostname);
        world.writes += 3;
      }
      return read(request);
    },
  };
}
