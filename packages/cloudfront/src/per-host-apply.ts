import type { ProxyRequest, ProxyStatus, RunOptions } from '@sslclick/core';
import { checkBeforeCutover, confirmAfterCutover, invalidInput, restoreFailingCutover, throwIfAborted } from '@sslclick/core/adapter';
import { isAwsError } from './aws-errors.js';
import { coversHostname, requestCertificate } from './certificate-lookup.js';
import { distributionDrift, newDistributionConfig, repairedDistributionConfig, type DesiredDistribution } from './distribution-config.js';
import { listedAfterWrite, listedOf } from './distribution-listing.js';
import { createDistribution, findDistribution, getDistributionConfig, tagDistribution, updateDistribution, type DistributionInfo } from './distribution-lookup.js';
import { failedCertificateStatuses, type HostRecord } from './host-target.js';
import type { DistributionTagFacts } from './ownership.js';
import { conflictWithForeign, provider, type PerHostContext, type Target } from './per-host-context.js';
import type { PerHostStatus } from './per-host-status.js';

/**
 * Builds the per-host mode's `apply`: the ACM certificate and its validation record, the
 * distribution (created, repaired or adopted), the wait until it is deployed, the pre-cutover
 * check through it, then the hostname's CNAME.
 */
export function createPerHostApply(context: PerHostContext, reads: PerHostStatus): (request: ProxyRequest, options?: RunOptions) => Promise<ProxyStatus> {
  const { settings, publishedCname, prepare, resolveDns, listing, certificateListing, inspect, desiredFor, waitForCertificate, waitForDeployed, currentCname, foreignDnsConflict } = context;
  const { readStatus } = reads;

  /** Repairs drift with UpdateDistribution + IfMatch, retrying once when the ETag went stale meanwhile. */
  async function repairDistribution(target: Target, distribution: DistributionInfo, desired: DesiredDistribution): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      const { config, etag } = await getDistributionConfig(target.run, distribution.id);
      const drift = distributionDrift(config, desired);
      if (drift.length === 0) return false;
      try {
        const repaired = repairedDistributionConfig(config, desired);
        await updateDistribution(target.run, distribution.id, etag, repaired);
        (await listing(target))?.put(listedAfterWrite(distribution, repaired));
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

  async function createOrFind(target: Target, desired: DesiredDistribution, facts: DistributionTagFacts): Promise<DistributionInfo> {
    const known = await listing(target);
    try {
      const config = newDistributionConfig(desired);
      const created = await createDistribution(target.run, config, facts);
      known?.put(listedAfterWrite(created, config));
      target.run.progress('distribution-created', `Created CloudFront distribution ${created.id} (${created.domainName}) for ${target.hostname}.`, {
        distributionId: created.id,
        domainName: created.domainName,
      });
      return created;
    } catch (error) {
      // A create whose answer was lost may have succeeded: the alias then belongs to our own new distribution.
      if (!isAwsError(error, 'CNAMEAlreadyExists')) throw error;
      // Read afresh, not from the run's listing: whoever holds the alias made it after that was read.
      const found = await findDistribution(target.run);
      if (found) known?.put(listedOf(found));
      if (found?.owned) return found;
      if (found) throw conflictWithForeign(target.hostname, found);
      throw error;
    }
  }

  async function apply(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus> {
    const target = prepare(request, options, 'apply');
    const { run, hostname, origin, adopt } = target;
    const warnings: string[] = [];
    const dns = await resolveDns(target, warnings);
    const inspection = await inspect(target);
    // The host's record is read once in this run, and again only after this run wrote it.
    let hostRecord: Promise<HostRecord> | undefined;
    const readHostRecord = (): Promise<HostRecord> => (hostRecord ??= currentCname(target, dns));
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
    if (!certificate) certificate = await waitForCertificate(target, await requestCertificate(run, await certificateListing(target)), 'validation-record');
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
    // The distribution's tags name its certificate when that is sslclick's (proven by its own
    // tags just now), so status proves both with one read each.
    // Its tags also name the Route 53 zone holding the host's record, so status needs no zone lookup.
    const tagFacts: DistributionTagFacts = { ...(certificate.owned ? { ownCertificateArn: certificate.arn } : {}), ...(dns?.route53Zone ? { route53Zone: dns.route53Zone } : {}) };
    // Whether this run changed the distribution: only then is its state read again.
    let distributionWritten = false;
    if (!distribution) {
      distribution = await createOrFind(target, desired, tagFacts);
      distributionWritten = true;
    } else {
      distributionWritten = await repairDistribution(target, distribution, desired);
      if (!distribution.owned) {
        await tagDistribution(run, distribution.arn, tagFacts);
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

  return apply;
}
