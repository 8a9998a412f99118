/**
 * A partial (CNAME-setup) zone: Cloudflare holds the zone, but the customer's own DNS stays
 * authoritative, so the public reaches a proxied host only through a CNAME to
 * `<host>.cdn.cloudflare.net` that the customer publishes there. The sandbox DNS is the public
 * view: for such a zone it is never written from the zone's records (the test writes the
 * customer's records itself), and a proxied host is published as `<host>.cdn.cloudflare.net`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, verifyHostname } from '@sslclick/core';
import { partialZoneTarget, type CloudflareZone } from '@sslclick/sandbox';
import { verificationForZone } from '../src/edge-verification.js';
import { cloudflareWrites, createTestProxy, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

let world: CloudflareWorld;
let zone: CloudflareZone;

beforeAll(async () => {
  world = await startCloudflareWorld();
  zone = world.cloudflare.addZone({ name: 'cname-setup.com', type: 'partial' });
});

afterAll(async () => {
  await world?.close();
});

/** The branded host as link branding leaves it: the customer's public CNAME to SendGrid, and the same record in the Cloudflare zone. */
async function seedPartialHost(): Promise<string> {
  const hostname = await seedBrandedHost(world, { zone });
  world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
  return hostname;
}

function publicRecords(hostname: string): string[] {
  return world.dns.zone.getRecords(hostname).map((record) => `${record.type} ${String(record.value)}`);
}

describe('a partial (CNAME setup) zone', () => {
  it('is set up through <host>.cdn.cloudflare.net, asks the user to publish that CNAME, and is ready once the public DNS shows it', async () => {
    const hostname = await seedPartialHost();
    const target = partialZoneTarget(hostname);
    const adapter = createTestProxy(world);

    const first = await adapter.apply({ hostname });
    expect(first.ready).toBe(false);
    expect(first.state).toBe('provisioning');
    expect(first.edge).toMatchObject({ state: 'deployed', target });
    expect(first.certificate.state).toBe('issued');
    expect(first.dns).toMatchObject({ managed: false, pointsToCdn: false, required: [{ name: hostname, type: 'CNAME', value: target }] });
    expect(first.checks).toContainEqual(expect.objectContaining({ id: 'public-cname', ok: false }));
    // The check went through the edge as the public will reach it, and passed.
    expect(first.checks).toContainEqual(expect.objectContaining({ id: 'tls-valid', ok: true }));
    expect(first.nextSteps.join(' ')).toMatch(new RegExp(`change ${hostname.replaceAll('.', '\\.')} from CNAME sendgrid\\.net to CNAME ${target.replaceAll('.', '\\.')}`));
    // Proxied in Cloudflare; the public still reaches SendGrid directly, as the customer's DNS says.
    expect(world.cloudflare.recordsAt(zone.id, hostname)).toEqual([expect.objectContaining({ content: 'sendgrid.net', proxied: true })]);
    expect(publicRecords(hostname)).toEqual(['CNAME sendgrid.net']);
    expect(publicRecords(target)).toEqual(['A 127.0.0.1']);

    // The customer publishes the CNAME at their DNS host; the next run finishes without a write.
    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: target });
    const writes = cloudflareWrites(world);
    const second = await adapter.apply({ hostname });
    expect(second.ready).toBe(true);
    expect(second.dns).toMatchObject({ managed: false, pointsToCdn: true });
    expect(second.dns.observed).toContain(target);
    expect(cloudflareWrites(world)).toBe(writes);
    expect((await adapter.status({ hostname })).ready).toBe(true);

    const link = world.origin.createLink(hostname, 'https://shop.example.org/partial');
    const verified = await verifyHostname(hostname, { ...world.verification, sampleLink: link.clickUrl });
    expect(verified.observed.https?.location).toBe('https://shop.example.org/partial');
  });

  it('destroy changes nothing while the public CNAME still points at Cloudflare, then undoes everything once it points back', async () => {
    const hostname = await seedPartialHost();
    const target = partialZoneTarget(hostname);
    const adapter = createTestProxy(world);
    await adapter.apply({ hostname });
    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: target });
    expect((await adapter.apply({ hostname })).ready).toBe(true);

    const writes = cloudflareWrites(world);
    const refused = await adapter.destroy({ hostname }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(SslClickError.isInstance(refused) && refused.code).toBe('UNSAFE');
    expect((refused as Error).message).toMatch(/Point .* back at CNAME sendgrid\.net/);
    expect(cloudflareWrites(world)).toBe(writes);

    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
    const destroyed = await adapter.destroy({ hostname });
    expect(destroyed.state).toBe('absent');
    expect(world.cloudflare.recordsAt(zone.id, hostname)).toEqual([expect.objectContaining({ content: 'sendgrid.net', proxied: false })]);
    expect(publicRecords(target)).toEqual([]);
    expect(world.edge.getRoute(hostname)).toBeUndefined();
  });

  it('creates a missing record in the zone and carries on in the same run, since the public never sees it', async () => {
    const hostname = `url${Date.now() % 100_000}.${zone.name}`;
    world.origin.addBrandedHost(hostname);
    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
    const adapter = createTestProxy(world);
    const plan = await adapter.plan({ hostname });
    expect(plan.changes[0]?.description).toMatch(/partial zone/);
    expect(plan.changes.map((change) => change.action)).toEqual(['create', 'create', 'create', 'update']);

    const status = await adapter.apply({ hostname });
    expect(world.cloudflare.recordsAt(zone.id, hostname)).toEqual([expect.objectContaining({ content: 'sendgrid.net', proxied: true })]);
    expect(status.edge.state).toBe('deployed');
    expect(status.dns.required).toEqual([expect.objectContaining({ value: partialZoneTarget(hostname) })]);
    expect(status.nextSteps.join(' ')).toMatch(/validate it before that change/);
    expect(publicRecords(hostname)).toEqual(['CNAME sendgrid.net']);
  });

  it('never asks the zone’s own nameserver what the public sees', async () => {
    // A full zone's nameserver answers the proxied record at once, so the check may ask it; a
    // partial zone's nameserver is not what the public asks, so only the public resolver is used.
    const base = { id: zone.id, name: zone.name, status: 'active', nameServers: ['127.0.0.1'] };
    expect((await verificationForZone({ timeoutMs: 1_000 }, { ...base, type: 'full' })).resolver).toBe('127.0.0.1');
    expect((await verificationForZone({ timeoutMs: 1_000 }, { ...base, type: 'partial' })).resolver).toBeUndefined();
  });
});
