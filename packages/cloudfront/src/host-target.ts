// What the per-host and tenants modes both check and name about a host, kept once.
import type { DnsProvider } from '@sslclick/core';
import { invalidInput } from '@sslclick/core/adapter';

/** The CloudFront provider name, as adapters and errors carry it. */
const provider = 'cloudfront';

/** ACM statuses from which a certificate never becomes issued. */
export const failedCertificateStatuses = new Set(['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED', 'INACTIVE']);

/** Where the hostname's DNS is written, when sslclick manages it. */
export interface DnsTarget {
  provider: DnsProvider;
  /** For messages: `Route 53 zone example.com`, `cloudflare`. */
  description: string;
}

/** A hostname's record as its DNS holds it: the CNAME's value, and any other records. */
export interface HostRecord {
  value: string | undefined;
  others: string[];
}

/** The request's origin checked and normalised: a host name such as `sendgrid.net`. */
export function checkOrigin(origin: unknown): string {
  if (typeof origin !== 'string' || !/^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i.test(origin)) {
    throw invalidInput(`origin ${JSON.stringify(origin)} is not a host name such as "sendgrid.net".`, { provider });
  }
  return origin.toLowerCase().replace(/\.$/, '');
}
