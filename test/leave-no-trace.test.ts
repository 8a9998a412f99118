/**
 * Leave no trace (issue 16, part 3): `destroy` leaves every vendor object that is not sslclick's
 * exactly as it was before `setup`, for each CDN. The vendor state is snapshotted whole, every
 * object of every fake (zones, DNS records, rulesets, certificate packs; Fastly services, TLS
 * subscriptions and configurations; CloudFront distributions, ACM certificates, Route 53 hosted
 * zones and their records), before setup and after destroy, and the two must be identical, byte
 * for byte: an object sslclick left behind, or a field of the customer's it changed, shows.
 *
 * The only fields set aside are the vendors' own bookkeeping of an edit, which no client can
 * avoid: `modified_on` of the branding record (sslclick moves it to the CDN and back), and
 * `version` / `last_updated` of a phase entrypoint that was already there and held sslclick's
 * rule for a while (Cloudflare versions every change to a ruleset).
 */
import { ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, type ProxyAdapter } from '@sslclick/core';
import { AWS_TEST_CREDENTIALS, type CloudflareApi, type Sandbox } from '@sslclick/sandbox';
import { createTestProxy as createCloudflareProxy, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from '../packages/cloudflare/test/cloudflare-world.js';
import { createTestAdapter as createCloudFrontAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from '../packages/cloudfront/test/cloudfront-world.js';
import { reliabilityProxy, seedHost, startReliabilityWorld, type ReliabilityWorld } from '../packages/fastly/test/reliability-world.js';

/** Sorted, so two snapshots of the same state are the same text. */
function byId<Item extends { id: string }>(items: Iterable<Item>): Item[] {
  return [...items].sort((left, right) => left.id.localeCompare(right.id));
}

/**
 * Everything the fake Cloudflare API holds, as it holds it, less the edit bookkeeping of the
 * objects named in `touched` (see the file comment).
 */
function cloudflareState(api: CloudflareApi, touched: { recordIds: string[]; rulesetIds: string[] }): string {
  const state = api.state;
  return JSON.stringify({
    zones: byId(state.zones.values()),
    records: byId(state.records.values()).map((record) => {
      if (!touched.recordIds.includes(record.id)) return record;
      const { modified_on: _modified, ...rest } = record;
      return rest;
    }),
    rulesets: byId(state.rulesets.values()).map((ruleset) => {
      if (!touched.rulesetIds.includes(ruleset.id)) return ruleset;
      const { version: _version, last_updated: _updated, ...rest } = ruleset;
      return rest;
    }),
    packs: byId(state.packs.values()),
  });
}

interface TraceCase {
  cdn: string;
  /** Builds the world with the customer's own objects; returns the host and how to read the whole vendor state. */
  start(): Promise<{ hostname: string; sampleLink: string; adapter: ProxyAdapter; verification: object; snapshot(): Promise<string>; close(): Promise<void>; drive?: (type: string) => void }>;
}

/** A tracked link on the host, as from a sent message: what proves SendGrid knows the Host (issue 12). */
function trackedLink(sandbox: Pick<Sandbox, 'origin'>, hostname: string): string {
  return sandbox.origin.createLink(hostname, 'https://shop.example.com/welcome', { protocol: 'https' }).clickUrl;
}

const cases: TraceCase[] = [
  {
    cdn: 'cloudflare',
    async start() {
      const world: CloudflareWorld = await startCloudflareWorld({ certificateIssueDelayMs: 0 });
      const hostname = await seedBrandedHost(world);
      const api = world.cloudflare;
      await api.addDnsRecord(world.zone.id, { name: `www.${world.zone.name}`, type: 'A', content: '192.0.2.30', ttl: 3600, comment: 'the shop' });
      await api.addDnsRecord(world.zone.id, { name: world.zone.name, type: 'TXT', content: 'v=spf1 include:sendgrid.net ~all' });
      // A Cache Rules entrypoint that was there before (sslclick adds its rule, then removes it:
      // the entrypoint stays); no Configuration Rules entrypoint (sslclick creates it, and must
      // remove it); and a phase sslclick never touches.
      const cache = await api.addRuleset(world.zone.id, { phase: 'http_request_cache_settings', rules: [{ action: 'set_cache_settings', expression: 'http.request.uri.path wildcard "/static/*"', action_parameters: { cache: true }, description: 'cache static files' }] });
      await api.addRuleset(world.zone.id, { phase: 'http_request_firewall_custom', rules: [{ action: 'block', expression: 'ip.src eq 198.51.100.7', description: 'block a scraper' }] });
      const branding = api.recordsAt(world.zone.id, hostname)[0]?.id ?? '';
      return {
        hostname,
        sampleLink: trackedLink(world.sandbox, hostname),
        adapter: createCloudflareProxy(world),
        verification: world.verification,
        snapshot: async () => cloudflareState(api, { recordIds: [branding], rulesetIds: [cache.id] }),
        close: () => world.close(),
      };
    },
  },
  {
    cdn: 'fastly (DNS at Cloudflare)',
    async start() {
      const world: ReliabilityWorld = await startReliabilityWorld();
      const hostname = await seedHost(world);
      world.fastly.addForeignService({ hostname: `www.${world.zone.name}`, name: 'Marketing site' });
      const time = new Date(Date.now() - 86_400_000).toISOString();
      world.fastly.state.subscriptions.push({
        id: 'customer0001',
        customer_id: world.fastly.customerId,
        certificate_authority: 'lets-encrypt',
        domains: [`www.${world.zone.name}`],
        common_name: `www.${world.zone.name}`,
        configuration_id: world.fastly.state.configurations[0]?.id ?? '',
        state: 'issued',
        authorization_id: 'customerauth',
        challenge_value: 'customer.fastly-validations.com',
        created_at: time,
        updated_at: time,
      });
      await world.cloudflare.addDnsRecord(world.zone.id, { name: `www.${world.zone.name}`, type: 'CNAME', content: 't.sni.global.fastly.net', comment: 'the shop, on Fastly' });
      const branding = world.cloudflare.recordsAt(world.zone.id, hostname)[0];
      expect(branding?.comment).toBeNull();
      return {
        hostname,
        sampleLink: trackedLink(world.sandbox, hostname),
        adapter: reliabilityProxy(world),
        verification: world.sandbox.verification,
        snapshot: async () =>
          JSON.stringify({
            fastly: { services: byId(world.fastly.state.services), subscriptions: byId(world.fastly.state.subscriptions), configurations: byId(world.fastly.state.configurations) },
            cloudflare: cloudflareState(world.cloudflare, { recordIds: [branding?.id ?? ''], rulesetIds: [] }),
          }),
        close: () => world.close(),
      };
    },
  },
  {
    cdn: 'cloudfront (Route 53)',
    async start() {
      const world: CloudFrontWorld = await startCloudFrontWorld();
      const zone = 'trace.example';
      world.aws.addHostedZone(zone);
      world.aws.addHostedZone('unrelated.example');
      const hostname = prepareBrandedHost(world, zone);
      await world.aws.addForeignDistribution({ alias: `shop.${zone}` });
      const acm = new ACMClient({ region: 'us-east-1', endpoint: world.aws.endpoints.acm, credentials: { ...AWS_TEST_CREDENTIALS }, maxAttempts: 1 });
      await acm.send(new RequestCertificateCommand({ DomainName: `*.${zone}`, ValidationMethod: 'DNS', Tags: [{ Key: 'owner', Value: 'someone-else' }] }));
      world.dns.zone.setRecord({ name: `www.${zone}`, type: 'A', value: '192.0.2.40' });
      world.dns.zone.setRecord({ name: `_dmarc.${zone}`, type: 'TXT', value: 'v=DMARC1; p=none' });
      const route53 = new Route53Client({ region: 'us-east-1', endpoint: world.aws.endpoints.route53, credentials: { ...AWS_TEST_CREDENTIALS }, maxAttempts: 1 });
      // Let the foreign distribution finish deploying first: its status must not change under the test.
      world.clock.advance(10_000);
      await world.aws.sync();
      return {
        hostname,
        sampleLink: trackedLink(world, hostname),
        adapter: createCloudFrontAdapter(world),
        verification: world.verification,
        snapshot: async () =>
          JSON.stringify({
            distributions: byId(world.aws.distributions()),
            certificates: [...world.aws.certificates()].sort((left, right) => left.arn.localeCompare(right.arn)),
            hostedZones: (await route53.send(new ListHostedZonesByNameCommand({}))).HostedZones,
            records: world.dns.zone.records().sort((left, right) => `${left.name} ${left.type}`.localeCompare(`${right.name} ${right.type}`)),
          }),
        drive: (type) => {
          if (type === 'certificate-waiting' || type === 'edge-waiting') world.clock.advance(5_000);
        },
        close: () => world.close(),
      };
    },
  },
];

describe.each(cases)('$cdn: destroy leaves every vendor object that is not sslclick’s byte for byte as before setup', (traceCase) => {
  let world: Awaited<ReturnType<TraceCase['start']>>;
  beforeAll(async () => {
    world = await traceCase.start();
  }, 60_000);
  afterAll(async () => world?.close(), 30_000);

  it('setup to ready, destroy to absent, and the vendor state is what it was', async () => {
    const before = await world.snapshot();
    const run = { onProgress: (event: { type: string }) => world.drive?.(event.type) };
    const status = await setup(world.adapter, { hostname: world.hostname }, { ...run, verification: world.verification, sampleLink: world.sampleLink });
    expect(status.ready, JSON.stringify(status.checks.filter((check) => check.ok === false))).toBe(true);
    expect(await world.snapshot()).not.toBe(before);
    const destroyed = await world.adapter.destroy({ hostname: world.hostname }, run);
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
    expect(destroyed.state).toBe('absent');
    expect(await world.snapshot()).toBe(before);
  });
});

describe('cloudflare: phase entrypoints sslclick created', () => {
  let world: CloudflareWorld;
  beforeAll(async () => {
    world = await startCloudflareWorld({ certificateIssueDelayMs: 0 });
  }, 60_000);
  afterAll(async () => world?.close(), 30_000);

  it('one that now also holds a rule of the customer is kept, with only that rule', async () => {
    const zone = world.cloudflare.addZone({ name: 'shared-entrypoint.example' });
    const hostname = await seedBrandedHost(world, { zone });
    const adapter = createCloudflareProxy(world);
    expect((await adapter.apply({ hostname })).ready).toBe(true);
    const created = world.cloudflare.entrypoint(zone.id, 'http_config_settings');
    expect(created?.rules).toHaveLength(1);
    // The customer adds a rule of their own to the entrypoint sslclick made, through the API as the dashboard does.
    const added = await fetch(`${world.cloudflare.url}/zones/${zone.id}/rulesets/${created?.id}/rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.cloudflare.tokens.full}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'set_config', expression: 'http.host eq "www.shared-entrypoint.example"', action_parameters: { ssl: 'strict' }, description: 'www strict' }),
    });
    expect(added.status).toBe(200);
    await adapter.destroy({ hostname });
    expect(world.cloudflare.entrypoint(zone.id, 'http_config_settings')?.rules.map((rule) => rule.description)).toEqual(['www strict']);
    // The cache entrypoint held only sslclick's rule: gone.
    expect(world.cloudflare.entrypoint(zone.id, 'http_request_cache_settings')).toBeUndefined();
  });

  it('a second host in the zone keeps the entrypoint until the last one is destroyed', async () => {
    const zone = world.cloudflare.addZone({ name: 'two-hosts.example' });
    const first = await seedBrandedHost(world, { zone });
    const second = await seedBrandedHost(world, { zone });
    const adapter = createCloudflareProxy(world);
    expect((await adapter.apply({ hostname: first })).ready).toBe(true);
    expect((await adapter.apply({ hostname: second })).ready).toBe(true);
    await adapter.destroy({ hostname: first });
    expect(world.cloudflare.entrypoint(zone.id, 'http_config_settings')?.rules).toHaveLength(1);
    await adapter.destroy({ hostname: second });
    expect(world.cloudflare.entrypoint(zone.id, 'http_config_settings')).toBeUndefined();
    expect(world.cloudflare.entrypoint(zone.id, 'http_request_cache_settings')).toBeUndefined();
  });
});
