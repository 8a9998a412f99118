/**
 * Reliability of the Cloudflare for SaaS mode, against the fake with the official SDK, kept
 * small: a fault at every vendor call of apply, apply and destroy aborted at every call and run
 * again, the shared parts' writes aborted in a fresh provider zone, and apply killed with SIGKILL
 * between the marker and the custom hostname's create. Each ends in the same state as a clean
 * run: nothing duplicated, nothing orphaned. The clean runs are made at collection time.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArgumentsFor } from '../../../test/support/child-script.js';
import { SslClickError } from '@sslclick/core';
import type { FaultKind } from '@sslclick/sandbox';
import { createCloudflareProxy, type CloudflareSaasProxySettings } from '../src/index.js';
import { saasSettings, seedOutsideHost, startSaasWorld } from './saas-world.js';

// One deterministic request sequence per run: the create answer carries the validation records,
// and the certificate goes straight to active once its TXT record shows.
const world = await startSaasWorld({ saasVariants: { validationRecords: 'on-create', sslStatusSequence: 'direct' } });
const server = world.cloudflare.server;
afterAll(async () => {
  await world.close();
});

const requestTimeoutMs = 300;
const slowAnswerMs = 450;

function settings(extra: Partial<CloudflareSaasProxySettings> = {}): CloudflareSaasProxySettings {
  return saasSettings(world, { dns: world.otherDns, timeoutMs: requestTimeoutMs, cutoverCheckTimeoutMs: 1_000, wait: { minDelay: 5, maxDelay: 20, maxWaitTime: 5_000 }, retry: { minDelay: 5, maxDelay: 20 }, ...extra });
}

const create = (extra: Partial<CloudflareSaasProxySettings> = {}) => createCloudflareProxy(settings(extra));
// One adapter for the sweeps: once it has found the provider zone's shared parts in place it does
// not read them again, as a fleet run would (a fresh adapter per case only repeats those reads).
const shared = create();
const proxy = (extra: Partial<CloudflareSaasProxySettings> = {}) => (Object.keys(extra).length === 0 ? shared : create(extra));

/** The host's state at Cloudflare and at its DNS, with ids and validation values masked. */
function snapshot(hostname: string, zoneId = world.provider.id): unknown {
  const records = world.cloudflare.state
    .zoneRecords(zoneId)
    .filter((record) => !record.name.startsWith('_sslclick-') || record.content.includes(`${hostname} `) || record.content.endsWith(hostname))
    .map((record) => `${record.name.replace(/^_sslclick-[0-9a-f]+/, '_sslclick-<hash>')} ${record.type} ${record.content} ${record.proxied}`)
    .sort();
  const customHostnames = world.cloudflare.saas
    .zoneHostnames(zoneId)
    .filter((record) => record.hostname === hostname)
    .map((record) => `${record.hostname} ${record.sslMethod} ${world.cloudflare.saas.hostnameStatus(record)} ${world.cloudflare.saas.sslStatus(record)}`);
  const dns = [hostname, `_cf-custom-hostname.${hostname}`, `_acme-challenge.${hostname}`].flatMap((name) => world.dns.zone.getRecords(name).map((record) => `${record.name} ${record.type} ${record.value}`));
  const edge = { route: world.edge.getRoute(hostname)?.originHost ?? null, certificate: world.edge.getCertificate(hostname)?.names ?? null };
  const zoneName = world.cloudflare.state.zones.get(zoneId)?.name ?? '';
  const text = JSON.stringify({ records, customHostnames, dns, edge, fallback: world.cloudflare.saas.fallbackOrigins.get(zoneId)?.origin ?? null })
    .replaceAll(hostname, '<host>')
    .replaceAll(zoneName, '<zone>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{22,32}/g, '<value>');
  return JSON.parse(text);
}

function describeRequests(start: number, end = server.requests.length): string[] {
  return server.requests.slice(start, end).map((request) => `${request.method} ${request.path.replace(/^.*\/zones\/[0-9a-f]{32}/, '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{32}/g, ':id')}`);
}

/** Aborts `run` once the fake receives request `index` (which hangs), as a crash right there would. */
async function abortAt(index: number, run: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
  server.injectFault({ kind: 'hang', match: { index } });
  const controller = new AbortController();
  const watcher = setInterval(() => {
    if (server.requests.length > index) controller.abort(new Error('simulated crash'));
  }, 1);
  try {
    return await run(controller.signal).then(
      () => 'finished',
      (error: unknown) => error,
    );
  } finally {
    clearInterval(watcher);
    server.clearFaults();
  }
}

// --- clean runs (collection time) ----------------------------------------------------------------

// The provider zone's shared parts first, so every clean run below makes the same requests.
await proxy().apply({ hostname: seedOutsideHost(world) });
const cleanHost = seedOutsideHost(world);
const applyStart = server.requests.length;
const cleanStatus = await proxy().apply({ hostname: cleanHost });
if (!cleanStatus.ready) throw new Error(`The clean saas apply did not end ready: ${JSON.stringify(cleanStatus.checks)}`);
const applyRequests = describeRequests(applyStart);
const applied = snapshot(cleanHost);
const destroyStart = server.requests.length;
await proxy().destroy({ hostname: cleanHost });
const destroyRequests = describeRequests(destroyStart);
const destroyed = snapshot(cleanHost);

// A fresh provider zone: the shared parts' writes too.
let providerCounter = 0;
function freshProvider(): { zoneId: string } {
  providerCounter += 1;
  const zone = world.cloudflare.addZone({ name: `saas-provider-${providerCounter}.net` });
  return { zoneId: zone.id };
}
const freshClean = freshProvider();
const freshHost = seedOutsideHost(world);
const freshStart = server.requests.length;
await proxy(freshClean).apply({ hostname: freshHost });
const freshRequests = describeRequests(freshStart);
const freshApplied = snapshot(freshHost, freshClean.zoneId);

// --- 1. a fault at every vendor call ---------------------------------------------------------------

// Every call gets a 429; the writes also a reset and an answer slower than the client waits,
// where a retry could land a second create (the reads retry the same way, and stay fast to test).
const faultCases = applyRequests.flatMap((request, index) =>
  (request.startsWith('GET') ? (['rate-limit'] as FaultKind[]) : (['rate-limit', 'reset', 'slow'] as FaultKind[])).map((kind) => ({ index, kind, request })),
);

describe(`saas reliability: a fault at every vendor call of apply (${faultCases.length} cases)`, () => {
  it.for(faultCases)('$kind at request $index ($request)', async ({ index, kind }) => {
    const hostname = seedOutsideHost(world);
    const start = server.requests.length;
    server.injectFault({ kind, match: { index: start + index }, retryAfterSeconds: 0, delayMs: slowAnswerMs });
    try {
      const status = await proxy().apply({ hostname });
      expect(server.requests[start + index]?.fault).toBe(kind);
      expect(status).toMatchObject({ ready: true, state: 'ready' });
      if (kind === 'slow') await new Promise((resolve) => setTimeout(resolve, slowAnswerMs + 100));
      expect(snapshot(hostname)).toEqual(applied);
    } finally {
      server.clearFaults();
    }
  });
});

// --- 2. crash and resume -----------------------------------------------------------------------

describe(`saas reliability: apply aborted at every vendor call, then run again (${applyRequests.length} cases)`, () => {
  it.for(applyRequests.map((request, index) => ({ request, index })))('aborted at request $index ($request)', async ({ index }) => {
    const hostname = seedOutsideHost(world);
    const start = server.requests.length;
    const outcome = await abortAt(start + index, (signal) => proxy().apply({ hostname }, { signal }));
    expect(SslClickError.isInstance(outcome) && outcome.code).toBe('ABORTED');
    expect((await proxy().apply({ hostname })).ready).toBe(true);
    expect(snapshot(hostname)).toEqual(applied);
    await proxy().destroy({ hostname });
    expect(snapshot(hostname)).toEqual(destroyed);
  });
});

describe(`saas reliability: destroy aborted at every vendor call, then run again (${destroyRequests.length} cases)`, () => {
  it.for(destroyRequests.map((request, index) => ({ request, index })))('aborted at request $index ($request)', async ({ index }) => {
    const hostname = seedOutsideHost(world);
    expect((await proxy().apply({ hostname })).ready).toBe(true);
    const start = server.requests.length;
    const outcome = await abortAt(start + index, (signal) => proxy().destroy({ hostname }, { signal }));
    expect(SslClickError.isInstance(outcome) && outcome.code).toBe('ABORTED');
    const status = await proxy().destroy({ hostname });
    expect(status.resources.filter((resource) => resource.owned)).toEqual([]);
    expect(snapshot(hostname)).toEqual(destroyed);
  });
});

const sharedWrites = freshRequests.map((request, index) => ({ request, index })).filter(({ request, index }) => index < freshRequests.indexOf('GET /custom_hostnames') && !request.startsWith('GET'));

describe(`saas reliability: the shared parts' writes aborted in a fresh provider zone, then run again (${sharedWrites.length} cases)`, () => {
  it.for(sharedWrites)('aborted at request $index ($request)', async ({ index }) => {
    const provider = freshProvider();
    const hostname = seedOutsideHost(world);
    const start = server.requests.length;
    const outcome = await abortAt(start + index, (signal) => proxy(provider).apply({ hostname }, { signal }));
    expect(SslClickError.isInstance(outcome) && outcome.code).toBe('ABORTED');
    expect((await proxy(provider).apply({ hostname })).ready).toBe(true);
    expect(snapshot(hostname, provider.zoneId)).toEqual(freshApplied);
  });
});

describe('saas reliability: apply killed with SIGKILL in a child process, then run again (1 case)', () => {
  it('killed after the marker was written, while the custom hostname create hangs', async () => {
    const hostname = seedOutsideHost(world);
    const killAt = applyRequests.indexOf('POST /custom_hostnames');
    expect(applyRequests.slice(0, killAt)).toContain('POST /dns_records');
    const start = server.requests.length;
    server.injectFault({ kind: 'hang', match: { index: start + killAt } });
    const { dns: _dns, ...childSettings } = settings({ timeoutMs: 60_000 });
    const child = spawn(process.execPath, nodeArgumentsFor('packages/cloudflare/test/saas-reliability-child.ts'), {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, SSLCLICK_CHILD_SETTINGS: JSON.stringify(childSettings), SSLCLICK_CHILD_HOSTNAME: hostname },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    try {
      const deadline = Date.now() + 30_000;
      while (server.requests.length <= start + killAt) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`The child never reached request ${killAt}: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      server.clearFaults();
    }
    expect(output).not.toMatch(/finished/);
    // The marker is there, the hostname is not: the next run creates it once and finishes.
    expect(snapshot(hostname)).not.toEqual(applied);
    expect((await proxy().apply({ hostname })).ready).toBe(true);
    expect(snapshot(hostname)).toEqual(applied);
  }, 60_000);
});
