import { verifyHostname, type CheckResult, type DnsRecord, type ProxyRequest, type ProxyStatus, type ResourceReference, type RunOptions } from '@sslclick/core';
import { buildStatus } from '@sslclick/core/adapter';
import { failedCertificateStatuses, type DnsTarget } from './host-target.js';
import { provider, type Inspection, type PerHostContext, type Target } from './per-host-context.js';
import { certificateState, distributionState } from './status-mapping.js';

/** The per-host mode's status: `status` itself, and `readStatus`, which `apply` and `destroy` end with. */
export interface PerHostStatus {
  /** The status of a target: from `known` when the caller read it already, else read now. */
  readStatus(target: Target, dns: DnsTarget | undefined, warnings: string[], known?: Inspection): Promise<ProxyStatus>;
  status(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus>;
}

/** Builds the per-host mode's status reads. */
export function createPerHostStatus(context: PerHostContext): PerHostStatus {
  const { settings, prepare, statusDns, inspect } = context;

  async function readStatus(target: Target, dns: DnsTarget | undefined, warnings: string[], known?: Inspection): Promise<ProxyStatus> {
    const inspection = known ?? (await inspect(target));
    const { hostname } = target;
    const distribution = inspection.distribution;
    const certificate = inspection.certificate;
    const resources: ResourceReference[] = [];
    if (certificate) resources.push({ kind: 'acm-certificate', id: certificate.arn, owned: certificate.owned });
    if (distribution) resources.push({ kind: 'cloudfront-distribution', id: distribution.id, owned: distribution.owned });
    if (inspection.foreign && inspection.foreign !== distribution) {
      resources.push({ kind: 'cloudfront-distribution', id: inspection.foreign.id, owned: false });
      warnings.push(`${hostname} is held by CloudFront distribution ${inspection.foreign.id} (${inspection.foreign.domainName}), which sslclick did not create and leaves alone.`);
    }

    const required: DnsRecord[] = [];
    if (certificate?.validationRecord) required.push(certificate.validationRecord);
    if (distribution) required.push({ name: hostname, type: 'CNAME', value: distribution.domainName, purpose: 'cutover: the branded host points at CloudFront' });

    const edgeState = distributionState(distribution?.status, distribution?.enabled);
    const certificateNormalized = certificateState(certificate?.status);
    let checks: CheckResult[] = [];
    let observed: string[] | undefined;
    let pointsToCdn: boolean | undefined;
    if (distribution) {
      const dnsResult = await verifyHostname(hostname, {
        ...settings.verification,
        expectedTargets: [distribution.domainName],
        checks: ['dns-points-to-cdn', 'dns-not-sendgrid'],
        ...(target.run.options.signal ? { signal: target.run.options.signal } : {}),
      });
      observed = dnsResult.observed.dns ? [...dnsResult.observed.dns.cnameChain, ...dnsResult.observed.dns.addresses] : [];
      pointsToCdn = dnsResult.checks.find((check) => check.id === 'dns-points-to-cdn')?.ok === true;
      checks = dnsResult.checks;
      // Once DNS points at CloudFront, clicks go through it whatever the API says: always check it.
      if (pointsToCdn || (edgeState === 'deployed' && certificateNormalized === 'issued')) {
        const probe = await verifyHostname(hostname, {
          ...settings.verification,
          expectedTargets: [distribution.domainName],
          ...(pointsToCdn ? {} : { connectTo: distribution.domainName, checks: ['tls-valid', 'reaches-sendgrid'] as const }),
          ...(target.run.options.signal ? { signal: target.run.options.signal } : {}),
        });
        checks = pointsToCdn ? probe.checks : [...checks, ...probe.checks];
        warnings.push(...probe.warnings);
      }
    }

    const nextSteps: string[] = [];
    const validation = certificate?.validationRecord;
    if (inspection.foreign && !distribution) nextSteps.push(`Remove ${hostname} from CloudFront distribution ${inspection.foreign.id}, or run apply with adopt: true to take it over.`);
    if (!certificate && !distribution && !inspection.foreign) nextSteps.push(`Run apply to request the ACM certificate and create the CloudFront distribution for ${hostname}.`);
    if (certificate && failedCertificateStatuses.has(certificate.status)) {
      nextSteps.push(`The ACM certificate is ${certificate.status}${certificate.failureReason ? ` (${certificate.failureReason})` : ''}: run destroy, then apply to request a new one.`);
    } else if (certificate?.status === 'PENDING_VALIDATION') {
      nextSteps.push(
        dns
          ? `ACM is validating the certificate through the record in ${dns.description}; run apply again to wait for it.`
          : `Publish the certificate validation record: ${validation ? `CNAME ${validation.name} → ${validation.value}` : 'ACM has not computed it yet, run apply again in a minute'}; then run apply again.`,
      );
    }
    if (distribution && edgeState === 'pending') nextSteps.push(`CloudFront distribution ${distribution.id} is deploying (${distribution.status}); run apply again to wait for it.`);
    if (distribution && edgeState === 'deployed' && certificateNormalized === 'issued' && !pointsToCdn) {
      nextSteps.push(
        dns
          ? `Run apply to point ${hostname} at ${distribution.domainName} in ${dns.description}.`
          : `Point the CNAME of ${hostname} at ${distribution.domainName} (it now leads to ${observed?.join(' → ') || 'nothing'}); then run status to confirm.`,
      );
    }
    const failing = checks.filter((check) => check.ok === false);
    if (pointsToCdn && failing.length > 0) nextSteps.push(`Run apply to repair the distribution: ${failing.map((check) => check.detail).join(' ')}`);

    return buildStatus({
      provider,
      hostname,
      origin: target.origin,
      edge: {
        state: edgeState,
        ...(distribution ? { target: distribution.domainName, raw: { Id: distribution.id, Status: distribution.status, Enabled: distribution.enabled, DomainName: distribution.domainName } } : {}),
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

  async function status(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus> {
    const target = prepare(request, options, 'status');
    const warnings: string[] = [];
    const inspection = await inspect(target);
    // The distribution's tags name the Route 53 zone apply wrote to: no zone lookup (see statusDns).
    const dns = await statusDns(target, inspection.distribution, warnings);
    return readStatus(target, dns, warnings, inspection);
  }

  return { readStatus, status };
}
