/**
 * How many requests the fake Fastly and Cloudflare (DNS) APIs receive (issue 14, "reads once"):
 * a no-op apply and status read each thing once; before, apply read everything twice (to plan and
 * for the final status) and looked the service and subscription up again for the restore check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLookupCache } from '@sslclick/core';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { startCloudflareApi, startFastlyApi, startSandbox, type CloudflareApi, type CloudflareZone, type FastlyApi, type Sandbox, type VendorRequestRecord } from '@sslclick/sandbox';
import { createFastlyProxy } from '../src/index.js';
import { edgePackagePath } from './fastly-world.js';

let sandbox: Sandbox;
let fastly: FastlyApi;
let cloudflare: CloudflareApi;
let zone: CloudflareZone;

beforeAll(async () => {
  sandbox = await startSandbox();
  fastly = await startFastlyApi(sandbox, { issuanceDelayMs: 0 });
  cloudflare = await startCloudflareApi(sandbox);
  zone = cloudflare.addZone({ name: 'fastly-calls.com' });
});

afterAll(async () => {
  await cloudflare?.close();
  await fastly?.close();
  await sandbox?.close();
});

function counted(api: string, records: readonly VendorRequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const path = record.path.split('?')[0]!.replace(/\/client\/v4/, '').replace(/[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f-]{27}|[A-Za-z0-9]{20,22}/g, ':id').replace(/\/version\/\d+/, '/version/:n');
    const key = `${api} ${record.method} ${path}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const mark = (): [number, number] => [fastly.server.requests.length, cloudflare.server.requests.length];
const callsSince = ([fastlyStart, cloudflareStart]: [number, number]): Record<string, number> => ({
  ...counted('fastly', fastly.server.requests.slice(fastlyStart)),
  ...counted('dns', cloudflare.server.requests.slice(cloudflareStart)),
});

async function adapterWith(lookupCache?: ReturnType<typeof createLookupCache>) {
  return createFastlyProxy({
    apiToken: fastly.tokens.admin,
    baseURL: fastly.url,
    computePackage: await edgePackagePath(),
    dns: createCloudflareDns({ apiToken: cloudflare.tokens.full, baseURL: cloudflare.url, retry: { minDelay: 10, maxDelay: 50 } }),
    verification: { resolver: sandbox.dns.address, ca: sandbox.ca.certificate, ports: sandbox.ports, timeoutMs: 3_000 },
    wait: { minDelay: 25, maxDelay: 100, maxWaitTime: 20_000 },
    retry: { minDelay: 10, maxDelay: 50 },
    ...(lookupCache ? { lookupCache } : {}),
  });
}

async function brandedHost(label: string): Promise<string> {
  const hostname = `${label}.${zone.name}`;
  sandbox.origin.addBrandedHost(hostname);
  await cloudflare.addDnsRecord(zone.id, { name: hostname, type: 'CNAME', content: 'sendgrid.net' });
  return hostname;
}

/**
 * What a call reads each time: the service (search, then its details), the subscription, and, for
 * apply, the host's record through the DNS provider (which remembers the record's zone). The
 * host's CNAME target comes with the subscription (its `managed-http-cname` challenge) and the
 * active version's package is named in sslclick's service comment: neither is read.
 */
const onceEach = {
  'fastly GET /service/search': 1,
  'fastly GET /service/:id/details': 1,
  'fastly GET /tls/subscriptions': 1,
  'dns GET /zones/:id/dns_records': 1,
};
/**
 * What status reads: the service found by name (the one lookup), its details and the host's
 * subscription (one read per resource). The host's CNAME is read from public DNS, as a click sees
 * it, not through the DNS provider (was one more request, and a zone lookup for a new adapter).
 */
const statusReads = {
  'fastly GET /service/search': 1,
  'fastly GET /service/:id/details': 1,
  'fastly GET /tls/subscriptions': 1,
};

function serviceOf(hostname: string) {
  const service = fastly.state.services.find((candidate) => candidate.name === `sslclick ${hostname}` && candidate.deleted_at === undefined);
  if (!service) throw new Error(`no service for ${hostname}`);
  return service;
}

describe('Fastly vendor calls', () => {
  it('apply again with nothing to do reads each thing once; status makes one lookup and one read per resource, on a new adapter too', async () => {
    const hostname = await brandedHost('url7001');
    const adapter = await adapterWith();
    expect((await adapter.apply({ hostname })).ready).toBe(true);

    let start = mark();
    const again = await adapter.apply({ hostname });
    expect(again.ready).toBe(true);
    // The challenge record is read once more: upsertCname reads it to find there is nothing to write.
    expect(callsSince(start)).toEqual({ ...onceEach, 'dns GET /zones/:id/dns_records': 2 });

    start = mark();
    const status = await adapter.status({ hostname });
    expect(status.ready).toBe(true);
    expect(status.resources.map((resource) => resource.kind)).toEqual(['fastly-service', 'fastly-tls-subscription']);
    expect(status.dns.pointsToCdn).toBe(true);
    expect(callsSince(start)).toEqual(statusReads);

    // A new adapter knows nothing yet, and reads no more: the TLS configuration and the package
    // (were one read each, 5 in all) come with what status reads anyway.
    start = mark();
    const fresh = await (await adapterWith()).status({ hostname });
    expect(callsSince(start)).toEqual(statusReads);
    expect(fresh).toMatchObject({ ready: true, warnings: [], edge: { target: fastly.cnameTarget, raw: { package: { files_hash: expect.stringMatching(/^[0-9a-f]{128}$/) } } } });
    expect(Object.values(callsSince(start)).reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(3);

    // A new adapter's apply with nothing to do reads each Fastly thing once too (its new DNS
    // provider looks the zone up as well: Cloudflare's, not counted here).
    start = mark();
    expect((await (await adapterWith()).apply({ hostname })).ready).toBe(true);
    expect(Object.fromEntries(Object.entries(callsSince(start)).filter(([key]) => key.startsWith('fastly ')))).toEqual(statusReads);
  });

  it('a new adapter\'s status of several hosts reads nothing per adapter', async () => {
    const hostnames = [await brandedHost('url7002'), await brandedHost('url7003')];
    for (const hostname of hostnames) expect((await (await adapterWith()).apply({ hostname })).ready).toBe(true);
    const adapter = await adapterWith(createLookupCache());
    const start = mark();
    for (const hostname of hostnames) expect((await adapter.status({ hostname })).ready).toBe(true);
    expect(callsSince(start)).toEqual({ 'fastly GET /service/search': 2, 'fastly GET /service/:id/details': 2, 'fastly GET /tls/subscriptions': 2 });
  });

  it('a service whose comment does not name its package (made before the mark) has its package read', async () => {
    const hostname = await brandedHost('url7004');
    expect((await (await adapterWith()).apply({ hostname })).ready).toBe(true);
    const service = serviceOf(hostname);
    expect(service.comment).toMatch(/ Package files_hash [0-9a-f]{128} deployed as version 1\.$/);
    service.comment = service.comment.replace(/ Package files_hash .*$/, '');
    const start = mark();
    const status = await (await adapterWith()).status({ hostname });
    expect(status).toMatchObject({ ready: true, warnings: [] });
    expect(callsSince(start)).toEqual({ ...statusReads, 'fastly GET /service/:id/version/:n/package': 1 });
    // apply with nothing to do leaves it so: a no-op re-run writes nothing.
    const before = fastly.server.requests.length;
    expect((await (await adapterWith()).apply({ hostname })).ready).toBe(true);
    expect(fastly.server.requests.slice(before).filter((request) => request.write)).toEqual([]);
  });

  it('a version activated by hand with another package is read and reported as drift, not taken from the mark', async () => {
    const hostname = await brandedHost('url7005');
    expect((await (await adapterWith()).apply({ hostname })).ready).toBe(true);
    // What a person does in the console: clone the active version, upload another package, activate.
    const service = serviceOf(hostname);
    const active = service.versions.find((version) => version.active)!;
    const byHand = structuredClone(active);
    byHand.number = active.number + 1;
    byHand.package = { ...byHand.package!, metadata: { ...byHand.package!.metadata, files_hash: 'f'.repeat(128) } };
    active.active = false;
    service.versions.push(byHand);
    const start = mark();
    const status = await (await adapterWith()).status({ hostname });
    expect(callsSince(start)).toEqual({ ...statusReads, 'fastly GET /service/:id/version/:n/package': 1 });
    expect(status.edge.raw).toMatchObject({ activeVersion: 2, package: { files_hash: 'f'.repeat(128) } });
    expect(status.warnings.join(' ')).toContain('The active version 2 differs from what sslclick set: Upload the current sslclick Compute package');
  });

  it('without the managed-http-cname challenge the TLS configuration is read, once per adapter', async () => {
    const hostname = await brandedHost('url7006');
    expect((await (await adapterWith()).apply({ hostname })).ready).toBe(true);
    fastly.setVariants({ servingChallenges: 'dns-only' });
    try {
      const adapter = await adapterWith();
      let start = mark();
      expect(await adapter.status({ hostname })).toMatchObject({ ready: true, edge: { target: fastly.cnameTarget } });
      expect(callsSince(start)).toEqual({ ...statusReads, 'fastly GET /tls/configurations/:id': 1 });
      start = mark();
      expect((await adapter.status({ hostname })).ready).toBe(true);
      expect(callsSince(start)).toEqual(statusReads);
    } finally {
      fastly.setVariants({ servingChallenges: 'listed' });
    }
  });
});
