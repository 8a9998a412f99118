import { verifyHostname, type CheckResult, type DnsRecord, type ProxyStatus, type ResourceReference } from '@sslclick/core';
import { buildStatus } from '@sslclick/core/adapter';
import { certificateState } from './status-mapping.js';
import { failedCertificateStatuses, type DnsTarget } from './host-target.js';
import type { TenantContext, TenantInspection, TenantTarget } from './tenant-context.js';
import { tenantEdgeState } from './tenant-status-mapping.js';

const provider = 'cloudfront';

/**
 * The uniform status of a host in tenants mode, from what was inspected: the certificate, the
 * tenant (with its connection group and the shared distribution) as the edge, DNS against the
 * connection group's routing endpoint, and the checks through the edge.
 */
export async function readTenantStatus(context: TenantContext, target: TenantTarget, dns: DnsTarget | undefined, warnings: string[], inspection: TenantInspection): Promise<ProxyStatus> {
  const { hostname } = target;
  const { tenant, certificate, connectionGroup, shared } = inspection;
  const settings = context.settings;
  const resources: ResourceReference[] = [];
  if (certificate) resources.push({ kind: 'acm-certificate', id: certificate.arn, owned: certificate.owned });
  if (tenant) {
    resources.push({ kind: 'cloudfront-distribution-tenant', id: tenant.id, owned: tenant.owned });
    // Shared by every host of the adapter: no one host owns it (destroy removes it with the last tenant).
    resources.push({ kind: 'cloudfront-distribution', id: tenant.distributionId, owned: false });
    if (connectionGroup) resources.push({ kind: 'cloudfront-connection-group', id: connectionGroup.id, owned: false });
  }
  if (inspection.foreignTenant && inspection.foreignTenant !== tenant) {
    resources.push({ kind: 'cloudfront-distribution-tenant', id: inspection.foreignTenant.id, owned: false });
    warnings.push(`${hostname} is a domain of CloudFront distribution tenant ${inspection.foreignTenant.id} (${inspection.foreignTenant.name}), which sslclick did not create and leaves alone.`);
  }
  if (inspection.aliasHolder) {
    resources.push({ kind: 'cloudfront-distribution', id: inspection.aliasHolder.id, owned: false });
    warnings.push(`${hostname} is an alternate domain name of CloudFront distribution ${inspection.aliasHolder.id} (${inspection.aliasHolder.domainName}), which sslclick did not create and leaves alone.`);
  }

  const endpoint = connectionGroup?.routingEndpoint;
  const required: DnsRecord[] = [];
  if (certificate?.validationRecord) required.push(certificate.validationRecord);
  if (endpoint) required.push({ name: hostname, type: 'CNAME', value: endpoint, purpose: 'cutover: the branded host points at the CloudFront connection group' });

  const distributionPart = shared && tenant && shared.id === tenant.distributionId ? shared : tenant ? { status: 'Deployed', enabled: true } : undefined;
  const edgeState = tenantEdgeState({ tenant, connectionGroup, distribution: distributionPart });
  const certificateNormalized = certificateState(certificate?.status);
  let checks: CheckResult[] = [];
  let observed: string[] | undefined;
  let pointsToCdn: boolean | undefined;
  if (tenant && endpoint) {
    const signal = target.run.options.signal;
    const dnsResult = await verifyHostname(hostname, {
      ...settings.verification,
      expectedTargets: [endpoint],
      checks: ['dns-points-to-cdn', 'dns-not-sendgrid'],
      ...(signal ? { signal } : {}),
    });
    observed = dnsResult.observed.dns ? [...dnsResult.observed.dns.cnameChain, ...dnsResult.observed.dns.addresses] : [];
    pointsToCdn = dnsResult.checks.find((check) => check.id === 'dns-points-to-cdn')?.ok === true;
    checks = dnsResult.checks;
    // Once DNS points at the connection group, clicks go through it whatever the API says: always check it.
    if (pointsToCdn || (edgeState === 'deployed' && certificateNormalized === 'issued')) {
      const probe = await verifyHostname(hostname, {
        ...settings.verification,
        expectedTargets: [endpoint],
        ...(pointsToCdn ? {} : { connectTo: endpoint, checks: ['tls-valid', 'reaches-sendgrid'] as const }),
        ...(signal ? { signal } : {}),
      });
      checks = pointsToCdn ? probe.checks : [...checks, ...probe.checks];
      warnings.push(...probe.warnings);
    }
    if (pointsToCdn && tenant.domainStatus === 'inactive') warnings.push(`CloudFront reports the domain ${hostname} of tenant ${tenant.id} as inactive although its CNAME points at ${endpoint}.`);
  }

  const nextSteps: string[] = [];
  const validation = certificate?.validationRecord;
  if (inspection.aliasHolder && !tenant) nextSteps.push(`Remove ${hostname} from CloudFront distribution ${inspection.aliasHolder.id}: a distribution tenant cannot take a name a distribution holds.`);
  if (inspection.foreignTenant && !tenant) nextSteps.push(`Remove ${hostname} from CloudFront distribution tenant ${inspection.foreignTenant.id}, or run apply with adopt: true to take it over.`);
  if (!certificate && !tenant && !inspection.foreignTenant && !inspection.aliasHolder) {
    nextSteps.push(`Run apply to request the ACM certificate and create the CloudFront distribution tenant for ${hostname}.`);
  }
  if (certificate && failedCertificateStatuses.has(certificate.status)) {
    nextSteps.push(`The ACM certificate is ${certificate.status}${certificate.failureReason ? ` (${certificate.failureReason})` : ''}: run destroy, then apply to request a new one.`);
  } else if (certificate?.status === 'PENDING_VALIDATION') {
    nextSteps.push(
      dns
        ? `ACM is validating the certificate through the record in ${dns.description}; run apply again to wait for it.`
        : `Publish the certificate validation record: ${validation ? `CNAME ${validation.name} → ${validation.value}` : 'ACM has not computed it yet, run apply again in a minute'}; then run apply again.`,
    );
  }
  if (tenant && edgeState === 'pending') nextSteps.push(`CloudFront distribution tenant ${tenant.id} is ${tenant.enabled ? 'deploying' : 'disabled'} (${tenant.status}); run apply again.`);
  if (tenant && endpoint && edgeState === 'deployed' && certificateNormalized === 'issued' && !pointsToCdn) {
    nextSteps.push(
      dns
        ? `Run apply to point ${hostname} at ${endpoint} in ${dns.description}.`
        : `Point the CNAME of ${hostname} at ${endpoint} (it now leads to ${observed?.join(' → ') || 'nothing'}); then run status to confirm.`,
    );
  }
  const failing = checks.filter((check) => check.ok === false);
  if (pointsToCdn && failing.length > 0) nextSteps.push(`Run apply to repair the tenant: ${failing.map((check) => check.detail).join(' ')}`);

  return buildStatus({
    provider,
    hostname,
    origin: target.origin,
    edge: {
      state: edgeState,
      ...(tenant
        ? {
            ...(endpoint ? { target: endpoint } : {}),
            raw: {
              DistributionTenantId: tenant.id,
              Status: tenant.status,
              Enabled: tenant.enabled,
              ...(tenant.domainStatus ? { DomainStatus: tenant.domainStatus } : {}),
              DistributionId: tenant.distributionId,
              ...(shared && shared.id === tenant.distributionId ? { DistributionStatus: shared.status } : {}),
              ConnectionGroupId: tenant.connectionGroupId,
              ...(connectionGroup ? { ConnectionGroupStatus: connectionGroup.status, RoutingEndpoint: connectionGroup.routingEndpoint } : {}),
            },
          }
        : {}),
    },
    certificate: {
      state: certificateNormalized,
      ...(certificate?.notAfter ? { notAfter: certificate.notAfter } : {}),
      ...(certificate ? { raw: certificate.raw } : {}),
    },
    dns: { managed: dns !== undefined, required, ...(observed ? { observed } : {}), ...(pointsToCdn === undefined ? {} : { pointsToCdn }) },
    resources,
    checks,
    nextSteps,
    warnings,
  });
}
