/**
 * How many requests the fake Cloudflare API receives (issue 14, "reads once"): a no-op apply reads
 * each resource once, a run's re-read covers only what it wrote, status reads each resource once,
 * the branding record is PATCHed once per apply (with or without a pack to order), and hosts
 * sharing a lookup cache find their zone once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLookupCache } from '@sslclick/core';
import { createTestProxy, nextLabel, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

let world: CloudflareWorld;

beforeAll(async () => {
  world = await startCloudflareWorld({ certificateIssueDelayMs: 0 });
});

afterAll(async () => {
  await world?.close();
});

/** Each call the fake received since `start` (ids replaced), with how many times. */
function callsSince(start: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of world.cloudflare.server.requests.slice(start)) {
    const path = request.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}/g, ':id').replace('/client/v4', '');
    const key = `${request.method} ${path.split('?')[0]}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const mark = (): number => world.cloudflare.server.requests.length;

/** The one read per resource Cloudflare needs: the records at the host, the zone's packs, the two phase entrypoints. */
const resourceReads = {
  'GET /zones/:id/dns_records': 1,
  'GET /zones/:id/ssl/certificate_packs': 1,
  'GET /zones/:id/rulesets/phases/http_config_settings/entrypoint': 1,
  'GET /zones/:id/rulesets/phases/http_request_cache_settings/entrypoint': 1,
};

describe('Cloudflare vendor calls', () => {
  it('apply again with nothing to do reads each resource once, and status the same', async () => {
    const hostname = await seedBrandedHost(world);
    const adapter = createTestProxy(world);
    expect((await adapter.apply({ hostname })).ready).toBe(true);

    let start = mark();
    const again = await adapter.apply({ hostname });
    expect(again.nextSteps.join(' ')).not.toMatch(/failed the checks/);
    expect(again.ready).toBe(true);
    // The zone (one name: example.com) is one lookup; every resource read once, nothing written.
    expect(callsSince(start)).toEqual({ 'GET /zones': 1, ...resourceReads });

    start = mark();
    const status = await adapter.status({ hostname });
    expect(status.ready).toBe(true);
    // The record and two rules are listed; the zone's Universal pack is read (the certificate) but is not a resource of the host.
    expect(status.resources.map((resource) => resource.kind)).toEqual(['dns-record', 'ruleset-rule', 'ruleset-rule']);
    expect(callsSince(start)).toEqual({ 'GET /zones': 1, ...resourceReads });
  });

  it('apply from nothing PATCHes the record once where no pack is ordered, and re-reads only what it wrote', async () => {
    const zone = world.cloudflare.addZone({ name: `${nextLabel()}-fresh.com` });
    const hostname = await seedBrandedHost(world, { zone });
    const start = mark();
    expect((await createTestProxy(world).apply({ hostname })).ready).toBe(true);
    expect(callsSince(start)).toEqual({
      'GET /zones': 1,
      // Read to plan; the records and both entrypoints again after being written, the packs not.
      'GET /zones/:id/dns_records': 2,
      'GET /zones/:id/ssl/certificate_packs': 1,
      'GET /zones/:id/rulesets/phases/http_config_settings/entrypoint': 2,
      'GET /zones/:id/rulesets/phases/http_request_cache_settings/entrypoint': 2,
      'POST /zones/:id/rulesets': 2,
      'PATCH /zones/:id/dns_records/:id': 1,
    });
  });

  it('with a pack to order, PATCHes the record once (was three times, then twice): the pack id rides on the cutover, the order marker on the Configuration Rule created before the order', async () => {
    const zone = world.cloudflare.addZone({ name: `${nextLabel()}-brand.com` });
    const hostname = await seedBrandedHost(world, { zone, name: `${nextLabel()}.links.${zone.name}` });
    const adapter = createTestProxy(world, { orderCertificate: true });
    const start = mark();
    const applied = await adapter.apply({ hostname });
    expect(applied.ready).toBe(true);
    const calls = callsSince(start);
    expect(calls['PATCH /zones/:id/dns_records/:id']).toBe(1);
    // The packs: read to plan, then by the wait's one poll (the fake issues at once); the final status uses that poll's answer.
    expect(calls['GET /zones/:id/ssl/certificate_packs']).toBe(2);
    // Every write: the two rules (each creating its phase entrypoint), the order, the one PATCH.
    const writes = world.cloudflare.server.requests.slice(start).filter((request) => request.write);
    expect(writes.map((request) => `${request.method} ${request.path.replace(/^.*\/zones\/[0-9a-f]{32}/, '').replace(/[0-9a-f]{32}/g, ':id')}`)).toEqual([
      'POST /rulesets',
      'POST /rulesets',
      'POST /ssl/certificate_packs/order',
      'PATCH /dns_records/:id',
    ]);
    // The Configuration Rule, written before the order, carries the marker that proves the pack is ours.
    expect((JSON.parse(writes[0]?.body ?? '{}') as { rules?: Array<{ description?: string }> }).rules?.[0]?.description).toBe(
      `sslclick: SSL Full for ${hostname} (SendGrid click tracking) [sslclick pack ordered]`,
    );
    expect(JSON.parse(writes[3]?.body ?? '{}')).toMatchObject({ comment: expect.stringMatching(/^\[sslclick pack [0-9a-f-]{36}\]$/), proxied: true });
    // The ownership proof holds: destroy knows the pack is sslclick's and deletes it.
    const packId = /pack ([0-9a-f-]{36})/.exec(world.cloudflare.recordsAt(zone.id, hostname)[0]?.comment ?? '')?.[1];
    expect(packId).toBeDefined();
    await adapter.destroy({ hostname });
    expect(world.cloudflare.server.requests.some((request) => request.method === 'DELETE' && request.path.endsWith(`/certificate_packs/${packId}`))).toBe(true);
  });

  it('status of a fresh adapter, without a lookup cache, makes one zone lookup and one read per resource, however deep the host', async () => {
    // Two zones could hold url….links.<brand>: the zone lookup asks once for every zone ending
    // with the shortest parent name and takes the longest (was one GET /zones per parent name).
    const brand = world.cloudflare.addZone({ name: `${nextLabel()}-deep.com` });
    const links = world.cloudflare.addZone({ name: `links.${brand.name}` });
    const hostname = await seedBrandedHost(world, { zone: links, name: `${nextLabel()}.links.${brand.name}` });
    expect((await createTestProxy(world).apply({ hostname })).ready).toBe(true);
    const start = mark();
    const status = await createTestProxy(world).status({ hostname });
    expect(status.ready).toBe(true);
    expect(callsSince(start)).toEqual({ 'GET /zones': 1, ...resourceReads });
    const zoneLookup = world.cloudflare.server.requests.slice(start).find((request) => request.path.endsWith('/zones'));
    expect(new URLSearchParams(zoneLookup?.query).get('name')).toBe(`ends_with:${brand.name}`);
  });

  it('hosts sharing a lookup cache find their zone once', async () => {
    const zone = world.cloudflare.addZone({ name: `${nextLabel()}-shared.com` });
    const hostnames = [];
    for (let index = 0; index < 3; index += 1) hostnames.push(await seedBrandedHost(world, { zone }));
    const adapter = createTestProxy(world);
    const lookupCache = createLookupCache();
    const start = mark();
    const statuses = await Promise.all(hostnames.map((hostname) => adapter.status({ hostname }, { lookupCache })));
    expect(statuses.map((status) => status.hostname)).toEqual(hostnames);
    expect(callsSince(start)['GET /zones']).toBe(1);
    // Without the cache, each host looks the zone up itself.
    const uncached = mark();
    await Promise.all(hostnames.map((hostname) => adapter.status({ hostname })));
    expect(callsSince(uncached)['GET /zones']).toBe(3);
    // A cache given in the settings serves every call of that adapter.
    const cachedAdapter = createTestProxy(world, { lookupCache: createLookupCache() });
    const settingCache = mark();
    for (const hostname of hostnames) await cachedAdapter.status({ hostname });
    expect(callsSince(settingCache)['GET /zones']).toBe(1);
  });

  it('hosts of one zone applied at once through one adapter create each phase entrypoint once, and no create is refused', async () => {
    const zone = world.cloudflare.addZone({ name: `${nextLabel()}-fleet.com` });
    const hostnames: string[] = [];
    for (let index = 0; index < 6; index += 1) hostnames.push(await seedBrandedHost(world, { zone }));
    const adapter = createTestProxy(world);
    const start = mark();
    const results = await Promise.all(hostnames.map((hostname) => adapter.apply({ hostname })));
    expect(results.map((result) => result.ready)).toEqual(hostnames.map(() => true));
    const requests = world.cloudflare.server.requests.slice(start);
    // One create per phase (configuration, cache); every other host adds its rule to it.
    expect(callsSince(start)['POST /zones/:id/rulesets']).toBe(2);
    expect(callsSince(start)['POST /zones/:id/rulesets/:id/rules']).toBe(2 * (hostnames.length - 1));
    expect(requests.filter((request) => request.status === 400)).toEqual([]);
    for (const phase of ['http_config_settings', 'http_request_cache_settings']) {
      expect(world.cloudflare.entrypoint(zone.id, phase)?.rules).toHaveLength(hostnames.length);
    }
  });
});
