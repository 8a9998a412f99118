/**
 * Cloudflare for SaaS with the branded host's DNS at each kind of DNS host sslclick can write:
 * Route 53 (`createRoute53Dns`, on the sandbox's AWS fake) and a Cloudflare zone of the host's
 * own (`createCloudflareDns`, DNS-only). The TXT pre-validation records and the cutover CNAME go
 * there; destroy takes them back out. (By hand, with no DnsProvider: packages/cloudflare/test/saas-end-to-end.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudflareDns, createCloudflareProxy } from '@sslclick/cloudflare';
import { createRoute53Dns } from '@sslclick/cloudfront';
import type { DnsProvider } from '@sslclick/core';
import { AWS_TEST_CREDENTIALS, startAwsApi, startCloudflareApi, startSandbox, type AwsApi, type CloudflareApi, type CloudflareZone, type Sandbox } from '@sslclick/sandbox';

let sandbox: Sandbox;
let cloudflare: CloudflareApi;
let aws: AwsApi;
let provider: CloudflareZone;

beforeAll(async () => {
  sandbox = await startSandbox();
  cloudflare = await startCloudflareApi(sandbox, { certificateIssueDelayMs: 0 });
  aws = await startAwsApi(sandbox);
  provider = cloudflare.addZone({ name: 'saas-provider.net' });
});

afterAll(async () => {
  await aws?.close();
  await cloudflare?.close();
  await sandbox?.close();
});

const retry = { minDelay: 5, maxDelay: 20 };

function proxyWith(dns: DnsProvider) {
  return createCloudflareProxy({
    mode: 'saas',
    zoneId: provider.id,
    apiToken: cloudflare.tokens.full,
    baseURL: cloudflare.url,
    verification: { ...sandbox.verification, timeoutMs: 3_000 },
    wait: { minDelay: 10, maxDelay: 50, maxWaitTime: 10_000 },
    retry,
    cutoverCheckTimeoutMs: 2_000,
    dns,
  });
}

const hosts = [
  {
    name: 'Route 53 (createRoute53Dns)',
    async seed(): Promise<{ hostname: string; dns: DnsProvider }> {
      aws.addHostedZone('route53-customer.org');
      sandbox.dns.zone.setRecord({ name: 'url1.route53-customer.org', type: 'CNAME', value: 'sendgrid.net' });
      return { hostname: 'url1.route53-customer.org', dns: createRoute53Dns({ endpoint: aws.endpoints.route53, credentials: { ...AWS_TEST_CREDENTIALS }, retry }) };
    },
  },
  {
    name: 'its own Cloudflare zone (createCloudflareDns)',
    async seed(): Promise<{ hostname: string; dns: DnsProvider }> {
      const zone = cloudflare.addZone({ name: 'cloudflare-customer.org' });
      await cloudflare.addDnsRecord(zone.id, { name: 'url1.cloudflare-customer.org', type: 'CNAME', content: 'sendgrid.net' });
      return { hostname: 'url1.cloudflare-customer.org', dns: createCloudflareDns({ apiToken: cloudflare.tokens.full, baseURL: cloudflare.url, retry }) };
    },
  },
];

describe('Cloudflare for SaaS with the host\'s DNS written through a DnsProvider', () => {
  it.for(hosts)('$name: TXT records, proof, CNAME; ready; destroy takes them back', async (host) => {
    const { hostname, dns } = await host.seed();
    sandbox.origin.addBrandedHost(hostname);
    const proxy = proxyWith(dns);
    const status = await proxy.apply({ hostname });
    expect(status).toMatchObject({ ready: true, dns: { managed: true, pointsToCdn: true } });
    expect(sandbox.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sslclick-links.saas-provider.net' })]);
    const ownership = await dns.getRecords(`_cf-custom-hostname.${hostname}`, 'TXT');
    expect(ownership).toHaveLength(1);
    // Again: nothing to write anywhere.
    const writes = cloudflare.server.writes() + aws.writes();
    expect((await proxy.apply({ hostname })).ready).toBe(true);
    expect(cloudflare.server.writes() + aws.writes()).toBe(writes);
    const destroyed = await proxy.destroy({ hostname });
    expect(destroyed.resources).toEqual([]);
    expect(sandbox.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
    expect(await dns.getRecords(`_cf-custom-hostname.${hostname}`, 'TXT')).toEqual([]);
    expect(await dns.getRecords(`_acme-challenge.${hostname}`, 'TXT')).toEqual([]);
  });
});
