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
 * apply, the host's record through the DNS provider (which remembers the record's zone). The TLS
 * configuration's CNAME target and the active version's package (a locked version never changes)
 * are read once per adapter.
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

describe('Fastly vendor calls', () => {
  it('apply again with nothing to do reads each thing once; status makes one lookup and one read per resource', async () => {
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

    // A new adapter knows nothing yet: the TLS configuration's CNAME target and the active
    // version's package are read too, once (the package is part of the service's contents).
    start = mark();
    expect((await (await adapterWith()).status({ hostname })).ready).toBe(true);
    expect(callsSince(start)).toEqual({ ...statusReads, 'fastly GET /tls/configurations/:id': 1, 'fastly GET /service/:id/version/:n/package': 1 });
  });

  it('the hosts of one adapter read the TLS configuration once', async () => {
    const hostnames = [await brandedHost('url7002'), await brandedHost('url7003')];
    for (const hostname of hostnames) expect((await (await adapterWith()).apply({ hostname })).ready).toBe(true);
    const adapter = await adapterWith(createLookupCache());
    const start = mark();
    for (const hostname of hostnames) await adapter.status({ hostname });
    expect(callsSince(start)).toMatchObject({ 'fastly GET /tls/configurations/:id': 1, 'fastly GET /service/search': 2, 'fastly GET /service/:id/version/:n/package': 2 });
  });
});
