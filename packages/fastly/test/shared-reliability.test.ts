/**
 * Reliability of the Fastly shared-service mode, as reliability.test.ts sweeps the per-host
 * mode: a fault at every Fastly call of a clean apply (each case on a service of its own, so
 * "request k" is the same call every time), and failures after the pre-cutover check, which must
 * never break a live link.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SslClickError } from '@sslclick/core';
import type { Fault } from '@sslclick/sandbox';
import type { FastlyProxySettings } from '../src/index.js';
import { clickLink, fastTimings, reliabilityProxy, seedHost, startReliabilityWorld, type ReliabilityWorld } from './reliability-world.js';

const caseTimeout = 60_000;
const worlds: ReliabilityWorld[] = [];
const idle: ReliabilityWorld[] = [];
const waiting: Array<(world: ReliabilityWorld) => void> = [];

/** Two worlds, handed out one case at a time. */
async function useWorld<Result>(run: (world: ReliabilityWorld) => Promise<Result>): Promise<Result> {
  let world = idle.pop();
  if (!world && worlds.length < 2) {
    world = await startReliabilityWorld();
    worlds.push(world);
  }
  world ??= await new Promise<ReliabilityWorld>((resolve) => waiting.push(resolve));
  try {
    return await run(world);
  } finally {
    world.fastly.server.clearFaults();
    world.cloudflare.server.clearFaults();
    const next = waiting.shift();
    if (next) next(world);
    else idle.push(world);
  }
}
afterAll(async () => {
  for (const world of worlds) await world.close();
}, 30_000);

let services = 0;
function sharedSettings(extra: FastlyProxySettings = {}): FastlyProxySettings {
  services += 1;
  return { timeoutMs: 1_000, shared: { serviceName: `sslclick shared reliability ${services}`, batchWindowMs: 0 }, ...extra };
}

function describeRequest(request: { method: string; path: string }): string {
  return `${request.method} ${request.path.replace(/^\/service\/(?!search)[^/]+/, '/service/:id').replace(/^\/tls\/(subscriptions|configurations)\/[^/]+/, '/tls/$1/:id')}`;
}

/** What the fake holds for the case's service and host, once a run is over. */
function holdings(world: ReliabilityWorld, settings: FastlyProxySettings, hostname: string) {
  const name = typeof settings.shared === 'object' ? settings.shared.serviceName : undefined;
  const named = world.fastly.state.services.filter((service) => service.name === name && service.deleted_at === undefined);
  const active = named[0]?.versions.find((version) => version.active);
  return {
    services: named.length,
    activeDomains: active?.domains.map((domain) => domain.name.replace(hostname, 'HOST')) ?? [],
    backends: active?.backends.map((backend) => backend.name) ?? [],
    snippets: active?.snippets.map((snippet) => snippet.name) ?? [],
    subscriptions: world.fastly.state.subscriptions.filter((subscription) => subscription.domains.includes(hostname)).length,
    records: world.cloudflare.recordsAt(world.zone.id, hostname).map((record) => record.content),
  };
}

const clean = await useWorld(async (world) => {
  const hostname = await seedHost(world);
  const settings = sharedSettings();
  const offset = world.fastly.server.requests.length;
  const status = await reliabilityProxy(world, settings).apply({ hostname });
  if (!status.ready) throw new Error(`the clean run did not reach ready: ${status.nextSteps.join(' ')}`);
  return { requests: world.fastly.server.requests.slice(offset).map(describeRequest), holdings: holdings(world, settings, hostname) };
});

// A dropped connection at every call (a write's answer lost: the recovery reads it back); a 500
// and a 429 at every write. Reads with a 500 or 429 are retried as the per-host sweep shows.
const writeIndexes = clean.requests.flatMap((request, k) => (request.startsWith('GET ') ? [] : [k]));
const sweep = [
  ...clean.requests.map((request, k) => ({ fault: { kind: 'reset' } as Omit<Fault, 'match'>, k, label: `reset at request ${k} (${request})` })),
  ...[{ kind: 'server-error' } as const, { kind: 'rate-limit', retryAfterSeconds: 0 } as const].flatMap((fault) =>
    writeIndexes.map((k) => ({ fault: fault as Omit<Fault, 'match'>, k, label: `${fault.kind} at request ${k} (${clean.requests[k]})` })),
  ),
];

describe.concurrent(`1. a fault at every Fastly call of a shared apply: ${sweep.length} cases (${clean.requests.length} requests × reset, ${writeIndexes.length} writes × 500 and 429)`, () => {
  it.for(sweep)('$label', { timeout: caseTimeout }, ({ fault, k }) =>
    useWorld(async (world) => {
      const hostname = await seedHost(world);
      const settings = sharedSettings();
      const offset = world.fastly.server.requests.length;
      world.fastly.server.injectFault({ ...fault, match: { index: offset + k } });
      const status = await reliabilityProxy(world, settings).apply({ hostname });
      expect(world.fastly.server.requests[offset + k]?.fault).toBe(fault.kind);
      expect(status.ready).toBe(true);
      // Nothing duplicated, nothing missing: the same service, version and subscription as the clean run.
      expect(holdings(world, settings, hostname)).toEqual(clean.holdings);
    }),
  );
});

interface CutoverCase {
  name: string;
  inject: (world: ReliabilityWorld, hostname: string) => void;
  ends: 'ready' | 'PROVIDER';
}

const cutoverCases: CutoverCase[] = [
  { name: 'the edge refuses connections', inject: (world, hostname) => void world.sandbox.edge.setRoute({ ...world.sandbox.edge.getRoute(hostname)!, failure: 'refuse' }), ends: 'PROVIDER' },
  { name: 'the edge answers 503', inject: (world, hostname) => void world.sandbox.edge.setRoute({ ...world.sandbox.edge.getRoute(hostname)!, failure: '503' }), ends: 'PROVIDER' },
  { name: 'the certificate is removed from the edge', inject: (world, hostname) => void world.sandbox.edge.removeCertificate(hostname), ends: 'PROVIDER' },
  { name: 'every DNS write fails (500)', inject: (world) => world.cloudflare.server.injectFault({ kind: 'server-error', match: { write: true }, times: 50 }), ends: 'PROVIDER' },
  { name: 'the DNS write fails once (500), then succeeds', inject: (world) => world.cloudflare.server.injectFault({ kind: 'server-error', match: { write: true } }), ends: 'ready' },
];

describe(`2. the cutover never breaks live links: ${cutoverCases.length} failures after the pre-cutover check`, () => {
  it.for(cutoverCases)('$name', { timeout: caseTimeout }, (cutoverCase) =>
    useWorld(async (world) => {
      const hostname = await seedHost(world);
      const adapter = reliabilityProxy(world, sharedSettings({ wait: { ...fastTimings.wait, maxWaitTime: 1_500 } }));
      let injected = false;
      const outcome = await adapter
        .apply(
          { hostname },
          {
            onProgress: (event) => {
              if (event.type === 'edge-verified' && !injected) {
                injected = true;
                cutoverCase.inject(world, hostname);
              }
            },
          },
        )
        .then(
          () => 'ready',
          (error: unknown) => (SslClickError.isInstance(error) ? error.code : String(error)),
        );
      world.cloudflare.server.clearFaults();
      expect(injected).toBe(true);
      expect(outcome).toBe(cutoverCase.ends);
      expect(await clickLink(world, hostname, 'https://shop.example.org/after')).toMatchObject({ status: 302, location: 'https://shop.example.org/after' });
      const cname = world.cloudflare.recordsAt(world.zone.id, hostname)[0]?.content;
      expect(cname).toBe(cutoverCase.ends === 'ready' ? world.fastly.cnameTarget : 'sendgrid.net');
    }),
  );
});
