import type { DistributionConfig, DistributionSummary } from '@aws-sdk/client-cloudfront';
import type { AwsRun } from './aws-run.js';
import { cloudFrontSdk } from './aws-sdk.js';
import { createSharedListing } from './shared-listing.js';

/** A distribution as ListDistributions shows it: where it is and what it serves, not whose it is. */
export interface ListedDistribution {
  id: string;
  arn: string;
  /** `dxxxx.cloudfront.net`: where the hostname's CNAME points. */
  domainName: string;
  /** CloudFront's status: `InProgress` or `Deployed`. */
  status: string;
  enabled: boolean;
  /** Lower case. */
  aliases: string[];
  comment: string;
  certificateArn?: string;
}

/** A listed distribution from ListDistributions' summary. */
export function listedFromSummary(summary: DistributionSummary): ListedDistribution {
  return {
    id: summary.Id ?? '',
    arn: summary.ARN ?? '',
    domainName: summary.DomainName ?? '',
    status: summary.Status ?? '',
    enabled: summary.Enabled === true,
    aliases: (summary.Aliases?.Items ?? []).map((alias) => alias.toLowerCase()),
    comment: summary.Comment ?? '',
    ...(summary.ViewerCertificate?.ACMCertificateArn ? { certificateArn: summary.ViewerCertificate.ACMCertificateArn } : {}),
  };
}

/** The listed part of a distribution the adapter knows more about (its ownership is left out). */
export function listedOf(known: ListedDistribution): ListedDistribution {
  return {
    id: known.id,
    arn: known.arn,
    domainName: known.domainName,
    status: known.status,
    enabled: known.enabled,
    aliases: known.aliases,
    comment: known.comment,
    ...(known.certificateArn ? { certificateArn: known.certificateArn } : {}),
  };
}

/** What a config sslclick wrote (created or updated) makes of a listed distribution: it deploys again. */
export function listedAfterWrite(listed: Pick<ListedDistribution, 'id' | 'arn' | 'domainName'>, config: DistributionConfig): ListedDistribution {
  return {
    id: listed.id,
    arn: listed.arn,
    domainName: listed.domainName,
    status: 'InProgress',
    enabled: config.Enabled === true,
    aliases: (config.Aliases?.Items ?? []).map((alias) => alias.toLowerCase()),
    comment: config.Comment ?? '',
    ...(config.ViewerCertificate?.ACMCertificateArn ? { certificateArn: config.ViewerCertificate.ACMCertificateArn } : {}),
  };
}

/** One page of ListDistributions (100 summaries, CloudFront's largest page is 1,000 but the SDK's default is 100). */
export async function listDistributionsPage(run: AwsRun, marker: string | undefined): Promise<{ items: DistributionSummary[]; nextMarker?: string }> {
  const page = await run.call('cloudfront:ListDistributions', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.ListDistributionsCommand({ MaxItems: 100, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
  );
  const list = page.DistributionList;
  const nextMarker = list?.IsTruncated ? list.NextMarker : undefined;
  return { items: list?.Items ?? [], ...(nextMarker ? { nextMarker } : {}) };
}

/**
 * The account's distributions, listed once and shared by the hosts of one run (see
 * `SharedListing`): every distribution this adapter creates, changes or deletes is written into it
 * as it happens. Ownership is not kept here: it is read from the distribution's own tags each time.
 */
export interface DistributionListing {
  /**
   * The distribution holding `hostname` as an alias, else one whose comment is `comment` (ours,
   * its alias removed); `listedNow` is true when this call read the listing from AWS (its status
   * is then current, not remembered).
   */
  find(run: AwsRun, hostname: string, comment: string): Promise<{ byAlias?: ListedDistribution; byComment?: ListedDistribution; listedNow: boolean }>;
  /** A distribution this adapter created or rewrote (its config as written). */
  put(listed: ListedDistribution): void;
  /** A distribution's status and `Enabled` as just read (after a wait). */
  settle(id: string, status: string, enabled: boolean): void;
  /** A distribution this adapter deleted (or found gone). */
  remove(id: string): void;
}

/** An empty listing, read from AWS at its first `find`. */
export function createDistributionListing(): DistributionListing {
  const listing = createSharedListing<ListedDistribution>(
    (listed) => listed.id,
    async (run, add) => {
      let marker: string | undefined;
      do {
        const page = await listDistributionsPage(run, marker);
        for (const summary of page.items) add(listedFromSummary(summary));
        marker = page.nextMarker;
      } while (marker);
    },
  );

  return {
    async find(run, hostname, comment) {
      const { items, listedNow } = await listing.read(run);
      let byAlias: ListedDistribution | undefined;
      let byComment: ListedDistribution | undefined;
      for (const listed of items) {
        if (!byAlias && listed.aliases.includes(hostname)) byAlias = listed;
        if (!byComment && listed.comment === comment) byComment = listed;
        if (byAlias && byComment) break;
      }
      return { ...(byAlias ? { byAlias } : {}), ...(byComment ? { byComment } : {}), listedNow };
    },
    put: (listed) => listing.put(listed),
    settle: (id, status, enabled) => listing.update(id, (known) => ({ ...known, status, enabled })),
    remove: (id) => listing.remove(id),
  };
}
