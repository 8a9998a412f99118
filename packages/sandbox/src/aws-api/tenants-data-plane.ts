import { EDGE_ADDRESS } from '../addresses.js';
import { certificateNameCovers, certificateNames } from './acm-api.js';
import type { AwsApiState } from './aws-api-state.js';
import { childNode, childText, type XmlNode } from './aws-wire.js';
import { settleDistribution } from './cloudfront-api.js';
import { edgeRouteFor } from './cloudfront-data-plane.js';
import { connectionGroupStatus } from './connection-groups.js';
import { settleTenant } from './distribution-tenants-api.js';

/**
 * Keeps the sandbox data plane in line with the tenants: a deployed connection group's routing
 * endpoint resolves to the edge (A 127.0.0.1); each domain of a deployed, enabled tenant is routed
 * as its multi-tenant distribution's deployed config says (origin, `Host` forwarding, methods) and
 * served with the tenant's ACM certificate (else the distribution's) once `ISSUED`. A disabled or
 * deleted tenant's domains are removed from the edge. Runs after the distributions' own sync.
 */
export function createTenantDataPlaneSync(state: Omit<AwsApiState, 'syncDataPlane'>): () => Promise<void> {
  /** Domain → the route JSON and certificate key installed for it. */
  const published = new Map<string, { route: string; certificate?: string }>();
  const endpoints = new Set<string>();
  // A domain's route depends only on the deployed config (replaced, never edited, on a change):
  // worked out once per config and domain, not on every request of a fleet for every tenant.
  const routesByConfig = new WeakMap<XmlNode, Map<string, string | undefined>>();
  const routeJsonFor = (domain: string, config: XmlNode): string | undefined => {
    let routes = routesByConfig.get(config);
    if (!routes) routesByConfig.set(config, (routes = new Map()));
    if (!routes.has(domain)) {
      const route = edgeRouteFor(domain, config);
      routes.set(domain, route ? JSON.stringify(route) : undefined);
    }
    return routes.get(domain);
  };

  return async () => {
    const { edge, dns } = state.sandbox;
    const wantedEndpoints = new Set<string>();
    for (const group of state.connectionGroups.values()) {
      if (connectionGroupStatus(state as AwsApiState, group) !== 'Deployed' || !group.enabled) continue;
      wantedEndpoints.add(group.routingEndpoint);
      if (!dns.zone.getRecords(group.routingEndpoint).some((record) => record.type === 'A')) {
        dns.zone.setRecord({ name: group.routingEndpoint, type: 'A', value: EDGE_ADDRESS, ttl: 60 });
      }
      endpoints.add(group.routingEndpoint);
    }
    for (const endpoint of [...endpoints]) {
      if (wantedEndpoints.has(endpoint)) continue;
      dns.zone.deleteRecord(endpoint, 'A');
      endpoints.delete(endpoint);
    }

    const wanted = new Map<string, { route: string; certificateArn?: string }>();
    for (const tenant of state.tenants.values()) {
      settleTenant(state as AwsApiState, tenant);
      const deployed = tenant.deployed;
      if (!deployed?.enabled) continue;
      const distribution = state.distributions.get(deployed.distributionId);
      if (!distribution) continue;
      settleDistribution(state as AwsApiState, distribution);
      const config = distribution.deployedConfig;
      if (!config || childText(config, 'Enabled') !== 'true') continue;
      const certificateArn = deployed.certificateArn ?? childText(childNode(config, 'ViewerCertificate'), 'ACMCertificateArn');
      for (const domain of deployed.domains) {
        const route = routeJsonFor(domain, config);
        if (route) wanted.set(domain, { route, ...(certificateArn ? { certificateArn } : {}) });
      }
    }

    for (const [domain, record] of [...published]) {
      if (wanted.has(domain)) continue;
      edge.removeRoute(domain);
      if (record.certificate !== undefined) edge.removeCertificate(domain);
      published.delete(domain);
    }
    for (const [domain, want] of wanted) {
      const record = published.get(domain) ?? { route: '' };
      if (record.route !== want.route) {
        edge.setRoute(JSON.parse(want.route) as Parameters<typeof edge.setRoute>[0]);
        record.route = want.route;
      }
      const certificate = want.certificateArn === undefined ? undefined : state.certificates.get(want.certificateArn);
      const names = certificate ? certificateNames(certificate) : [];
      if (certificate?.status === 'ISSUED' && names.some((name) => certificateNameCovers(name, domain))) {
        const key = `${certificate.arn}|${certificate.notAfter ?? ''}`;
        if (record.certificate !== key || !edge.getCertificate(domain)) {
          await edge.setCertificate(domain, { names, ...(certificate.notAfter === undefined ? {} : { notAfter: new Date(certificate.notAfter) }) });
          record.certificate = key;
        }
      } else if (record.certificate !== undefined) {
        edge.removeCertificate(domain);
        delete record.certificate;
      }
      published.set(domain, record);
    }
  };
}
