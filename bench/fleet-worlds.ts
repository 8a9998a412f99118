/**
 * The named worlds of the fleet benchmark: one entry per CDN mode. An entry says which sandbox
 * account to start (`startSandboxAccount`), how to build the adapter from the account's settings,
 * which fake's log holds the vendor's requests, and the vendor's write budget. A new mode (e.g.
 * Cloudflare for SaaS, CloudFront tenants, Fastly shared service) is one more entry.
 */
import type { ProxyAdapter, WriteBudgetSettings } from '@sslclick/core';
import { createCloudflareDns, createCloudflareProxy } from '@sslclick/cloudflare';
import { createCloudFrontProxy } from '@sslclick/cloudfront';
import { createFastlyProxy } from '@sslclick/fastly';
import type { SandboxAccount, SandboxAccountOptions, SandboxCdn } from '@sslclick/sandbox';
import { buildEdgePackage } from '../packages/fastly/scripts/build-edge-package.js';

/** One vendor API request, as the fleet benchmark counts it. */
export interface FleetRequest {
  /**
   * The API it went to: `cloudflare`, `fastly`, `cloudfront`, `acm`, `route53`, or `dns:<vendor>`
   * for a DNS provider of another vendor's account, whose writes do not draw from the CDN's budget.
   */
  api: string;
  write: boolean;
  status: number | undefined;
  /** When it was received, epoch ms (AWS: the sandbox clock, which runs at real time here). */
  at: number;
}

/** The write budget a vendor publishes, before the benchmark compresses its time. */
export type PublishedBudget = Pick<WriteBudgetSettings, 'name' | 'capacity' | 'intervalMs' | 'writesPerChange'>;

/** One named world of the fleet table. */
export interface FleetWorld {
  /** The row's name: `cloudflare`, `fastly`, `cloudfront`, later e.g. `cloudflare-saas`. */
  readonly name: string;
  /** The fake control plane the sandbox account starts. */
  readonly cdn: SandboxCdn;
  /** More options of the sandbox account (e.g. Cloudflare for SaaS needs hosts under `.com`). */
  readonly accountOptions?: Pick<SandboxAccountOptions, 'topLevelDomain'>;
  /** What the row runs, in a few words, for the table's notes. */
  readonly setting: string;
  /** The vendor's published write budget (core's `knownWriteBudget` for the three built-in CDNs). */
  readonly budget: PublishedBudget;
  /** Builds the adapter from the account's settings. */
  adapter(account: SandboxAccount): Promise<ProxyAdapter>;
  /** Every vendor request the CDN side received since the last `clear` (SendGrid not included). */
  requests(account: SandboxAccount): FleetRequest[];
  /** Empties the logs `requests` reads. */
  clear(account: SandboxAccount): void;
  /**
   * The vendor resources that exist now, by kind, counted from the fakes' state (the benchmark
   * takes the difference across the setup, so what the sandbox account made first is not counted).
   */
  resources(account: SandboxAccount): Record<string, number>;
}

/** Cloudflare's DNS records, rules in rulesets and live certificate packs (per-host zones and SaaS provider zone alike). */
function cloudflareZoneResources(account: SandboxAccount): Record<string, number> {
  const state = account.apis.cloudflare?.state;
  if (!state) return {};
  return {
    'dns records': state.records.size,
    'ruleset rules': [...state.rulesets.values()].reduce((sum, ruleset) => sum + ruleset.rules.length, 0),
    'certificate packs': [...state.packs.values()].filter((pack) => pack.deleted !== true).length,
  };
}

/** Fastly's live services, the domains and backends of their active versions, their versions, TLS subscriptions; and the hosts' DNS records in Cloudflare. */
function fastlyResources(account: SandboxAccount): Record<string, number> {
  const state = account.apis.fastly?.state;
  const services = (state?.services ?? []).filter((service) => service.deleted_at === undefined);
  const active = services.map((service) => service.versions.find((version) => version.active)).filter((version) => version !== undefined);
  return {
    services: services.length,
    'service versions': services.reduce((sum, service) => sum + service.versions.length, 0),
    domains: active.reduce((sum, version) => sum + version.domains.length, 0),
    backends: active.reduce((sum, version) => sum + version.backends.length, 0),
    'tls subscriptions': state?.subscriptions.length ?? 0,
    'dns records': account.apis.cloudflare?.state.records.size ?? 0,
  };
}

/** CloudFront's distributions and tenants and ACM's certificates (Route 53 records live in the sandbox DNS zone and are not counted). */
function cloudfrontResources(account: SandboxAccount): Record<string, number> {
  const aws = account.apis.aws;
  return {
    distributions: aws?.distributions().length ?? 0,
    'distribution tenants': aws?.tenants().length ?? 0,
    'acm certificates': aws?.certificates().length ?? 0,
  };
}

function fromServer(api: string, server: { requests: ReadonlyArray<{ write: boolean; status?: number; receivedAt: number }> } | undefined): FleetRequest[] {
  return (server?.requests ?? []).map((record) => ({ api, write: record.write, status: record.status, at: record.receivedAt }));
}

const cloudflare: FleetWorld = {
  name: 'cloudflare',
  cdn: 'cloudflare',
  setting: 'per-host mode, the zone managed by Cloudflare (Universal certificate covers the hosts)',
  // core's knownWriteBudget('cloudflare'): 1,200 requests per 5 minutes, half kept for reads.
  budget: { name: 'cloudflare account', capacity: 600, intervalMs: 300_000, writesPerChange: 1 },
  adapter: async (account) => createCloudflareProxy((account as SandboxAccount<'cloudflare'>).adapter),
  requests: (account) => fromServer('cloudflare', account.apis.cloudflare?.server),
  clear: (account) => account.apis.cloudflare?.server.clearRequests(),
  resources: cloudflareZoneResources,
};

const fastly: FleetWorld = {
  name: 'fastly',
  cdn: 'fastly',
  setting: 'per-host Compute service, DNS in a Cloudflare zone (createCloudflareDns)',
  // core's knownWriteBudget('fastly'): 1,000 writes an hour, 2 writes per planned change.
  budget: { name: 'fastly account', capacity: 1_000, intervalMs: 3_600_000, writesPerChange: 2 },
  async adapter(account) {
    const settings = account as SandboxAccount<'fastly'>;
    const { packagePath } = await buildEdgePackage();
    return createFastlyProxy({ ...settings.adapter, computePackage: packagePath, dns: createCloudflareDns(settings.dns) });
  },
  requests: (account) => [...fromServer('fastly', account.apis.fastly?.server), ...fromServer('dns:cloudflare', account.apis.cloudflare?.server)],
  clear(account) {
    account.apis.fastly?.server.clearRequests();
    account.apis.cloudflare?.server.clearRequests();
  },
  resources: fastlyResources,
};

const cloudfront: FleetWorld = {
  name: 'cloudfront',
  cdn: 'cloudfront',
  setting: 'a distribution and an ACM certificate per host, Route 53 hosted zone',
  // core's knownWriteBudget('cloudfront'): 20 writes per 10 s.
  budget: { name: 'cloudfront account', capacity: 20, intervalMs: 10_000, writesPerChange: 1 },
  adapter: async (account) => createCloudFrontProxy((account as SandboxAccount<'cloudfront'>).adapter),
  requests: (account) =>
    (account.apis.aws?.operations ?? []).map((operation) => ({ api: operation.service, write: operation.write, status: operation.status, at: operation.at })),
  clear: (account) => account.apis.aws?.clearLog(),
  resources: cloudfrontResources,
};

/** The Cloudflare for SaaS provider zone the fleet's custom hostnames join (issue 15). */
const saasProviderZone = 'saas-provider.net';

const cloudflareSaas: FleetWorld = {
  name: 'cloudflare-saas',
  cdn: 'cloudflare',
  // Cloudflare refuses custom hostnames under the reserved .example (error 1409).
  accountOptions: { topLevelDomain: 'com' },
  setting: 'Cloudflare for SaaS: a custom hostname per host in one provider zone, one fallback origin; the hosts\' own zones hold a DNS-only CNAME',
  budget: cloudflare.budget,
  async adapter(account) {
    const settings = account as SandboxAccount<'cloudflare'>;
    const api = account.apis.cloudflare;
    if (!api) throw new Error('The Cloudflare account has no Cloudflare fake.');
    const provider = api.addZone({ name: saasProviderZone });
    const dns = createCloudflareDns({ apiToken: settings.adapter.apiToken, baseURL: settings.adapter.baseURL });
    return createCloudflareProxy({ ...settings.adapter, mode: 'saas', zoneId: provider.id, dns });
  },
  requests: cloudflare.requests,
  clear: cloudflare.clear,
  resources(account) {
    const saas = account.apis.cloudflare?.saas;
    return { 'custom hostnames': saas?.hostnames.size ?? 0, 'fallback origins': saas?.fallbackOrigins.size ?? 0, ...cloudflareZoneResources(account) };
  },
};

const fastlyShared: FleetWorld = {
  name: 'fastly-shared',
  cdn: 'fastly',
  setting: 'one shared Compute service for every host (shared: true), TLS subscriptions shared up to the per-subscription limit, DNS in a Cloudflare zone',
  budget: fastly.budget,
  async adapter(account) {
    const settings = account as SandboxAccount<'fastly'>;
    const { packagePath } = await buildEdgePackage();
    return createFastlyProxy({ ...settings.adapter, mode: 'compute', shared: true, computePackage: packagePath, dns: createCloudflareDns(settings.dns) });
  },
  requests: fastly.requests,
  clear: fastly.clear,
  resources: fastlyResources,
};

const cloudfrontTenants: FleetWorld = {
  name: 'cloudfront-tenants',
  cdn: 'cloudfront',
  setting: 'CloudFront SaaS Manager: one multi-tenant distribution, a tenant and an ACM certificate per host, Route 53 hosted zone',
  budget: cloudfront.budget,
  adapter: async (account) => createCloudFrontProxy({ ...(account as SandboxAccount<'cloudfront'>).adapter, mode: 'tenants' }),
  requests: cloudfront.requests,
  clear: cloudfront.clear,
  resources: cloudfrontResources,
};

/** The fleet table's rows, in order: the per-host modes, then issue 15's shared-tenancy modes. */
export const fleetWorlds: readonly FleetWorld[] = [cloudflare, fastly, cloudfront, cloudflareSaas, fastlyShared, cloudfrontTenants];
