import type { CertificateStatus, CertificateSummary } from '@aws-sdk/client-acm';
import type { AwsRun } from './aws-run.js';
import { acmSdk } from './aws-sdk.js';
import { createSharedListing } from './shared-listing.js';

/** A certificate as ListCertificates shows it: what it covers and how far it got, not whose it is. */
export interface ListedCertificate {
  arn: string;
  /** ACM's status: one of `listedCertificateStatuses`. */
  status: string;
  /** Its domain name and subject alternative names (possibly wildcards). */
  names: string[];
}

/** The statuses the listing asks ACM for: a certificate in any other is never resumed or used. */
export const listedCertificateStatuses: readonly CertificateStatus[] = ['ISSUED', 'PENDING_VALIDATION'];

function listedFromSummary(summary: CertificateSummary): ListedCertificate {
  return {
    arn: summary.CertificateArn ?? '',
    status: summary.Status ?? '',
    names: [summary.DomainName ?? '', ...(summary.SubjectAlternativeNameSummaries ?? [])].filter(Boolean),
  };
}

/**
 * The account's ACM certificates (those issued or pending validation), listed once and shared by
 * the hosts of one run (see `SharedListing`): every certificate this adapter requests or deletes
 * is written into it. Ownership is not kept here: it is read from the certificate's own tags each
 * time, and a remembered certificate is described before it is used.
 */
export interface CertificateListing {
  /**
   * The listed certificates; `listedNow` is true when this call read them from AWS (their
   * statuses are then current, not remembered).
   */
  read(run: AwsRun): Promise<{ certificates: ListedCertificate[]; listedNow: boolean }>;
  /** A certificate this adapter requested. */
  put(listed: ListedCertificate): void;
  /** A certificate's status as just described: one outside `listedCertificateStatuses` leaves the listing. */
  settle(arn: string, status: string): void;
  /** A certificate this adapter deleted (or found gone). */
  remove(arn: string): void;
}

/** An empty listing, read from AWS (ListCertificates, paged by `NextToken`) at its first `read`. */
export function createCertificateListing(): CertificateListing {
  const listing = createSharedListing<ListedCertificate>(
    (listed) => listed.arn,
    async (run, add) => {
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const page = await run.call('acm:ListCertificates', (abortSignal) =>
          run.settings.acm.send(
            new acmSdk.ListCertificatesCommand({ CertificateStatuses: [...listedCertificateStatuses], MaxItems: 1000, ...(token ? { NextToken: token } : {}) }),
            { abortSignal },
          ),
        );
        for (const summary of page.CertificateSummaryList ?? []) if (summary.CertificateArn) add(listedFromSummary(summary));
        nextToken = page.NextToken;
      } while (nextToken);
    },
  );
  return {
    async read(run) {
      const { items, listedNow } = await listing.read(run);
      return { certificates: [...items], listedNow };
    },
    put: (listed) => listing.put(listed),
    settle: (arn, status) => ((listedCertificateStatuses as readonly string[]).includes(status) ? listing.update(arn, (known) => ({ ...known, status })) : listing.remove(arn)),
    remove: (arn) => listing.remove(arn),
  };
}
