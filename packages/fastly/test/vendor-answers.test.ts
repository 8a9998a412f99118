/**
 * The adapter against the answers Fastly really gives where they differ from what a fake would
 * naturally say, and under each plausible answer where the evidence is unsure (the fake's
 * `variants`). The evidence for each answer is cited in packages/sandbox/src/fastly-api/fidelity.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, type ProgressEvent } from '@sslclick/core';
import { defaultFastlyApiVariants, type FastlyService } from '@sslclick/sandbox';
import { createFastlyProxy } from '../src/index.js';
import { createTestProxy, prepareHostname, publishRecords, restoreSendGrid, startFastlyWorld, type FastlyWorld } from './fastly-world.js';

let world: FastlyWorld;

beforeAll(async () => {
  world = await startFastlyWorld();
});

afterEach(() => {
  world.fastly.setVariants(defaultFastlyApiVariants);
  world.fastly.server.clearFaults();
});

afterAll(async () => {
  await world?.close();
});

function servicesNamed(hostname: string): FastlyService[] {
  return world.fastly.state.services.filter((candidate) => candidate.name === `sslclick ${hostname}`);
}

function liveServicesNamed(hostname: string): FastlyService[] {
  return servicesNamed(hostname).filter((service) => service.deleted_at === undefined);
}

describe('a hostname no service has yet (search answers 400)', () => {
  it('plan, status, apply, destroy and its closing status all treat the 400 as "absent"', async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    const offset = world.fastly.server.requests.length;

    const plan = await adapter.plan({ hostname });
    expect(plan.changes[0]).toMatchObject({ resource: { kind: 'fastly-service', name: `sslclick ${hostname}` }, action: 'create' });
    // The fake really answered the search with 400, as Fastly does.
    expect(world.fastly.server.requests.slice(offset).find((request) => request.path === '/service/search')?.status).toBe(400);

    const before = await adapter.status({ hostname });
    expect(before.state).toBe('absent');
    expect(before.edge.state).toBe('absent');

    let status = await adapter.apply({ hostname });
    await publishRecords(world, status);
    status = await adapter.apply({ hostname });
    expect(status.ready).toBe(true);
    expect(liveServicesNamed(hostname)).toHaveLength(1);

    restoreSendGrid(world, hostname);
    const destroyed = await adapter.destroy({ hostname });
    expect(destroyed.edge.state).toBe('absent');
    expect(destroyed.resources).toEqual([]);
    expect(liveServicesNamed(hostname)).toHaveLength(0);
  });

  it('a create whose answer was lost is read back through the 400-answering search: one service, not an unknown outcome', { timeout: 30_000 }, async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'vcl', timeoutMs: 400 });
    const offset = world.fastly.server.requests.length;
    world.fastly.server.injectFault({ kind: 'slow', delayMs: 900, match: { method: 'POST', path: /^\/service$/ } });
    const status = await adapter.apply({ hostname });
    expect(status.edge.state).toBe('deployed');
    expect(world.fastly.server.requests.slice(offset).filter((request) => request.method === 'POST' && request.path === '/service').map((request) => request.fault)).toEqual(['slow']);
    expect(liveServicesNamed(hostname)).toHaveLength(1);
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });
});

describe.each(['removed', 'kept'] as const)('a deleted service (deleted services %s)', (deletedServices) => {
  it('is never reused: status shows it absent and apply makes one new live service, once', { timeout: 30_000 }, async () => {
    world.fastly.setVariants({ deletedServices });
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    let status = await adapter.apply({ hostname });
    await publishRecords(world, status);
    expect((await adapter.apply({ hostname })).ready).toBe(true);
    const first = liveServicesNamed(hostname)[0]!;
    restoreSendGrid(world, hostname);
    expect((await adapter.destroy({ hostname })).edge.state).toBe('absent');
    // In the `kept` variant Fastly still returns it, with deleted_at set.
    expect(servicesNamed(hostname).map((service) => service.deleted_at !== undefined)).toEqual(deletedServices === 'kept' ? [true] : []);

    expect((await adapter.status({ hostname })).resources.filter((resource) => resource.kind === 'fastly-service')).toEqual([]);
    expect((await adapter.plan({ hostname })).changes[0]).toMatchObject({ resource: { kind: 'fastly-service' }, action: 'create' });
    status = await adapter.apply({ hostname });
    await publishRecords(world, status);
    status = await adapter.apply({ hostname });
    expect(status.ready).toBe(true);
    // Search finds the deleted one first in the `kept` variant; the live one is still found, not duplicated.
    const live = liveServicesNamed(hostname);
    expect(live).toHaveLength(1);
    expect(live[0]!.id).not.toBe(first.id);
    expect(status.resources).toContainEqual({ kind: 'fastly-service', id: live[0]!.id, owned: true });
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
    expect(liveServicesNamed(hostname)).toHaveLength(0);
  });
});

describe.each(['generic', 'names-service'] as const)('a domain another service holds (refusal detail: %s)', (domainTakenDetail) => {
  it('names the holder, found by reading the services, and leaves no service behind', async () => {
    world.fastly.setVariants({ domainTakenDetail });
    const hostname = await prepareHostname(world);
    const foreign = world.fastly.addForeignService({ hostname, name: 'Marketing site' });
    const before = foreign.snapshot();
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    const error = await adapter.apply({ hostname }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`"Marketing site" (${foreign.serviceId})`) });
    expect(liveServicesNamed(hostname)).toEqual([]);
    expect(foreign.snapshot()).toEqual(before);
  });

  it('a domain on another customer\'s service: CONFLICT saying so, no service left behind', async () => {
    world.fastly.setVariants({ domainTakenDetail });
    const hostname = await prepareHostname(world);
    world.fastly.addForeignService({ hostname, customer: 'other' });
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    await expect(adapter.apply({ hostname })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('another Fastly customer') });
    expect(liveServicesNamed(hostname)).toEqual([]);
  });
});

describe.each([422, 400] as const)('a version locked by someone else while apply edits it (locked edits answer %s)', (lockedVersionStatus) => {
  it('stops with CONFLICT without touching the locked version again; the next apply clones and finishes', { timeout: 30_000 }, async () => {
    world.fastly.setVariants({ lockedVersionStatus });
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'vcl' });
    // A run that stopped after creating the service left its version 1 as an empty draft.
    const created = await fetch(`${world.fastly.url}/service`, {
      method: 'POST',
      headers: { 'fastly-key': world.fastly.tokens.admin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: `sslclick ${hostname}`, type: 'vcl', comment: `Managed by sslclick: SendGrid HTTPS click tracking for ${hostname}.` }).toString(),
    });
    expect(created.status).toBe(200);
    const service = liveServicesNamed(hostname)[0]!;
    const events: ProgressEvent[] = [];
    const error = await adapter
      .apply(
        { hostname },
        {
          onProgress: (event) => {
            events.push(event);
            // Someone locks the draft right after apply's first change to it.
            if (event.type === 'version-changed') service.versions[0]!.locked = true;
          },
        },
      )
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('locked') });
    expect(events.filter((event) => event.type === 'version-changed')).toHaveLength(1);
    expect(service.versions.map((version) => ({ number: version.number, locked: version.locked, domains: version.domains.length, backends: version.backends.length }))).toEqual([
      { number: 1, locked: true, domains: 1, backends: 0 },
    ]);

    const status = await adapter.apply({ hostname });
    expect(status.edge.state).toBe('deployed');
    expect(service.versions.map((version) => ({ number: version.number, active: version.active }))).toEqual([
      { number: 1, active: false },
      { number: 2, active: true },
    ]);
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });
});

describe.each([false, true])('a 429 on a /tls write (rate-limit headers on /tls answers: %s)', (tlsRateLimitHeaders) => {
  it('waits for the reset it knows and finishes, whether or not the /tls answer says when', { timeout: 30_000 }, async () => {
    world.fastly.setVariants({ tlsRateLimitHeaders });
    const hostname = await prepareHostname(world);
    // minimumRemaining -1: never wait beforehand, so the subscription create itself meets the 429.
    const adapter = await createTestProxy(world, { mode: 'vcl', rateLimit: { minimumRemaining: -1 } });
    const offset = world.fastly.server.requests.length;
    // Five classic writes (service, domain, backend, snippet, activate) use the budget up.
    world.fastly.setRateLimit({ limit: 1000, remaining: 5, windowMs: 1_500 });
    try {
      const status = await adapter.apply({ hostname });
      expect(status.certificate.state).toBe('pending');
      const limited = world.fastly.server.requests.slice(offset).filter((request) => request.status === 429);
      expect(limited.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /tls/subscriptions']);
      expect(world.fastly.state.subscriptions.filter((subscription) => subscription.domains.includes(hostname))).toHaveLength(1);
    } finally {
      world.fastly.setRateLimit({ limit: 1000, windowMs: 3_600_000 });
    }
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });
});

describe('the Compute package upload', () => {
  it('has its own deadline, long enough for a slow link, apart from timeoutMs', { timeout: 30_000 }, async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'compute', timeoutMs: 300 });
    const offset = world.fastly.server.requests.length;
    world.fastly.server.injectFault({ kind: 'slow', delayMs: 1_200, match: { method: 'PUT', path: /\/package$/ } });
    const status = await adapter.apply({ hostname });
    expect(status.edge.state).toBe('deployed');
    // One upload, answered after 1.2 s: not abandoned at timeoutMs and not sent again.
    expect(world.fastly.server.requests.slice(offset).filter((request) => request.path.endsWith('/package') && request.method === 'PUT').map((request) => request.fault)).toEqual(['slow']);
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });

  it('packageUploadTimeoutMs must be a positive number: INVALID_INPUT at construction', () => {
    for (const packageUploadTimeoutMs of [0, -5, Number.NaN]) {
      let thrown: unknown;
      try {
        createFastlyProxy({ apiToken: 'token', packageUploadTimeoutMs });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('packageUploadTimeoutMs') });
    }
  });

  it('packageUploadTimeoutMs is honoured: an upload slower than it is a TIMEOUT naming it', { timeout: 30_000 }, async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world, { mode: 'compute', packageUploadTimeoutMs: 200, retry: { maxAttempts: 1 } });
    world.fastly.server.injectFault({ kind: 'slow', delayMs: 800, match: { method: 'PUT', path: /\/package$/ } });
    await expect(adapter.apply({ hostname })).rejects.toMatchObject({ code: 'TIMEOUT', operation: 'package.upload', message: expect.stringContaining('200 ms') });
    world.fastly.server.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect((await adapter.apply({ hostname })).edge.state).toBe('deployed');
    restoreSendGrid(world, hostname);
    await adapter.destroy({ hostname });
  });
});
