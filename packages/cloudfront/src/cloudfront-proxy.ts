import {
  SslClickError,
  lookupName,
  normalizeHostname,
  verifyHostname,
  type CheckResult,
  type DnsProvider,
  type DnsRecord,
  type Plan,
  type PlannedChange,
  type ProxyAdapter,
  type ProxyRequest,
  type ProxyStatus,
  type ResourceReference,
  type RunOptions,
} from '@sslclick/core';
import {
  requireVerificationForLocalEndpoints,
  restoreFailingCutover,
  withRedactedErrors,
  buildStatus,
  checkBeforeCutover,
  confirmAfterCutover,
  invalidInput,
  throwIfAborted,
  waitUntil,
} from '@sslclick/core/adapter';
import { isAwsError } from './aws-errors.js';
import { createAwsRun, type AwsRun } from './aws-run.js';
import { coversHostname, deleteCertificate, describeCertificate, findOwnedCertificate, requestCertificate, type CertificateInfo } from './certificate-lookup.js';
import { resolveCloudFrontSettings, type CloudFrontProxySettings, type ResolvedCloudFrontSettings } from './cloudfront-settings.js';
import {
  distributionDrift,
  newDistributionConfig,
  repairedDistributionConfig,
  type DesiredDistribution,
} from './distribution-config.js';
import {
  createDistribution,
  deleteDistribution,
  findDistribution,
  getDistribution,
  getDistributionConfig,
  tagDistribution,
  updateDistribution,
  type DistributionInfo,
} from './distribution-lookup.js';
import { createRoute53DnsOnClient } from './route53-dns.js';
import { createCloudFrontTenantProxy } from './tenant-proxy.js';
import { certificateState, distributionState } from './status-mapping.js';

const provider = 'cloudfront';
const failedCertificateStatuses = new Set(['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED', 'INACTIVE']);

/** What one run works on, after the request was checked. */
interface Target {
  run: AwsRun;
  hostname: string;
  origin: string;
  adopt: boolean;
}

/** Where the hostname's DNS is written, when sslclick manages it. */
interface DnsTarget {
  provider: DnsProvider;
  /** For messages: `Route 53 zone example.com`, `cloudflare`. */
  description: string;
}

/** What is on AWS for the hostname now. */
interface Inspection {
  /** Ours, or the foreign one when adopting. */
  distribution?: DistributionInfo;
  /** A distribution holding the alias that sslclick did not create. */
  foreign?: DistributionInfo;
  certificate?: CertificateInfo;
}

function checkOrigin(origin: unknown): string {
  if (typeof origin !== 'string' || !/^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i.test(origin)) {
    throw invalidInput(`origin ${JSON.stringify(origin)} is not a host name such as "sendgrid.net".`, { provider });
  }
  return origin.toLowerCase().replace(/\.$/, '');
}

function conflictWithForeign(hostname: string, foreign: DistributionInfo): SslClickError {
  return new SslClickError({
    code: 'CONFLICT',
    message: `${hostname} is an alternate domain name of CloudFront distribution ${foreign.id} (${foreign.domainName}${foreign.comment ? `, comment "${foreign.comment}"` : ''}), which sslclick did not create; it was left alone. Remove the alias from it, or run apply with adopt: true to take that distribution over.`,
    provider,
    operation: 'apply',
  });
}

/**
 * SendGrid SSL click tracking through AWS CloudFront: an ACM certificate (DNS-validated), one
 * distribution per branded host forwarding everything, `Host` included, to SendGrid, and the
 * hostname's CNAME in Route 53 (or any `DnsProvider`), moved only after a pre-cutover check
 * through the new distribution. Without managed DNS, the records come back in
 * `status.dns.required` for you to publish.
 *
 * @example
 * const proxy = createCloudFrontProxy({ hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
 * const status = await proxy.apply({ hostname: 'url1234.example.com' }, { onProgress: console.log });
 */
export function createCloudFrontProxy(settingsInput: CloudFrontProxySettings = {}): ProxyAdapter {
  // CloudFront SaaS Manager: one multi-tenant distribution, a tenant per host (tenant-proxy.ts).
  if (typeof settingsInput === 'object' && settingsInput !== null && settingsInput.mode === 'tenants') return createCloudFrontTenantProxy(settingsInput);
  const settings: ResolvedCloudFrontSettings = resolveCloudFrontSettings(settingsInput);
  requireVerificationForLocalEndpoints({ provider: 'cloudfront', endpoints: Object.values(settingsInput.endpoints ?? {}), verification: settingsInput.verification });
  const route53 = createRoute53DnsOnClient(settings.route53, { hostedZoneId: settings.hostedZoneId, retry: settings.retry, timeoutMs: settings.timeoutMs });
  const wait = settings.wait ?? {};

  /**
   * The CNAME target of a name as public DNS (or the configured resolver) answers it, for records
   * the user publishes by hand. Core's `lookupName` applies no hostname rules, so ACM's `_…`
   * validation names work; a failed lookup counts as "no CNAME".
   */
  async function publishedCname(name: string): Promise<string | undefined> {
    const resolver = settings.verification?.resolver;
    const lookup = await lookupName(name, {
      servers: resolver === undefined ? [] : Array.isArray(resolver) ? resolver : [resolver],
      timeoutMs: settings.verification?.timeoutMs ?? 5_000,
    });
    return lookup.cnameChain[0];
  }

  function prepare(request: ProxyRequest, options: RunOptions | undefined, operation: string): Target {
    if (typeof request !== 'object' || request === null) throw invalidInput('The request must be an object such as { hostname: "url1234.example.com" }.', { provider, operation });
    let hostname: string;
    try {
      hostname = normalizeHostname(request.hostname);
    } catch (error) {
      // Core's hostname rules name no provider; the error says it came from this adapter.
      if (!SslClickError.isInstance(error)) throw error;
      throw new SslClickError({ code: error.code, message: error.message, provider, operation, cause: error });
    }
    const origin = checkOrigin(request.origin ?? 'sendgrid.net');
    throwIfAborted(options?.signal, operation);
    return { run: createAwsRun(settings, hostname, options ?? {}), hostname, origin, adopt: request.adopt === true };
  }

  async function resolveDns(target: Target, warnings: string[]): Promise<DnsTarget | undefined> {
    if (settings.dns) return { provider: settings.dns, description: settings.dns.name };
    if (!settings.route53Lookup && settings.hostedZoneId === undefined) return undefined;
    try {
      const zone = await route53.findZone(target.hostname, target.run.options);
      return zone ? { provider: route53, description: `Route 53 zone ${zone.name}` } : undefined;
    } catch (error) {
      // Without Route 53 permissions the zone cannot be found: the records are left to the user.
      if (settings.hostedZoneId === undefined && SslClickError.isInstance(error) && error.code === 'PERMISSION') {
        warnings.push(`Route 53 could not be searched for ${target.hostname}'s zone (${error.message}); DNS records are left for you to publish.`);
        return undefined;
      }
      throw error;
    }
  }

  async function inspect(target: Target): Promise<Inspection> {
    const { run } = target;
    const found = await findDistribution(run);
    const ours = found?.owned ? found : undefined;
    const foreign = found && !found.owned ? found : undefined;
    let certificate: CertificateInfo | undefined;
    if (settings.certificateArn) {
      certificate = await describeCertificate(run, settings.certificateArn, false);
    } else {
      const inUse = ours?.certificateArn ? await describeCertificate(run, ours.certificateArn) : undefined;
      certificate = inUse?.owned && inUse.names.some((name) => coversHostname(name, target.hostname)) ? inUse : await findOwnedCertificate(run);
    }
    return {
      ...(ours ? { distribution: ours } : target.adopt && foreign ? { distribution: foreign } : {}),
      ...(foreign ? { foreign } : {}),
      ...(certificate ? { certificate } : {}),
    };
  }

  function desiredFor(target: Target, certificateArn: string): DesiredDistribution {
    return {
      hostname: target.hostname,
      origin: target.origin,
      certificateArn,
      originProtocol: settings.originProtocol,
      viewerProtocol: settings.viewerProtocol,
      priceClass: settings.priceClass,
    };
  }

  async function waitForCertificate(target: Target, arn: string, until: 'validation-record' | 'issued'): Promise<CertificateInfo> {
    const { run } = target;
    const result = await waitUntil(
      async () => {
        const certificate = await describeCertificate(run, arn, !settings.certificateArn);
        if (!certificate) throw new SslClickError({ code: 'NOT_FOUND', message: `The ACM certificate ${arn} disappeared while sslclick waited for it; run apply again.`, provider, operation: 'apply' });
        const done = until === 'issued' ? certificate.status === 'ISSUED' : certificate.validationRecord !== undefined || certificate.status === 'ISSUED';
        return { done, value: certificate, state: certificate.status, failed: failedCertificateStatuses.has(certificate.status) };
      },
      {
        description: until === 'issued' ? `ACM to issue the certificate for ${target.hostname}` : `ACM to compute the validation record for ${target.hostname}`,
        subject: 'certificate',
        provider,
        hostname: target.hostname,
        minDelay: wait.minDelay ?? (until === 'issued' ? 10_000 : 2_000),
        maxDelay: wait.maxDelay ?? 60_000,
        maxWaitTime: wait.maxWaitTime ?? 3_600_000,
        ...(run.options.signal ? { signal: run.options.signal } : {}),
        ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
      },
    );
    return result.value as CertificateInfo;
  }

  async function waitForDeployed(target: Target, id: string): Promise<{ status: string; enabled: boolean; etag: string; domainName: string } | undefined> {
    const { run } = target;
    const result = await waitUntil(
      async () => {
        const current = await getDistribution(run, id);
        return current ? { done: current.status === 'Deployed', value: current, state: current.status } : { done: true, state: 'deleted' };
      },
      {
        description: `the CloudFront distribution ${id} to deploy`,
        subject: 'edge',
        provider,
        hostname: target.hostname,
        minDelay: wait.minDelay ?? 15_000,
        maxDelay: wait.maxDelay ?? 60_000,
        maxWaitTime: wait.maxWaitTime ?? 2_400_000,
        ...(run.options.signal ? { signal: run.options.signal } : {}),
        ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
      },
    );
    return result.value;
  }

  /** Repairs drift with UpdateDistribution + IfMatch, retrying once when the ETag went stale meanwhile. */
  async function repairDistribution(target: Target, distribution: DistributionInfo, desired: DesiredDistribution): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      const { config, etag } = await getDistributionConfig(target.run, distribution.id);
      const drift = distributionDrift(config, desired);
      if (drift.length === 0) return false;
      try {
        await updateDistribution(target.run, distribution.id, etag, repairedDistributionConfig(config, desired));
        target.run.progress(
          'distribution-updated',
          `Repaired CloudFront distribution ${distribution.id}: ${drift.map((difference) => `${difference.field} ${difference.current} → ${difference.desired}`).join('; ')}.`,
          { distributionId: distribution.id, drift },
        );
        return true;
      } catch (error) {
        if (attempt === 1 && isAwsError(error, 'PreconditionFailed')) continue;
        throw error;
      }
    }
  }

  async function createOrFind(target: Target, desired: DesiredDistribution): Promise<DistributionInfo> {
    try {
      const created = await createDistribution(target.run, newDistributionConfig(desired));
      target.run.progress('distribution-created', `Created CloudFront distribution ${created.id} (${created.domainName}) for ${target.hostname}.`, {
        distributionId: created.id,
        domainName: created.domainName,
      });
      return created;
    } catch (error) {
      // A create whose answer was lost may have succeeded: the alias then belongs to our own new distribution.
      if (!isAwsError(error, 'CNAMEAlreadyExists')) throw error;
      const found = await findDistribution(target.run);
      if (found?.owned) return found;
      if (found) throw conflictWithForeign(target.hostname, found);
      throw error;
    }
  }

  async function currentCname(target: Target, dns: DnsTarget | undefined): Promise<{ value: string | undefined; others: string[] }> {
    if (!dns) return { value: await publishedCname(target.hostname), others: [] };
    const records = await dns.provider.getRecords(target.hostname, undefined, target.run.options);
    return {
      value: records.find((record) => record.type === 'CNAME')?.value,
      others: records.filter((record) => record.type !== 'CNAME').map((record) => `${record.type} ${record.value}`),
    };
  }

  /**
   * The `CONFLICT` for a hostname whose DNS holds something sslclick would not replace: a CNAME
   * elsewhere than SendGrid or our distribution, or other records (an A record). `undefined` when
   * the name is free, ours, or `adopt` is set.
   */
  function foreignDnsConflict(target: Target, dns: DnsTarget, current: { value: string | undefined; others: string[] }, ourTarget: string | undefined): SslClickError | undefined {
    if (target.adopt) return undefined;
    const replaceable = [target.origin, 'sendgrid.net', ...(ourTarget ? [ourTarget] : [])];
    const blocked = current.value !== undefined ? !replaceable.includes(current.value) : current.others.length > 0;
    if (!blocked) return undefined;
    return new SslClickError({
      code: 'CONFLICT',
      message: `${target.hostname} holds ${current.value ? `CNAME ${current.value}` : current.others.join(', ')} in ${dns.description}, not sendgrid.net: sslclick will not overwrite it, and created nothing. Check where it should point, or run apply with adopt: true to replace it.`,
      provider,
      operation: 'apply',
    });
  }

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

  async function apply(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus> {
    const target = prepare(request, options, 'apply');
    const { run, hostname, origin, adopt } = target;
    const warnings: string[] = [];
    const dns = await resolveDns(target, warnings);
    const inspection = await inspect(target);
    // The host's record is read once in this run, and again only after this run wrote it.
    let hostRecord: Promise<{ value: string | undefined; others: string[] }> | undefined;
    const readHostRecord = (): Promise<{ value: string | undefined; others: string[] }> => (hostRecord ??= currentCname(target, dns));
    // Before anything else: a hostname on our distribution while it fails the checks (a run that
    // died before putting DNS back) goes back to SendGrid first.
    const live = inspection.distribution;
    if (dns && live && (await readHostRecord()).value === live.domainName) {
      await restoreFailingCutover({
        hostname,
        provider,
        edgeTarget: live.domainName,
        restoreRecord: { name: hostname, type: 'CNAME', value: origin },
        restore: () => {
          hostRecord = undefined;
          return dns.provider.upsertCname(hostname, origin, { replaceable: [live.domainName], ...run.options });
        },
        dnsName: dns.description,
        ...(settings.verification ? { verification: settings.verification } : {}),
        ...(run.options.signal ? { signal: run.options.signal } : {}),
        ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
      });
    }
    if (inspection.foreign && !adopt) throw conflictWithForeign(hostname, inspection.foreign);
    // A name holding someone else's records is refused before anything is created for it.
    if (dns) {
      const conflict = foreignDnsConflict(target, dns, await readHostRecord(), inspection.distribution?.domainName);
      if (conflict) throw conflict;
    }

    // 1. The certificate: given, ours, or requested now.
    let certificate = inspection.certificate;
    if (settings.certificateArn) {
      if (!certificate) throw invalidInput(`certificateArn ${settings.certificateArn} does not exist in ACM (us-east-1) for these credentials.`, { provider, operation: 'apply' });
      if (!certificate.names.some((name) => coversHostname(name, hostname))) {
        throw invalidInput(`certificateArn ${settings.certificateArn} covers ${certificate.names.join(', ')}, not ${hostname}.`, { provider, operation: 'apply' });
      }
    }
    if (!certificate) certificate = await waitForCertificate(target, await requestCertificate(run), 'validation-record');
    else if (certificate.status === 'PENDING_VALIDATION' && !certificate.validationRecord) certificate = await waitForCertificate(target, certificate.arn, 'validation-record');
    if (failedCertificateStatuses.has(certificate.status)) return readStatus(target, dns, warnings, { ...inspection, certificate });

    // 2. Its validation record: written where DNS is managed (kept for renewals), else left to the user.
    const validation = certificate.validationRecord;
    if (validation && dns && certificate.owned) {
      await dns.provider.upsertCname(validation.name, validation.value, { comment: `sslclick: ACM validation for ${hostname}`, ...run.options });
    }
    if (certificate.status !== 'ISSUED') {
      if (!dns && validation && (await publishedCname(validation.name)) !== validation.value) {
        run.progress('dns-records-required', `Publish the certificate validation record CNAME ${validation.name} → ${validation.value}, then run apply again.`, { record: validation });
        return readStatus(target, dns, warnings, { ...inspection, certificate });
      }
      certificate = await waitForCertificate(target, certificate.arn, 'issued');
    }

    // 3. The distribution: created, or repaired when it drifted.
    const desired = desiredFor(target, certificate.arn);
    let distribution = inspection.distribution;
    // Whether this run changed the distribution: only then is its state read again.
    let distributionWritten = false;
    if (!distribution) {
      distribution = await createOrFind(target, desired);
      distributionWritten = true;
    } else {
      distributionWritten = await repairDistribution(target, distribution, desired);
      if (!distribution.owned) {
        await tagDistribution(run, distribution.arn);
        // The tags just written are the ownership proof (TagResource succeeded).
        distribution = { ...distribution, owned: true };
        run.progress('distribution-adopted', `Adopted CloudFront distribution ${distribution.id} for ${hostname} (adopt: true).`, { distributionId: distribution.id });
      }
    }
    throwIfAborted(run.options.signal, 'apply');

    // 4. Wait until it is deployed everywhere; one this run found deployed and left alone is not read again.
    if (distributionWritten || distribution.status !== 'Deployed') {
      const deployed = await waitForDeployed(target, distribution.id);
      if (deployed) distribution = { ...distribution, status: deployed.status, enabled: deployed.enabled, domainName: deployed.domainName };
    }

    // 5. DNS, only after the pre-cutover check proves the distribution serves the hostname.
    const current = await readHostRecord();
    if (current.value !== distribution.domainName) {
      const replaceable = [origin, 'sendgrid.net'];
      const conflict = dns ? foreignDnsConflict(target, dns, current, undefined) : undefined;
      if (conflict) throw conflict;
      await checkBeforeCutover({
        hostname,
        edgeTarget: distribution.domainName,
        provider,
        maxWaitTime: settings.cutoverCheckTimeoutMs,
        ...(settings.verification ? { verification: settings.verification } : {}),
        ...(run.options.signal ? { signal: run.options.signal } : {}),
        ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
      });
      if (dns) {
        const written = await dns.provider.upsertCname(hostname, distribution.domainName, {
          replaceable,
          adopt,
          comment: `sslclick: ${hostname} through CloudFront ${distribution.id}`,
          ...run.options,
        });
        if (written.changed) {
          run.progress('dns-cutover', `${hostname} now points at CloudFront (${distribution.domainName}) in ${dns.description}.`, { target: distribution.domainName });
          // Checks for about 0.6 s, 300 ms apart: CloudFront serves a deployed distribution at once.
          await confirmAfterCutover({
            hostname,
            edgeTarget: distribution.domainName,
            provider,
            dns: dns.provider,
            restoreTo: current.value ?? (current.others.length > 0 ? target.origin : undefined),
            ...(settings.verification ? { verification: settings.verification } : {}),
            minDelay: 300,
            maxWaitTime: 600,
            ...(run.options.signal ? { signal: run.options.signal } : {}),
            ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
          });
        }
      } else {
        run.progress('dns-records-required', `Point the CNAME of ${hostname} at ${distribution.domainName}; the distribution passed the pre-cutover check.`, {
          record: { name: hostname, type: 'CNAME', value: distribution.domainName },
        });
      }
    }
    // The final status from what this run read or wrote: the certificate as last read (after any
    // wait), the distribution as last read (after any write and wait; now sslclick's if adopted,
    // so no foreign one is left: a foreign one without adopt stopped the run above).
    return readStatus(target, dns, warnings, { certificate, distribution });
  }

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

  async function status(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus> {
    const target = prepare(request, options, 'status');
    const warnings: string[] = [];
    const dns = await resolveDns(target, warnings);
    return readStatus(target, dns, warnings);
  }

  async function destroy(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus> {
    const target = prepare(request, options, 'destroy');
    const { run, hostname, origin } = target;
    const warnings: string[] = [];
    const dns = await resolveDns(target, warnings);
    const inspection = await inspect(target);
    const distribution = inspection.distribution?.owned ? inspection.distribution : undefined;

    if (distribution) {
      // 1. DNS back to SendGrid first, so no link ever points at a distribution being removed.
      const current = await currentCname(target, dns);
      if (current.value === distribution.domainName) {
        if (!dns) {
          throw new SslClickError({
            code: 'UNSAFE',
            message: `${hostname} still points at ${distribution.domainName}: deleting the distribution now would break every link. Point its CNAME back at ${origin}, then run destroy again.`,
            provider,
            operation: 'destroy',
          });
        }
        await dns.provider.upsertCname(hostname, origin, { replaceable: [distribution.domainName], comment: `sslclick: ${hostname} back to SendGrid`, ...run.options });
        run.progress('dns-restored', `${hostname} points at ${origin} again in ${dns.description}.`);
      }
      // 2. Disable, 3. wait until deployed, 4. delete with the current ETag.
      let current2 = await getDistribution(run, distribution.id);
      if (current2?.enabled) {
        for (let attempt = 1; ; attempt += 1) {
          const { config, etag } = await getDistributionConfig(run, distribution.id);
          if (!config.Enabled) break;
          try {
            await updateDistribution(run, distribution.id, etag, { ...config, Enabled: false });
            run.progress('distribution-disabled', `Disabled CloudFront distribution ${distribution.id}; waiting for it to deploy before deleting it.`, { distributionId: distribution.id });
            break;
          } catch (error) {
            if (attempt === 1 && isAwsError(error, 'PreconditionFailed')) continue;
            throw error;
          }
        }
      }
      current2 = await waitForDeployed(target, distribution.id);
      for (let attempt = 1; current2; attempt += 1) {
        try {
          if (await deleteDistribution(run, distribution.id, current2.etag)) {
            run.progress('distribution-deleted', `Deleted CloudFront distribution ${distribution.id}.`, { distributionId: distribution.id });
          }
          break;
        } catch (error) {
          if (attempt > 1 || !isAwsError(error, 'PreconditionFailed')) throw error;
          current2 = await getDistribution(run, distribution.id);
        }
      }
    } else if (inspection.foreign) {
      warnings.push(`CloudFront distribution ${inspection.foreign.id} holds ${hostname} but was not created by sslclick: left alone.`);
    }

    // 5. The certificate, only if sslclick requested it and nothing else uses it.
    const certificate = !settings.certificateArn && inspection.certificate?.owned ? await describeCertificate(run, inspection.certificate.arn, true) : undefined;
    if (certificate) {
      if (certificate.inUseBy.length > 0) {
        warnings.push(`The ACM certificate ${certificate.arn} is still used by ${certificate.inUseBy.join(', ')}: left in place.`);
      } else {
        try {
          // The validation record goes first: were the run to stop between the two, the certificate
          // (still findable by its tags) leads the next destroy back to the record; the other way
          // round the record would be left behind with nothing pointing at it.
          if (dns && certificate.validationRecord) await dns.provider.deleteCname(certificate.validationRecord.name, certificate.validationRecord.value, run.options);
          await deleteCertificate(run, certificate.arn);
        } catch (error) {
          if (!isAwsError(error, 'ResourceInUseException')) throw error;
          warnings.push(`ACM still reports the certificate ${certificate.arn} in use (it can lag after a delete); run destroy again in a few minutes.`);
        }
      }
    }
    return readStatus(target, dns, warnings);
  }

  // The one place errors leave the adapter: whatever is thrown, and every progress event, is redacted.
  return withRedactedErrors({
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: settings.dns !== undefined || settings.hostedZoneId !== undefined || settings.route53Lookup, managedCertificate: true, slowDeploy: true },
    plan,
    apply,
    status,
    destroy,
  } satisfies ProxyAdapter);
}
