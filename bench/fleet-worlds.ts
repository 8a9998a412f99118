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
import type { SandboxAccount, SandboxCdn } from '@sslclick/sandbox';
import { buildEdgePackage } from '../packages/fastly/scripts/build-edge-package.js';

/** One vendor API request, as the fleet benchmark counts it. */
export interface FleetRequest {
  /** The API it went to: `cloudflare`, `fastly`, `cloudfront`, `acm`, `route53`, `dns:cloudflare`. */
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
};

/** The fleet table's rows, in order. Other modes join as entries here. */
export const fleetWorlds: readonly FleetWorld[] = [cloudflare, fastly, cloudfront];
