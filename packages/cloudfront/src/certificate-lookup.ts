import type { CertificateDetail } from '@aws-sdk/client-acm';
import type { DnsRecord } from '@sslclick/core';
import { isAwsNotFound } from './aws-errors.js';
import type { AwsRun } from './aws-run.js';
import { acmSdk } from './aws-sdk.js';
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
 * requested again, since ACM's idempotency token lasts only an hour).
 */
export async function findOwnedCertificate(run: AwsRun): Promise<CertificateInfo | undefined> {
  const candidates: Array<{ arn: string; status: string }> = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await run.call('acm:ListCertificates', (abortSignal) =>
      run.settings.acm.send(
        new acmSdk.ListCertificatesCommand({ CertificateStatuses: ['ISSUED', 'PENDING_VALIDATION'], MaxItems: 1000, ...(token ? { NextToken: token } : {}) }),
        { abortSignal },
      ),
    );
    for (const summary of page.CertificateSummaryList ?? []) {
      const names = [summary.DomainName ?? '', ...(summary.SubjectAlternativeNameSummaries ?? [])];
      if (summary.CertificateArn && names.some((name) => coversHostname(name, run.hostname))) {
        candidates.push({ arn: summary.CertificateArn, status: summary.Status ?? '' });
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  candidates.sort((left, right) => Number(right.status === 'ISSUED') - Number(left.status === 'ISSUED'));
  for (const candidate of candidates) {
    if (await isOwned(run, candidate.arn)) return describeCertificate(run, candidate.arn, true);
  }
  return undefined;
}

/**
 * Requests the hostname's certificate: DNS validation, an idempotency token derived from the
 * hostname (a retried request within the hour returns the same certificate), our tags.
 */
export async function requestCertificate(run: AwsRun): Promise<string> {
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
  run.progress('certificate-requested', `Requested an ACM certificate for ${run.hostname} with DNS validation.`, { certificateArn: arn });
  return arn;
}

/** Deletes a certificate; `false` when it was already gone. */
export async function deleteCertificate(run: AwsRun, arn: string): Promise<boolean> {
  try {
    await run.call('acm:DeleteCertificate', (abortSignal) => run.settings.acm.send(new acmSdk.DeleteCertificateCommand({ CertificateArn: arn }), { abortSignal }));
    run.progress('certificate-deleted', `Deleted the ACM certificate sslclick requested for ${run.hostname}.`, { certificateArn: arn });
    return true;
  } catch (error) {
    if (isAwsNotFound(error)) return false;
    throw error;
  }
}
