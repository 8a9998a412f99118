/**
 * Done-when of issue 15 item 1: a branded host whose DNS is outside Cloudflare (served by the
 * sandbox DNS as "another provider", no Cloudflare zone of its own, records published by hand
 * from `dns.required`) reaches ready through Cloudflare for SaaS; a click goes through the edge to
 * SendGrid with the branded Host; destroy refuses while DNS points at Cloudflare and removes the
 * custom hostname once it points back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, verifyHostname } from '@sslclick/core';
import { createCloudflareProxy } from '../src/index.js';
import { publishRequired, saasSettings, seedOutsideHost, startSaasWorld, type SaasWorld } from './saas-world.js';

let world: SaasWorld;

beforeAll(async () => {
  world = await startSaasWorld();
});

afterAll(async () => {
  await world?.close();
});

describe('Cloudflare for SaaS, a branded host whose DNS is not on Cloudflare', () => {
  it('reaches ready in three runs (TXT, proof, CNAME), and a click reaches SendGrid with the branded Host', async () => {
    const hostname = seedOutsideHost(world, 'elsewhere-dns.org');
    expect(world.cloudflare.state.zones.size).toBe(1); // only the provider zone: the host has none
    const proxy = createCloudflareProxy(saasSettings(world));

    // 1. The custom hostname exists; its two TXT records are to publish; DNS stays at SendGrid.
    const first = await proxy.apply({ hostname });
    expect(first).toMatchObject({ state: 'provisioning', ready: false, dns: { managed: false, pointsToCdn: false } });
    expect(first.dns.required.map((record) => `${record.type} ${record.name}`)).toEqual([`TXT _cf-custom-hostname.${hostname}`, `TXT _acme-challenge.${hostname}`]);
    expect(first.certificate.state).toBe('pending');
    expect(first.nextSteps[0]).toMatch(/Publish the TXT records/);
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);

    // 2. With the TXT records published, the certificate is issued and proven through the edge;
    // only now is the CNAME asked for.
    publishRequired(world, first);
    const second = await proxy.apply({ hostname });
    expect(second).toMatchObject({ state: 'provisioning', certificate: { state: 'issued' }, edge: { state: 'deployed', target: 'sslclick-links.saas-provider.net' }, dns: { pointsToCdn: false } });
    expect(second.dns.required).toContainEqual(expect.objectContaining({ name: hostname, type: 'CNAME', value: 'sslclick-links.saas-provider.net' }));
    expect(second.nextSteps[0]).toMatch(/checked through sslclick-links\.saas-provider\.net.*change .* from CNAME sendgrid\.net to CNAME sslclick-links\.saas-provider\.net/);
    expect(world.edge.handshakes.some((handshake) => handshake.servername === hostname && handshake.outcome === 'certificate-served')).toBe(true);
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);

    // 3. The customer moves the CNAME at their DNS host; apply sees it and says ready.
    publishRequired(world, second);
    const third = await proxy.apply({ hostname });
    expect(third).toMatchObject({ state: 'ready', ready: true, dns: { managed: false, pointsToCdn: true } });
    expect(third.resources).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'custom-hostname', owned: true })]));

    // A click from a sent message, as SendGrid support would check it.
    const link = world.origin.createLink(hostname, 'https://shop.example.org/welcome');
    const before = world.origin.requests.length;
    const result = await verifyHostname(hostname, { ...world.verification, sampleLink: link.clickUrl, expectedTargets: ['sslclick-links.saas-provider.net'] });
    expect(result.ok).toBe(true);
    expect(result.observed.https?.location).toBe('https://shop.example.org/welcome');
    expect(world.origin.requests.slice(before)).toContainEqual(expect.objectContaining({ host: hostname, servername: hostname, path: '/ls/click' }));

    // Destroy: refused while the public CNAME points at Cloudflare, with nothing removed.
    const writes = world.cloudflare.server.writes();
    const refusal = await proxy.destroy({ hostname }).catch((error: unknown) => error);
    expect(SslClickError.isInstance(refusal) && refusal.code).toBe('UNSAFE');
    expect(world.cloudflare.server.writes()).toBe(writes);
    // Back at SendGrid, destroy removes the custom hostname and its marker, and names the TXT records to remove.
    world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net', ttl: 60 });
    const destroyed = await proxy.destroy({ hostname });
    expect(destroyed.resources).toEqual([]);
    expect(destroyed.nextSteps.join(' ')).toMatch(/Remove the TXT records/);
    expect(world.cloudflare.saas.zoneHostnames(world.provider.id).some((record) => record.hostname === hostname)).toBe(false);
    expect(world.edge.getRoute(hostname)).toBeUndefined();
  }, 60_000);
});
