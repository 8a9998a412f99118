import { randomUUID } from 'node:crypto';
import { SslClickError, lookupName, type LookupCache, type ProxyRequest, type RunOptions } from '@sslclick/core';
import { cachedLookup, waitUntil } from '@sslclick/core/adapter';
import { failedCertificateStatuses, prepareHostTarget, type DnsTarget, type HostRecord, type HostTarget } from './host-target.js';
import { coversHostname, describeCertificate, findOwnedCertificate, type CertificateInfo } from './certificate-lookup.js';
import { createCertificateListing, type CertificateListing } from './certificate-listing.js';
import type { ResolvedCloudFrontSettings } from './cloudfront-settings.js';
import { getConnectionGroup, type ConnectionGroupInfo } from './connection-group.js';
import { getDistribution } from './distribution-lookup.js';
import { findTenantByDomain, getTenant, type TenantInfo } from './distribution-tenant.js';
import { listDistributionsForTenants, type AliasHolder, type DistributionListing, type SharedDistributionInfo } from './multi-tenant-distribution.js';
import type { Route53DnsProvider } from './route53-dns.js';

const provider = 'cloudfront';
/** ACM statuses from which a certificate never becomes issued by itself. */
const listingKey = 'cloudfront:multi-tenant:listing';

/** What one run works on, after the request was checked. */
export type TenantTarget = HostTarget;

/** What is on AWS for the hostname now, in tenants mode. */
export interface TenantInspection {
  /** sslclick's multi-tenant distribution, shared by every host. */
  shared?: SharedDistributionInfo;
  /** The hostname's tenant: ours, or the foreign one when adopting. */
  tenant?: TenantInfo;
  /** A tenant holding the hostname that sslclick did not create. */
  foreignTenant?: TenantInfo;
  /** A standard distribution holding the hostname as an alias. */
  aliasHolder?: AliasHolder;
  certificate?: CertificateInfo;
  /** The tenant's connection group (its routing endpoint is the CNAME target). */
  connectionGroup?: ConnectionGroupInfo;
}

/** The helpers every operation of tenants mode shares, over one adapter's settings. */
export type TenantContext = ReturnType<typeof createTenantContext>;

/** Builds the helpers of tenants mode: request checks, DNS lookups, the shared listing, inspection and waits. */
export function createTenantContext(settings: ResolvedCloudFrontSettings, route53: Route53DnsProvider, lookupCache: LookupCache | undefined) {
  const wait = settings.wait ?? {};
  // Per adapter object: adapters with other credentials never share a listing through one cache.
  const certificateListingKey = `cloudfront:${randomUUID()}:certificates`;

  function waitBounds(target: TenantTarget, minDelay: number, maxWaitTime: number) {
    const { options } = target.run;
    return {
      provider,
      hostname: target.hostname,
      minDelay: wait.minDelay ?? minDelay,
      maxDelay: wait.maxDelay ?? 60_000,
      maxWaitTime: wait.maxWaitTime ?? maxWaitTime,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    };
  }

  const context = {
    settings,

    prepare(request: ProxyRequest, options: RunOptions | undefined, operation: string): TenantTarget {
      return prepareHostTarget(settings, request, options, operation);
    },

    /** The CNAME target of a name as public DNS (or the configured resolver) answers it; a failed lookup is "no CNAME". */
    async publishedCname(name: string): Promise<string | undefined> {
      const resolver = settings.verification?.resolver;
      const lookup = await lookupName(name, {
        servers: resolver === undefined ? [] : Array.isArray(resolver) ? resolver : [resolver],
        timeoutMs: settings.verification?.timeoutMs ?? 5_000,
      });
      return lookup.cnameChain[0];
    },

    async resolveDns(target: TenantTarget, warnings: string[]): Promise<DnsTarget | undefined> {
      if (settings.dns) return { provider: settings.dns, description: settings.dns.name };
      if (!settings.route53Lookup && settings.hostedZoneId === undefined) return undefined;
      try {
        const zone = await route53.findZone(target.hostname, target.run.options);
        return zone ? { provider: route53, description: `Route 53 zone ${zone.name}` } : undefined;
      } catch (error) {
        if (settings.hostedZoneId === undefined && SslClickError.isInstance(error) && error.code === 'PERMISSION') {
          warnings.push(`Route 53 could not be searched for ${target.hostname}'s zone (${error.message}); DNS records are left for you to publish.`);
          return undefined;
        }
        throw error;
      }
    },

    async currentCname(target: TenantTarget, dns: DnsTarget | undefined): Promise<HostRecord> {
      if (!dns) return { value: await context.publishedCname(target.hostname), others: [] };
      const records = await dns.provider.getRecords(target.hostname, undefined, target.run.options);
      return {
        value: records.find((record) => record.type === 'CNAME')?.value,
        others: records.filter((record) => record.type !== 'CNAME').map((record) => `${record.type} ${record.value}`),
      };
    },

    /** The account's distributions, listed once per run (or per shared lookup cache, as hosts of one fleet run share it). */
    listing(target: TenantTarget): Promise<DistributionListing> {
      return cachedLookup(target.run.options.lookupCache ?? lookupCache, listingKey, () => listDistributionsForTenants(target.run));
    },

    /**
     * The account's ACM certificates as listed once for the run's hosts (in its lookup cache, per
     * adapter object); `undefined` without a cache: each lookup then lists afresh. Every
     * certificate this adapter requests or deletes is recorded in it.
     */
    async certificateListing(target: TenantTarget): Promise<CertificateListing | undefined> {
      const cache = context.cacheOf(target);
      return cache ? cache.get(certificateListingKey, async () => createCertificateListing()) : undefined;
    },

    /** The lookup cache of the run (its `RunOptions.lookupCache`, else the adapter's setting). */
    cacheOf(target: TenantTarget): LookupCache | undefined {
      return target.run.options.lookupCache ?? lookupCache;
    },

    /** Forgets the listing after this adapter created or deleted the shared distribution. */
    forgetListing(target: TenantTarget): void {
      (target.run.options.lookupCache ?? lookupCache)?.invalidate(listingKey);
    },

    async inspect(target: TenantTarget): Promise<TenantInspection> {
      const { run, hostname } = target;
      const listing = await context.listing(target);
      const found = await findTenantByDomain(run);
      const tenant = found?.owned ? found : target.adopt ? found : undefined;
      const foreignTenant = found && !found.owned ? found : undefined;
      let certificate: CertificateInfo | undefined;
      if (settings.certificateArn) {
        certificate = await describeCertificate(run, settings.certificateArn, false);
      } else {
        const inUse = tenant?.owned && tenant.certificateArn ? await describeCertificate(run, tenant.certificateArn) : undefined;
        certificate = inUse?.owned && inUse.names.some((name) => coversHostname(name, hostname)) ? inUse : await findOwnedCertificate(run, await context.certificateListing(target));
      }
      const connectionGroup = tenant?.connectionGroupId ? await getConnectionGroup(run, tenant.connectionGroupId) : undefined;
      const aliasHolder = listing.aliasHolders.get(hostname);
      return {
        ...(listing.shared ? { shared: listing.shared } : {}),
        ...(tenant ? { tenant } : {}),
        ...(foreignTenant ? { foreignTenant } : {}),
        ...(aliasHolder ? { aliasHolder } : {}),
        ...(certificate ? { certificate } : {}),
        ...(connectionGroup ? { connectionGroup } : {}),
      };
    },

    async waitForCertificate(target: TenantTarget, arn: string, until: 'validation-record' | 'issued'): Promise<CertificateInfo> {
      const result = await waitUntil(
        async () => {
          const certificate = await describeCertificate(target.run, arn, !settings.certificateArn);
          const known = settings.certificateArn ? undefined : await context.certificateListing(target);
          if (certificate) known?.settle(arn, certificate.status);
          else known?.remove(arn);
          if (!certificate) throw new SslClickError({ code: 'NOT_FOUND', message: `The ACM certificate ${arn} disappeared while sslclick waited for it; run apply again.`, provider, operation: 'apply' });
          const done = until === 'issued' ? certificate.status === 'ISSUED' : certificate.validationRecord !== undefined || certificate.status === 'ISSUED';
          return { done, value: certificate, state: certificate.status, failed: failedCertificateStatuses.has(certificate.status) };
        },
        {
          description: until === 'issued' ? `ACM to issue the certificate for ${target.hostname}` : `ACM to compute the validation record for ${target.hostname}`,
          subject: 'certificate',
          ...waitBounds(target, until === 'issued' ? 10_000 : 2_000, 3_600_000),
        },
      );
      return result.value as CertificateInfo;
    },

    /** Waits until the shared distribution is deployed; `undefined` when it disappeared. */
    async waitForDistribution(target: TenantTarget, id: string): Promise<{ status: string; enabled: boolean; etag: string } | undefined> {
      const result = await waitUntil(
        async () => {
          const current = await getDistribution(target.run, id);
          return current ? { done: current.status === 'Deployed', value: current, state: current.status } : { done: true, state: 'deleted' };
        },
        { description: `the multi-tenant CloudFront distribution ${id} to deploy`, subject: 'edge', ...waitBounds(target, 15_000, 2_400_000) },
      );
      return result.value;
    },

    /** Waits until the tenant is deployed (terraform-provider-aws polls the same `InProgress` → `Deployed`); `undefined` when it is gone. */
    async waitForTenant(target: TenantTarget, id: string): Promise<TenantInfo | undefined> {
      const result = await waitUntil(
        async () => {
          const current = await getTenant(target.run, id);
          return current ? { done: current.status === 'Deployed', value: current, state: current.status } : { done: true, state: 'deleted' };
        },
        { description: `the CloudFront distribution tenant ${id} to deploy`, subject: 'edge', ...waitBounds(target, 15_000, 2_400_000) },
      );
      return result.value;
    },

    async waitForConnectionGroup(target: TenantTarget, id: string): Promise<ConnectionGroupInfo | undefined> {
      const result = await waitUntil(
        async () => {
          const current = await getConnectionGroup(target.run, id);
          return current ? { done: current.status === 'Deployed', value: current, state: current.status } : { done: true, state: 'deleted' };
        },
        { description: `the CloudFront connection group ${id} to deploy`, subject: 'edge', ...waitBounds(target, 15_000, 2_400_000) },
      );
      return result.value;
    },
  };
  return context;
}
