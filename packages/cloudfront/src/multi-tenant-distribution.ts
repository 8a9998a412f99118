import type { DistributionConfig, DistributionSummary } from '@aws-sdk/client-cloudfront';
import type { AwsRun } from './aws-run.js';
import { cloudFrontSdk } from './aws-sdk.js';
import { distributionDrift, newDistributionConfig, repairedDistributionConfig, type ConfigDifference, type DesiredDistribution } from './distribution-config.js';
import { managedByTag, newCallerReference } from './ownership.js';

/** The comment of the multi-tenant distribution sslclick creates (CloudFront allows 128 characters). */
export const multiTenantComment = 'sslclick: SendGrid click tracking proxy shared by branded hosts (multi-tenant)';
/** The tag naming the role of the shared distribution (it belongs to no one hostname). */
export const sharedRoleTag = { key: 'sslclick:role', value: 'multi-tenant-distribution' } as const;

/** What the adapter knows about the shared multi-tenant distribution. */
export interface SharedDistributionInfo {
  id: string;
  arn: string;
  /** CloudFront's status: `InProgress` or `Deployed`. */
  status: string;
  enabled: boolean;
}

/** A standard distribution holding a hostname as an alias: tenants cannot take that name. */
export interface AliasHolder {
  id: string;
  domainName: string;
  comment: string;
}

/** One listing of the account's distributions, read once per run (or per shared lookup cache). */
export interface DistributionListing {
  /** sslclick's multi-tenant distribution, when there is one. */
  shared?: SharedDistributionInfo;
  /** Standard distributions by alias (lower case). */
  aliasHolders: Map<string, AliasHolder>;
}

/** The tags of the shared distribution: sslclick's mark and role, then the user's. */
export function sharedDistributionTags(userTags: Readonly<Record<string, string>>): Array<{ Key: string; Value: string }> {
  return [
    { Key: managedByTag.key, Value: managedByTag.value },
    { Key: sharedRoleTag.key, Value: sharedRoleTag.value },
    ...Object.entries(userTags).map(([Key, Value]) => ({ Key, Value })),
  ];
}

function isSharedDistribution(tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }>): boolean {
  const find = (key: string): string | undefined => tags.find((tag) => tag.Key === key)?.Value;
  return find(managedByTag.key) === managedByTag.value && find(sharedRoleTag.key) === sharedRoleTag.value;
}

function fromSummary(summary: DistributionSummary): SharedDistributionInfo {
  return { id: summary.Id ?? '', arn: summary.ARN ?? '', status: summary.Status ?? '', enabled: summary.Enabled === true };
}

async function listPages(run: AwsRun, list: (marker: string | undefined, abortSignal: AbortSignal | undefined) => Promise<{ DistributionList?: { Items?: DistributionSummary[]; IsTruncated?: boolean; NextMarker?: string } }>, operation: string): Promise<DistributionSummary[]> {
  const summaries: DistributionSummary[] = [];
  let marker: string | undefined;
  do {
    const current = marker;
    const page = await run.call(operation, (abortSignal) => list(current, abortSignal));
    summaries.push(...(page.DistributionList?.Items ?? []));
    marker = page.DistributionList?.IsTruncated ? page.DistributionList.NextMarker : undefined;
  } while (marker);
  return summaries;
}

/**
 * Lists the account's distributions once per run: sslclick's multi-tenant distribution through
 * ListDistributionsByConnectionMode (`tenant-only`, our comment, proven by our tags), and every
 * alias of the standard ones through ListDistributions, so a host another distribution holds is
 * refused before anything is written. (Whether ListDistributions itself lists multi-tenant
 * distributions is not documented; the dedicated listing is sure to.)
 */
export async function listDistributionsForTenants(run: AwsRun): Promise<DistributionListing> {
  const client = run.settings.cloudFront;
  const multiTenant = await listPages(
    run,
    (marker, abortSignal) => client.send(new cloudFrontSdk.ListDistributionsByConnectionModeCommand({ ConnectionMode: 'tenant-only', MaxItems: 100, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
    'cloudfront:ListDistributionsByConnectionMode',
  );
  const standard = await listPages(
    run,
    (marker, abortSignal) => client.send(new cloudFrontSdk.ListDistributionsCommand({ MaxItems: 100, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
    'cloudfront:ListDistributions',
  );
  const aliasHolders = new Map<string, AliasHolder>();
  for (const summary of standard) {
    if (summary.ConnectionMode === 'tenant-only') continue;
    for (const alias of summary.Aliases?.Items ?? []) {
      aliasHolders.set(alias.toLowerCase(), { id: summary.Id ?? '', domainName: summary.DomainName ?? '', comment: summary.Comment ?? '' });
    }
  }
  // An enabled one first: a disabled one is on its way out (a destroy that stopped half-way).
  const candidates = multiTenant.filter((summary) => summary.Comment === multiTenantComment).sort((left, right) => Number(right.Enabled === true) - Number(left.Enabled === true));
  for (const candidate of candidates) {
    const tags = await run.call('cloudfront:ListTagsForResource', (abortSignal) =>
      client.send(new cloudFrontSdk.ListTagsForResourceCommand({ Resource: candidate.ARN ?? '' }), { abortSignal }),
    );
    if (isSharedDistribution(tags.Tags?.Items ?? [])) return { shared: fromSummary(candidate), aliasHolders };
  }
  return { aliasHolders };
}

/** Fields a multi-tenant distribution does not have: its tenants and connection group hold them. */
function withoutPerHostFields(config: DistributionConfig): DistributionConfig {
  const { Aliases: _aliases, PriceClass: _priceClass, IsIPV6Enabled: _ipv6, ...rest } = config;
  return rest;
}

/**
 * The config of the shared distribution: the per-host distribution's origin and policies
 * (SendGrid, CachingDisabled, AllViewer so `Host` is forwarded, all methods), with
 * `ConnectionMode` `tenant-only`, no aliases, no price class and no IPv6 switch (SaaS Manager's
 * unsupported features: connection groups hold those), and CloudFront's default certificate:
 * each tenant brings its own ACM certificate.
 */
export function newMultiTenantDistributionConfig(desired: DesiredDistribution): DistributionConfig {
  return {
    ...withoutPerHostFields(newDistributionConfig(desired)),
    CallerReference: newCallerReference('multi-tenant'),
    Comment: multiTenantComment,
    ConnectionMode: 'tenant-only',
    ViewerCertificate: { CloudFrontDefaultCertificate: true },
  };
}

const perHostFields = new Set(['Aliases', 'PriceClass']);

/** How the shared distribution differs from what SendGrid needs: the per-host checks, less aliases, price class and certificate. */
export function multiTenantDrift(config: DistributionConfig, desired: DesiredDistribution): ConfigDifference[] {
  return distributionDrift(config, desired).filter((difference) => !perHostFields.has(difference.field) && !difference.field.startsWith('ViewerCertificate.'));
}

/** The repaired shared config: origin and behavior as SendGrid needs them, the rest (certificate, mode) as it was. */
export function repairedMultiTenantConfig(config: DistributionConfig, desired: DesiredDistribution): DistributionConfig {
  const repaired = withoutPerHostFields(repairedDistributionConfig(config, desired));
  return {
    ...repaired,
    ConnectionMode: 'tenant-only',
    ...(config.ViewerCertificate ? { ViewerCertificate: config.ViewerCertificate } : {}),
  };
}

/** Creates the shared distribution with sslclick's tags in the same call. */
export async function createSharedDistribution(run: AwsRun, config: DistributionConfig): Promise<SharedDistributionInfo> {
  const answer = await run.call('cloudfront:CreateDistribution', (abortSignal) =>
    run.settings.cloudFront.send(
      new cloudFrontSdk.CreateDistributionWithTagsCommand({ DistributionConfigWithTags: { DistributionConfig: config, Tags: { Items: sharedDistributionTags(run.settings.tags) } } }),
      { abortSignal },
    ),
  );
  const distribution = answer.Distribution;
  return { id: distribution?.Id ?? '', arn: distribution?.ARN ?? '', status: distribution?.Status ?? 'InProgress', enabled: true };
}
