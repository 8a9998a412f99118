import type { CertificateDetail } from '@aws-sdk/client-acm';
import type { DnsRecord } from '@sslclick/core';
import { isAwsNotFound } from './aws-errors.js';
import type { AwsRun } from './aws-run.js';
import { acmSdk } from './aws-sdk.js';
import { createCertificateListing, type CertificateListing } from './certificate-listing.js';
import { certificateIdempotencyToken, isOwnedBy, ownershipTags } from './ownership.js';

/** What the adapter knows about the hostname's ACM certificate. */
export interface CertificateInfo {
  arn: string;
  /** ACM's status: `PENDING_VALIDATION`, `ISSUED`, `FAILED`, … */
  status: string;
  /** sslclick requested it (it carries our tags), so it may delete it. */
  owned: boolean;
  names: string[];
  /** The DNS validation CNAME for the hostname, once ACM has computed it. */
  validationRecord?: DnsRecord;
  failureReason?: string;
  notAfter?: string;
  /** The resources (distribution ARNs) using it. */
  inUseBy: string[];
  /** ACM's own values, for `status.certificate.raw`. */
  raw: { Status?: string; FailureReason?: string; DomainValidationStatus?: string; CertificateArn: string; InUseBy: string[] };
}

/** Whether a certificate name (possibly a wildcard) covers the hostname. */
export function coversHostname(certificateName: string, hostname: string): boolean {
  const name = certificateName.toLowerCase();
  if (name === hostname) return true;
  if (!name.startsWith('*.')) return false;
  const suffix = name.slice(1);
  return hostname.endsWith(suffix) && !hostname.slice(0, -suffix.length).includes('.');
}

function toInfo(detail: CertificateDetail, hostname: string, owned: boolean): CertificateInfo {
  const names = [...new Set([detail.DomainName ?? '', ...(detail.SubjectAlternativeNames ?? [])].filter(Boolean))];
  const option =
    detail.DomainValidationOptions?.find((candidate) => candidate.DomainName === hostname) ??
    detail.DomainValidationOptions?.find((candidate) => coversHostname(candidate.DomainName ?? '', hostname));
  const record = option?.ResourceRecord;
  const arn = detail.CertificateArn ?? '';
  return {
    arn,
    status: detail.Status ?? 'UNKNOWN',
    owned,
    names,
    ...(record?.Name && record.Value
      ? { validationRecord: { name: record.Name.toLowerCase().replace(/\.$/, ''), type: 'CNAME' as const, value: record.Value.toLowerCase().replace(/\.$/, ''), purpose: 'certificate validation (ACM)' } }
      : {}),
    ...(detail.FailureReason ? { failureReason: detail.FailureReason } : {}),
    ...(detail.NotAfter ? { notAfter: detail.NotAfter.toISOString() } : {}),
    inUseBy: detail.InUseBy ?? [],
    raw: {
      CertificateArn: arn,
      ...(detail.Status ? { Status: detail.Status } : {}),
      ...(detail.FailureReason ? { FailureReason: detail.FailureReason } : {}),
      ...(option?.ValidationStatus ? { DomainValidationStatus: option.ValidationStatus } : {}),
      InUseBy: detail.InUseBy ?? [],
    },
  };
}

/** Whether sslclick's tags are on the certificate. */
async function isOwned(run: AwsRun, arn: string): Promise<boolean> {
  const answer = await run.call('acm:ListTagsForCertificate', (abortSignal) =>
    run.settings.acm.send(new acmSdk.ListTagsForCertificateCommand({ CertificateArn: arn }), { abortSignal }),
  );
  return isOwnedBy(answer.Tags ?? [], run.hostname);
}

/** Describes a certificate; `undefined` when it does not exist (any more). */
export async function describeCertificate(run: AwsRun, arn: string, owned?: boolean): Promise<CertificateInfo | undefined> {
  try {
    const answer = await run.call('acm:DescribeCertificate', (abortSignal) =>
      run.settings.acm.send(new acmSdk.DescribeCertificateCommand({ CertificateArn: arn }), { abortSignal }),
    );
    if (!answer.Certificate) return undefined;
    return toInfo(answer.Certificate, run.hostname, owned ?? (await isOwned(run, arn)));
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Finds the certificate sslclick requested for the hostname: one that covers it and carries our
 * tags, `ISSUED` preferred over `PENDING_VALIDATION` (a pending one is resumed rather than
 * requested again, since ACM's idempotency token lasts only an hour). With `listing` (shared by
 * the hosts of a run) the account's certificates are listed once for all of them; a remembered
 * one is trusted only as described now (its status moves on its own: issued, failed, deleted).
 * Without, ListCertificates is paged through afresh.
 */
export async function findOwnedCertificate(run: AwsRun, listing: CertificateListing = createCertificateListing()): Promise<CertificateInfo | undefined> {
  const { certificates, listedNow } = await listing.read(run);
  const candidates = certificates.filter((listed) => listed.names.some((name) => coversHostname(name, run.hostname)));
  candidates.sort((left, right) => Number(right.status === 'ISSUED') - Number(left.status === 'ISSUED'));
  let pending: CertificateInfo | undefined;
  for (const candidate of candidates) {
    let owned: boolean;
    try {
      owned = await isOwned(run, candidate.arn);
    } catch (error) {
      // A remembered certificate someone else deleted since the listing was read.
      if (listedNow || !isAwsNotFound(error)) throw error;
      listing.remove(candidate.arn);
      continue;
    }
    if (!owned) continue;
    const certificate = await describeCertificate(run, candidate.arn, true);
    // Listed just now: the first of ours in that order is the one, as listed.
    if (listedNow) return certificate;
    if (!certificate) {
      listing.remove(candidate.arn);
      continue;
    }
    listing.settle(certificate.arn, certificate.status);
    if (certificate.status === 'ISSUED') return certificate;
    // A remembered pending one may have been overtaken: a later candidate may be issued by now.
    if (certificate.status === 'PENDING_VALIDATION') pending ??= certificate;
  }
  return pending;
}

/**
 * Requests the hostname's certificate: DNS validation, an idempotency token derived from the
 * hostname (a retried request within the hour returns the same certificate), our tags; it is
 * written into `listing`, so later hosts of the run find it.
 */
export async function requestCertificate(run: AwsRun, listing?: CertificateListing): Promise<string> {
  const answer = await run.call('acm:RequestCertificate', (abortSignal) =>
    run.settings.acm.send(
      new acmSdk.RequestCertificateCommand({
        DomainName: run.hostname,
        ValidationMethod: 'DNS',
        IdempotencyToken: certificateIdempotencyToken(run.hostname),
        Tags: ownershipTags(run.hostname, run.settings.tags),
      }),
      { abortSignal },
    ),
  );
  const arn = answer.CertificateArn ?? '';
  listing?.put({ arn, status: 'PENDING_VALIDATION', names: [run.hostname] });
  run.progress('certificate-requested', `Requested an ACM certificate for ${run.hostname} with DNS validation.`, { certificateArn: arn });
  return arn;
}

/** Deletes a certificate (and takes it out of `listing`); `false` when it was already gone. */
export async function deleteCertificate(run: AwsRun, arn: string, listing?: CertificateListing): Promise<boolean> {
  try {
    await run.call('acm:DeleteCertificate', (abortSignal) => run.settings.acm.send(new acmSdk.DeleteCertificateCommand({ CertificateArn: arn }), { abortSignal }));
    listing?.remove(arn);
    run.progress('certificate-deleted', `Deleted the ACM certificate sslclick requested for ${run.hostname}.`, { certificateArn: arn });
    return true;
  } catch (error) {
    if (isAwsNotFound(error)) {
      listing?.remove(arn);
      return false;
    }
    throw error;
  }
}
