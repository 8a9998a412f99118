/**
 * Adopt rules in Cloudflare for SaaS mode. A custom hostname carries no owner: `custom_metadata`
 * needs an Enterprise entitlement ("Unique key/value metadata for this hostname", SDK
 * `CustomHostnameCreateParams.custom_metadata`; alchemy's CustomHostname resource: "Custom
 * hostnames carry no ownership markers, so an existing match is reported as Unowned"). So
 * sslclick marks the ones it creates with a TXT record in the provider zone, which every plan
 * has (`_sslclick-<hash>.<zone>`, content naming the hostname, written before the create).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError } from '@sslclick/core';
import { createSaasProxy, seedOutsideHost, startSaasWorld, type SaasWorld } from './saas-world.js';

let world: SaasWorld;

beforeAll(async () => {
  world = await startSaasWorld();
});

afterAll(async () => {
  await world?.close();
});

function foreignCustomHostname(hostname: string) {
  return world.cloudflare.saas.create(world.provider.id, hostname, { sslMethod: 'http', sslType: 'dv', customMetadata: { customer: 'someone else' } });
}

describe('Cloudflare for SaaS: adopt rules', () => {
  it('does not take over a custom hostname sslclick did not create: CONFLICT, nothing written, destroy leaves it', async () => {
    const hostname = seedOutsideHost(world);
    const proxy = createSaasProxy(world);
    await proxy.apply({ hostname: seedOutsideHost(world) }); // the provider zone in place
    const foreign = foreignCustomHostname(hostname);
    const writes = world.cloudflare.server.writes();
    const error = await proxy.apply({ hostname }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('CONFLICT');
    expect((error as Error).message).toMatch(/did not create.*adopt: true/);
    expect(world.cloudflare.server.writes()).toBe(writes);
    const status = await proxy.status({ hostname });
    expect(status.resources).toEqual([{ kind: 'custom-hostname', id: foreign.id, owned: false }]);
    expect(status.warnings.join(' ')).toMatch(/not created by sslclick/);
    const destroyed = await proxy.destroy({ hostname });
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
    expect(world.cloudflare.saas.hostnames.get(foreign.id)).toMatchObject({ hostname, sslMethod: 'http' });
    expect(world.cloudflare.server.writes()).toBe(writes);
  });

  it('takes it over with adopt: true (TXT validation, marked as sslclick\'s), and destroy then removes it', async () => {
    const hostname = seedOutsideHost(world);
    const foreign = foreignCustomHostname(hostname);
    const proxy = createSaasProxy(world);
    const status = await proxy.apply({ hostname, adopt: true });
    expect(status.ready).toBe(true);
    expect(status.resources).toContainEqual({ kind: 'custom-hostname', id: foreign.id, owned: true });
    expect(world.cloudflare.saas.hostnames.get(foreign.id)?.sslMethod).toBe('txt');
    // Marked now: later runs need no adopt.
    expect((await proxy.status({ hostname })).resources).toContainEqual({ kind: 'custom-hostname', id: foreign.id, owned: true });
    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
    await proxy.destroy({ hostname });
    expect(world.cloudflare.saas.hostnames.has(foreign.id)).toBe(false);
  });

  it('marks what it creates with a TXT record in the provider zone, written before the custom hostname', async () => {
    const hostname = seedOutsideHost(world);
    const start = world.cloudflare.server.requests.length;
    await createSaasProxy(world).apply({ hostname });
    const writes = world.cloudflare.server.requests.slice(start).filter((request) => request.write).map((request) => `${request.method} ${request.path.replace(/^.*\/zones\/[0-9a-f]{32}/, '')}`);
    expect(writes.indexOf('POST /dns_records')).toBeLessThan(writes.indexOf('POST /custom_hostnames'));
    const markers = world.cloudflare.state.zoneRecords(world.provider.id).filter((record) => record.type === 'TXT' && record.content.includes(hostname));
    expect(markers).toEqual([expect.objectContaining({ name: expect.stringMatching(/^_sslclick-[0-9a-f]{24}\.saas-provider\.net$/), content: expect.stringMatching(new RegExp(`^sslclick created the custom hostname ${hostname.replaceAll('.', '\\.')} txt `)) })]);
  });

  it('refuses a provider record of the same name that is not sslclick\'s, before any change', async () => {
    const other = await startSaasWorld();
    try {
      await other.cloudflare.addDnsRecord(other.provider.id, { name: 'sslclick-links', type: 'A', content: '198.51.100.9', proxied: true });
      const error = await createSaasProxy(other).apply({ hostname: seedOutsideHost(other) }).catch((caught: unknown) => caught);
      expect(SslClickError.isInstance(error) && error.code).toBe('CONFLICT');
      expect((error as Error).message).toMatch(/sslclick-links\.saas-provider\.net .* will not overwrite/);
      expect(other.cloudflare.saas.zoneHostnames(other.provider.id)).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
