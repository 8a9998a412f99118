import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, createWriteBudget } from '@sslclick/core';
import { withoutRunBudget } from '@sslclick/core/adapter';
import { createCloudflareDns, defaultCloudflareDnsComment } from '../src/index.js';
import { cloudflareWrites, nextLabel, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

let world: CloudflareWorld;

beforeAll(async () => {
  world = await startCloudflareWorld();
});

afterAll(async () => {
  await world?.close();
});

function dns(settings: Parameters<typeof createCloudflareDns>[0] = {}) {
  return createCloudflareDns({ apiToken: world.cloudflare.tokens.full, baseURL: world.cloudflare.url, retry: { minDelay: 10, maxDelay: 50 }, ...settings });
}

describe('createCloudflareDns', () => {
  it('wrapped by withoutRunBudget (a DNS provider of another account), keeps its TXT methods and spends none of the run budget', async () => {
    const name = `_cf-custom-hostname.${nextLabel()}.example.com`;
    const provider = withoutRunBudget(dns());
    expect(typeof provider.upsertTxt).toBe('function');
    expect(typeof provider.deleteTxt).toBe('function');
    const budget = createWriteBudget({ name: 'cdn account', capacity: 1, intervalMs: 3_600_000 });
    await budget.take(1);
    // The budget is spent: a provider that drew from it would wait an hour here.
    expect((await provider.upsertTxt?.(name, 'ownership-token', { budget }))?.changed).toBe(true);
    expect(world.cloudflare.recordsAt(world.zone.id, name)).toEqual([expect.objectContaining({ type: 'TXT' })]);
    expect((await provider.deleteTxt?.(name, 'ownership-token', { budget }))?.changed).toBe(true);
    expect(world.cloudflare.recordsAt(world.zone.id, name)).toEqual([]);
  });

  it('creates a DNS-only CNAME marked as ours, and a re-run writes nothing', async () => {
    const name = `${nextLabel()}.example.com`;
    const provider = dns();
    expect(provider.name).toBe('cloudflare');
    expect(await provider.getRecords(name)).toEqual([]);
    const created = await provider.upsertCname(name, 'url.global.ssl.fastly.net');
    expect(created).toMatchObject({ changed: true, record: { name, type: 'CNAME', value: 'url.global.ssl.fastly.net' } });
    expect(world.cloudflare.recordsAt(world.zone.id, name)).toEqual([
      expect.objectContaining({ content: 'url.global.ssl.fastly.net', proxied: false, comment: defaultCloudflareDnsComment }),
    ]);
    expect(world.dns.zone.getRecords(name)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'url.global.ssl.fastly.net' })]);
    const writes = cloudflareWrites(world);
    expect((await provider.upsertCname(name, 'url.global.ssl.fastly.net')).changed).toBe(false);
    expect(cloudflareWrites(world)).toBe(writes);
    expect(await provider.getRecords(name, 'CNAME')).toEqual([expect.objectContaining({ value: 'url.global.ssl.fastly.net', id: expect.any(String) })]);
  });

  it('replaces only a replaceable value (the cutover from sendgrid.net), otherwise CONFLICT', async () => {
    const name = `${nextLabel()}.example.com`;
    await world.cloudflare.addDnsRecord(world.zone.id, { name, type: 'CNAME', content: 'sendgrid.net', ttl: 300, comment: 'SendGrid branding, ticket 42' });
    const provider = dns();
    const writes = cloudflareWrites(world);
    const error = await provider.upsertCname(name, 'url.global.ssl.fastly.net').catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('CONFLICT');
    expect((error as Error).message).toMatch(/CNAME sendgrid\.net/);
    expect(cloudflareWrites(world)).toBe(writes);
    const moved = await provider.upsertCname(name, 'url.global.ssl.fastly.net', { replaceable: ['sendgrid.net'], comment: 'sslclick: fastly cutover' });
    expect(moved.changed).toBe(true);
    // The customer's record is edited in place: its comment and TTL stay as they were.
    expect(world.cloudflare.recordsAt(world.zone.id, name)).toEqual([expect.objectContaining({ content: 'url.global.ssl.fastly.net', proxied: false, ttl: 300, comment: 'SendGrid branding, ticket 42' })]);
    // And back, as destroy does.
    expect((await provider.upsertCname(name, 'sendgrid.net', { replaceable: ['url.global.ssl.fastly.net'], comment: 'sslclick: restored' })).changed).toBe(true);
    expect(world.cloudflare.recordsAt(world.zone.id, name)).toEqual([expect.objectContaining({ content: 'sendgrid.net', proxied: false, ttl: 300, comment: 'SendGrid branding, ticket 42' })]);
  });

  it('takes over A records only with adopt, and handles underscore names', async () => {
    const name = `${nextLabel()}.example.com`;
    await world.cloudflare.addDnsRecord(world.zone.id, { name, type: 'A', content: '192.0.2.10' });
    const provider = dns();
    const error = await provider.upsertCname(name, 'sendgrid.net').catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('CONFLICT');
    expect((await provider.upsertCname(name, 'sendgrid.net', { adopt: true })).changed).toBe(true);
    expect(world.cloudflare.recordsAt(world.zone.id, name)).toEqual([expect.objectContaining({ type: 'CNAME', content: 'sendgrid.net' })]);
    const challenge = `_acme-challenge.${name}`;
    expect((await provider.upsertCname(challenge, 'abc123.fastly-validations.com')).changed).toBe(true);
    expect(await provider.getRecords(challenge)).toEqual([expect.objectContaining({ value: 'abc123.fastly-validations.com' })]);
  });

  it('deletes a CNAME only while it holds our value; a missing one is fine', async () => {
    const name = `${nextLabel()}.example.com`;
    const provider = dns();
    await provider.upsertCname(name, 'url.global.ssl.fastly.net');
    expect(await provider.deleteCname(name, 'other.example.net')).toEqual({ changed: false });
    expect(await provider.deleteCname(name, 'url.global.ssl.fastly.net')).toEqual({ changed: true });
    expect(await provider.deleteCname(name, 'url.global.ssl.fastly.net')).toEqual({ changed: false });
    expect(world.cloudflare.recordsAt(world.zone.id, name)).toEqual([]);
  });

  it('uses zoneId, and names the missing DNS permission on a 403', async () => {
    const name = `${nextLabel()}.example.com`;
    const readOnly = dns({ apiToken: world.cloudflare.tokens.readOnly, zoneId: world.zone.id });
    const error = await readOnly.upsertCname(name, 'sendgrid.net').catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('PERMISSION');
    expect((error as Error).message).toMatch(/Zone > DNS > Edit/);
  });

  it('refuses a partial (CNAME setup) zone, whose records the public never sees, without writing', async () => {
    const zone = world.cloudflare.addZone({ name: 'partial-dns.org', type: 'partial' });
    const writes = cloudflareWrites(world);
    const error = await dns()
      .upsertCname(`${nextLabel()}.${zone.name}`, 'url.global.ssl.fastly.net')
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );
    expect(SslClickError.isInstance(error) && error.code).toBe('CONFLICT');
    expect((error as Error).message).toMatch(/partial \(CNAME setup\)/);
    expect(cloudflareWrites(world)).toBe(writes);
  });
});
