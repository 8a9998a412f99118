/**
 * The advanced certificate pack sslclick orders is found again through a marker in the branding
 * record's comment. Cloudflare's pack ids are UUIDs with hyphens (the fake mints them so, see
 * packages/sandbox/src/cloudflare-api/fidelity.test.ts), and every step that reads the marker must
 * read such an id: status reports the pack, destroy deletes it, a re-order replaces the marker.
 *
 * The id is noted in the one PATCH of the record (the cutover). Until then the order marker on
 * sslclick's Configuration Rule, written before the order, proves the pack is sslclick's: a run
 * stopped at any point neither orders a second pack nor orphans the first, and a customer's own
 * pack for the same hosts is never taken or deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, type ProxyAdapter } from '@sslclick/core';
import { cacheBypassRule, configurationRule, createdBySslclick, type DesiredRule } from '../src/host-rules.js';
import { createTestProxy, nextLabel, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

let world: CloudflareWorld;

beforeAll(async () => {
  world = await startCloudflareWorld();
});

afterAll(async () => {
  await world?.close();
});

/** Adds sslclick's rule as an earlier version wrote it (its description alone), through the API. */
async function addRuleAsEarlierVersion(desired: DesiredRule): Promise<void> {
  const rule = { action: desired.action, expression: desired.expression, action_parameters: desired.action_parameters, description: desired.description, enabled: true };
  const entrypoint = world.cloudflare.entrypoint(world.zone.id, desired.phase);
  const response = await fetch(entrypoint ? `${world.cloudflare.url}/zones/${world.zone.id}/rulesets/${entrypoint.id}/rules` : `${world.cloudflare.url}/zones/${world.zone.id}/rulesets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.cloudflare.tokens.full}`, 'content-type': 'application/json' },
    body: JSON.stringify(entrypoint ? rule : { kind: 'zone', phase: desired.phase, name: 'default', description: createdBySslclick, rules: [rule] }),
  });
  expect(response.status).toBe(200);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const markerPattern = /\[sslclick pack [^\]]+\]/g;

function commentOf(hostname: string): string | null {
  return world.cloudflare.recordsAt(world.zone.id, hostname)[0]?.comment ?? null;
}

const mark = (): number => world.cloudflare.server.requests.length;

/** The writes the fake received since `start`, as `METHOD /path` with ids replaced. */
function writesSince(start: number): string[] {
  return world.cloudflare.server.requests
    .slice(start)
    .filter((request) => request.write)
    .map((request) => `${request.method} ${request.path.replace(/^.*\/zones\/[0-9a-f]{32}/, '').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}/g, ':id')}`);
}

/** Applies and stops the run (as a crash would) right after the `nth` progress event of `type`. */
async function applyStoppedAfter(adapter: ProxyAdapter, hostname: string, type: string, nth = 1): Promise<void> {
  const controller = new AbortController();
  let seen = 0;
  const outcome = await adapter
    .apply({ hostname }, { signal: controller.signal, onProgress: (event) => (event.type === type && ++seen === nth ? controller.abort() : undefined) })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(SslClickError.isInstance(outcome) && outcome.code).toBe('ABORTED');
}

/** The advanced packs whose hosts include `hostname`, not deleted. */
function packsFor(hostname: string): Array<{ id: string; status: string }> {
  return world.cloudflare.certificatePacks(world.zone.id).filter((pack) => pack.type === 'advanced' && pack.hosts.includes(hostname));
}

/** The description of sslclick's Configuration Rule for `hostname`, as stored. */
function configurationRuleDescription(hostname: string): string | undefined {
  const rule = world.cloudflare.entrypoint(world.zone.id, 'http_config_settings')?.rules.find((candidate) => String(candidate.description).startsWith(`sslclick: SSL Full for ${hostname} `));
  return rule ? String(rule.description) : undefined;
}

/** Orders a pack for the zone apex and `hostname` as the customer would (dashboard or API): it looks exactly like sslclick's. */
async function customerOrdersPack(hostname: string): Promise<string> {
  const response = await fetch(`${world.cloudflare.url}/zones/${world.zone.id}/ssl/certificate_packs/order`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.cloudflare.tokens.full}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'advanced', hosts: [world.zone.name, hostname], certificate_authority: 'lets_encrypt', validation_method: 'txt', validity_days: 90 }),
  });
  const answer = (await response.json()) as { result: { id: string } };
  return answer.result.id;
}

describe('the ordered certificate pack (UUID ids)', () => {
  it('is reported by status as owned, and destroy deletes it and cleans the comment', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com`, comment: 'SendGrid branding' });
    const adapter = createTestProxy(world, { orderCertificate: true });

    const applied = await adapter.apply({ hostname });
    expect(applied.ready).toBe(true);
    const [ordered] = world.cloudflare.certificatePacks(world.zone.id).filter((pack) => pack.type === 'advanced' && pack.hosts.includes(hostname));
    expect(ordered?.id).toMatch(uuidPattern);
    expect(commentOf(hostname)).toBe(`SendGrid branding [sslclick pack ${ordered?.id}]`);

    const status = await adapter.status({ hostname });
    expect(status.resources).toContainEqual({ kind: 'certificate-pack', id: ordered?.id, owned: true });
    expect(status.certificate.state).toBe('issued');

    const start = world.cloudflare.server.requests.length;
    const destroyed = await adapter.destroy({ hostname });
    const deletes = world.cloudflare.server.requests.slice(start).filter((request) => request.method === 'DELETE' && request.path.includes('/ssl/certificate_packs/'));
    expect(deletes.map((request) => request.path.split('/').pop())).toEqual([ordered?.id]);
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.id === ordered?.id)).toBe(false);
    expect(commentOf(hostname)).toBe('SendGrid branding');
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
  });

  it('shows a pack still being issued as pending and owned in status', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com` });
    const adapter = createTestProxy(world, { orderCertificate: true });
    const controller = new AbortController();
    const stopped = await adapter
      .apply({ hostname }, { signal: controller.signal, onProgress: (event) => (event.type === 'certificate-waiting' ? controller.abort() : undefined) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(SslClickError.isInstance(stopped) && stopped.code).toBe('ABORTED');
    const [pending] = world.cloudflare.certificatePacks(world.zone.id).filter((pack) => pack.hosts.includes(hostname));
    expect(pending?.status).not.toBe('active');

    const status = await adapter.status({ hostname });
    expect(status.certificate.state).toBe('pending');
    expect(status.resources).toContainEqual({ kind: 'certificate-pack', id: pending?.id, owned: true });

    await adapter.destroy({ hostname });
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.id === pending?.id)).toBe(false);
    expect(commentOf(hostname)).toBeNull();
  });

  it('replaces the marker when a failed pack is ordered again, deleting the failed one', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com`, comment: 'branding' });
    const adapter = createTestProxy(world, { orderCertificate: true });
    let firstId: string | undefined;
    const failed = await adapter
      .apply(
        { hostname },
        {
          onProgress: (event) => {
            // Domain control validation never succeeds for the first pack.
            if (event.type === 'certificate-ordered' && firstId === undefined) {
              firstId = String(event.detail?.packId);
              world.cloudflare.failCertificatePack(firstId, 'validation_timed_out');
            }
          },
        },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(SslClickError.isInstance(failed)).toBe(true);
    expect(firstId).toMatch(uuidPattern);
    expect(commentOf(hostname)).toBe(`branding [sslclick pack ${firstId}]`);

    const start = world.cloudflare.server.requests.length;
    const status = await adapter.apply({ hostname });
    expect(status.ready).toBe(true);
    const owned = status.resources.find((resource) => resource.kind === 'certificate-pack');
    expect(owned?.id).toMatch(uuidPattern);
    expect(owned?.id).not.toBe(firstId);
    // One marker, naming the new pack; the failed pack (ours, billed) is gone, not orphaned.
    expect(commentOf(hostname)?.match(markerPattern)).toEqual([`[sslclick pack ${owned?.id}]`]);
    expect(world.cloudflare.server.requests.slice(start).some((request) => request.method === 'DELETE' && request.path.endsWith(`/certificate_packs/${firstId}`))).toBe(true);
    // The failed pack deleted, the marker for its replacement (listing it) on the rule, the order, one PATCH.
    expect(writesSince(start)).toEqual([`DELETE /ssl/certificate_packs/:id`, 'PATCH /rulesets/:id/rules/:id', 'POST /ssl/certificate_packs/order', 'PATCH /dns_records/:id']);
    expect(configurationRuleDescription(hostname)).toBe(`sslclick: SSL Full for ${hostname} (SendGrid click tracking) [sslclick pack ordered, not ${firstId}]`);
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.id === firstId)).toBe(false);

    await adapter.destroy({ hostname });
    expect(commentOf(hostname)).toBe('branding');
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.hosts.includes(hostname))).toBe(false);
  });

  it('crash after the rules, before the order: the rule carries the marker, and the re-run orders once and PATCHes the record once', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com` });
    const adapter = createTestProxy(world, { orderCertificate: true });
    await applyStoppedAfter(adapter, hostname, 'rule-created', 2);
    expect(packsFor(hostname)).toEqual([]);
    expect(configurationRuleDescription(hostname)).toBe(`sslclick: SSL Full for ${hostname} (SendGrid click tracking) [sslclick pack ordered]`);
    const pending = await adapter.status({ hostname });
    expect(pending.resources.filter((resource) => resource.kind === 'certificate-pack')).toEqual([]);

    const start = mark();
    const status = await adapter.apply({ hostname });
    expect(status.ready).toBe(true);
    expect(writesSince(start)).toEqual(['POST /ssl/certificate_packs/order', 'PATCH /dns_records/:id']);
    const [ordered] = packsFor(hostname);
    expect(packsFor(hostname)).toHaveLength(1);
    expect(commentOf(hostname)).toBe(`[sslclick pack ${ordered?.id}]`);

    await adapter.destroy({ hostname });
    expect(packsFor(hostname)).toEqual([]);
    expect(configurationRuleDescription(hostname)).toBeUndefined();
    expect(commentOf(hostname)).toBeNull();
  });

  it('crash after the order, before the PATCH: status shows the pack as ours, the re-run orders nothing and notes it in its one PATCH', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com`, comment: 'branding' });
    const adapter = createTestProxy(world, { orderCertificate: true });
    await applyStoppedAfter(adapter, hostname, 'certificate-ordered');
    const [ordered] = packsFor(hostname);
    expect(ordered?.id).toMatch(uuidPattern);
    // Nothing was PATCHed: the record is as the customer left it.
    expect(commentOf(hostname)).toBe('branding');
    const status = await adapter.status({ hostname });
    expect(status.resources).toContainEqual({ kind: 'certificate-pack', id: ordered?.id, owned: true });
    expect(['pending', 'issued']).toContain(status.certificate.state);

    const start = mark();
    const applied = await adapter.apply({ hostname });
    expect(applied.ready).toBe(true);
    expect(writesSince(start)).toEqual(['PATCH /dns_records/:id']);
    expect(packsFor(hostname).map((pack) => pack.id)).toEqual([ordered?.id]);
    expect(commentOf(hostname)).toBe(`branding [sslclick pack ${ordered?.id}]`);

    await adapter.destroy({ hostname });
    expect(packsFor(hostname)).toEqual([]);
    expect(commentOf(hostname)).toBe('branding');
  });

  it('crash after the PATCH: the re-run writes nothing, and the pack stays ours', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com` });
    const adapter = createTestProxy(world, { orderCertificate: true });
    await applyStoppedAfter(adapter, hostname, 'record-proxied');
    const [ordered] = packsFor(hostname);
    expect(commentOf(hostname)).toBe(`[sslclick pack ${ordered?.id}]`);

    const start = mark();
    const applied = await adapter.apply({ hostname });
    expect(applied.ready).toBe(true);
    expect(writesSince(start)).toEqual([]);
    expect(applied.resources).toContainEqual({ kind: 'certificate-pack', id: ordered?.id, owned: true });
    await adapter.destroy({ hostname });
    expect(packsFor(hostname)).toEqual([]);
  });

  it("never takes or deletes a customer's own pack for the same hosts, before or after a crash", async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com` });
    // The customer's own order for exactly the hosts sslclick orders, which failed validation.
    const theirs = await customerOrdersPack(hostname);
    world.cloudflare.failCertificatePack(theirs, 'validation_timed_out');
    const adapter = createTestProxy(world, { orderCertificate: true });
    const before = await adapter.status({ hostname });
    expect(before.resources.filter((resource) => resource.kind === 'certificate-pack')).toEqual([]);

    // sslclick orders its own; the marker lists the customer's as not its order.
    await applyStoppedAfter(adapter, hostname, 'certificate-ordered');
    expect(configurationRuleDescription(hostname)).toBe(`sslclick: SSL Full for ${hostname} (SendGrid click tracking) [sslclick pack ordered, not ${theirs}]`);
    const ours = packsFor(hostname).find((pack) => pack.id !== theirs);
    expect(ours?.id).toMatch(uuidPattern);
    const pending = await adapter.status({ hostname });
    expect(pending.resources.filter((resource) => resource.kind === 'certificate-pack')).toEqual([{ kind: 'certificate-pack', id: ours?.id, owned: true }]);

    const applied = await adapter.apply({ hostname });
    expect(applied.ready).toBe(true);
    expect(commentOf(hostname)).toBe(`[sslclick pack ${ours?.id}]`);

    const start = mark();
    await adapter.destroy({ hostname });
    const deleted = world.cloudflare.server.requests.slice(start).filter((request) => request.method === 'DELETE' && request.path.includes('/certificate_packs/'));
    expect(deleted.map((request) => request.path.split('/').pop())).toEqual([ours?.id]);
    expect(packsFor(hostname).map((pack) => pack.id)).toEqual([theirs]);
  });

  it('claims neither pack when the customer ordered the same hosts between a crash and the re-run, and says so', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com` });
    const adapter = createTestProxy(world, { orderCertificate: true });
    await applyStoppedAfter(adapter, hostname, 'certificate-ordered');
    const [ours] = packsFor(hostname);
    const theirs = await customerOrdersPack(hostname);
    const status = await adapter.status({ hostname });
    expect(status.resources.filter((resource) => resource.kind === 'certificate-pack')).toEqual([]);
    expect(status.warnings.join(' ')).toMatch(/cannot tell which is its own/);
    expect(status.warnings.join(' ')).toContain(theirs);
    const start = mark();
    await adapter.destroy({ hostname });
    expect(writesSince(start).filter((write) => write.includes('certificate_packs'))).toEqual([]);
    expect(packsFor(hostname).map((pack) => pack.id).sort()).toEqual([ours?.id, theirs].sort());
  });

  it('rules from an earlier version (no marker) and a pack to order: the rule is edited to carry the marker, and the record is still PATCHed once', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com` });
    // The rules as an earlier version left them (it ordered no pack then: a pack of the
    // customer's covered the host, since gone), their descriptions without a marker.
    for (const desired of [configurationRule(hostname), cacheBypassRule(hostname)]) await addRuleAsEarlierVersion(desired);
    expect(configurationRuleDescription(hostname)).toBe(`sslclick: SSL Full for ${hostname} (SendGrid click tracking)`);

    const adapter = createTestProxy(world, { orderCertificate: true });
    const start = mark();
    const events: string[] = [];
    const applied = await adapter.apply({ hostname }, { onProgress: (event) => events.push(event.type) });
    expect(applied.ready).toBe(true);
    // One extra write, once: the marker before the order. Still one PATCH of the record.
    expect(writesSince(start)).toEqual(['PATCH /rulesets/:id/rules/:id', 'POST /ssl/certificate_packs/order', 'PATCH /dns_records/:id']);
    expect(events).toContain('rule-marked');
    expect(configurationRuleDescription(hostname)).toBe(`sslclick: SSL Full for ${hostname} (SendGrid click tracking) [sslclick pack ordered]`);
    const [ours] = packsFor(hostname);
    expect(commentOf(hostname)).toBe(`[sslclick pack ${ours?.id}]`);
    const again = mark();
    expect((await adapter.apply({ hostname })).ready).toBe(true);
    expect(writesSince(again)).toEqual([]);

    await adapter.destroy({ hostname });
    expect(packsFor(hostname)).toEqual([]);
    expect(configurationRuleDescription(hostname)).toBeUndefined();
  });

  it("resumes an earlier version's pending marker in the record's comment, ordering nothing", async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com`, comment: 'branding [sslclick pack pending]' });
    // What that version ordered right after writing its marker (a pack for exactly these hosts).
    const ordered = await customerOrdersPack(hostname);
    const adapter = createTestProxy(world, { orderCertificate: true });
    const start = mark();
    const applied = await adapter.apply({ hostname });
    expect(applied.ready).toBe(true);
    expect(writesSince(start).filter((write) => write.includes('certificate_packs'))).toEqual([]);
    expect(writesSince(start).filter((write) => write.startsWith('PATCH /dns_records'))).toHaveLength(1);
    expect(commentOf(hostname)).toBe(`branding [sslclick pack ${ordered}]`);
    await adapter.destroy({ hostname });
    expect(packsFor(hostname)).toEqual([]);
    expect(commentOf(hostname)).toBe('branding');
  });
});
