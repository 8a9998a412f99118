/**
 * The three adapters, each started against the sandbox the way its own tests start it
 * (packages/<vendor>/test/*-world.ts) and the way its example runs it: Cloudflare managing its own
 * zone, Fastly with DNS in a Cloudflare zone (`createCloudflareDns`), CloudFront with ACM and a Route 53
 * hosted zone. Each world can count its vendor's API requests, reads and writes apart, and can
 * tell when the vendor's slow work (certificate, deployment) is done.
 */
import type { ProxyAdapter } from '@sslclick/core';
import { createCloudflareDns, createCloudflareProxy } from '@sslclick/cloudflare';
import { createCloudFrontProxy } from '@sslclick/cloudfront';
import { createFastlyProxy } from '@sslclick/fastly';
import {
  AWS_TEST_CREDENTIALS,
  startAwsApi,
  startCloudflareApi,
  startFastlyApi,
  startSandbox,
  type AwsApi,
  type CloudflareApi,
  type FastlyApi,
  type Sandbox,
  type VendorRequestRecord,
} from '@sslclick/sandbox';
import { buildEdgePackage } from '../packages/fastly/scripts/build-edge-package.js';

export type AdapterName = 'cloudflare' | 'fastly' | 'cloudfront';
export const adapterNames: readonly AdapterName[] = ['cloudflare', 'fastly', 'cloudfront'];

/** One vendor API request, as the benchmark counts it. */
export interface CountedRequest {
  /** The API it went to: `cloudflare`, `fastly`, `cloudfront`, `acm`, `route53`, or `dns:cloudflare` for a DNS provider. */
  api: string;
  /** `GET /zones/…` or the AWS operation name. */
  call: string;
  write: boolean;
}

/** How slow the vendor is, in sandbox-clock ms. */
export interface VendorDelays {
  /** From the order (or, with DNS validation, from the validation record being visible) to issued. */
  certificateMs: number;
  /** From a create or update to deployed (CloudFront only: the others deploy at once). */
  deployMs: number;
}

/** The waiter bounds given to the adapter. */
export interface WaitBounds {
  minDelay: number;
  maxDelay: number;
  maxWaitTime: number;
}

export interface World {
  readonly name: AdapterName;
  readonly sandbox: Sandbox;
  readonly adapter: ProxyAdapter;
  /**
   * Another adapter with the same settings and nothing learnt yet: a setup script's next run, whose
   * `status` pays for every lookup the first adapter keeps for its life.
   */
  newAdapter(): ProxyAdapter;
  /** A fresh branded host as link branding leaves it: CNAME to sendgrid.net, known to the origin. */
  prepareHostname(): Promise<string>;
  /** Every vendor request since the last `clearLog`, oldest first. */
  requests(): CountedRequest[];
  clearLog(): void;
  /**
   * Whether the vendor's slow work for `hostname` is done right now (certificate issued and,
   * for CloudFront, the distribution deployed), after letting the fake notice what a real
   * vendor would notice by itself (a validation record published in DNS).
   */
  vendorReady(hostname: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface WorldOptions {
  delays?: Partial<VendorDelays>;
  wait?: WaitBounds;
}

const defaultWait: WaitBounds = { minDelay: 30, maxDelay: 150, maxWaitTime: 60_000 };
const fastRetry = { minDelay: 10, maxDelay: 50, maxRetryTime: 10_000 };
let counter = 0;

function label(): string {
  counter += 1;
  return `url${process.pid % 1000}x${counter}`;
}

function fromVendorLog(api: string, log: readonly VendorRequestRecord[]): CountedRequest[] {
  return log.map((record) => ({ api, call: `${record.method} ${record.path.replace(/[0-9a-f]{16,}|[A-Z0-9]{12,}/g, ':id')}`, write: record.write }));
}

async function cloudflareWorld(options: WorldOptions): Promise<World> {
  const sandbox = await startSandbox();
  const cloudflare: CloudflareApi = await startCloudflareApi(sandbox, { certificateIssueDelayMs: options.delays?.certificateMs ?? 600 });
  const newAdapter = (): ProxyAdapter =>
    createCloudflareProxy({
      apiToken: cloudflare.tokens.full,
      baseURL: cloudflare.url,
      verification: { ...sandbox.verification, timeoutMs: 3_000 },
      wait: options.wait ?? defaultWait,
      retry: fastRetry,
      cutoverCheckTimeoutMs: 5_000,
      orderCertificate: true,
    });
  const adapter = newAdapter();
  return {
    name: 'cloudflare',
    sandbox,
    adapter,
    newAdapter,
    // One label below a subdomain: the zone's Universal certificate (*.example.com) does not
    // cover it, so an advanced certificate is ordered (orderCertificate) and waited for.
    // Each host in its own zone: setups running side by side in one zone would race to create the
    // zone's ruleset entry points (a race the adapter does not handle; see README).
    async prepareHostname() {
      const name = label();
      const zone = cloudflare.addZone({ name: `${name}-brand.com` });
      const hostname = `${name}.links.${zone.name}`;
      sandbox.origin.addBrandedHost(hostname);
      await cloudflare.addDnsRecord(zone.id, { name: hostname, type: 'CNAME', content: 'sendgrid.net', proxied: false });
      return hostname;
    },
    requests: () => fromVendorLog('cloudflare', cloudflare.server.requests),
    clearLog: () => cloudflare.server.clearRequests(),
    async vendorReady(hostname) {
      const now = sandbox.clock.now();
      const packs = [...cloudflare.state.packs.values()].filter((pack) => pack.type === 'advanced' && !pack.deleted && pack.hosts.includes(hostname));
      return packs.length > 0 && packs.some((pack) => pack.activeAt <= now);
    },
    async close() {
      await cloudflare.close();
      await sandbox.close();
    },
  };
}

async function fastlyWorld(options: WorldOptions): Promise<World> {
  const sandbox = await startSandbox();
  const fastly: FastlyApi = await startFastlyApi(sandbox, { issuanceDelayMs: options.delays?.certificateMs ?? 200 });
  const cloudflare = await startCloudflareApi(sandbox);
  const zone = cloudflare.addZone({ name: 'example.com' });
  const { packagePath } = await buildEdgePackage();
  const newAdapter = (): ProxyAdapter =>
    createFastlyProxy({
      apiToken: fastly.tokens.admin,
      baseURL: fastly.url,
      computePackage: packagePath,
      dns: createCloudflareDns({ apiToken: cloudflare.tokens.full, baseURL: cloudflare.url }),
      verification: { ...sandbox.verification, timeoutMs: 3_000 },
      wait: options.wait ?? defaultWait,
      retry: fastRetry,
    });
  const adapter = newAdapter();
  return {
    name: 'fastly',
    sandbox,
    adapter,
    newAdapter,
    async prepareHostname() {
      const hostname = `${label()}.example.com`;
      sandbox.origin.addBrandedHost(hostname);
      await cloudflare.addDnsRecord(zone.id, { name: hostname, type: 'CNAME', content: 'sendgrid.net', proxied: false });
      return hostname;
    },
    requests: () => [...fromVendorLog('fastly', fastly.server.requests), ...fromVendorLog('dns:cloudflare', cloudflare.server.requests)],
    clearLog() {
      fastly.server.clearRequests();
      cloudflare.server.clearRequests();
    },
    async vendorReady(hostname) {
      // A real Fastly checks the ACME challenge on its own; the fake looks when asked (sync).
      await fastly.sync();
      return fastly.state.subscriptions.some((subscription) => subscription.common_name === hostname && subscription.state === 'issued');
    },
    async close() {
      await fastly.close();
      await cloudflare.close();
      await sandbox.close();
    },
  };
}

async function cloudfrontWorld(options: WorldOptions): Promise<World> {
  const sandbox = await startSandbox();
  const aws: AwsApi = await startAwsApi(sandbox, {
    deployDelayMs: options.delays?.deployMs ?? 300,
    certificateIssueDelayMs: options.delays?.certificateMs ?? 100,
    changePropagationDelayMs: 50,
  });
  aws.addHostedZone('example.com');
  const newAdapter = (): ProxyAdapter =>
    createCloudFrontProxy({
      credentials: { ...AWS_TEST_CREDENTIALS },
      endpoints: aws.endpoints,
      verification: { ...sandbox.verification, timeoutMs: 3_000 },
      wait: options.wait ?? defaultWait,
      retry: fastRetry,
    });
  const adapter = newAdapter();
  return {
    name: 'cloudfront',
    sandbox,
    adapter,
    newAdapter,
    async prepareHostname() {
      const hostname = `${label()}.example.com`;
      sandbox.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
      sandbox.origin.addBrandedHost(hostname);
      return hostname;
    },
    // ACM reads are POSTs, so the fakes' own per-operation write flag is used, not the HTTP method.
    requests: () => aws.operations.map((operation) => ({ api: operation.service, call: operation.operation, write: operation.write })),
    clearLog: () => aws.clearLog(),
    async vendorReady(hostname) {
      const certificates = aws.certificates().filter((certificate) => certificate.names.includes(hostname));
      const distributions = aws.distributions().filter((distribution) => distribution.aliases.includes(hostname));
      return (
        certificates.some((certificate) => certificate.status === 'ISSUED') &&
        distributions.length > 0 &&
        distributions.every((distribution) => distribution.status === 'Deployed')
      );
    },
    async close() {
      await aws.close();
      await sandbox.close();
    },
  };
}

/** Starts the world of one adapter. */
export function startWorld(name: AdapterName, options: WorldOptions = {}): Promise<World> {
  switch (name) {
    case 'cloudflare':
      return cloudflareWorld(options);
    case 'fastly':
      return fastlyWorld(options);
    case 'cloudfront':
      return cloudfrontWorld(options);
  }
}
