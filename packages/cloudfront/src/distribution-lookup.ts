import type { DistributionConfig, DistributionSummary } from '@aws-sdk/client-cloudfront';
import { isAwsNotFound } from './aws-errors.js';
import type { AwsRun } from './aws-run.js';
import { cloudFrontSdk } from './aws-sdk.js';
import { certificateTagKey, isOurComment, isOwnedBy, ownershipTags } from './ownership.js';

/** What the adapter knows about a distribution. */
export interface DistributionInfo {
  id: string;
  arn: string;
  /** `dxxxx.cloudfront.net`: where the hostname's CNAME points. */
  domainName: string;
  /** CloudFront's status: `InProgress` or `Deployed`. */
  status: string;
  enabled: boolean;
  aliases: string[];
  comment: string;
  /** It carries sslclick's tags for this hostname. */
  owned: boolean;
  certificateArn?: string;
  /**
   * The certificate sslclick's tag on this (owned) distribution names as sslclick's own: when it
   * is `certificateArn`, the certificate in use is proven sslclick's without reading its tags.
   */
  ownCertificateArn?: string;
}

type Tags = Array<{ Key?: string; Value?: string }>;

function fromSummary(summary: DistributionSummary, tags: Tags, hostname: string): DistributionInfo {
  const owned = isOwnedBy(tags, hostname);
  const ownCertificateArn = owned ? tags.find((tag) => tag.Key === certificateTagKey)?.Value : undefined;
  return {
    id: summary.Id ?? '',
    arn: summary.ARN ?? '',
    domainName: summary.DomainName ?? '',
    status: summary.Status ?? '',
    enabled: summary.Enabled === true,
    aliases: (summary.Aliases?.Items ?? []).map((alias) => alias.toLowerCase()),
    comment: summary.Comment ?? '',
    owned,
    ...(summary.ViewerCertificate?.ACMCertificateArn ? { certificateArn: summary.ViewerCertificate.ACMCertificateArn } : {}),
    ...(ownCertificateArn ? { ownCertificateArn } : {}),
  };
}

async function tagsOf(run: AwsRun, arn: string): Promise<Tags> {
  const answer = await run.call('cloudfront:ListTagsForResource', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.ListTagsForResourceCommand({ Resource: arn }), { abortSignal }),
  );
  return answer.Tags?.Items ?? [];
}

/**
 * Finds the distribution that holds the hostname as an alias (paginating ListDistributions with
 * `Marker`), or failing that one of ours whose alias was removed (found by our comment), and
 * tells from its tags whether it is sslclick's.
 */
export async function findDistribution(run: AwsRun): Promise<DistributionInfo | undefined> {
  let marker: string | undefined;
  let byComment: DistributionSummary | undefined;
  do {
    const current = marker;
    const page = await run.call('cloudfront:ListDistributions', (abortSignal) =>
      run.settings.cloudFront.send(new cloudFrontSdk.ListDistributionsCommand({ MaxItems: 100, ...(current ? { Marker: current } : {}) }), { abortSignal }),
    );
    const list = page.DistributionList;
    for (const summary of list?.Items ?? []) {
      if ((summary.Aliases?.Items ?? []).some((alias) => alias.toLowerCase() === run.hostname)) {
        return fromSummary(summary, await tagsOf(run, summary.ARN ?? ''), run.hostname);
      }
      if (!byComment && isOurComment(summary.Comment, run.hostname)) byComment = summary;
    }
    marker = list?.IsTruncated ? list.NextMarker : undefined;
  } while (marker);
  if (!byComment) return undefined;
  const found = fromSummary(byComment, await tagsOf(run, byComment.ARN ?? ''), run.hostname);
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
 * Creates the distribution with sslclick's tags in the same call; `ownCertificateArn` is the
 * certificate it uses when that certificate was proven sslclick's (see `certificateTagKey`).
 */
export async function createDistribution(run: AwsRun, config: DistributionConfig, ownCertificateArn?: string): Promise<DistributionInfo> {
  const answer = await run.call('cloudfront:CreateDistribution', (abortSignal) =>
    run.settings.cloudFront.send(
      new cloudFrontSdk.CreateDistributionWithTagsCommand({
        DistributionConfigWithTags: { DistributionConfig: config, Tags: { Items: ownershipTags(run.hostname, run.settings.tags, ownCertificateArn) } },
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
    ...(ownCertificateArn ? { ownCertificateArn } : {}),
  };
}

/** Replaces the distribution's config (`IfMatch` = the ETag it was read with); returns the new ETag. */
export async function updateDistribution(run: AwsRun, id: string, etag: string, config: DistributionConfig): Promise<string> {
  const answer = await run.call('cloudfront:UpdateDistribution', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.UpdateDistributionCommand({ Id: id, IfMatch: etag, DistributionConfig: config }), { abortSignal }),
  );
  return answer.ETag ?? '';
}

/** Adds sslclick's tags to an adopted distribution (with `ownCertificateArn` as for `createDistribution`). */
export async function tagDistribution(run: AwsRun, arn: string, ownCertificateArn?: string): Promise<void> {
  await run.call('cloudfront:TagResource', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.TagResourceCommand({ Resource: arn, Tags: { Items: ownershipTags(run.hostname, run.settings.tags, ownCertificateArn) } }), { abortSignal }),
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
