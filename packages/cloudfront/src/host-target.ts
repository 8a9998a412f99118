// What the per-host and tenants modes both check and name about a host, kept once.
import { SslClickError, normalizeHostname, type DnsProvider, type ProxyRequest, type RunOptions } from '@sslclick/core';
import { invalidInput, throwIfAborted } from '@sslclick/core/adapter';
import { createAwsRun, type AwsRun } from './aws-run.js';
import type { ResolvedCloudFrontSettings } from './cloudfront-settings.js';

/** The CloudFront provider name, as adapters and errors carry it. */
const provider = 'cloudfront';

/** ACM statuses from which a certificate never becomes issued. */
export const failedCertificateStatuses = new Set(['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED', 'INACTIVE']);

/** Where the hostname's DNS is written, when sslclick manages it. */
export interface DnsTarget {
  provider: DnsProvider;
  /** For messages: `Route 53 zone example.com`, `cloudflare`. */
  description: string;
  /** The Route 53 hosted zone holding the host's record, when `provider` is the adapter's own Route 53. */
  route53Zone?: { id: string; name: string };
}

/** A hostname's record as its DNS holds it: the CNAME's value, and any other records. */
export interface HostRecord {
  value: string | undefined;
  others: string[];
}

/** The request's origin checked and normalised: a host name such as `sendgrid.net`. */
function checkOrigin(origin: unknown): string {
  if (typeof origin !== 'string' || !/^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i.test(origin)) {
    throw invalidInput(`origin ${JSON.stringify(origin)} is not a host name such as "sendgrid.net".`, { provider });
  }
  return origin.toLowerCase().replace(/\.$/, '');
}

/** What one run works on, after the request was checked. */
export interface HostTarget {
  run: AwsRun;
  hostname: string;
  origin: string;
  adopt: boolean;
}

/** Checks the request (its hostname by core's rules, its origin) and opens the run's AWS clients. */
export function prepareHostTarget(settings: ResolvedCloudFrontSettings, request: ProxyRequest, options: RunOptions | undefined, operation: string): HostTarget {
  if (typeof request !== 'object' || request === null) throw invalidInput('The request must be an object such as { hostname: "url1234.example.com" }.', { provider, operation });
  let hostname: string;
  try {
    hostname = normalizeHostname(request.hostname);
  } catch (error) {
    // Core's hostname rules name no provider; the error says it came from this adapter.
    if (!SslClickError.isInstance(error)) throw error;
    throw new SslClickError({ code: error.code, message: error.message, provider, operation, cause: error });
  }
  const origin = checkOrigin(request.origin ?? 'sendgrid.net');
  throwIfAborted(options?.signal, operation);
  return { run: createAwsRun(settings, hostname, options ?? {}), hostname, origin, adopt: request.adopt === true };
}
