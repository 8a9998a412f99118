/**
 * Writes whose answer is lost (the vendor carried them out, the client timed out) on the paths the
 * reliability sweep over a fresh host does not reach: the clone of a repair, the deactivation of a
 * destroy, and a re-read that itself fails.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { reliabilityProxy, resourceCounts, seedHost, startReliabilityWorld, type ReliabilityWorld } from './reliability-world.js';

let world: ReliabilityWorld | undefined;
const started = startReliabilityWorld().then((started) => (world = started));
afterAll(() => world?.close(), 30_000);

// Longer than reliabilityProxy's 1 s time-out, so the adapter gives up on the answer.
const slow = { kind: 'slow' as const, delayMs: 1_500 };

function serviceOf(current: ReliabilityWorld, hostname: string) {
  const service = current.fastly.state.services.find((candidate) => candidate.name === `sslclick ${hostname}`);
  if (!service) throw new Error(`no service for ${hostname}`);
  return service;
}

describe('a write whose answer is lost is not sent again when it took effect', () => {
  it('version.clone of a repair: one new version, not two', { timeout: 60_000 }, async () => {
    const current = await started;
    const hostname = await seedHost(current);
    expect((await reliabilityProxy(current).apply({ hostname })).ready).toBe(true);
    // Drift on the active version: the pass snippet is gone, so apply clones and repairs it.
    const active = serviceOf(current, hostname).versions.find((version) => version.active);
    if (active) active.snippets = [];
    current.fastly.server.injectFault({ ...slow, match: { method: 'PUT', path: /\/clone$/ } });
    const status = await reliabilityProxy(current).apply({ hostname });
    expect(current.fastly.server.requests.filter((request) => request.path.endsWith('/clone')).map((request) => request.fault)).toEqual(['slow']);
    expect(status.ready).toBe(true);
    expect(serviceOf(current, hostname).versions.map((version) => ({ number: version.number, active: version.active, snippets: version.snippets.length }))).toEqual([
      { number: 1, active: false, snippets: 0 },
      { number: 2, active: true, snippets: 1 },
    ]);
  });

  it('version.deactivate of a destroy: destroy completes', { timeout: 60_000 }, async () => {
    const current = await started;
    const hostname = await seedHost(current);
    const adapter = reliabilityProxy(current);
    expect((await adapter.apply({ hostname })).ready).toBe(true);
    current.fastly.server.injectFault({ ...slow, match: { method: 'PUT', path: /\/deactivate$/ } });
    const destroyed = await adapter.destroy({ hostname });
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
    expect(resourceCounts(current, hostname)).toMatchObject({ services: 0, subscriptions: 0 });
  });

  it('when the re-read fails too, the create is not sent blind; the next apply picks it up', { timeout: 60_000 }, async () => {
    const current = await started;
    const hostname = await seedHost(current);
    const offset = current.fastly.server.requests.length;
    current.fastly.server.injectFault({ ...slow, match: { method: 'POST', path: '/service' } });
    let broken = false;
    const error = await reliabilityProxy(current)
      .apply(
        { hostname },
        {
          onProgress: (event) => {
            // Once service.create has timed out, every read that could tell whether it took effect fails.
            if (event.type === 'request-retrying' && event.message.startsWith('service.create') && !broken) {
              broken = true;
              current.fastly.server.injectFault({ kind: 'server-error', match: { method: 'GET', path: '/service/search' }, times: 100 });
            }
          },
        },
      )
      .catch((caught: unknown) => caught);
    current.fastly.server.clearFaults();
    expect(broken).toBe(true);
    expect(error).toMatchObject({ code: 'PROVIDER', operation: 'service.create', message: expect.stringContaining('it was not sent again') });
    expect(current.fastly.server.requests.slice(offset).filter((request) => request.method === 'POST' && request.path === '/service')).toHaveLength(1);
    const status = await reliabilityProxy(current).apply({ hostname });
    expect(status.ready).toBe(true);
    expect(resourceCounts(current, hostname)).toMatchObject({ services: 1, subscriptions: 1, versions: 1 });
  });
});
