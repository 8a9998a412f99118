/**
 * Cloudflare for SaaS keeps live links working around the cutover: the certificate is proven
 * through Cloudflare's edge before the host's CNAME moves; an edge that fails the proof leaves DNS
 * untouched; an edge that fails right after the cutover puts DNS back at SendGrid at once; a run
 * that finds DNS pointing at a failing edge puts it back first; destroy lets go of the custom
 * hostname only once DNS points back at SendGrid.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, type DnsProvider } from '@sslclick/core';
import { createSaasProxy, seedOutsideHost, startSaasWorld, type SaasWorld } from './saas-world.js';

let world: SaasWorld;

beforeAll(async () => {
  world = await startSaasWorld();
  // The provider zone set up once, so each case starts from a host.
  await createSaasProxy(world).apply({ hostname: seedOutsideHost(world) });
});

afterEach(() => {
  // sendgrid.net resolves again (some cases take it away to break the edge's way to the origin).
  world.dns.zone.setRecord({ name: 'sendgrid.net', type: 'A', value: '127.0.0.2' });
});

afterAll(async () => {
  await world?.close();
});

function cnameOf(hostname: string): string | undefined {
  return world.dns.zone.getRecords(hostname).find((record) => record.type === 'CNAME')?.value;
}

/** The world's other DNS, with a hook run right after each CNAME write. */
function dnsWithHook(afterCname: (name: string, value: string) => void): DnsProvider {
  const base = world.otherDns;
  return {
    ...base,
    async upsertCname(name, value, options) {
      const written = await base.upsertCname(name, value, options);
      afterCname(name, value);
      return written;
    },
  };
}

describe('Cloudflare for SaaS: the cutover', () => {
  it('proves the certificate through the edge (active, served for the host) before the CNAME moves', async () => {
    const hostname = seedOutsideHost(world);
    const atCutover: Array<{ value: string; handshakes: number; status: string; ssl: string; txtFirst: boolean }> = [];
    const dns = dnsWithHook((name, value) => {
      const custom = world.cloudflare.saas.zoneHostnames(world.provider.id).find((record) => record.hostname === name);
      atCutover.push({
        value,
        handshakes: world.edge.handshakes.filter((handshake) => handshake.servername === name && handshake.outcome === 'certificate-served').length,
        status: custom ? world.cloudflare.saas.hostnameStatus(custom) : 'none',
        ssl: custom ? world.cloudflare.saas.sslStatus(custom) : 'none',
        txtFirst: world.otherDns.writes.some((write) => write.startsWith(`TXT _acme-challenge.${name}`)),
      });
    });
    const status = await createSaasProxy(world, { dns }).apply({ hostname });
    expect(status.ready).toBe(true);
    expect(atCutover).toHaveLength(1);
    expect(atCutover[0]).toMatchObject({ value: 'sslclick-links.saas-provider.net', status: 'active', ssl: 'active', txtFirst: true });
    expect(atCutover[0]?.handshakes).toBeGreaterThan(0);
  });

  it('leaves DNS at SendGrid when the edge fails the proof, and says why', async () => {
    const hostname = seedOutsideHost(world);
    world.dns.zone.deleteRecord('sendgrid.net');
    const status = await createSaasProxy(world, { cutoverCheckTimeoutMs: 300 }).apply({ hostname });
    expect(status).toMatchObject({ ready: false, state: 'failed', edge: { state: 'failed' }, certificate: { state: 'issued' }, dns: { pointsToCdn: false } });
    expect(status.nextSteps[0]).toMatch(/pre-cutover check .* failed, so DNS was not changed/);
    expect(cnameOf(hostname)).toBe('sendgrid.net');
    expect(world.otherDns.writes.filter((write) => write.startsWith(`CNAME ${hostname}`))).toEqual([]);
    // Fixed, the next run finishes.
    world.dns.zone.setRecord({ name: 'sendgrid.net', type: 'A', value: '127.0.0.2' });
    expect((await createSaasProxy(world).apply({ hostname })).ready).toBe(true);
  });

  it('puts DNS back at SendGrid at once when the edge fails right after the cutover', async () => {
    const hostname = seedOutsideHost(world);
    const dns = dnsWithHook((name, value) => {
      if (name === hostname && value === 'sslclick-links.saas-provider.net') world.dns.zone.deleteRecord('sendgrid.net');
    });
    const error = await createSaasProxy(world, { dns, cutoverCheckTimeoutMs: 500 })
      .apply({ hostname })
      .catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('PROVIDER');
    expect((error as Error).message).toMatch(/back at sendgrid\.net/);
    expect(cnameOf(hostname)).toBe('sendgrid.net');
  });

  it('puts DNS back first when a run finds it pointing at an edge that fails (a run that died after the cutover)', async () => {
    const hostname = seedOutsideHost(world);
    const proxy = createSaasProxy(world);
    expect((await proxy.apply({ hostname })).ready).toBe(true);
    world.dns.zone.deleteRecord('sendgrid.net');
    const broken = await proxy.status({ hostname });
    expect(broken).toMatchObject({ state: 'failed', dns: { pointsToCdn: true, restore: { name: hostname, type: 'CNAME', value: 'sendgrid.net' } } });
    const events: string[] = [];
    const status = await createSaasProxy(world, { cutoverCheckTimeoutMs: 300 }).apply({ hostname }, { onProgress: (event) => events.push(event.type) });
    expect(events).toContain('dns-restored');
    expect(cnameOf(hostname)).toBe('sendgrid.net');
    expect(status.ready).toBe(false);
  });

  it('destroy points DNS back at SendGrid before it deletes the custom hostname', async () => {
    const hostname = seedOutsideHost(world);
    const order: string[] = [];
    const dns = dnsWithHook((name, value) => {
      if (name !== hostname) return;
      const exists = world.cloudflare.saas.zoneHostnames(world.provider.id).some((record) => record.hostname === hostname);
      order.push(`${value} while the custom hostname ${exists ? 'exists' : 'is gone'}`);
    });
    const proxy = createSaasProxy(world, { dns });
    await proxy.apply({ hostname });
    const destroyed = await proxy.destroy({ hostname });
    expect(order).toEqual(['sslclick-links.saas-provider.net while the custom hostname exists', 'sendgrid.net while the custom hostname exists']);
    expect(destroyed.resources).toEqual([]);
    expect(cnameOf(hostname)).toBe('sendgrid.net');
    // Its TXT records went too; other hosts' records stay.
    expect(world.dns.zone.getRecords(`_acme-challenge.${hostname}`)).toEqual([]);
    expect(world.dns.zone.getRecords(`_cf-custom-hostname.${hostname}`)).toEqual([]);
  });
});
