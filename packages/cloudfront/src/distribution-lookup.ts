import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { isAwsNotFound } from './aws-errors.js';
import type { AwsRun } from './aws-run.js';
import { cloudFrontSdk } from './aws-sdk.js';
import { listDistributionsPage, listedFromSummary, type DistributionListing, type ListedDistribution } from './distribution-listing.js';
import { certificateTagKey, distributionComment, isOurComment, isOwnedBy, ownershipTags, parseRoute53ZoneTag, route53ZoneTagKey, type DistributionTagFacts, type TaggedRoute53Zone } from './ownership.js';

/** What the adapter knows about a distribution: what the listing shows, and whose it is. */
export interface DistributionInfo extends ListedDistribution {
  /** It carries sslclick's tags for this hostname. */
  owned: boolean;
  /**
   * The certificate sslclick's tag on this (owned) distribution names as sslclick's own: when it
   * is `certificateArn`, the certificate in use is proven sslclick's without reading its tags.
   */
  ownCertificateArn?: string;
  /** The Route 53 zone sslclick's tag on this (owned) distribution names as holding the host's record. */
  route53Zone?: TaggedRoute53Zone;
}

type Tags = Array<{ Key?: string; Value?: string }>;

function withOwnership(listed: ListedDistribution, tags: Tags, hostname: string): DistributionInfo {
  const owned = isOwnedBy(tags, hostname);
  const ownCertificateArn = owned ? tags.find((tag) => tag.Key === certificateTagKey)?.Value : undefined;
  const route53Zone = owned ? parseRoute53ZoneTag(tags.find((tag) => tag.Key === route53ZoneTagKey)?.Value) : undefined;
  return { ...listed, owned, ...(ownCertificateArn ? { ownCertificateArn } : {}), ...(route53Zone ? { route53Zone } : {}) };
}

async function tagsOf(run: AwsRun, arn: string): Promise<Tags> {
  const answer = await run.call('cloudfront:ListTagsForResource', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.ListTagsForResourceCommand({ Resource: arn }), { abortSignal }),
  );
  return answer.Tags?.Items ?? [];
}

/**
 * Finds the distribution that holds the hostname as an alias, or failing that one of ours whose
 * alias was removed (found by our comment), and tells from its tags whether it is sslclick's.
 * With `listing` (shared by the hosts of a run) the account is listed once for all of them, and a
 * remembered distribution that was still deploying is read again (its status moves on its own);
 * without, ListDistributions is paged (`Marker`) until the alias turns up.
 */
export async function findDistribution(run: AwsRun, listing?: DistributionListing): Promise<DistributionInfo | undefined> {
  const comment = distributionComment(run.hostname);
  let byAlias: ListedDistribution | undefined;
  let byComment: ListedDistribution | undefined;
  if (listing) {
    const found = await listing.find(run, run.hostname, comment);
    ({ byAlias, byComment } = found);
    if (byAlias && !found.listedNow && byAlias.status !== 'Deployed') {
      const current = await getDistribution(run, byAlias.id);
      if (current) {
        byAlias = { ...byAlias, status: current.status, enabled: current.enabled };
        listing.settle(byAlias.id, current.status, current.enabled);
      } else {
        listing.remove(byAlias.id);
        byAlias = undefined;
      }
    }
  } else {
    let marker: string | undefined;
    do {
      const page = await listDistributionsPage(run, marker);
      for (const summary of page.items) {
        const listed = listedFromSummary(summary);
        if (listed.aliases.includes(run.hostname)) {
          byAlias = listed;
          break;
        }
        byComment ??= isOurComment(listed.comment, run.hostname) ? listed : undefined;
      }
      marker = byAlias ? undefined : page.nextMarker;
    } while (marker);
  }
  if (byAlias) return withOwnership(byAlias, await tagsOf(run, byAlias.arn), run.hostname);
  if (!byComment) return undefined;
  const found = withOwnership(byComment, await tagsOf(run, byComment.arn), run.hostname);
  return found.owned ? found : undefined;
}

/** The distribution's current status and ETag; `undefined` when it is gone. */
export async function getDistribution(run: AwsRun, id: string): Promise<{ status: string; enabled: boolean; etag: string; domainName: string } | undefined> {
  try {
    const answer = await run.call('cloudfront:GetDistribution', (abortSignal) =>
      run.settings.cloudFront.send(new cloudFrontSdk.GetDistributionCommand({ Id: id }), { abortSignal }),
    );
    return {
      status: answer.Distribution?.Status ?? '',
      enabled: answer.Distribution?.DistributionConfig?.Enabled === true,
      etag: answer.ETag ?? '',
      domainName: answer.Distribution?.DomainName ?? '',
    };
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/** The distribution's full config and its ETag (for `IfMatch`). */
export async function getDistributionConfig(run: AwsRun, id: string): Promise<{ config: DistributionConfig; etag: string }> {
  const answer = await run.call('cloudfront:GetDistributionConfig', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.GetDistributionConfigCommand({ Id: id }), { abortSignal }),
  );
  if (!answer.DistributionConfig) throw new Error('CloudFront returned no DistributionConfig.');
  return { config: answer.DistributionConfig, etag: answer.ETag ?? '' };
}

/**
 * Creates the distribution with sslclick's tags in the same call; `facts` are the certificate it
 * uses when that was proven sslclick's and the Route 53 zone holding the host's record (see
 * `certificateTagKey` and `route53ZoneTagKey`).
 */
export async function createDistribution(run: AwsRun, config: DistributionConfig, facts: DistributionTagFacts = {}): Promise<DistributionInfo> {
  const answer = await run.call('cloudfront:CreateDistribution', (abortSignal) =>
    run.settings.cloudFront.send(
      new cloudFrontSdk.CreateDistributionWithTagsCommand({
        DistributionConfigWithTags: { DistributionConfig: config, Tags: { Items: ownershipTags(run.hostname, run.settings.tags, facts) } },
      }),
      { abortSignal },
    ),
  );
  const distribution = answer.Distribution;
  return {
    id: distribution?.Id ?? '',
    arn: distribution?.ARN ?? '',
    domainName: distribution?.DomainName ?? '',
    status: distribution?.Status ?? 'InProgress',
    enabled: true,
    aliases: [run.hostname],
    comment: config.Comment ?? '',
    owned: true,
    ...(config.ViewerCertificate?.ACMCertificateArn ? { certificateArn: config.ViewerCertificate.ACMCertificateArn } : {}),
    ...(facts.ownCertificateArn ? { ownCertificateArn: facts.ownCertificateArn } : {}),
    ...(facts.route53Zone ? { route53Zone: facts.route53Zone } : {}),
  };
}

/** Replaces the distribution's config (`IfMatch` = the ETag it was read with); returns the new ETag. */
export async function updateDistribution(run: AwsRun, id: string, etag: string, config: DistributionConfig): Promise<string> {
  const answer = await run.call('cloudfront:UpdateDistribution', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.UpdateDistributionCommand({ Id: id, IfMatch: etag, DistributionConfig: config }), { abortSignal }),
  );
  return answer.ETag ?? '';
}

/** Adds sslclick's tags to an adopted distribution (with `facts` as for `createDistribution`). */
export async function tagDistribution(run: AwsRun, arn: string, facts: DistributionTagFacts = {}): Promise<void> {
  await run.call('cloudfront:TagResource', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.TagResourceCommand({ Resource: arn, Tags: { Items: ownershipTags(run.hostname, run.settings.tags, facts) } }), { abortSignal }),
  );
}

/** Deletes a disabled, deployed distribution; `false` when it was already gone. */
export async function deleteDistribution(run: AwsRun, id: string, etag: string): Promise<boolean> {
  try {
    await run.call('cloudfront:DeleteDistribution', (abortSignal) =>
      run.settings.cloudFront.send(new cloudFrontSdk.DeleteDistributionCommand({ Id: id, IfMatch: etag }), { abortSignal }),
    );
    return true;
  } catch (error) {
    if (isAwsNotFound(error)) return false;
    throw error;
  }
}
