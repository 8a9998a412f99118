/**
 * Two runs at once (issue: reliability, item 3): two setup() calls for the same hostname, from two
 * adapter instances as two processes would have, started together, must end with one set of
 * resources; both report the same ready status, or one reports a clear CONFLICT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, SslClickError, type ProxyAdapter, type SetupStatus } from '@sslclick/core';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { startCloudflareApi, type CloudflareApi, type SendGridOrigin } from '@sslclick/sandbox';
import { createTestProxy as createCloudflareTestProxy, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from '../packages/cloudflare/test/cloudflare-world.js';
import { createTestProxy as createFastlyTestProxy, prepareHostname as prepareFastlyHostname, startFastlyWorld, type FastlyWorld } from '../packages/fastly/test/fastly-world.js';
import { createTestAdapter as createCloudFrontTestAdapter, prepareBrandedHost as prepareCloudFrontHost, startCloudFrontWorld, type CloudFrontWorld } from '../packages/cloudfront/test/cloudfront-world.js';

type Outcome = PromiseSettledResult<SetupStatus>;

/** Both ready with the same state, or exactly one clear CONFLICT beside one ready. */
function expectConverged(outcomes: Outcome[]): void {
  const ready = outcomes.filter((outcome): outcome is PromiseFulfilledResult<SetupStatus> => outcome.status === 'fulfilled');
  const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  for (const outcome of ready) expect(outcome.value.ready, JSON.stringify(outcome.value.checks)).toBe(true);
  for (const outcome of rejected) {
    expect(SslClickError.isInstance(outcome.reason), String(outcome.reason)).toBe(true);
    expect((outcome.reason as SslClickError).code, (outcome.reason as Error).message).toBe("CONFLICT");
    expect((outcome.reason as SslClickError).message.length).toBeGreaterThan(40);
  }
  expect(ready.length).toBeGreaterThanOrEqual(1);
  if (ready.length === 2) {
    const [first, second] = ready.map((outcome) => outcome.value);
    expect(first?.state).toBe(second?.state);
    expect(first?.edge.target).toBe(second?.edge.target);
  }
}

/** A tracked link on the host, as copied from a test message: setup() calls a host ready only with one. */
function trackedLink(world: { origin: Pick<SendGridOrigin, 'createLink'> }, hostname: string): string {
  return world.origin.createLink(hostname, 'https://shop.example.org/race', { protocol: 'https' }).clickUrl;
}

async function runTwice(createAdapter: () => ProxyAdapter, hostname: string, verification: object, sampleLink: string): Promise<Outcome[]> {
  const first = createAdapter();
  const second = createAdapter();
  return Promise.allSettled([setup(first, { hostname }, { verification, sampleLink }), setup(second, { hostname }, { verification, sampleLink })]);
}

describe('two setup() runs at once converge on one set of resources', () => {
  describe('cloudflare', () => {
    let world: CloudflareWorld;
    beforeAll(async () => {
      world = await startCloudflareWorld();
    });
    afterAll(async () => world?.close());

    it('one Configuration Rule, one Cache Rule, one proxied record', async () => {
      const hostname = await seedBrandedHost(world);
      const outcomes = await runTwice(() => createCloudflareTestProxy(world), hostname, world.verification, trackedLink(world, hostname));
      expectConverged(outcomes);
      const ours = (phase: string) => (world.cloudflare.entrypoint(world.zone.id, phase)?.rules ?? []).filter((rule) => String(rule.expression).includes(`"${hostname}"`));
      expect(ours('http_config_settings')).toHaveLength(1);
      expect(ours('http_request_cache_settings')).toHaveLength(1);
      expect(world.cloudflare.recordsAt(world.zone.id, hostname)).toEqual([expect.objectContaining({ proxied: true, content: 'sendgrid.net' })]);
    });

    it('two hosts of one fresh zone at once: both ready, each with its own rules in one entrypoint per phase', async () => {
      const zone = world.cloudflare.addZone({ name: 'race.example.org' });
      const hostnames = await Promise.all([seedBrandedHost(world, { zone }), seedBrandedHost(world, { zone })]);
      const outcomes = await Promise.all(hostnames.map((hostname) => setup(createCloudflareTestProxy(world), { hostname }, { verification: world.verification, sampleLink: trackedLink(world, hostname) })));
      expect(outcomes.map((outcome) => outcome.ready)).toEqual([true, true]);
      for (const phase of ['http_config_settings', 'http_request_cache_settings']) {
        const rules = world.cloudflare.entrypoint(zone.id, phase)?.rules ?? [];
        for (const hostname of hostnames) expect(rules.filter((rule) => String(rule.expression).includes(`"${hostname}"`))).toHaveLength(1);
      }
    });
  });

  describe('fastly (DNS at Cloudflare)', () => {
    let world: FastlyWorld;
    let cloudflare: CloudflareApi;
    beforeAll(async () => {
      world = await startFastlyWorld();
      cloudflare = await startCloudflareApi(world);
      cloudflare.addZone({ name: 'example.com' });
    });
    afterAll(async () => {
      await cloudflare?.close();
      await world?.close();
    });

    it('one service and one TLS subscription for the host', async () => {
      const hostname = await prepareFastlyHostname(world);
      const dns = createCloudflareDns({ apiToken: cloudflare.tokens.full, baseURL: cloudflare.url, retry: { minDelay: 5, maxDelay: 20 } });
      const adapters = await Promise.all([createFastlyTestProxy(world, { mode: 'vcl', dns }), createFastlyTestProxy(world, { mode: 'vcl', dns })]);
      let next = 0;
      const outcomes = await runTwice(() => adapters[next++] as ProxyAdapter, hostname, world.verification, trackedLink(world, hostname));
      expectConverged(outcomes);
      expect(world.fastly.state.services.filter((service) => service.name === `sslclick ${hostname}`)).toHaveLength(1);
      expect(world.fastly.state.subscriptions.filter((subscription) => subscription.domains.includes(hostname))).toHaveLength(1);
    });
  });

  describe('cloudfront (Route 53)', () => {
    let world: CloudFrontWorld;
    beforeAll(async () => {
      world = await startCloudFrontWorld();
      world.aws.addHostedZone('example.com');
    });
    afterAll(async () => world?.close());

    it('one distribution and one certificate for the host', async () => {
      const hostname = prepareCloudFrontHost(world, 'example.com');
      const outcomes = await runTwice(() => createCloudFrontTestAdapter(world), hostname, world.verification, trackedLink(world, hostname));
      expectConverged(outcomes);
      expect(world.aws.distributions().filter((distribution) => distribution.aliases.includes(hostname))).toHaveLength(1);
      expect(world.aws.certificates().filter((certificate) => certificate.names.includes(hostname))).toHaveLength(1);
    });
  });
});
