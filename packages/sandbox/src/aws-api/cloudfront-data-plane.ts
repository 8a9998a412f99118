import { EDGE_ADDRESS } from '../addresses.js';
import type { EdgeRoute } from '../edge.js';
import { certificateNameCovers, certificateNames, settleCertificate } from './acm-api.js';
import type { AwsApiState, CertificateState } from './aws-api-state.js';
import { childNode, childText, itemNodes, itemTexts } from './aws-wire.js';
import type { XmlNode } from './aws-wire.js';
import { configAliases, settleDistribution } from './cloudfront-api.js';

const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
// The managed origin request policies that forward the viewer's Host header to the origin.
const hostForwardingPolicies = new Set(['216adef6-5c7f-47e4-b989-5492eafa07d3', '33f36d7e-f396-46d9-90e0-52428a34d9dc']);

/**
 * How the sandbox edge must serve an alias of a deployed distribution, read from its config the
 * way CloudFront would act on it: origin and protocol from the targeted origin, `Host` forwarded
 * only with an AllViewer policy (or a legacy `ForwardedValues` whitelist holding `Host`).
 */
export function edgeRouteFor(alias: string, config: XmlNode): EdgeRoute | undefined {
  const behavior = childNode(config, 'DefaultCacheBehavior');
  const targetId = childText(behavior, 'TargetOriginId');
  const origin = itemNodes(childNode(config, 'Origins'), 'Origin').find((candidate) => childText(candidate, 'Id') === targetId);
  const originHost = childText(origin, 'DomainName');
  if (!origin || !originHost) return undefined;
  const protocolPolicy = childText(childNode(origin, 'CustomOriginConfig'), 'OriginProtocolPolicy') ?? 'https-only';
  const originRequestPolicy = childText(behavior, 'OriginRequestPolicyId') ?? '';
  const forwardedHeaders = itemTexts(childNode(childNode(behavior, 'ForwardedValues'), 'Headers'), 'Name').map((name) => name.toLowerCase());
  const forwardsHost = hostForwardingPolicies.has(originRequestPolicy) || forwardedHeaders.includes('host') || forwardedHeaders.includes('*');
  const cachePolicy = childText(behavior, 'CachePolicyId');
  const methods = itemTexts(childNode(behavior, 'AllowedMethods'), 'Method');
  return {
    hostname: alias,
    provider: 'cloudfront',
    originHost,
    originProtocol: protocolPolicy === 'http-only' ? 'http' : 'https',
    hostHeader: forwardsHost ? 'viewer' : 'origin',
    // CloudFront checks the origin's certificate against the origin name or the forwarded Host.
    verifyOriginCertificate: true,
    cache: cachePolicy !== cachingDisabled,
    allowedMethods: methods.length > 0 ? methods : ['GET', 'HEAD'],
    http: childText(behavior, 'ViewerProtocolPolicy') === 'allow-all',
    enabled: childText(config, 'Enabled') === 'true',
  };
}

interface PublishedDistribution {
  domainName: string;
  /**
   * The deployed config and certificate key the routes and certificates below were installed
   * from: while both are the same objects, the distribution's edge entries are as they should be
   * and the sync passes it by (a fleet's every request would otherwise rebuild every route).
   */
  installedFrom?: { config: XmlNode; arn: string | undefined; certificate: CertificateState | undefined; certificateStatus: string | undefined; notAfter: number | undefined };
  /** The routes installed, by alias, as JSON (to change the edge only when they change). */
  routes: Map<string, string>;
  /** The certificates installed, by alias: the ACM ARN and expiry they came from. */
  certificates: Map<string, string>;
}

/**
 * Keeps the sandbox data plane in line with the fakes' state: a deployed distribution's domain
 * resolves to the edge (A 127.0.0.1), the edge routes each alias as the deployed config says and
 * serves the ACM certificate for it once `ISSUED`; a deleted distribution is undone. Runs are
 * serialised, so concurrent requests cannot install a certificate twice.
 */
export function createDataPlaneSync(state: Omit<AwsApiState, 'syncDataPlane'>): () => Promise<void> {
  const published = new Map<string, PublishedDistribution>();
  let running: Promise<void> = Promise.resolve();

  const removeAlias = (record: PublishedDistribution, alias: string): void => {
    if (record.routes.delete(alias)) state.sandbox.edge.removeRoute(alias);
    if (record.certificates.delete(alias)) state.sandbox.edge.removeCertificate(alias);
  };

  /** Whether the edge still serves the distribution from the deployed config and certificate it was installed from. */
  const isUnchanged = (record: PublishedDistribution, deployed: XmlNode): boolean => {
    const installed = record.installedFrom;
    if (installed?.config !== deployed) return false;
    const certificate = installed.arn === undefined ? undefined : state.certificates.get(installed.arn);
    if (certificate !== installed.certificate || certificate?.status !== installed.certificateStatus || certificate?.notAfter !== installed.notAfter) return false;
    for (const alias of record.certificates.keys()) if (!state.sandbox.edge.getCertificate(alias)) return false;
    return true;
  };

  async function syncOnce(): Promise<void> {
    const { edge, dns } = state.sandbox;
    for (const certificate of state.certificates.values()) settleCertificate(state as AwsApiState, certificate);
    const seen = new Set<string>();
    for (const distribution of state.distributions.values()) {
      if (distribution.otherAccount) continue;
      settleDistribution(state as AwsApiState, distribution);
      const deployed = distribution.deployedConfig;
      if (!deployed) continue;
      seen.add(distribution.id);
      let record = published.get(distribution.id);
      if (!record) {
        record = { domainName: distribution.domainName, routes: new Map(), certificates: new Map() };
        published.set(distribution.id, record);
      }
      if (isUnchanged(record, deployed)) continue;
      delete record.installedFrom;
      const arn = childText(childNode(deployed, 'ViewerCertificate'), 'ACMCertificateArn');
      const certificate = arn === undefined ? undefined : state.certificates.get(arn);
      if (!dns.zone.getRecords(distribution.domainName).some((found) => found.type === 'A')) {
        dns.zone.setRecord({ name: distribution.domainName, type: 'A', value: EDGE_ADDRESS, ttl: 60 });
      }
      const aliases = configAliases(deployed);
      for (const alias of [...record.routes.keys(), ...record.certificates.keys()]) {
        if (!aliases.includes(alias)) removeAlias(record, alias);
      }
      for (const alias of aliases) {
        const route = edgeRouteFor(alias, deployed);
        if (!route) {
          removeAlias(record, alias);
          continue;
        }
        const routeJson = JSON.stringify(route);
        if (record.routes.get(alias) !== routeJson) {
          edge.setRoute(route);
          record.routes.set(alias, routeJson);
        }
        const names = certificate ? certificateNames(certificate) : [];
        if (certificate?.status === 'ISSUED' && names.some((name) => certificateNameCovers(name, alias))) {
          const key = `${certificate.arn}|${certificate.notAfter ?? ''}`;
          if (record.certificates.get(alias) !== key || !edge.getCertificate(alias)) {
            await edge.setCertificate(alias, {
              names,
              // notBefore stays the edge's default (an hour ago in real time): the verifier checks
              // validity against the real clock, which may be behind an advanced sandbox clock.
              ...(certificate.notAfter === undefined ? {} : { notAfter: new Date(certificate.notAfter) }),
            });
            record.certificates.set(alias, key);
          }
        } else if (record.certificates.delete(alias)) {
          edge.removeCertificate(alias);
        }
      }
      record.installedFrom = { config: deployed, arn, certificate, certificateStatus: certificate?.status, notAfter: certificate?.notAfter };
    }
    for (const [id, record] of published) {
      if (seen.has(id)) continue;
      for (const alias of [...record.routes.keys(), ...record.certificates.keys()]) removeAlias(record, alias);
      dns.zone.deleteRecord(record.domainName, 'A');
      published.delete(id);
    }
  }

  return () => {
    running = running.then(syncOnce, syncOnce);
    return running;
  };
}
