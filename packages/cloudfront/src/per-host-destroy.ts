import { SslClickError, type ProxyRequest, type ProxyStatus, type RunOptions } from '@sslclick/core';
import { isAwsError } from './aws-errors.js';
import { deleteCertificate, describeCertificate } from './certificate-lookup.js';
import { listedAfterWrite } from './distribution-listing.js';
import { deleteDistribution, getDistribution, getDistributionConfig, updateDistribution } from './distribution-lookup.js';
import { provider, type PerHostContext } from './per-host-context.js';
import type { PerHostStatus } from './per-host-status.js';

/**
 * Builds the per-host mode's `destroy`: DNS back to SendGrid first (or a refusal while links still
 * reach CloudFront and DNS is not managed), then the distribution disabled, deployed and deleted,
 * then the certificate, only what sslclick created.
 */
export function createPerHostDestroy(context: PerHostContext, reads: PerHostStatus): (request: ProxyRequest, options?: RunOptions) => Promise<ProxyStatus> {
  const { settings, prepare, resolveDns, listing, certificateListing, inspect, waitForDeployed, currentCname } = context;
  const { readStatus } = reads;

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
            const disabled = { ...config, Enabled: false };
            await updateDistribution(run, distribution.id, etag, disabled);
            (await listing(target))?.put(listedAfterWrite(distribution, disabled));
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
          const deleted = await deleteDistribution(run, distribution.id, current2.etag);
          (await listing(target))?.remove(distribution.id);
          if (deleted) run.progress('distribution-deleted', `Deleted CloudFront distribution ${distribution.id}.`, { distributionId: distribution.id });
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
    // Before a delete the certificate's own tags are read again: the deletion rests on them, not
    // on the distribution's tag that let status skip them.
    const certificate = !settings.certificateArn && inspection.certificate?.owned ? await describeCertificate(run, inspection.certificate.arn) : undefined;
    if (certificate && !certificate.owned) {
      warnings.push(`The ACM certificate ${certificate.arn} no longer carries sslclick's tags: left in place.`);
    } else if (certificate) {
      if (certificate.inUseBy.length > 0) {
        warnings.push(`The ACM certificate ${certificate.arn} is still used by ${certificate.inUseBy.join(', ')}: left in place.`);
      } else {
        try {
          // The validation record goes first: were the run to stop between the two, the certificate
          // (still findable by its tags) leads the next destroy back to the record; the other way
          // round the record would be left behind with nothing pointing at it.
          if (dns && certificate.validationRecord) await dns.provider.deleteCname(certificate.validationRecord.name, certificate.validationRecord.value, run.options);
          await deleteCertificate(run, certificate.arn, await certificateListing(target));
        } catch (error) {
          if (!isAwsError(error, 'ResourceInUseException')) throw error;
          warnings.push(`ACM still reports the certificate ${certificate.arn} in use (it can lag after a delete); run destroy again in a few minutes.`);
        }
      }
    }
    return readStatus(target, dns, warnings);
  }

  return destroy;
}
