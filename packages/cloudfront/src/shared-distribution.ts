import { SslClickError } from '@sslclick/core';
import { cachedLookup } from '@sslclick/core/adapter';
import { isAwsError } from './aws-errors.js';
import { targetOrigin, type DesiredDistribution } from './distribution-config.js';
import { deleteDistribution, getDistribution, getDistributionConfig, updateDistribution } from './distribution-lookup.js';
import { countTenantsOf } from './distribution-tenant.js';
import { createSharedDistribution, listDistributionsForTenants, multiTenantDrift, newMultiTenantDistributionConfig, repairedMultiTenantConfig, type SharedDistributionInfo } from './multi-tenant-distribution.js';
import type { TenantContext, TenantTarget } from './tenant-context.js';

const provider = 'cloudfront';

/** What the shared distribution must be for a request: its origin and policies (no certificate, no alias). */
export function desiredShared(context: TenantContext, target: TenantTarget): DesiredDistribution {
  const { settings } = context;
  return {
    hostname: target.hostname,
    origin: target.origin,
    certificateArn: '',
    originProtocol: settings.originProtocol,
    viewerProtocol: settings.viewerProtocol,
    priceClass: settings.priceClass,
  };
}

/**
 * The one multi-tenant distribution of an adapter: found, repaired, or created once. Runs of the
 * same adapter at the same time (a fleet under `setupAccount`) share one create, and later runs
 * reuse what this adapter created even when their listing was read before it existed.
 */
export function createSharedDistributionKeeper(context: TenantContext) {
  let creating: Promise<SharedDistributionInfo> | undefined;
  let created: SharedDistributionInfo | undefined;

  async function repair(target: TenantTarget, shared: SharedDistributionInfo): Promise<boolean> {
    const desired = desiredShared(context, target);
    for (let attempt = 1; ; attempt += 1) {
      const { config, etag } = await getDistributionConfig(target.run, shared.id);
      const origin = targetOrigin(config)?.DomainName;
      if (origin !== undefined && origin !== target.origin) {
        // One origin serves every tenant: repairing it for this host would move all the others.
        throw new SslClickError({
          code: 'CONFLICT',
          message: `The multi-tenant distribution ${shared.id} that sslclick shares between hosts sends requests to ${origin}, not ${target.origin}: tenants mode serves one origin. Set ${target.hostname} up with another adapter (per-host mode, or tenants mode in another AWS account).`,
          provider,
          operation: 'apply',
        });
      }
      const drift = multiTenantDrift(config, desired);
      if (drift.length === 0) return false;
      try {
        await updateDistribution(target.run, shared.id, etag, repairedMultiTenantConfig(config, desired));
        context.cacheOf(target)?.invalidate(`cloudfront:multi-tenant:config:${shared.id}`);
        target.run.progress(
          'distribution-updated',
          `Repaired the multi-tenant CloudFront distribution ${shared.id}: ${drift.map((difference) => `${difference.field} ${difference.current} → ${difference.desired}`).join('; ')}.`,
          { distributionId: shared.id, drift },
        );
        return true;
      } catch (error) {
        if (attempt === 1 && isAwsError(error, 'PreconditionFailed')) continue;
        throw error;
      }
    }
  }

  async function create(target: TenantTarget): Promise<SharedDistributionInfo> {
    if (created && (await getDistribution(target.run, created.id))) return created;
    let made: SharedDistributionInfo;
    try {
      made = await createSharedDistribution(target.run, newMultiTenantDistributionConfig(desiredShared(context, target)));
    } catch (error) {
      // A retried create whose first answer was lost: the caller reference is ours, the distribution exists.
      if (!isAwsError(error, 'DistributionAlreadyExists')) throw error;
      const found = (await listDistributionsForTenants(target.run)).shared;
      if (!found) throw error;
      created = found;
      context.forgetListing(target);
      return found;
    }
    created = made;
    context.forgetListing(target);
    target.run.progress('distribution-created', `Created the multi-tenant CloudFront distribution ${made.id}, shared by every branded host of this adapter.`, { distributionId: made.id });
    return made;
  }

  return {
    /** The shared distribution, deployed: `known` (from the listing) repaired if it drifted, else created. */
    async ensure(target: TenantTarget, known: SharedDistributionInfo | undefined): Promise<SharedDistributionInfo> {
      let shared: SharedDistributionInfo;
      let written = false;
      if (known) {
        shared = known;
        // Checked (and repaired) once per run of many hosts sharing a lookup cache, not once per host.
        written = await cachedLookup(context.cacheOf(target), `cloudfront:multi-tenant:checked:${known.id}`, () => repair(target, known));
      } else {
        creating ??= create(target).finally(() => {
          creating = undefined;
        });
        shared = await creating;
        written = true;
      }
      if (written || shared.status !== 'Deployed') {
        const deployed = await context.waitForDistribution(target, shared.id);
        if (deployed) shared = { ...shared, status: deployed.status, enabled: deployed.enabled };
      }
      return shared;
    },

    /**
     * Removes the shared distribution once no tenant uses it (anyone's: a tenant sslclick did not
     * create keeps it too): disable, wait until deployed, delete with the current ETag. Returns
     * whether it was deleted.
     */
    async removeIfUnused(target: TenantTarget, shared: SharedDistributionInfo): Promise<boolean> {
      const { run } = target;
      if ((await countTenantsOf(run, shared.id)) > 0) return false;
      for (let attempt = 1; ; attempt += 1) {
        const { config, etag } = await getDistributionConfig(run, shared.id);
        if (!config.Enabled) break;
        try {
          await updateDistribution(run, shared.id, etag, { ...config, Enabled: false });
          run.progress('distribution-disabled', `Disabled the multi-tenant CloudFront distribution ${shared.id}: its last tenant is gone.`, { distributionId: shared.id });
          break;
        } catch (error) {
          if (attempt === 1 && isAwsError(error, 'PreconditionFailed')) continue;
          throw error;
        }
      }
      let current = await context.waitForDistribution(target, shared.id);
      let deleted = false;
      for (let attempt = 1; current; attempt += 1) {
        try {
          deleted = await deleteDistribution(run, shared.id, current.etag);
          break;
        } catch (error) {
          if (attempt > 1 || !isAwsError(error, 'PreconditionFailed')) throw error;
          current = await getDistribution(run, shared.id);
        }
      }
      if (deleted) run.progress('distribution-deleted', `Deleted the multi-tenant CloudFront distribution ${shared.id}.`, { distributionId: shared.id });
      if (created?.id === shared.id) created = undefined;
      context.forgetListing(target);
      return deleted;
    },
  };
}
