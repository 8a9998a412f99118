/**
 * The Fastly shared-service mode against the sandbox, DNS through the fake Cloudflare: batching
 * of concurrent hosts into one version, other writers racing the batch (an activation, a lock),
 * pre-cutover proof, adopt rules, destroy, and the two readings of what a re-issued subscription
 * serves meanwhile (fake variant `certificateDuringReissue`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, createLookupCache } from '@sslclick/core';
import { EDGE_ADDRESS, defaultFastlyApiVariants } from '@sslclick/sandbox';
import { createFastlyProxy, type FastlyProxySettings } from '../src/index.js';
import { createTestProxy, edgePackagePath, prepareHostname, startFastlyWorld } from './fastly-world.js';
import { clickLink, reliabilityProxy, seedHost, startReliabilityWorld, type ReliabilityWorld } from './reliability-world.js';

let world: ReliabilityWorld;
let serviceCounter = 0;

beforeAll(async () => {
  world = await startReliabilityWorld();
});

afterAll(async () => {
  await world?.close();
});

/** A shared adapter on its own service name, so each test starts from nothing. */
function sharedProxy(settings: Partial<FastlyProxySettings['shared'] & object> = {}, extra: FastlyProxySettings = {}) {
  serviceCounter += 1;
  const serviceName = `sslclick shared test ${serviceCounter}`;
  return { serviceName, adapter: reliabilityProxy(world, { timeoutMs: 2_000, shared: { serviceName, batchWindowMs: 30, domainsPerSubscription: 2, ...settings }, ...extra }) };
}

function serviceNamed(name: string) {
  return world.fastly.state.services.find((service) => service.name === name && service.deleted_at === undefined);
}

function subscriptionsOf(hostnames: readonly string[]) {
  return world.fastly.state.subscriptions.filter((subscription) => subscription.domains.some((domain) => hostnames.includes(domain)));
}

const headers = (): Record<string, string> => ({ 'fastly-key': world.fastly.tokens.admin, 'content-type': 'application/x-www-form-urlencoded' });

/** Someone else clones the active version, adds a domain of theirs and activates it. */
async function activateByHand(serviceId: string, domain: string): Promise<void> {
  const service = (await (await fetch(`${world.fastly.url}/service/${serviceId}`, { headers: headers() })).json()) as { versions: Array<{ number: number; active: boolean }> };
  const active = service.versions.find((version) => version.active)?.number;
  const clone = (await (await fetch(`${world.fastly.url}/service/${serviceId}/version/${active}/clone`, { method: 'PUT', headers: headers() })).json()) as { number: number };
  await fetch(`${world.fastly.url}/service/${serviceId}/version/${clone.number}/domain`, { method: 'POST', headers: headers(), body: new URLSearchParams({ name: domain }).toString() });
  await fetch(`${world.fastly.url}/service/${serviceId}/version/${clone.number}/activate`, { method: 'PUT', headers: headers() });
}

async function untilRequest(matches: (request: { method: string; path: string }) => boolean, from: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!world.fastly.server.requests.slice(from).some(matches)) {
    if (Date.now() > deadline) throw new Error('the request never came');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('settings', () => {
  it('bad shared settings and input are INVALID_INPUT before any request', async () => {
    const before = world.fastly.server.requests.length;
    const base = { apiToken: world.fastly.tokens.admin, baseURL: world.fastly.url, verification: { resolver: world.sandbox.dns.address } };
    for (const shared of ['yes', { domainsPerSubscription: 101 }, { domainsPerSubscription: 0 }, { batchWindowMs: -1 }, { serviceName: ' ' }] as unknown[]) {
      expect(() => createFastlyProxy({ ...base, shared: shared as never }), JSON.stringify(shared)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    const adapter = createFastlyProxy({ ...base, shared: true });
    await expect(adapter.apply({ hostname: 'url1.example.com', origin: 'eu.sendgrid.net' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/per-host mode/) });
    await expect(adapter.apply({ hostname: '*.example.com' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(world.fastly.server.requests.length).toBe(before);
  });
});

describe('batching', () => {
  it('five concurrent applies make one service version, one domain each, and ceil(5 / 2) subscriptions', async () => {
    // A window long enough for all five calls' reads (the default is 1 s).
    const { serviceName, adapter } = sharedProxy({ batchWindowMs: 300 });
    const hostnames = await Promise.all([1, 2, 3, 4, 5].map(() => seedHost(world)));
    const offset = world.fastly.server.requests.length;
    const statuses = await Promise.all(hostnames.map((hostname) => adapter.apply({ hostname })));
    expect(statuses.map((status) => status.ready)).toEqual([true, true, true, true, true]);
    const service = serviceNamed(serviceName);
    expect(service?.versions).toHaveLength(1);
    expect(service?.versions[0]?.domains.map((domain) => domain.name).sort()).toEqual([...hostnames].sort());
    const requests = world.fastly.server.requests.slice(offset);
    expect(requests.filter((request) => request.method === 'POST' && request.path === '/service')).toHaveLength(1);
    expect(requests.filter((request) => request.method === 'PUT' && request.path.endsWith('/activate'))).toHaveLength(1);
    expect(subscriptionsOf(hostnames)).toHaveLength(3);
    // Fastly writes for the five: the service, its backend and snippet, 5 domains, 1 activation,
    // 3 subscriptions (the per-host mode makes ~6 per host: ~30).
    const fastlyWrites = requests.filter((request) => request.method !== 'GET').length;
    console.info(`shared batch of 5 hosts: ${fastlyWrites} Fastly writes`);
    expect(fastlyWrites).toBeLessThanOrEqual(12);
    // Every host serves through the one service.
    for (const hostname of hostnames) expect(await clickLink(world, hostname, 'https://shop.example.org/a')).toMatchObject({ status: 302, location: 'https://shop.example.org/a' });
    // Apply again: nothing to write.
    const writes = world.fastly.server.writes();
    expect((await Promise.all(hostnames.map((hostname) => adapter.apply({ hostname })))).every((status) => status.ready)).toBe(true);
    expect(world.fastly.server.writes()).toBe(writes);
  });

  it('the hosts of one run read the shared service once, and see what a batch of theirs changed', async () => {
    const { serviceName, adapter } = sharedProxy();
    const [first, second] = [await seedHost(world), await seedHost(world)];
    const setupRun = createLookupCache();
    expect((await adapter.apply({ hostname: first }, { lookupCache: setupRun })).ready).toBe(true);
    // The run has read the service holding only the first host: the second one's batch must not
    // leave its status looking at that.
    const secondStatus = await adapter.apply({ hostname: second }, { lookupCache: setupRun });
    expect(secondStatus).toMatchObject({ ready: true, edge: { state: 'deployed' } });
    const serviceId = serviceNamed(serviceName)?.id ?? '';
    const details = (from: number) => world.fastly.server.requests.slice(from).filter((request) => request.path === `/service/${serviceId}/details`).length;

    let offset = world.fastly.server.requests.length;
    const statusRun = createLookupCache();
    const statuses = await Promise.all([first, second].map((hostname) => adapter.status({ hostname }, { lookupCache: statusRun })));
    expect(statuses.map((status) => [status.ready, status.edge.state])).toEqual([[true, 'deployed'], [true, 'deployed']]);
    expect(details(offset)).toBe(1);

    // Without a run's cache every call reads the service as it is now.
    offset = world.fastly.server.requests.length;
    for (const hostname of [first, second]) expect((await adapter.status({ hostname })).ready).toBe(true);
    expect(details(offset)).toBe(2);
  });

  it('a host joins the subscription with room, and a full one is left alone', async () => {
    const { adapter } = sharedProxy({ domainsPerSubscription: 3 });
    const first = await Promise.all([seedHost(world), seedHost(world)]);
    await Promise.all(first.map((hostname) => adapter.apply({ hostname })));
    const [subscription] = subscriptionsOf(first);
    const third = await seedHost(world);
    expect((await adapter.apply({ hostname: third })).ready).toBe(true);
    expect(subscriptionsOf([third])[0]?.id).toBe(subscription?.id);
    const fourth = await seedHost(world);
    expect((await adapter.apply({ hostname: fourth })).ready).toBe(true);
    expect(subscriptionsOf([fourth])[0]?.id).not.toBe(subscription?.id);
    // The earlier hosts kept their certificate through the re-issue.
    for (const hostname of [...first, third]) expect(await clickLink(world, hostname, 'https://shop.example.org/b')).toMatchObject({ status: 302 });
  });
});

describe('a host Fastly refuses fails alone', () => {
  it('a host on someone else\'s service: CONFLICT for it, the rest of the batch is served', async () => {
    const { serviceName, adapter } = sharedProxy({ batchWindowMs: 300 });
    const hostnames = await Promise.all([seedHost(world), seedHost(world), seedHost(world)]);
    const taken = hostnames[1] ?? '';
    world.fastly.addForeignService({ hostname: taken });
    const results = await Promise.allSettled(hostnames.map((hostname) => adapter.apply({ hostname })));
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value.ready : (result.reason as SslClickError).code))).toEqual([true, 'CONFLICT', true]);
    expect(serviceNamed(serviceName)?.versions.find((version) => version.active)?.domains.map((domain) => domain.name).sort()).toEqual([hostnames[0], hostnames[2]].sort());
  });

  it('past the account\'s domains per service: CONFLICT saying to ask Fastly support, the others are added', async () => {
    const limited = await startFastlyWorld({ maxDomainsPerService: 2 });
    try {
      const adapter = await createTestProxy(limited, { mode: 'vcl', shared: { batchWindowMs: 300 } });
      const hostnames = await Promise.all([prepareHostname(limited), prepareHostname(limited), prepareHostname(limited)]);
      const results = await Promise.allSettled(hostnames.map((hostname) => adapter.apply({ hostname })));
      const refused = results.filter((result) => result.status === 'rejected').map((result) => result.reason as SslClickError);
      expect(refused).toHaveLength(1);
      expect(refused[0]?.code).toBe('CONFLICT');
      expect(refused[0]?.message).toMatch(/limit of domains per service.*Fastly support/);
      expect(limited.fastly.state.services[0]?.versions.find((version) => version.active)?.domains).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });
});

describe('other writers racing the batch', () => {
  it('a version activated by someone else meanwhile is not overwritten: the batch starts again from it', async () => {
    const { serviceName, adapter } = sharedProxy();
    const first = await seedHost(world);
    await adapter.apply({ hostname: first });
    const service = serviceNamed(serviceName);
    const second = await seedHost(world);
    const theirs = `theirs${Date.now()}.example.net`;
    const offset = world.fastly.server.requests.length;
    world.fastly.server.injectFault({ kind: 'slow', delayMs: 300, match: { method: 'PUT', path: /\/clone$/ } });
    const applying = adapter.apply({ hostname: second });
    await untilRequest((request) => request.method === 'PUT' && request.path.endsWith('/clone'), offset);
    await activateByHand(service?.id ?? '', theirs);
    expect((await applying).ready).toBe(true);
    const active = serviceNamed(serviceName)?.versions.find((version) => version.active);
    expect(active?.domains.map((domain) => domain.name).sort()).toEqual([first, second, theirs].sort());
  });

  it('a draft locked under the batch (422 Version locked) is left, and a new clone finishes', async () => {
    const { serviceName, adapter } = sharedProxy();
    const first = await seedHost(world);
    await adapter.apply({ hostname: first });
    const service = serviceNamed(serviceName);
    const second = await seedHost(world);
    const offset = world.fastly.server.requests.length;
    world.fastly.server.injectFault({ kind: 'slow', delayMs: 300, match: { method: 'PUT', path: /\/clone$/ } });
    const applying = adapter.apply({ hostname: second });
    await untilRequest((request) => request.method === 'PUT' && request.path.endsWith('/clone'), offset);
    const draft = service?.versions.at(-1)?.number;
    await fetch(`${world.fastly.url}/service/${service?.id}/version/${draft}/lock`, { method: 'PUT', headers: headers() });
    expect((await applying).ready).toBe(true);
    expect(world.fastly.server.requests.slice(offset).some((request) => request.status === 422)).toBe(true);
    const active = serviceNamed(serviceName)?.versions.find((version) => version.active);
    expect(active?.number).toBeGreaterThan(draft ?? 0);
    expect(active?.domains.map((domain) => domain.name).sort()).toEqual([first, second].sort());
  });
});

describe('pre-cutover proof', () => {
  it('leaves DNS on SendGrid while the edge does not serve the host, then cuts over once it does', async () => {
    const { adapter } = sharedProxy({}, { cutoverCheckTimeoutMs: 400 });
    const hostname = await seedHost(world);
    // The edge name answers nowhere: the proof through the edge cannot pass.
    world.sandbox.dns.zone.setRecord({ name: world.fastly.cnameTarget, type: 'A', value: '127.0.0.9' });
    try {
      const error = await adapter.apply({ hostname }).then(() => undefined, (caught: unknown) => caught);
      expect(SslClickError.isInstance(error) && error.code).toBe('PROVIDER');
      expect(world.cloudflare.recordsAt(world.zone.id, hostname).map((record) => record.content)).toEqual(['sendgrid.net']);
    } finally {
      world.sandbox.dns.zone.setRecord({ name: world.fastly.cnameTarget, type: 'A', value: EDGE_ADDRESS });
    }
    expect((await adapter.apply({ hostname })).ready).toBe(true);
    expect(world.cloudflare.recordsAt(world.zone.id, hostname).map((record) => record.content)).toEqual([world.fastly.cnameTarget]);
  });
});

describe('adopt rules', () => {
  it('a service of that name sslclick did not make: CONFLICT without adopt, no write; with adopt the host joins it and it is never deleted', async () => {
    // Compute: sslclick's program sends to its own `sendgrid` backend, whatever else the service holds.
    const { serviceName, adapter } = sharedProxy({}, { mode: 'compute', computePackage: await edgePackagePath() });
    const foreignHost = `foreign${Date.now()}.example.net`;
    const foreign = world.fastly.addForeignService({ hostname: foreignHost, name: serviceName, type: 'wasm' });
    const hostname = await seedHost(world);
    const writes = world.fastly.server.writes();
    const error = await adapter.apply({ hostname }).then(() => undefined, (caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('CONFLICT');
    expect(world.fastly.server.writes()).toBe(writes);
    const adopted = await adapter.apply({ hostname, adopt: true });
    expect(adopted.ready).toBe(true);
    expect(adopted.resources).toContainEqual({ kind: 'fastly-service', id: foreign.serviceId, owned: false });
    await adapter.destroy({ hostname, adopt: true });
    const after = foreign.snapshot() as { comment: string; versions: Array<{ active: boolean; domains: Array<{ name: string }> }> } | null;
    expect(after?.comment).toBe('Created by hand in the Fastly console');
    expect(after?.versions.find((version) => version.active)?.domains.map((domain) => domain.name)).toEqual([foreignHost]);
  });
});

describe('destroy', () => {
  it('takes one host off (DNS back first), keeps the service for the others, and deletes service and subscription with the last', async () => {
    const { serviceName, adapter } = sharedProxy();
    const hostnames = await Promise.all([seedHost(world), seedHost(world), seedHost(world)]);
    await Promise.all(hostnames.map((hostname) => adapter.apply({ hostname })));
    const [first, ...rest] = hostnames as [string, ...string[]];
    const gone = await adapter.destroy({ hostname: first });
    expect(gone.resources).toEqual([]);
    expect(world.cloudflare.recordsAt(world.zone.id, first).map((record) => record.content)).toEqual(['sendgrid.net']);
    expect(await clickLink(world, first, 'https://shop.example.org/c')).toMatchObject({ status: 302, location: 'https://shop.example.org/c' });
    expect(serviceNamed(serviceName)?.versions.find((version) => version.active)?.domains.map((domain) => domain.name).sort()).toEqual([...rest].sort());
    for (const hostname of rest) expect((await adapter.status({ hostname })).ready).toBe(true);
    await Promise.all(rest.map((hostname) => adapter.destroy({ hostname })));
    expect(serviceNamed(serviceName)).toBeUndefined();
    expect(subscriptionsOf(hostnames)).toEqual([]);
    const writes = world.fastly.server.writes();
    expect((await adapter.destroy({ hostname: first })).resources).toEqual([]);
    expect(world.fastly.server.writes()).toBe(writes);
  });
});

describe('what a re-issued subscription serves meanwhile (the evidence is unsure)', () => {
  it('dropped: with joinIssuedSubscriptions: false a new host never joins an issued subscription, so live hosts keep their certificate', async () => {
    world.fastly.setVariants({ certificateDuringReissue: 'dropped' });
    try {
      const { adapter } = sharedProxy({ joinIssuedSubscriptions: false, domainsPerSubscription: 5 });
      const live = await seedHost(world);
      expect((await adapter.apply({ hostname: live })).ready).toBe(true);
      const certificates: boolean[] = [];
      const newcomer = await seedHost(world);
      const applying = adapter.apply({ hostname: newcomer });
      const watching = setInterval(() => certificates.push(world.sandbox.edge.getCertificate(live) !== undefined), 5);
      expect((await applying).ready).toBe(true);
      clearInterval(watching);
      expect(certificates.every(Boolean)).toBe(true);
      expect(subscriptionsOf([live])[0]?.id).not.toBe(subscriptionsOf([newcomer])[0]?.id);
    } finally {
      world.fastly.setVariants(defaultFastlyApiVariants);
    }
  });

  it('dropped: with joinIssuedSubscriptions: false a destroyed host is parked while its subscription serves another, and goes with the last', async () => {
    world.fastly.setVariants({ certificateDuringReissue: 'dropped' });
    try {
      const { serviceName, adapter } = sharedProxy({ joinIssuedSubscriptions: false, domainsPerSubscription: 5, batchWindowMs: 300 });
      const [leaving, staying] = (await Promise.all([seedHost(world), seedHost(world)])) as [string, string];
      await Promise.all([leaving, staying].map((hostname) => adapter.apply({ hostname })));
      const [subscription] = subscriptionsOf([leaving, staying]);
      expect(subscription?.domains.sort()).toEqual([leaving, staying].sort());
      const certificates: boolean[] = [];
      const watching = setInterval(() => certificates.push(world.sandbox.edge.getCertificate(staying) !== undefined), 5);
      const parked = await adapter.destroy({ hostname: leaving });
      clearInterval(watching);
      expect(certificates.every(Boolean)).toBe(true);
      expect(parked.warnings.join(' ')).toMatch(/stays on the TLS subscription/);
      expect(world.cloudflare.recordsAt(world.zone.id, leaving).map((record) => record.content)).toEqual(['sendgrid.net']);
      expect(subscriptionsOf([leaving])[0]?.domains.sort()).toEqual([leaving, staying].sort());
      expect(await clickLink(world, staying, 'https://shop.example.org/d')).toMatchObject({ status: 302 });
      // The last live host goes: the subscription, both domains and the service go with it.
      await adapter.destroy({ hostname: staying });
      expect(subscriptionsOf([leaving, staying])).toEqual([]);
      expect(serviceNamed(serviceName)).toBeUndefined();
      expect(world.cloudflare.recordsAt(world.zone.id, `_acme-challenge.${leaving}`)).toEqual([]);
      expect(world.cloudflare.recordsAt(world.zone.id, `_acme-challenge.${staying}`)).toEqual([]);
    } finally {
      world.fastly.setVariants(defaultFastlyApiVariants);
    }
  });

  it('kept (default): the new host joins, and the live host is served all along', async () => {
    const { adapter } = sharedProxy({ domainsPerSubscription: 5 });
    const live = await seedHost(world);
    expect((await adapter.apply({ hostname: live })).ready).toBe(true);
    const certificates: boolean[] = [];
    const newcomer = await seedHost(world);
    const applying = adapter.apply({ hostname: newcomer });
    const watching = setInterval(() => certificates.push(world.sandbox.edge.getCertificate(live) !== undefined), 5);
    expect((await applying).ready).toBe(true);
    clearInterval(watching);
    expect(certificates.every(Boolean)).toBe(true);
    expect(subscriptionsOf([live])[0]?.id).toBe(subscriptionsOf([newcomer])[0]?.id);
  });
});
