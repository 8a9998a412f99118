/**
 * Reliability of the Fastly adapter (issue #7), against the sandbox: real clients, real fake
 * servers. Each group's case count is in its title; `npm test -- reliability` runs them alone.
 *
 * Every sweep case runs in a world of its own from a small pool (its own sandbox and fakes), so
 * "request k" is an index in that world's log and cases can run side by side.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArgumentsFor } from '../../../test/support/child-script.js';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { SslClickError, type ProgressEvent, type ProxyStatus } from '@sslclick/core';
import type { Fault, FaultKind } from '@sslclick/sandbox';
import { createFastlyProxy, type FastlyProxySettings } from '../src/index.js';
import { edgePackagePath } from './fastly-world.js';
import {
  clickLink,
  fastTimings,
  reliabilityProxy,
  resourceCounts,
  seedHost,
  snapshotHost,
  startReliabilityWorld,
  type ReliabilityWorld,
} from './reliability-world.js';

const caseTimeout = 60_000;

/** A few worlds, handed out one case at a time. */
function createPool(size: number, start: () => Promise<ReliabilityWorld>) {
  const idle: ReliabilityWorld[] = [];
  const all: Array<Promise<ReliabilityWorld>> = [];
  const waiting: Array<(world: ReliabilityWorld) => void> = [];
  async function acquire(): Promise<ReliabilityWorld> {
    const free = idle.pop();
    if (free) return free;
    if (all.length < size) {
      const started = start();
      all.push(started);
      return started;
    }
    return new Promise((resolve) => waiting.push(resolve));
  }
  function release(world: ReliabilityWorld): void {
    world.fastly.server.clearFaults();
    world.cloudflare.server.clearFaults();
    const next = waiting.shift();
    if (next) next(world);
    else idle.push(world);
  }
  return {
    async use<Result>(run: (world: ReliabilityWorld) => Promise<Result>): Promise<Result> {
      const world = await acquire();
      try {
        return await run(world);
      } finally {
        release(world);
      }
    },
    async close(): Promise<void> {
      for (const world of await Promise.all(all)) await world.close();
    },
  };
}

const pool = createPool(2, () => startReliabilityWorld());
afterAll(() => pool.close(), 30_000);

const packagePath = await edgePackagePath();
const computeSettings: FastlyProxySettings = { mode: 'compute', computePackage: packagePath, timeoutMs: 2_500 };

interface CleanRun {
  requests: string[];
  snapshot: unknown;
  destroyRequests: string[];
  destroyedSnapshot: unknown;
  applyMs: number;
}

function describeRequest(request: { method: string; path: string }): string {
  return `${request.method} ${request.path.replace(/^\/service\/(?!search)[^/]+/, '/service/:id').replace(/^\/tls\/(subscriptions|configurations)\/[^/]+/, '/tls/$1/:id')}`;
}

/**
 * The reference: a clean apply (and destroy) on a fresh host, recorded at collection time. Its
 * requests define the cases ("request k"), so they must not depend on the machine's load: with the
 * sweep's time-out, a late answer would be asked again and shift every case after it. No answer
 * takes 30 s unless a fault holds it, and the clean run has none.
 */
async function cleanRun(settings: FastlyProxySettings): Promise<CleanRun> {
  return pool.use(async (world) => {
    const hostname = await seedHost(world);
    const adapter = reliabilityProxy(world, { ...settings, timeoutMs: 30_000 });
    const offset = world.fastly.server.requests.length;
    const startedAt = Date.now();
    const status = await adapter.apply({ hostname });
    const applyMs = Date.now() - startedAt;
    if (!status.ready) throw new Error(`the clean run did not reach ready: ${status.nextSteps.join(' ')}`);
    const requests = world.fastly.server.requests.slice(offset).map(describeRequest);
    const snapshot = snapshotHost(world, hostname);
    const destroyOffset = world.fastly.server.requests.length;
    await adapter.destroy({ hostname });
    const destroyRequests = world.fastly.server.requests.slice(destroyOffset).map(describeRequest);
    return { requests, snapshot, destroyRequests, destroyedSnapshot: snapshotHost(world, hostname), applyMs };
  });
}

const cleanVcl = await cleanRun({});
const cleanCompute = await cleanRun(computeSettings);

// Each longer than the adapter's time-out in that mode (1 s from reliabilityProxy, 2.5 s for compute).
const slowDelayMs = { vcl: 1_500, compute: 3_000 };
function faultsFor(mode: 'vcl' | 'compute'): Array<Omit<Fault, 'match'>> {
  return [
    { kind: 'rate-limit', retryAfterSeconds: 0 },
    { kind: 'server-error' },
    { kind: 'unavailable' },
    { kind: 'reset' },
    { kind: 'slow', delayMs: slowDelayMs[mode] },
  ];
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

const freshHostCounts = { services: 1, subscriptions: 1, hostRecords: 1, challengeRecords: 1, versions: 1 };

/** Applies with one fault at request k of this run and checks the result against the clean run. */
async function applyWithFault(world: ReliabilityWorld, settings: FastlyProxySettings, fault: Omit<Fault, 'match'>, k: number, clean: CleanRun): Promise<void> {
  const hostname = await seedHost(world);
  const offset = world.fastly.server.requests.length;
  world.fastly.server.injectFault({ ...fault, match: { index: offset + k } });
  const status = await reliabilityProxy(world, settings).apply({ hostname });
  expect(world.fastly.server.requests[offset + k]?.fault).toBe(fault.kind);
  expect(status.ready).toBe(true);
  expect(snapshotHost(world, hostname)).toEqual(clean.snapshot);
  expect(resourceCounts(world, hostname)).toEqual(freshHostCounts);
}

const vclSweep = faultsFor('vcl').flatMap((fault) => range(cleanVcl.requests.length).map((k) => ({ fault, k, label: `${fault.kind} at request ${k} (${cleanVcl.requests[k]})` })));
describe.concurrent(`1. a fault at every Fastly call, vcl mode: ${vclSweep.length} cases (${cleanVcl.requests.length} requests × 5 faults)`, () => {
  it.for(vclSweep)('$label', { timeout: caseTimeout }, ({ fault, k }: { fault: Omit<Fault, 'match'>; k: number }) => pool.use((world) => applyWithFault(world, {}, fault, k, cleanVcl)));
});

// Compute mode uploads (and the fake validates) the 3.7 MB package on every fresh host, about
// ten times the cost of a vcl apply, so it gets one full sweep over every request with one fault
// (a dropped connection, which hits the upload mid-body) and the slow answer at the upload itself.
const computeSweep = [
  ...range(cleanCompute.requests.length).map((k) => ({ fault: { kind: 'reset' as FaultKind }, k, label: `reset at request ${k} (${cleanCompute.requests[k]})` })),
  ...faultsFor('compute')
    .filter((fault) => fault.kind !== 'reset')
    .map((fault) => {
      const k = cleanCompute.requests.findIndex((request) => request.endsWith('/package'));
      return { fault, k, label: `${fault.kind} at request ${k} (${cleanCompute.requests[k]})` };
    }),
];
describe.concurrent(`1. a fault at every Fastly call, compute mode: ${computeSweep.length} cases (${cleanCompute.requests.length} requests × reset, + 4 faults at the package upload)`, () => {
  it.for(computeSweep)('$label', { timeout: caseTimeout }, ({ fault, k }: { fault: Omit<Fault, 'match'>; k: number }) => pool.use((world) => applyWithFault(world, computeSettings, fault, k, cleanCompute)));
});

/** Waits until the fake has received request `index` (the hung one). */
async function untilReceived(world: ReliabilityWorld, index: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (world.fastly.server.requests.length <= index) {
    if (Date.now() > deadline) throw new Error(`request ${index} never arrived`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs `operation` with a hang at request k of the run, aborts it once k has arrived, and returns what it threw. */
async function abortAt(world: ReliabilityWorld, k: number, operation: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
  const offset = world.fastly.server.requests.length;
  world.fastly.server.injectFault({ kind: 'hang', match: { index: offset + k } });
  const controller = new AbortController();
  const outcome = operation(controller.signal).then(
    () => 'finished',
    (error: unknown) => error,
  );
  await untilReceived(world, offset + k);
  controller.abort(new Error('crash'));
  const result = await outcome;
  world.fastly.server.clearFaults();
  return result;
}

describe.concurrent(`2. crash and resume: ${cleanVcl.requests.length} apply + ${cleanVcl.destroyRequests.length} destroy aborts + 1 killed process`, () => {
  it.for(range(cleanVcl.requests.length).map((k) => ({ k, label: `apply aborted at request ${k} (${cleanVcl.requests[k]}), then apply again` })))(
    '$label',
    { timeout: caseTimeout }, ({ k }: { k: number }) =>
      pool.use(async (world) => {
        const hostname = await seedHost(world);
        const adapter = reliabilityProxy(world);
        const aborted = await abortAt(world, k, (signal) => adapter.apply({ hostname }, { signal }));
        expect(aborted).toMatchObject({ code: 'ABORTED' });
        const status = await adapter.apply({ hostname });
        expect(status.ready).toBe(true);
        expect(snapshotHost(world, hostname)).toEqual(cleanVcl.snapshot);
        expect(resourceCounts(world, hostname)).toEqual(freshHostCounts);
      }),
  );

  it.for(range(cleanVcl.destroyRequests.length).map((k) => ({ k, label: `destroy aborted at request ${k} (${cleanVcl.destroyRequests[k]}), then destroy again` })))(
    '$label',
    { timeout: caseTimeout }, ({ k }: { k: number }) =>
      pool.use(async (world) => {
        const hostname = await seedHost(world);
        const adapter = reliabilityProxy(world);
        expect((await adapter.apply({ hostname })).ready).toBe(true);
        const aborted = await abortAt(world, k, (signal) => adapter.destroy({ hostname }, { signal }));
        expect(aborted).toMatchObject({ code: 'ABORTED' });
        // Whatever was left half-done, clicks still work in between.
        expect(await clickLink(world, hostname, 'https://shop.example.org/between')).toMatchObject({ status: 302, location: 'https://shop.example.org/between' });
        const destroyed = await adapter.destroy({ hostname });
        expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
        expect(snapshotHost(world, hostname)).toEqual(cleanVcl.destroyedSnapshot);
        expect(resourceCounts(world, hostname)).toMatchObject({ services: 0, subscriptions: 0, hostRecords: 1, challengeRecords: 0 });
      }),
  );

  it('apply in a child process killed (SIGKILL) midway, then apply again', () =>
    pool.use(async (world) => {
      const hostname = await seedHost(world);
      const k = cleanVcl.requests.findIndex((request) => request.endsWith('/snippet'));
      const offset = world.fastly.server.requests.length;
      // The child is held at request k so the kill lands between two writes of the version.
      world.fastly.server.injectFault({ kind: 'hang', match: { index: offset + k } });
      const child = spawn(process.execPath, nodeArgumentsFor('packages/fastly/test/reliability-child.ts'), {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          SSLCLICK_RELIABILITY_CHILD: JSON.stringify({
            hostname,
            fastly: { url: world.fastly.url, token: world.fastly.tokens.admin },
            cloudflare: { url: world.cloudflare.url, token: world.cloudflareToken },
            verification: { resolver: world.sandbox.dns.address, ca: world.sandbox.ca.certificate, ports: world.sandbox.ports },
          }),
        },
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      try {
        await untilReceived(world, offset + k);
      } catch (error) {
        throw new Error(`${String(error)}; child output: ${output}`);
      }
      // The whole process group (the child alone from a bundle; with tsx's loader when there is none).
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
      world.fastly.server.clearFaults();
      expect(output).not.toContain('finished');
      // Killed with a draft version holding the domain and backend but no snippet, never activated.
      const service = world.fastly.state.services.find((candidate) => candidate.name === `sslclick ${hostname}`);
      expect(service?.versions.map((version) => ({ active: version.active, backends: version.backends.length, snippets: version.snippets.length }))).toEqual([{ active: false, backends: 1, snippets: 0 }]);
      const status = await reliabilityProxy(world).apply({ hostname });
      expect(status.ready).toBe(true);
      expect(snapshotHost(world, hostname)).toEqual(cleanVcl.snapshot);
      expect(resourceCounts(world, hostname)).toEqual(freshHostCounts);
    }),
  caseTimeout);
});

interface Outcome {
  code?: string;
  message: string;
  warnings: string[];
}

async function outcomeOf(run: Promise<ProxyStatus>): Promise<Outcome> {
  try {
    const status = await run;
    return { message: `state ${status.state}`, warnings: status.warnings };
  } catch (error) {
    if (!SslClickError.isInstance(error)) throw error;
    return { code: error.code, message: error.message, warnings: [] };
  }
}

interface ForeignCase {
  name: string;
  /** Puts the foreign state in place; returns the hostname and a snapshot of everything foreign. */
  arrange(world: ReliabilityWorld): Promise<{ hostname: string; snapshot: () => unknown }>;
  /** What apply must say. */
  apply: { code?: string; says: RegExp };
  /** What destroy must say (as an error or a warning). */
  destroy: { code?: string; says?: RegExp };
  /** What `adopt: true` does, when the README says it takes something over. */
  adopt?: { code?: string; says?: RegExp; changesForeign: boolean };
}

const records = (world: ReliabilityWorld, name: string) => structuredClone(world.cloudflare.recordsAt(world.zone.id, name));
const serviceById = (world: ReliabilityWorld, id: string) => structuredClone(world.fastly.state.services.find((service) => service.id === id));

const foreignCases: ForeignCase[] = [
  {
    name: 'an A record on the hostname',
    async arrange(world) {
      const hostname = await seedHost(world, { cname: null });
      await world.cloudflare.addDnsRecord(world.zone.id, { name: hostname, type: 'A', content: '192.0.2.10' });
      return { hostname, snapshot: () => records(world, hostname) };
    },
    apply: { code: 'CONFLICT', says: /192\.0\.2\.10|A record/ },
    destroy: {},
  },
  {
    name: 'a CNAME to another CDN on the hostname',
    async arrange(world) {
      const hostname = await seedHost(world, { cname: 'shop.other-cdn.example.net' });
      return { hostname, snapshot: () => records(world, hostname) };
    },
    apply: { code: 'CONFLICT', says: /other-cdn\.example\.net/ },
    destroy: {},
    adopt: { changesForeign: true },
  },
  {
    name: "another ACME client's _acme-challenge CNAME",
    async arrange(world) {
      const hostname = await seedHost(world);
      await world.cloudflare.addDnsRecord(world.zone.id, { name: `_acme-challenge.${hostname}`, type: 'CNAME', content: 'validation.acme-dns.example.org' });
      return { hostname, snapshot: () => records(world, `_acme-challenge.${hostname}`) };
    },
    apply: { code: 'CONFLICT', says: /acme-dns\.example\.org/ },
    destroy: {},
  },
  {
    name: 'a service of the same account holding the hostname',
    async arrange(world) {
      const hostname = await seedHost(world);
      const foreign = world.fastly.addForeignService({ hostname, name: 'Marketing site' });
      return { hostname, snapshot: () => foreign.snapshot() };
    },
    apply: { code: 'CONFLICT', says: /"Marketing site"/ },
    destroy: {},
    adopt: { code: 'CONFLICT', says: /"Marketing site"/, changesForeign: false },
  },
  {
    name: "another Fastly customer's service holding the hostname",
    async arrange(world) {
      const hostname = await seedHost(world);
      const foreign = world.fastly.addForeignService({ hostname, customer: 'other' });
      return { hostname, snapshot: () => foreign.snapshot() };
    },
    apply: { code: 'CONFLICT', says: /another Fastly customer/ },
    destroy: {},
    adopt: { code: 'CONFLICT', says: /another Fastly customer/, changesForeign: false },
  },
  {
    name: 'a service named "sslclick <hostname>" made by hand',
    async arrange(world) {
      const hostname = await seedHost(world);
      const foreign = world.fastly.addForeignService({ hostname, name: `sslclick ${hostname}` });
      return { hostname, snapshot: () => foreign.snapshot() };
    },
    apply: { code: 'CONFLICT', says: /was not created by sslclick; pass adopt: true/ },
    destroy: { says: /was not created by sslclick; it was left alone/ },
    adopt: { changesForeign: true },
  },
  {
    name: 'a TLS subscription covering the hostname and another domain',
    async arrange(world) {
      const hostname = await seedHost(world);
      const time = new Date().toISOString();
      world.fastly.state.subscriptions.push({
        id: 'shared0001',
        customer_id: world.fastly.customerId,
        certificate_authority: 'lets-encrypt',
        domains: [`www.${world.zone.name}`, hostname],
        common_name: `www.${world.zone.name}`,
        configuration_id: world.fastly.state.configurations[0]?.id ?? '',
        state: 'issued',
        authorization_id: 'sharedauth',
        challenge_value: 'shared.fastly-validations.com',
        created_at: time,
        updated_at: time,
      });
      return { hostname, snapshot: () => structuredClone(world.fastly.state.subscriptions.find((subscription) => subscription.id === 'shared0001')) };
    },
    apply: { says: /state ready/ },
    destroy: { says: /also covers www\..*left it alone/ },
  },
  {
    name: 'a TLS subscription for exactly the hostname, made before sslclick',
    async arrange(world) {
      const hostname = await seedHost(world);
      const time = new Date(Date.now() - 86_400_000).toISOString();
      world.fastly.state.subscriptions.push({
        id: 'earlier0001',
        customer_id: world.fastly.customerId,
        certificate_authority: 'certainly',
        domains: [hostname],
        common_name: hostname,
        configuration_id: world.fastly.state.configurations[0]?.id ?? '',
        state: 'issued',
        authorization_id: 'earlierauth',
        challenge_value: 'earlier.fastly-validations.com',
        created_at: time,
        updated_at: time,
      });
      return { hostname, snapshot: () => structuredClone(world.fastly.state.subscriptions.find((subscription) => subscription.id === 'earlier0001')) };
    },
    apply: { says: /state ready/ },
    destroy: { says: /made before sslclick's service.*left alone/ },
  },
  {
    name: 'unrelated services, records and subscriptions on the same account and zone',
    async arrange(world) {
      const hostname = await seedHost(world);
      const other = world.fastly.addForeignService({ hostname: `www.other-${hostname}` });
      await world.cloudflare.addDnsRecord(world.zone.id, { name: `www.${hostname}`, type: 'A', content: '192.0.2.20' });
      await world.cloudflare.addDnsRecord(world.zone.id, { name: `mail.${hostname}`, type: 'TXT', content: 'v=spf1 include:sendgrid.net ~all' });
      return { hostname, snapshot: () => ({ service: other.snapshot(), www: records(world, `www.${hostname}`), mail: records(world, `mail.${hostname}`) }) };
    },
    apply: { says: /state ready/ },
    destroy: {},
  },
];

describe(`3. foreign state untouched: ${foreignCases.length} starting states (apply, destroy, then adopt where the README allows it)`, () => {
  it.for(foreignCases)('$name', { timeout: caseTimeout }, (foreignCase) =>
    pool.use(async (world) => {
      const { hostname, snapshot } = await foreignCase.arrange(world);
      const before = JSON.stringify(snapshot());
      const adapter = reliabilityProxy(world);
      const applied = await outcomeOf(adapter.apply({ hostname }));
      expect(applied.code).toBe(foreignCase.apply.code);
      expect([applied.message, ...applied.warnings].join(' ')).toMatch(foreignCase.apply.says);
      expect(JSON.stringify(snapshot())).toBe(before);
      const destroyed = await outcomeOf(adapter.destroy({ hostname }));
      expect(destroyed.code).toBe(foreignCase.destroy.code);
      if (foreignCase.destroy.says) expect([destroyed.message, ...destroyed.warnings].join(' ')).toMatch(foreignCase.destroy.says);
      expect(JSON.stringify(snapshot())).toBe(before);
      expect(resourceCounts(world, hostname)).toMatchObject({ services: foreignCase.name.startsWith('a service named') ? 1 : 0 });
      console.info(`${foreignCase.name}: apply → ${applied.code ?? 'ok'}: ${applied.message} ${applied.warnings.join(' ')} | destroy → ${destroyed.code ?? 'ok'}: ${destroyed.message} ${destroyed.warnings.join(' ')}`);
      if (foreignCase.adopt) {
        const adopted = await outcomeOf(adapter.apply({ hostname, adopt: true }));
        if (foreignCase.adopt.code) expect(adopted.code).toBe(foreignCase.adopt.code);
        if (foreignCase.adopt.says) expect([adopted.message, ...adopted.warnings].join(' ')).toMatch(foreignCase.adopt.says);
        expect(JSON.stringify(snapshot()) !== before).toBe(foreignCase.adopt.changesForeign);
        console.info(`${foreignCase.name}: apply with adopt → ${adopted.code ?? 'ok'}: ${adopted.message}`);
        await outcomeOf(adapter.destroy({ hostname }));
      }
    }),
  );
});

interface CutoverCase {
  name: string;
  /** Runs when the pre-cutover check has passed, before the DNS write. */
  inject(world: ReliabilityWorld, hostname: string): void | Promise<void>;
  /** How apply ends: ready, or an error code. */
  ends: 'ready' | string;
}

const cutoverCases: CutoverCase[] = [
  { name: 'the edge refuses connections', inject: (world, hostname) => void world.sandbox.edge.setRoute({ ...world.sandbox.edge.getRoute(hostname)!, failure: 'refuse' }), ends: 'PROVIDER' },
  { name: 'the edge answers 503', inject: (world, hostname) => void world.sandbox.edge.setRoute({ ...world.sandbox.edge.getRoute(hostname)!, failure: '503' }), ends: 'PROVIDER' },
  { name: 'the certificate is removed from the edge', inject: (world, hostname) => void world.sandbox.edge.removeCertificate(hostname), ends: 'PROVIDER' },
  { name: 'the certificate is revoked (subscription failed)', inject: (world, hostname) => world.fastly.setSubscriptionState(hostname, 'failed'), ends: 'PROVIDER' },
  { name: 'every DNS write fails (500)', inject: (world) => world.cloudflare.server.injectFault({ kind: 'server-error', match: { write: true }, times: 50 }), ends: 'PROVIDER' },
  { name: 'the DNS write fails once (500), then succeeds', inject: (world) => world.cloudflare.server.injectFault({ kind: 'server-error', match: { write: true } }), ends: 'ready' },
];

describe(`4. the cutover never breaks live links: ${cutoverCases.length} failures after the pre-cutover check`, () => {
  it.for(cutoverCases)('$name', { timeout: caseTimeout }, (cutoverCase) =>
    pool.use(async (world) => {
      const hostname = await seedHost(world);
      expect(await clickLink(world, hostname, 'https://shop.example.org/before')).toMatchObject({ status: 302, location: 'https://shop.example.org/before' });
      const adapter = reliabilityProxy(world, { wait: { ...fastTimings.wait, maxWaitTime: 1_500 } });
      let injected = false;
      const outcome = await outcomeOf(
        adapter.apply(
          { hostname },
          {
            onProgress: (event) => {
              if (event.type === 'edge-verified' && !injected) {
                injected = true;
                void cutoverCase.inject(world, hostname);
              }
            },
          },
        ),
      );
      world.cloudflare.server.clearFaults();
      expect(injected).toBe(true);
      expect(outcome.code ?? 'ready').toBe(cutoverCase.ends);
      const click = await clickLink(world, hostname, 'https://shop.example.org/after');
      expect(click).toMatchObject({ status: 302, location: 'https://shop.example.org/after' });
      // Either the cutover completed, or DNS is (back) on SendGrid.
      const cname = world.cloudflare.recordsAt(world.zone.id, hostname)[0]?.content;
      expect(cutoverCase.ends === 'ready' ? cname === world.fastly.cnameTarget : cname === 'sendgrid.net').toBe(true);
      console.info(`${cutoverCase.name}: apply → ${outcome.code ?? 'ready'} ${outcome.message}; click via ${click.via} → ${click.status}`);
    }),
  );
});

interface BadInputCase {
  name: string;
  run(world: ReliabilityWorld): Promise<unknown>;
  code: string;
  says: RegExp;
  /** Input errors must come before any write; a vendor that answers writes with an error is allowed its refused request. */
  writes?: number;
}

const hostnameCases: Array<[string, string]> = [
  ['empty hostname', ''],
  ['a pasted URL', 'https://url1234.example.com/ls/click'],
  ['a wildcard', '*.example.com'],
  ['an IP address', '192.0.2.1'],
  ['an apex domain', 'example.com'],
  ['an over-long label', `${'a'.repeat(64)}.example.com`],
  ['a label with an underscore', 'url_1234.example.com'],
];

const badInputCases: BadInputCase[] = [
  ...hostnameCases.map(([name, hostname]): BadInputCase => ({ name: `hostname: ${name}`, run: (world) => reliabilityProxy(world).apply({ hostname }), code: 'INVALID_INPUT', says: /host|name|label/i })),
  { name: 'origin not a host name', run: async (world) => reliabilityProxy(world).apply({ hostname: await seedHost(world), origin: 'https://sendgrid.net/' }), code: 'INVALID_INPUT', says: /use "sendgrid\.net"/ },
  { name: 'mode unknown', run: async (world) => reliabilityProxy(world, { mode: 'edge' as never }), code: 'INVALID_INPUT', says: /"compute" or "vcl"/ },
  { name: 'certificateAuthority unknown', run: async (world) => reliabilityProxy(world, { certificateAuthority: 'globalsign' as never }), code: 'INVALID_INPUT', says: /"certainly" or "lets-encrypt"/ },
  { name: 'baseURL not a URL', run: async (world) => reliabilityProxy(world, { baseURL: 'api.fastly.com' }), code: 'INVALID_INPUT', says: /baseURL/ },
  { name: 'timeoutMs not positive', run: async (world) => reliabilityProxy(world, { timeoutMs: 0 }), code: 'INVALID_INPUT', says: /timeoutMs must be a positive/ },
  { name: 'dns not a DnsProvider', run: async (world) => reliabilityProxy(world, { dns: {} as never }), code: 'INVALID_INPUT', says: /createCloudflareDns\(\) or createRoute53Dns\(\)/ },
  { name: 'computePackage missing', run: async (world) => reliabilityProxy(world, { mode: 'compute', computePackage: '/nonexistent/sslclick-edge.tar.gz' }).apply({ hostname: await seedHost(world) }), code: 'INVALID_INPUT', says: /build it with|mode "vcl"/ },
  { name: 'no token at all', run: async (world) => { const saved = process.env.FASTLY_API_TOKEN; delete process.env.FASTLY_API_TOKEN; try { return reliabilityProxy(world, { apiToken: undefined }); } finally { if (saved !== undefined) process.env.FASTLY_API_TOKEN = saved; } }, code: 'CREDENTIALS', says: /FASTLY_API_TOKEN/ },
  { name: 'expired or revoked token (401)', run: async (world) => reliabilityProxy(world, { apiToken: 'revoked-fastly-token-0000' }).apply({ hostname: await seedHost(world) }), code: 'CREDENTIALS', says: /check the apiToken setting or FASTLY_API_TOKEN/ },
  { name: 'read-only token (global:read)', run: async (world) => reliabilityProxy(world, { apiToken: world.fastly.tokens.readOnly }).apply({ hostname: await seedHost(world) }), code: 'PERMISSION', says: /"global" scope/, writes: 1 },
  { name: 'wrong endpoint (nothing listens)', run: async (world) => reliabilityProxy(world, { baseURL: 'http://127.0.0.1:9' }).apply({ hostname: await seedHost(world) }), code: 'PROVIDER', says: /Could not reach the Fastly API/ },
  { name: 'wrong endpoint (another API answers 404 HTML)', run: async (world) => reliabilityProxy(world, { baseURL: `${world.cloudflare.url}/client/v4` }).apply({ hostname: await seedHost(world) }), code: 'NOT_FOUND', says: /check that baseURL is the Fastly API/, writes: 1 },
  { name: 'malformed JSON from Fastly', run: async (world) => { world.fastly.server.injectFault({ kind: 'malformed', times: 20 }); return reliabilityProxy(world).apply({ hostname: await seedHost(world) }); }, code: 'PROVIDER', says: /not JSON/ },
  { name: 'an HTML error page from a proxy in between', run: async (world) => { world.fastly.server.injectFault({ kind: 'html-error', times: 20 }); return reliabilityProxy(world).apply({ hostname: await seedHost(world) }); }, code: 'PROVIDER', says: /502.*try again later/ },
  { name: 'unknown zone at the DNS provider', run: (world) => reliabilityProxy(world).apply({ hostname: 'url1.not-in-cloudflare.example.org' }), code: 'NOT_FOUND', says: /not-in-cloudflare\.example\.org/ },
];

describe(`5. bad input: ${badInputCases.length} cases, each an SslClickError saying what to do, with no write first`, () => {
  it.for(badInputCases)('$name', { timeout: caseTimeout }, (badInput) =>
    pool.use(async (world) => {
      const writesBefore = world.fastly.server.writes() + world.cloudflare.server.writes();
      let caught: unknown;
      try {
        await badInput.run(world);
      } catch (error) {
        caught = error;
      }
      world.fastly.server.clearFaults();
      expect(SslClickError.isInstance(caught), String(caught)).toBe(true);
      expect((caught as SslClickError).code).toBe(badInput.code);
      expect((caught as SslClickError).message).toMatch(badInput.says);
      expect(world.fastly.server.writes() + world.cloudflare.server.writes() - writesBefore).toBe(badInput.writes ?? 0);
    }),
  );
});

const canary = { fastly: 'canary-fastly-3f9a1c7e5b', fastlyReadOnly: 'canary-fastly-read-3f9a1c7e5b', cloudflare: 'canary-cloudflare-3f9a1c7e5b' };

/** Everything a user could see of an error: message, stack, the cause chain with its own properties, JSON and inspect. */
function exposeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '', JSON.stringify(current), JSON.stringify(Object.fromEntries(Object.entries(current))));
      current = current.cause;
    } else {
      parts.push(String(current), JSON.stringify(current) ?? '');
      break;
    }
  }
  parts.push(inspect(error, { depth: 10, showHidden: true }));
  return parts.join('\n');
}

describe('6. no secret leaks: canary credentials through 9 scenarios, every error, event and status scanned', () => {
  it('finds the canaries nowhere', async () => {
    const world = await startReliabilityWorld({ fastlyTokens: { admin: canary.fastly, readOnly: canary.fastlyReadOnly }, cloudflareToken: canary.cloudflare });
    const seen: string[] = [];
    const events: ProgressEvent[] = [];
    const run = { onProgress: (event: ProgressEvent) => events.push(event) };
    const capture = async (scenario: string, action: () => Promise<unknown>): Promise<void> => {
      try {
        seen.push(`${scenario}: ${JSON.stringify(await action())}`);
      } catch (error) {
        seen.push(`${scenario}: ${exposeError(error)}`);
      }
    };
    try {
      const hostname = await seedHost(world);
      const adapter = reliabilityProxy(world);
      await capture('plan', () => adapter.plan({ hostname }, run));
      await capture('apply', () => adapter.apply({ hostname }, run));
      await capture('status', () => adapter.status({ hostname }, run));
      await capture('revoked token', () => reliabilityProxy(world, { apiToken: `${canary.fastly}-revoked` }).apply({ hostname }, run));
      await capture('read-only token', async () => reliabilityProxy(world, { apiToken: canary.fastlyReadOnly }).apply({ hostname: await seedHost(world) }, run));
      world.fastly.server.injectFault({ kind: 'server-error', times: 50 });
      await capture('5xx until retries run out', async () => adapter.apply({ hostname: await seedHost(world) }, run));
      world.fastly.server.clearFaults();
      world.fastly.server.injectFault({ kind: 'hang', times: 50 });
      await capture('hang', async () => reliabilityProxy(world, { timeoutMs: 100, retry: { ...fastTimings.retry, maxAttempts: 2 } }).status({ hostname }, run));
      world.fastly.server.clearFaults();
      await capture('destroy without dns while live (UNSAFE)', () => reliabilityProxy(world, { dns: undefined }).destroy({ hostname }, run));
      await capture('destroy', () => adapter.destroy({ hostname }, run));
    } finally {
      await world.close();
    }
    const text = [...seen, ...events.map((event) => JSON.stringify(event))].join('\n');
    expect(seen).toHaveLength(9);
    expect(events.length).toBeGreaterThan(10);
    for (const secret of Object.values(canary)) expect(text.includes(secret), `${secret} leaked`).toBe(false);
    // The scan did see the errors (so it is not vacuous).
    expect(text).toMatch(/CREDENTIALS|rejected the API token/);
    expect(text).toMatch(/UNSAFE|still points at Fastly/);
  }, caseTimeout);
});

describe('7. nothing hangs: 4 operations against a Fastly API that never answers, + status with DNS down', () => {
  const timeoutMs = 300;
  const retry = { minDelay: 5, maxDelay: 20, maxAttempts: 3, maxRetryTime: 5_000 };
  // One attempt may start just before maxRetryTime runs out and last timeoutMs more.
  const bound = Math.min(retry.maxAttempts * (timeoutMs + retry.maxDelay), retry.maxRetryTime + timeoutMs);
  it.for(['plan', 'apply', 'status', 'destroy'] as const)(`%s gives TIMEOUT within ${bound} ms × 3`, { timeout: caseTimeout }, (operation) =>
    pool.use(async (world) => {
      const hostname = await seedHost(world);
      world.fastly.server.injectFault({ kind: 'hang', times: 1_000 });
      const adapter = reliabilityProxy(world, { timeoutMs, retry });
      const startedAt = Date.now();
      const error = await adapter[operation]({ hostname }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      const elapsed = Date.now() - startedAt;
      expect(error).toMatchObject({ code: 'TIMEOUT', provider: 'fastly', message: expect.stringContaining(`within ${timeoutMs} ms`) });
      expect(elapsed).toBeLessThan(bound * 3);
    }),
  );

  it('status with the DNS server down returns failed checks, not an exception', () =>
    pool.use(async (world) => {
      const hostname = await seedHost(world);
      expect((await reliabilityProxy(world).apply({ hostname })).ready).toBe(true);
      const adapter = reliabilityProxy(world, { dns: undefined, verification: { resolver: '127.0.0.1:9', ca: world.sandbox.ca.certificate, ports: world.sandbox.ports, timeoutMs: 300 } });
      const status = await adapter.status({ hostname });
      expect(status.ready).toBe(false);
      expect(status.checks.some((check) => check.ok === false)).toBe(true);
      await reliabilityProxy(world).destroy({ hostname });
    }),
  caseTimeout);
});

describe('destroy without a dns provider: 3 cases', () => {
  it('refuses with UNSAFE, before any write, while the hostname points at Fastly, naming the record to restore', () =>
    pool.use(async (world) => {
      const hostname = await seedHost(world);
      expect((await reliabilityProxy(world).apply({ hostname })).ready).toBe(true);
      const manual = reliabilityProxy(world, { dns: undefined });
      const writes = world.fastly.server.writes();
      const error = await manual.destroy({ hostname }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'UNSAFE', message: expect.stringContaining(`Restore the record ${hostname} CNAME sendgrid.net`) });
      expect(world.fastly.server.writes()).toBe(writes);
      expect(await clickLink(world, hostname, 'https://shop.example.org/still')).toMatchObject({ status: 302 });
      // Once DNS is back on SendGrid, destroy goes ahead.
      // The user puts DNS back on SendGrid (here through the DNS provider's own client), then destroy goes ahead.
      await createCloudflareDns({ apiToken: world.cloudflareToken, baseURL: world.cloudflare.url }).upsertCname(hostname, 'sendgrid.net', { replaceable: [world.fastly.cnameTarget] });
      const destroyed = await manual.destroy({ hostname });
      expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
      expect(await clickLink(world, hostname, 'https://shop.example.org/after')).toMatchObject({ status: 302 });
    }),
  caseTimeout);

  it('refuses with UNSAFE when DNS cannot be read at all', () =>
    pool.use(async (world) => {
      const hostname = await seedHost(world);
      expect((await reliabilityProxy(world).apply({ hostname })).ready).toBe(true);
      const blind = reliabilityProxy(world, { dns: undefined, verification: { resolver: '127.0.0.1:9', ca: world.sandbox.ca.certificate, ports: world.sandbox.ports, timeoutMs: 300 } });
      await expect(blind.destroy({ hostname })).rejects.toMatchObject({ code: 'UNSAFE', message: expect.stringContaining('Could not read the DNS') });
      await reliabilityProxy(world).destroy({ hostname });
    }),
  caseTimeout);

  it('goes ahead when there is nothing of ours to remove', () =>
    pool.use(async (world) => {
      const hostname = await seedHost(world, { cname: 't.sni.global.fastly.net' });
      const status = await reliabilityProxy(world, { dns: undefined }).destroy({ hostname });
      expect(status.resources).toEqual([]);
    }),
  caseTimeout);
});
