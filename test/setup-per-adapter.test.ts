/**
 * setup() with each real adapter from a fresh account to ready, through the validate-first path:
 * the link branding is not yet valid and its CNAME still points at SendGrid, so setup validates it
 * (the only safe moment), then builds the proxy and cuts over (issue: the whole job).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, getStatus, type ProxyAdapter } from '@sslclick/core';
import { startSendGridApi, type Sandbox, type SendGridApi } from '@sslclick/sandbox';
import { createSendGridLinks } from '@sslclick/sendgrid';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { startCloudflareApi } from '@sslclick/sandbox';
import { createTestProxy as createCloudflareTestProxy, startCloudflareWorld } from '../packages/cloudflare/test/cloudflare-world.js';
import { createTestProxy as createFastlyTestProxy, startFastlyWorld } from '../packages/fastly/test/fastly-world.js';
import { createTestAdapter as createCloudFrontTestAdapter, startCloudFrontWorld } from '../packages/cloudfront/test/cloudfront-world.js';

const apiKey = 'SG.per-adapter-test.4b6d8f0a2c4e6a8b';

interface AdapterWorld {
  sandbox: Sandbox;
  adapter: ProxyAdapter;
  /** Puts a DNS-only CNAME to sendgrid.net where this CDN's DNS lives, as link branding asks. */
  seedRecord(name: string): Promise<void>;
  close(): Promise<void>;
}

const worlds: Record<string, () => Promise<AdapterWorld>> = {
  cloudflare: async () => {
    const world = await startCloudflareWorld();
    return {
      sandbox: world,
      adapter: createCloudflareTestProxy(world),
      seedRecord: async (recordName) => {
        await world.cloudflare.addDnsRecord(world.zone.id, { name: recordName, type: 'CNAME', content: 'sendgrid.net', proxied: false });
      },
      close: () => world.close(),
    };
  },
  fastly: async () => {
    const world = await startFastlyWorld();
    const cloudflare = await startCloudflareApi(world);
    const zone = cloudflare.addZone({ name: 'example.com' });
    const dns = createCloudflareDns({ apiToken: cloudflare.tokens.full, baseURL: cloudflare.url, retry: { minDelay: 5, maxDelay: 20 } });
    return {
      sandbox: world,
      adapter: await createFastlyTestProxy(world, { mode: 'vcl', dns }),
      seedRecord: async (recordName) => {
        await cloudflare.addDnsRecord(zone.id, { name: recordName, type: 'CNAME', content: 'sendgrid.net', proxied: false });
      },
      close: async () => {
        await cloudflare.close();
        await world.close();
      },
    };
  },
  cloudfront: async () => {
    const world = await startCloudFrontWorld();
    world.aws.addHostedZone('example.com');
    return {
      sandbox: world,
      adapter: createCloudFrontTestAdapter(world),
      seedRecord: async (recordName) => {
        world.dns.zone.setRecord({ name: recordName, type: 'CNAME', value: 'sendgrid.net' });
      },
      close: () => world.close(),
    };
  },
};

describe.each(Object.keys(worlds))('setup() through %s', (name) => {
  let world: AdapterWorld;
  let sendgrid: SendGridApi;
  beforeAll(async () => {
    world = await (worlds[name] as () => Promise<AdapterWorld>)();
    sendgrid = await startSendGridApi(world.sandbox);
    sendgrid.addApiKey(apiKey, { scopes: ['whitelabel.read', 'whitelabel.update'], username: 'acme' });
  });
  afterAll(async () => {
    await sendgrid?.close();
    await world?.close();
  });

  it('validates the not-yet-valid branding first, then reaches ready with a click through the CDN', async () => {
    const branding = sendgrid.addLinkBranding({ domain: 'example.com', subdomain: `url7${name.length}01`, username: 'acme', valid: false, publishDns: false });
    const hostname = `${branding.subdomain}.${branding.domain}`;
    await world.seedRecord(hostname);
    const ownerRecord = branding.dns.owner_cname;
    expect(ownerRecord).toBeDefined();
    await world.seedRecord(ownerRecord?.host ?? '');
    const links = createSendGridLinks({ apiKey, baseURL: sendgrid.url, verification: world.sandbox.verification, retry: { minDelay: 5, maxDelay: 20 } });
    const before = sendgrid.server.requests.length;
    const result = await setup(world.adapter, { hostname }, { sendgrid: links, verification: world.sandbox.verification });
    const validations = sendgrid.server.requests.slice(before).filter((request) => request.method === 'POST' && request.path.endsWith('/validate'));
    expect(validations).toHaveLength(1);
    expect(result.branding?.valid).toBe(true);
    // Everything is in place, but without a tracked link nothing proves SendGrid knows the Host yet.
    expect(result.checks.filter((check) => check.ok === false)).toEqual([]);
    expect(result).toMatchObject({ ready: false, state: 'provisioning' });
    expect(result.nextSteps.join(' ')).toContain(`Prove that SendGrid knows the Host ${hostname}`);
    expect(result.provider).toBe(name);
    // A real click through the CDN, read-only: the fake SendGrid serves the host now it is valid.
    const sampleLink = world.sandbox.origin.createLink(hostname, 'https://shop.example.com/p/1', { protocol: 'https' }).clickUrl;
    const current = await getStatus(world.adapter, { hostname }, { sendgrid: links, verification: world.sandbox.verification, sampleLink });
    expect(current.ready).toBe(true);
    expect(current.supportRequest).toContain('the account "acme"');
    // The three checks SendGrid support makes, from the read-only status as well.
    for (const id of ['branding-assigned', 'dns-points-to-cdn', 'dns-not-sendgrid', 'tls-valid']) {
      expect(current.checks.find((check) => check.id === id)?.ok, id).toBe(true);
    }
    expect(current.verification?.observed.https).toMatchObject({ status: 302, location: 'https://shop.example.com/p/1' });
    expect(sendgrid.server.requests.slice(before).filter((request) => request.path.endsWith('/validate'))).toHaveLength(1);
  });
});
