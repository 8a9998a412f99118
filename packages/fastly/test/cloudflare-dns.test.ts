import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@sslclick/core';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { startCloudflareApi, startFastlyApi, startSandbox, type CloudflareApi, type CloudflareZone, type FastlyApi, type Sandbox } from '@sslclick/sandbox';
import { createFastlyProxy } from '../src/index.js';
import { edgePackagePath } from './fastly-world.js';

let sandbox: Sandbox;
let fastly: FastlyApi;
let cloudflare: CloudflareApi;
let zone: CloudflareZone;

beforeAll(async () => {
  sandbox = await startSandbox();
  fastly = await startFastlyApi(sandbox, { issuanceDelayMs: 200 });
  cloudflare = await startCloudflareApi(sandbox);
  zone = cloudflare.addZone({ name: 'dns-at-cloudflare.com' });
});

afterAll(async () => {
  await cloudflare?.close();
  await fastly?.close();
  await sandbox?.close();
});

describe('Fastly with DNS at Cloudflare (createCloudflareDns)', () => {
  it('goes from nothing to ready: challenge record, issued certificate, pre-cutover check, cutover CNAME; destroy twice', async () => {
    const hostname = `url4321.${zone.name}`;
    sandbox.origin.addBrandedHost(hostname);
    await cloudflare.addDnsRecord(zone.id, { name: hostname, type: 'CNAME', content: 'sendgrid.net' });
    const adapter = createFastlyProxy({
      apiToken: fastly.tokens.admin,
      baseURL: fastly.url,
      computePackage: await edgePackagePath(),
      dns: createCloudflareDns({ apiToken: cloudflare.tokens.full, baseURL: cloudflare.url, retry: { minDelay: 10, maxDelay: 50 } }),
      verification: { resolver: sandbox.dns.address, ca: sandbox.ca.certificate, ports: sandbox.ports, timeoutMs: 3_000 },
      wait: { minDelay: 25, maxDelay: 100, maxWaitTime: 20_000 },
      retry: { minDelay: 10, maxDelay: 50 },
    });
    expect(adapter.capabilities.managesDns).toBe(true);

    const events: ProgressEvent[] = [];
    const status = await adapter.apply({ hostname }, { onProgress: (event) => events.push(event) });
    expect(status.ready).toBe(true);
    expect(status.dns).toMatchObject({ managed: true, pointsToCdn: true });
    const order = events.filter((event) => event.provider !== 'cloudflare').map((event) => event.type).filter((type) => ['dns-record-written', 'certificate-ready', 'edge-verified', 'dns-cutover'].includes(type));
    expect(order).toEqual(['dns-record-written', 'certificate-ready', 'edge-verified', 'dns-cutover']);

    const challenge = status.dns.required.find((record) => record.name.startsWith('_acme-challenge.'));
    expect(cloudflare.recordsAt(zone.id, challenge!.name)).toEqual([expect.objectContaining({ type: 'CNAME', content: challenge!.value, proxied: false })]);
    expect(cloudflare.recordsAt(zone.id, hostname)).toEqual([expect.objectContaining({ type: 'CNAME', content: fastly.cnameTarget, proxied: false })]);

    const writes = fastly.server.writes() + cloudflare.server.writes();
    const again = await adapter.apply({ hostname });
    expect(again.ready).toBe(true);
    expect(fastly.server.writes() + cloudflare.server.writes()).toBe(writes);

    const destroyed = await adapter.destroy({ hostname });
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
    expect(cloudflare.recordsAt(zone.id, hostname)).toEqual([expect.objectContaining({ type: 'CNAME', content: 'sendgrid.net' })]);
    expect(cloudflare.recordsAt(zone.id, challenge!.name)).toEqual([]);
    const afterDestroy = fastly.server.writes() + cloudflare.server.writes();
    const second = await adapter.destroy({ hostname });
    expect(second.state).toBe('absent');
    expect(fastly.server.writes() + cloudflare.server.writes()).toBe(afterDestroy);
  });
});
