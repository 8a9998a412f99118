import type { Plan, PlannedChange, ProxyRequest, RunOptions } from '@sslclick/core';
import { distributionDrift } from './distribution-config.js';
import { getDistributionConfig } from './distribution-lookup.js';
import { conflictWithForeign, provider, type PerHostContext } from './per-host-context.js';

/** Builds the per-host mode's `plan`: the changes `apply` would make, read and never written. */
export function createPerHostPlan(context: PerHostContext): (request: ProxyRequest, options?: RunOptions) => Promise<Plan> {
  const { settings, publishedCname, prepare, resolveDns, inspect, desiredFor, currentCname } = context;

  async function plan(request: ProxyRequest, options?: RunOptions): Promise<Plan> {
    const target = prepare(request, options, 'plan');
    const { hostname, origin } = target;
    const warnings: string[] = [];
    const dns = await resolveDns(target, warnings);
    const inspection = await inspect(target);
    if (inspection.foreign && !target.adopt) throw conflictWithForeign(hostname, inspection.foreign);
    const changes: PlannedChange[] = [];
    const certificate = inspection.certificate;
    if (!certificate) {
      changes.push({ resource: { kind: 'acm-certificate', name: hostname }, action: 'create', description: `Request an ACM certificate for ${hostname} (DNS validation) and wait until it is issued.` });
      changes.push({
        resource: { kind: 'dns-record', name: `certificate validation of ${hostname}` },
        action: 'create',
        description: dns ? `Write ACM's validation CNAME in ${dns.description}.` : "Return ACM's validation CNAME for you to publish.",
      });
    } else {
      changes.push({ resource: { kind: 'acm-certificate', name: hostname, id: certificate.arn }, action: 'none', description: `Use the ${certificate.status} certificate ${certificate.arn}.` });
      const validation = certificate.validationRecord;
      if (validation && certificate.status !== 'ISSUED') {
        const present = dns
          ? (await dns.provider.getRecords(validation.name, 'CNAME', target.run.options)).some((record) => record.value === validation.value)
          : (await publishedCname(validation.name)) === validation.value;
        changes.push({
          resource: { kind: 'dns-record', name: validation.name },
          action: present ? 'none' : 'create',
          description: present ? 'The validation record is in place.' : dns ? `Write CNAME ${validation.name} → ${validation.value} in ${dns.description}.` : `You publish CNAME ${validation.name} → ${validation.value}.`,
        });
      }
    }
    const distribution = inspection.distribution;
    if (!distribution) {
      changes.push({
        resource: { kind: 'cloudfront-distribution', name: hostname },
        action: 'create',
        description: `Create a distribution for ${hostname}: origin ${origin} (${settings.originProtocol === 'https' ? 'HTTPS only, TLS 1.2' : 'HTTP only'}), CachingDisabled, AllViewer (forwards Host), all methods, SNI TLSv1.2_2021; then wait until it is deployed.`,
      });
    } else {
      const { config } = await getDistributionConfig(target.run, distribution.id);
      const drift = distributionDrift(config, desiredFor(target, certificate?.arn ?? '(the new certificate)'));
      changes.push({
        resource: { kind: 'cloudfront-distribution', name: hostname, id: distribution.id },
        action: drift.length > 0 || !distribution.owned ? 'update' : 'none',
        description:
          drift.length > 0
            ? `Repair drift with UpdateDistribution: ${drift.map((difference) => `${difference.field}: ${difference.current} → ${difference.desired}`).join('; ')}.`
            : distribution.owned
              ? 'The distribution matches what SendGrid needs.'
              : `Adopt distribution ${distribution.id}: add sslclick's tags.`,
      });
      if (drift.length > 0) warnings.push(`Distribution ${distribution.id} drifted from the SendGrid proxy config (${drift.map((difference) => difference.field).join(', ')}).`);
    }
    const current = await currentCname(target, dns);
    const pointsThere = distribution !== undefined && current.value === distribution.domainName;
    changes.push({
      resource: { kind: 'dns-record', name: hostname },
      action: pointsThere ? 'none' : current.value === undefined && current.others.length === 0 ? 'create' : 'update',
      description: pointsThere
        ? `${hostname} already points at ${distribution.domainName}.`
        : `${dns ? `Point ${hostname} in ${dns.description}` : `You point ${hostname}`} at the distribution (now: ${current.value ?? 'no CNAME'}), after the pre-cutover check passes.`,
    });
    return { provider, hostname, changes, warnings };
  }

  return plan;
}
