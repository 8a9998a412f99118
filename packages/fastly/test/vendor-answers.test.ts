/**
 * The adapter against the answers Fastly really gives where they differ from what a fake would
 * naturally say, and under each plausible answer where the evidence is unsure (the fake's
 * `variants`). The evidence for each answer is cited in packages/sandbox/src/fastly-api/fidelity.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, type ProgressEvent } from '@sslclick/core';
import { defaultFastlyApiVariants, type FastlyService } from '@sslclick/sandbox';
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
