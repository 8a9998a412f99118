import { randomUUID } from 'node:crypto';
import { SslClickError, lookupName, type ProxyRequest, type RunOptions } from '@sslclick/core';
import { waitUntil, withoutRunBudget } from '@sslclick/core/adapter';
import { failedCertificateStatuses, prepareHostTarget, type DnsTarget, type HostRecord, type HostTarget } from './host-target.js';
import { coversHostname, describeCertificate, findOwnedCertificate, type CertificateInfo } from './certificate-lookup.js';
import type { ResolvedCloudFrontSettings } from './cloudfront-settings.js';
import type { DesiredDistribution } from './distribution-config.js';
import { createCertificateListing, type CertificateListing } from './certificate-listing.js';
import { createDistributionListing, type DistributionListing } from './distribution-listing.js';
import { findDistribution, getDistribution, type DistributionInfo } from './distribution-lookup.js';
import type { Route53DnsProvider } from './route53-dns.js';

/** The provider name on every status, error and progress event of the CloudFront adapter. */
export const provider = 'cloudfront';
/** ACM certificate statuses that never become `ISSUED`. */

/** What one run works on, after the request was checked. */
export type Target = HostTarget;

/** What is on AWS for the hostname now. */
export interface Inspection {
  /** Ours, or the foreign one when adopting. */
  distribution?: DistributionInfo;
  /** A distribution holding the alias that sslclick did not create. */
  foreign?: DistributionInfo;
  certificate?: CertificateInfo;
}

/** The `CONFLICT` for a hostname held by a distribution sslclick did not create. */
export function conflictWithForeign(hostname: string, foreign: DistributionInfo): SslClickError {
  return new SslClickError({
    code: 'CONFLICT',
    message: `${hostname} is an alternate domain name of CloudFront distribution ${foreign.id} (${foreign.domainName}${foreign.comment ? `, comment "${foreign.comment}"` : ''}), which sslclick did not create; it was left alone. Remove the alias from it, or run apply with adopt: true to take that distribution over.`,
    provider,
    operation: 'apply',
  });
}

/**
 * What the per-host mode's steps (status, plan, apply, destroy) share: the resolved settings and
 * the reads, waits and checks more than one step makes.
 */
export interface PerHostContext {
  readonly settings: ResolvedCloudFrontSettings;
  /**
   * The CNAME target of a name as public DNS (or the configured resolver) answers it, for records
   * the user publishes by hand. Core's `lookupName` applies no hostname rules, so ACM's `_…`
   * validation names work; a failed lookup counts as "no CNAME".
   */
  publishedCname(name: string): Promise<string | undefined>;
  /** Checks a request and starts the run for it. */
  prepare(request: ProxyRequest, options: RunOptions | undefined, operation: string): Target;
  /** Where the hostname's DNS is written: the `dns` setting, the Route 53 zone holding it, or nowhere. */
  resolveDns(target: Target, warnings: string[]): Promise<DnsTarget | undefined>;
  /**
   * `resolveDns` for a status: the Route 53 zone named by the tag on sslclick's distribution (read
   * with its ownership) is taken without looking it up, when these settings would use that zone.
   */
  statusDns(target: Target, distribution: DistributionInfo | undefined, warnings: string[]): Promise<DnsTarget | undefined>;
  /**
   * The account's distributions as listed once for the run's hosts (in the run's lookup cache, else
   * the adapter's); `undefined` without a cache: each lookup then lists afresh. Every write of a
   * distribution is recorded in it, so later hosts see it.
   */
  listing(target: Target): Promise<DistributionListing | undefined>;
  /**
   * The account's ACM certificates as listed once for the run's hosts, like `listing`; `undefined`
   * without a cache. Every certificate this adapter requests or deletes is recorded in it.
   */
  certificateListing(target: Target): Promise<CertificateListing | undefined>;
  /** Reads what is on AWS for the hostname: its distribution and its certificate. */
  inspect(target: Target): Promise<Inspection>;
  desiredFor(target: Target, certificateArn: string): DesiredDistribution;
  waitForCertificate(target: Target, arn: string, until: 'validation-record' | 'issued'): Promise<CertificateInfo>;
  waitForDeployed(target: Target, id: string): Promise<{ status: string; enabled: boolean; etag: string; domainName: string } | undefined>;
  /** The hostname's record, from the DNS provider when there is one, else from public DNS. */
  currentCname(target: Target, dns: DnsTarget | undefined): Promise<HostRecord>;
  /**
   * The `CONFLICT` for a hostname whose DNS holds something sslclick would not replace: a CNAME
   * elsewhere than SendGrid or our distribution, or other records (an A record). `undefined` when
   * the name is free, ours, or `adopt` is set.
   */
  foreignDnsConflict(target: Target, dns: DnsTarget, current: HostRecord, ourTarget: string | undefined): SslClickError | undefined;
}

/** Builds the reads, waits and checks the per-host steps share. */
export function createPerHostContext(settings: ResolvedCloudFrontSettings, route53: Route53DnsProvider): PerHostContext {
  const wait = settings.wait ?? {};
  // A DNS provider given in the settings may be another vendor's or another AWS account's: its
  // writes never draw from the run's budget. The built-in Route 53 uses the adapter's own AWS
  // credentials, so its record changes do (they count against the same account).
  const givenDns = settings.dns ? withoutRunBudget(settings.dns) : undefined;

  async function publishedCname(name: string): Promise<string | undefined> {
    const resolver = settings.verification?.resolver;
    const lookup = await lookupName(name, {
      servers: resolver === undefined ? [] : Array.isArray(resolver) ? resolver : [resolver],
      timeoutMs: settings.verification?.timeoutMs ?? 5_000,
    });
    return lookup.cnameChain[0];
  }

  function prepare(request: ProxyRequest, options: RunOptions | undefined, operation: string): Target {
    return prepareHostTarget(settings, request, options, operation);
  }

  async function resolveDns(target: Target, warnings: string[]): Promise<DnsTarget | undefined> {
    if (givenDns) return { provider: givenDns, description: givenDns.name };
    if (!settings.route53Lookup && settings.hostedZoneId === undefined) return undefined;
    try {
      const zone = await route53.findZone(target.hostname, target.run.options);
      return zone ? { provider: route53, description: `Route 53 zone ${zone.name}`, route53Zone: zone } : undefined;
    } catch (error) {
      // Without Route 53 permissions the zone cannot be found: the records are left to the user.
      if (settings.hostedZoneId === undefined && SslClickError.isInstance(error) && error.code === 'PERMISSION') {
        warnings.push(`Route 53 could not be searched for ${target.hostname}'s zone (${error.message}); DNS records are left for you to publish.`);
        return undefined;
      }
      throw error;
    }
  }

  async function statusDns(target: Target, distribution: DistributionInfo | undefined, warnings: string[]): Promise<DnsTarget | undefined> {
    const tagged = distribution?.owned ? distribution.route53Zone : undefined;
    const usesTaggedZone = tagged !== undefined && !givenDns && (settings.hostedZoneId === undefined ? settings.route53Lookup : settings.hostedZoneId === tagged.id);
    if (tagged && usesTaggedZone) return { provider: route53, description: `Route 53 zone ${tagged.name}`, route53Zone: tagged };
    return resolveDns(target, warnings);
  }

  // Per adapter object: adapters with other credentials never share a listing through one cache.
  const scope = `cloudfront:${randomUUID()}`;

  async function listing(target: Target): Promise<DistributionListing | undefined> {
    const cache = target.run.options.lookupCache ?? settings.lookupCache;
    return cache ? cache.get(`${scope}:distributions`, async () => createDistributionListing()) : undefined;
  }

  async function certificateListing(target: Target): Promise<CertificateListing | undefined> {
    const cache = target.run.options.lookupCache ?? settings.lookupCache;
    return cache ? cache.get(`${scope}:certificates`, async () => createCertificateListing()) : undefined;
  }

  async function inspect(target: Target): Promise<Inspection> {
    const { run } = target;
    const found = await findDistribution(run, await listing(target));
    const ours = found?.owned ? found : undefined;
    const foreign = found && !found.owned ? found : undefined;
    let certificate: CertificateInfo | undefined;
    if (settings.certificateArn) {
      certificate = await describeCertificate(run, settings.certificateArn, false);
    } else {
      // The certificate sslclick's distribution names in its tags is sslclick's: no tag read for it.
      const inUse = ours?.certificateArn ? await describeCertificate(run, ours.certificateArn, ours.ownCertificateArn === ours.certificateArn ? true : undefined) : undefined;
      certificate = inUse?.owned && inUse.names.some((name) => coversHostname(name, target.hostname)) ? inUse : await findOwnedCertificate(run, await certificateListing(target));
    }
    return {
      ...(ours ? { distribution: ours } : target.adopt && foreign ? { distribution: foreign } : {}),
      ...(foreign ? { foreign } : {}),
      ...(certificate ? { certificate } : {}),
    };
  }

  function desiredFor(target: Target, certificateArn: string): DesiredDistribution {
    return {
      hostname: target.hostname,
      origin: target.origin,
      certificateArn,
      originProtocol: settings.originProtocol,
      viewerProtocol: settings.viewerProtocol,
      priceClass: settings.priceClass,
    };
  }

  async function waitForCertificate(target: Target, arn: string, until: 'validation-record' | 'issued'): Promise<CertificateInfo> {
    const { run } = target;
    const result = await waitUntil(
      async () => {
        const certificate = await describeCertificate(run, arn, !settings.certificateArn);
        const known = settings.certificateArn ? undefined : await certificateListing(target);
        if (certificate) known?.settle(arn, certificate.status);
        else known?.remove(arn);
        if (!certificate) throw new SslClickError({ code: 'NOT_FOUND', message: `The ACM certificate ${arn} disappeared while sslclick waited for it; run apply again.`, provider, operation: 'apply' });
        const done = until === 'issued' ? certificate.status === 'ISSUED' : certificate.validationRecord !== undefined || certificate.status === 'ISSUED';
        return { done, value: certificate, state: certificate.status, failed: failedCertificateStatuses.has(certificate.status) };
      },
      {
        description: until === 'issued' ? `ACM to issue the certificate for ${target.hostname}` : `ACM to compute the validation record for ${target.hostname}`,
        subject: 'certificate',
        provider,
        hostname: target.hostname,
        minDelay: wait.minDelay ?? (until === 'issued' ? 10_000 : 2_000),
        maxDelay: wait.maxDelay ?? 60_000,
        maxWaitTime: wait.maxWaitTime ?? 3_600_000,
        ...(run.options.signal ? { signal: run.options.signal } : {}),
        ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
      },
    );
    return result.value as CertificateInfo;
  }

  async function waitForDeployed(target: Target, id: string): Promise<{ status: string; enabled: boolean; etag: string; domainName: string } | undefined> {
    const { run } = target;
    const result = await waitUntil(
      async () => {
        const current = await getDistribution(run, id);
        const known = await listing(target);
        if (current) known?.settle(id, current.status, current.enabled);
        else known?.remove(id);
        return current ? { done: current.status === 'Deployed', value: current, state: current.status } : { done: true, state: 'deleted' };
      },
      {
        description: `the CloudFront distribution ${id} to deploy`,
        subject: 'edge',
        provider,
        hostname: target.hostname,
        minDelay: wait.minDelay ?? 15_000,
        maxDelay: wait.maxDelay ?? 60_000,
        maxWaitTime: wait.maxWaitTime ?? 2_400_000,
        ...(run.options.signal ? { signal: run.options.signal } : {}),
        ...(run.options.onProgress ? { onProgress: run.options.onProgress } : {}),
      },
    );
    return result.value;
  }

  async function currentCname(target: Target, dns: DnsTarget | undefined): Promise<HostRecord> {
    if (!dns) return { value: await publishedCname(target.hostname), others: [] };
    const records = await dns.provider.getRecords(target.hostname, undefined, target.run.options);
    return {
      value: records.find((record) => record.type === 'CNAME')?.value,
      others: records.filter((record) => record.type !== 'CNAME').map((record) => `${record.type} ${record.value}`),
    };
  }

  function foreignDnsConflict(target: Target, dns: DnsTarget, current: HostRecord, ourTarget: string | undefined): SslClickError | undefined {
    if (target.adopt) return undefined;
    const replaceable = [target.origin, 'sendgrid.net', ...(ourTarget ? [ourTarget] : [])];
    const blocked = current.value !== undefined ? !replaceable.includes(current.value) : current.others.length > 0;
    if (!blocked) return undefined;
    return new SslClickError({
      code: 'CONFLICT',
      message: `${target.hostname} holds ${current.value ? `CNAME ${current.value}` : current.others.join(', ')} in ${dns.description}, not sendgrid.net: sslclick will not overwrite it, and created nothing. Check where it should point, or run apply with adopt: true to replace it.`,
      provider,
      operation: 'apply',
    });
  }

  return { settings, publishedCname, prepare, resolveDns, statusDns, listing, certificateListing, inspect, desiredFor, waitForCertificate, waitForDeployed, currentCname, foreignDnsConflict };
}
