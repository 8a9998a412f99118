import { SslClickError, type Plan, type PlannedChange, type ProxyAdapter, type ProxyRequest, type ProxyStatus, type RunOptions } from '@sslclick/core';
import {
  cachedLookup,
  checkBeforeCutover,
  confirmAfterCutover,
  invalidInput,
  requireVerificationForLocalEndpoints,
  restoreFailingCutover,
  throwIfAborted,
  withRedactedErrors,
} from '@sslclick/core/adapter';
import { isAwsError } from './aws-errors.js';
import { coversHostname, deleteCertificate, describeCertificate, requestCertificate } from './certificate-lookup.js';
import { resolveCloudFrontSettings, type CloudFrontProxySettings } from './cloudfront-settings.js';
import { getConnectionGroup } from './connection-group.js';
import { getDistributionConfig } from './distribution-lookup.js';
import { createTenant, deleteTenant, getTenant, tagTenant, updateTenant, type TenantInfo } from './distribution-tenant.js';
import { multiTenantDrift } from './multi-tenant-distribution.js';
import { createRoute53DnsOnClient } from './route53-dns.js';
import { createSharedDistributionKeeper, desiredShared } from './shared-distribution.js';
import { failedCertificateStatuses, type DnsTarget, type HostRecord } from './host-target.js';
import { createTenantContext, type TenantInspection, type TenantTarget } from './tenant-context.js';
import { readTenantStatus } from './tenant-status.js';

const provider = 'cloudfront';

function conflictWith(hostname: string, inspection: TenantInspection): SslClickError | undefined {
  if (inspection.aliasHolder) {
    const holder = inspection.aliasHolder;
    return new SslClickError({
      code: 'CONFLICT',
      message: `${hostname} is an alternate domain name of CloudFront distribution ${holder.id} (${holder.domainName}${holder.comment ? `, comment "${holder.comment}"` : ''}), which sslclick did not create; it was left alone. A distribution tenant cannot take a name a distribution holds: remove the alias there first.`,
      provider,
      operation: 'apply',
    });
  }
  if (inspection.foreignTenant && inspection.tenant !== inspection.foreignTenant) {
    const foreign = inspection.foreignTenant;
    return new SslClickError({
      code: 'CONFLICT',
      message: `${hostname} is a domain of CloudFront distribution tenant ${foreign.id} ("${foreign.name}"), which sslclick did not create; it was left alone. Remove the domain from it, or run apply with adopt: true to take that tenant over.`,
      provider,
      operation: 'apply',
    });
  }
  return undefined;
}

/**
 * The `CONFLICT` for a hostname whose DNS holds something sslclick would not replace; `undefined`
 * when the name is free, SendGrid's, ours, or `adopt` is set.
 */
function foreignDnsConflict(target: TenantTarget, dns: DnsTarget, current: HostRecord, ourTarget: string | undefined): SslClickError | undefined {
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

/**
 * SendGrid SSL click tracking through CloudFront SaaS Manager: one multi-tenant distribution
 * (SendGrid origin, CachingDisabled, AllViewer) shared by every branded host of the adapter, a
 * distribution tenant per host holding the host as its domain and its own DNS-validated ACM
 * certificate, and the host's CNAME pointed at the tenant's connection group only after a
 * pre-cutover check through the edge. Chosen with `createCloudFrontProxy({ mode: 'tenants' })`.
 */
export function createCloudFrontTenantProxy(settingsInput: CloudFrontProxySettings): ProxyAdapter {
  const settings = resolveCloudFrontSettings(settingsInput);
  requireVerificationForLocalEndpoints({ provider, endpoints: Object.values(settingsInput.endpoints ?? {}), verification: settingsInput.verification });
  const route53 = createRoute53DnsOnClient(settings.route53, { hostedZoneId: settings.hostedZoneId, retry: settings.retry, timeoutMs: settings.timeoutMs });
  const context = createTenantContext(settings, route53, settingsInput.lookupCache);
  const sharedDistribution = createSharedDistributionKeeper(context);
  // The host whose plan counts the shared distribution's create: a fleet plans one, not one per host.
  let sharedCreatePlannedBy: string | undefined;

  /** Applies changes to the tenant with its ETag, reading it again once if someone changed it meanwhile. */
  async function changeTenant(target: TenantTarget, tenant: TenantInfo, changes: Parameters<typeof updateTenant>[2]): Promise<TenantInfo> {
    try {
      return await updateTenant(target.run, tenant, changes);
    } catch (error) {
      if (!isAwsError(error, 'PreconditionFailed')) throw error;
      const fresh = await getTenant(target.run, tenant.id);
      if (!fresh) throw error;
      return updateTenant(target.run, { ...fresh, owned: tenant.owned }, changes);
    }
  }

  async function apply(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus> {
    const target = context.prepare(request, options, 'apply');
    const { run, hostname, origin, adopt } = target;
    const warnings: string[] = [];
    const dns = await context.resolveDns(target, warnings);
    const inspection = await context.inspect(target);
    let hostRecord: Promise<HostRecord> | undefined;
    const readHostRecord = (): Promise<HostRecord> => (hostRecord ??= context.currentCname(target, dns));
    // A hostname on our tenant while it fails the checks (a run that died before putting DNS back) goes back to SendGrid first.
    const liveEndpoint = inspection.tenant?.owned ? inspection.connectionGroup?.routingEndpoint : undefined;
    if (dns && liveEndpoint && (await readHostRecord()).value === liveEndpoint) {
      await restoreFailingCutover({
        hostname,
        provider,
        edgeTarget: liveEndpoint,
        restoreRecord: { name: hostname, type: 'CNAME', value: origin },
        restore: () => {
          hostRecord = undefined;
          return dns.provider.upsertCname(hostname, origin, { replaceable: [liveEndpoint], ...run.options });
        },
        dnsName: dns.description,
        ...(settings.verification ? { verification: settings.verification } : {}),
        ...(run.options.signal ? { signal: run.options.signal } : {}),
        ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
      });
    }
    const conflict = conflictWith(hostname, inspection);
    if (conflict) throw conflict;
    if (dns) {
      const dnsConflict = foreignDnsConflict(target, dns, await readHostRecord(), inspection.connectionGroup?.routingEndpoint);
      if (dnsConflict) throw dnsConflict;
    }

    // 1. The certificate: given, ours, or requested now (DNS validation: valid before any traffic moves).
    let certificate = inspection.certificate;
    if (settings.certificateArn) {
      if (!certificate) throw invalidInput(`certificateArn ${settings.certificateArn} does not exist in ACM (us-east-1) for these credentials.`, { provider, operation: 'apply' });
      if (!certificate.names.some((name) => coversHostname(name, hostname))) {
        throw invalidInput(`certificateArn ${settings.certificateArn} covers ${certificate.names.join(', ')}, not ${hostname}.`, { provider, operation: 'apply' });
      }
    }
    if (!certificate) certificate = await context.waitForCertificate(target, await requestCertificate(run, await context.certificateListing(target)), 'validation-record');
    else if (certificate.status === 'PENDING_VALIDATION' && !certificate.validationRecord) certificate = await context.waitForCertificate(target, certificate.arn, 'validation-record');
    if (failedCertificateStatuses.has(certificate.status)) return readTenantStatus(context, target, dns, warnings, { ...inspection, certificate });

    // 2. Its validation record: written where DNS is managed (kept for renewals), else left to the user.
    const validation = certificate.validationRecord;
    if (validation && dns && certificate.owned) {
      await dns.provider.upsertCname(validation.name, validation.value, { comment: `sslclick: ACM validation for ${hostname}`, ...run.options });
    }
    if (certificate.status !== 'ISSUED') {
      if (!dns && validation && (await context.publishedCname(validation.name)) !== validation.value) {
        run.progress('dns-records-required', `Publish the certificate validation record CNAME ${validation.name} → ${validation.value}, then run apply again.`, { record: validation });
        return readTenantStatus(context, target, dns, warnings, { ...inspection, certificate });
      }
      certificate = await context.waitForCertificate(target, certificate.arn, 'issued');
    }

    // 3. The shared multi-tenant distribution: found (repaired if it drifted) or created once.
    const shared = await sharedDistribution.ensure(target, inspection.shared);
    throwIfAborted(run.options.signal, 'apply');

    // 4. The tenant: created, adopted, or brought back to what SendGrid needs.
    let tenant = inspection.tenant;
    let tenantWritten = false;
    if (!tenant) {
      tenant = await createTenant(run, { distributionId: shared.id, certificateArn: certificate.arn, connectionGroupId: settings.connectionGroupId });
      run.progress('distribution-tenant-created', `Created CloudFront distribution tenant ${tenant.id} for ${hostname} on the shared distribution ${shared.id}.`, { tenantId: tenant.id, distributionId: shared.id });
      tenantWritten = true;
    } else {
      if (!tenant.owned) {
        await tagTenant(run, tenant.arn);
        tenant = { ...tenant, owned: true };
        run.progress('distribution-tenant-adopted', `Adopted CloudFront distribution tenant ${tenant.id} for ${hostname} (adopt: true).`, { tenantId: tenant.id });
      }
      const changes: Parameters<typeof updateTenant>[2] = {
        ...(tenant.enabled ? {} : { enabled: true }),
        ...(tenant.certificateArn === certificate.arn ? {} : { certificateArn: certificate.arn }),
        ...(tenant.distributionId === shared.id ? {} : { distributionId: shared.id }),
        ...(settings.connectionGroupId && tenant.connectionGroupId !== settings.connectionGroupId ? { connectionGroupId: settings.connectionGroupId } : {}),
      };
      if (Object.keys(changes).length > 0) {
        tenant = await changeTenant(target, tenant, changes);
        run.progress('distribution-tenant-updated', `Repaired CloudFront distribution tenant ${tenant.id}: ${Object.keys(changes).join(', ')}.`, { tenantId: tenant.id, changes });
        tenantWritten = true;
      }
    }
    if (tenantWritten || tenant.status !== 'Deployed') tenant = (await context.waitForTenant(target, tenant.id)) ?? tenant;

    // 5. The connection group: its routing endpoint is where the hostname's CNAME points.
    let group = inspection.connectionGroup?.id === tenant.connectionGroupId ? inspection.connectionGroup : await getConnectionGroup(run, tenant.connectionGroupId);
    if (group && group.status !== 'Deployed') group = (await context.waitForConnectionGroup(target, group.id)) ?? group;
    if (!group?.routingEndpoint) {
      throw new SslClickError({ code: 'PROVIDER', message: `CloudFront named no routing endpoint for the connection group ${tenant.connectionGroupId || '(none)'} of tenant ${tenant.id}; run apply again.`, provider, operation: 'apply' });
    }
    const endpoint = group.routingEndpoint;

    // 6. DNS, only after the pre-cutover check proves the tenant serves the hostname through the edge.
    const current = await readHostRecord();
    if (current.value !== endpoint) {
      const dnsConflict = dns ? foreignDnsConflict(target, dns, current, undefined) : undefined;
      if (dnsConflict) throw dnsConflict;
      await checkBeforeCutover({
        hostname,
        edgeTarget: endpoint,
        provider,
        maxWaitTime: settings.cutoverCheckTimeoutMs,
        ...(settings.verification ? { verification: settings.verification } : {}),
        ...(run.options.signal ? { signal: run.options.signal } : {}),
        ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
      });
      if (dns) {
        const written = await dns.provider.upsertCname(hostname, endpoint, {
          replaceable: [origin, 'sendgrid.net'],
          adopt,
          comment: `sslclick: ${hostname} through CloudFront tenant ${tenant.id}`,
          ...run.options,
        });
        if (written.changed) {
          run.progress('dns-cutover', `${hostname} now points at CloudFront (${endpoint}) in ${dns.description}.`, { target: endpoint });
          await confirmAfterCutover({
            hostname,
            edgeTarget: endpoint,
            provider,
            dns: dns.provider,
            restoreTo: current.value ?? (current.others.length > 0 ? origin : undefined),
            ...(settings.verification ? { verification: settings.verification } : {}),
            minDelay: 300,
            maxWaitTime: 600,
            ...(run.options.signal ? { signal: run.options.signal } : {}),
            ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
          });
        }
      } else {
        run.progress('dns-records-required', `Point the CNAME of ${hostname} at ${endpoint}; the tenant passed the pre-cutover check.`, { record: { name: hostname, type: 'CNAME', value: endpoint } });
      }
    }
    return readTenantStatus(context, target, dns, warnings, { shared, tenant, certificate, connectionGroup: group });
  }

  async function plan(request: ProxyRequest, options?: RunOptions): Promise<Plan> {
    const target = context.prepare(request, options, 'plan');
    const { hostname } = target;
    const warnings: string[] = [];
    const dns = await context.resolveDns(target, warnings);
    const inspection = await context.inspect(target);
    const conflict = conflictWith(hostname, inspection);
    if (conflict && !(target.adopt && !inspection.aliasHolder)) throw conflict;
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
    }
    // The shared distribution is created once for the whole fleet: only one host's plan counts it.
    const shared = inspection.shared;
    if (!shared) {
      sharedCreatePlannedBy ??= hostname;
      const first = sharedCreatePlannedBy === hostname;
      changes.push({
        resource: { kind: 'cloudfront-distribution', name: 'multi-tenant distribution (shared)' },
        action: first ? 'create' : 'none',
        description: first
          ? `Create the multi-tenant distribution every host of this adapter shares: origin ${target.origin}, CachingDisabled, AllViewer (forwards Host), all methods; then wait until it is deployed.`
          : 'The shared multi-tenant distribution is created once, by the first host applied.',
      });
    } else {
      sharedCreatePlannedBy = undefined;
      // Read once per run of many hosts sharing a lookup cache: every host's plan looks at the same distribution.
      const { config } = await cachedLookup(context.cacheOf(target), `cloudfront:multi-tenant:config:${shared.id}`, () => getDistributionConfig(target.run, shared.id));
      const drift = multiTenantDrift(config, desiredShared(context, target));
      changes.push({
        resource: { kind: 'cloudfront-distribution', name: 'multi-tenant distribution (shared)', id: shared.id },
        action: drift.length > 0 ? 'update' : 'none',
        description: drift.length > 0 ? `Repair drift: ${drift.map((difference) => `${difference.field}: ${difference.current} → ${difference.desired}`).join('; ')}.` : 'The shared distribution matches what SendGrid needs.',
      });
    }
    const tenant = inspection.tenant;
    const tenantNeedsUpdate = tenant !== undefined && (!tenant.owned || !tenant.enabled || tenant.certificateArn !== certificate?.arn || (shared !== undefined && tenant.distributionId !== shared.id));
    changes.push({
      resource: { kind: 'cloudfront-distribution-tenant', name: hostname, ...(tenant ? { id: tenant.id } : {}) },
      action: !tenant ? 'create' : tenantNeedsUpdate ? 'update' : 'none',
      description: !tenant
        ? `Create a distribution tenant for ${hostname} with its ACM certificate, in ${settings.connectionGroupId ? `connection group ${settings.connectionGroupId}` : "the account's default connection group"}; then wait until it is deployed.`
        : tenantNeedsUpdate
          ? `Bring tenant ${tenant.id} back to what SendGrid needs (${tenant.owned ? 'enabled, its certificate, the shared distribution' : "adopt it: add sslclick's tags"}).`
          : `Tenant ${tenant.id} serves ${hostname}.`,
    });
    const current = await context.currentCname(target, dns);
    const endpoint = inspection.connectionGroup?.routingEndpoint;
    const pointsThere = endpoint !== undefined && current.value === endpoint;
    changes.push({
      resource: { kind: 'dns-record', name: hostname },
      action: pointsThere ? 'none' : current.value === undefined && current.others.length === 0 ? 'create' : 'update',
      description: pointsThere
        ? `${hostname} already points at ${endpoint}.`
        : `${dns ? `Point ${hostname} in ${dns.description}` : `You point ${hostname}`} at the connection group's routing endpoint (now: ${current.value ?? 'no CNAME'}), after the pre-cutover check passes.`,
    });
    return { provider, hostname, changes, warnings };
  }

  async function status(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus> {
    const target = context.prepare(request, options, 'status');
    const warnings: string[] = [];
    const dns = await context.resolveDns(target, warnings);
    return readTenantStatus(context, target, dns, warnings, await context.inspect(target));
  }

  async function destroy(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus> {
    const target = context.prepare(request, options, 'destroy');
    const { run, hostname, origin } = target;
    const warnings: string[] = [];
    const dns = await context.resolveDns(target, warnings);
    const inspection = await context.inspect(target);
    const tenant = inspection.tenant?.owned ? inspection.tenant : undefined;

    if (tenant) {
      // 1. DNS back to SendGrid first, so no link ever points at a tenant being removed.
      const endpoint = inspection.connectionGroup?.routingEndpoint;
      const current = await context.currentCname(target, dns);
      if (endpoint !== undefined && current.value === endpoint) {
        if (!dns) {
          throw new SslClickError({
            code: 'UNSAFE',
            message: `${hostname} still points at ${endpoint}: removing its distribution tenant now would break every link. Point its CNAME back at ${origin}, then run destroy again.`,
            provider,
            operation: 'destroy',
          });
        }
        await dns.provider.upsertCname(hostname, origin, { replaceable: [endpoint], comment: `sslclick: ${hostname} back to SendGrid`, ...run.options });
        run.progress('dns-restored', `${hostname} points at ${origin} again in ${dns.description}.`);
      }
      // 2. Disable, 3. wait until deployed, 4. delete with the current ETag (CloudFront deletes only a disabled, deployed tenant).
      if (tenant.enabled) {
        await changeTenant(target, tenant, { enabled: false });
        run.progress('distribution-tenant-disabled', `Disabled CloudFront distribution tenant ${tenant.id}; waiting for it to deploy before deleting it.`, { tenantId: tenant.id });
      }
      let deployed = await context.waitForTenant(target, tenant.id);
      for (let attempt = 1; deployed; attempt += 1) {
        try {
          if (await deleteTenant(run, tenant.id, deployed.etag)) run.progress('distribution-tenant-deleted', `Deleted CloudFront distribution tenant ${tenant.id}.`, { tenantId: tenant.id });
          break;
        } catch (error) {
          if (attempt > 1 || !isAwsError(error, 'PreconditionFailed')) throw error;
          deployed = await getTenant(run, tenant.id);
        }
      }
      // 5. The shared distribution goes with the last tenant on it (only sslclick's: the listing finds no other).
      if (inspection.shared?.id === tenant.distributionId) await sharedDistribution.removeIfUnused(target, inspection.shared);
    } else if (inspection.foreignTenant) {
      warnings.push(`CloudFront distribution tenant ${inspection.foreignTenant.id} holds ${hostname} but was not created by sslclick: left alone.`);
    }

    // 6. The certificate, only if sslclick requested it and nothing else uses it.
    const certificate = !settings.certificateArn && inspection.certificate?.owned ? await describeCertificate(run, inspection.certificate.arn, true) : undefined;
    if (certificate) {
      if (certificate.inUseBy.length > 0) {
        warnings.push(`The ACM certificate ${certificate.arn} is still used by ${certificate.inUseBy.join(', ')}: left in place.`);
      } else {
        try {
          // The validation record first: the certificate (findable by its tags) leads a later destroy back to it.
          if (dns && certificate.validationRecord) await dns.provider.deleteCname(certificate.validationRecord.name, certificate.validationRecord.value, run.options);
          await deleteCertificate(run, certificate.arn, await context.certificateListing(target));
        } catch (error) {
          if (!isAwsError(error, 'ResourceInUseException')) throw error;
          warnings.push(`ACM still reports the certificate ${certificate.arn} in use (it can lag after a delete); run destroy again in a few minutes.`);
        }
      }
    }
    return readTenantStatus(context, target, dns, warnings, await context.inspect(target));
  }

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
