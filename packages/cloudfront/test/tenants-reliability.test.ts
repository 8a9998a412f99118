// Reliability of CloudFront tenants mode against the sandbox: a fault at every AWS request of an
// apply, and an abort (crash) at every request of an apply and of a destroy, each followed by a
// resume; every case must converge to one tenant and one certificate for the host and one shared
// distribution for the whole account, never a duplicate or an orphan.
import { type ProgressEvent } from '@sslclick/core';
import { AWS_TEST_CREDENTIALS, type AwsApiOptions, type AwsServiceName, type FaultKind } from '@sslclick/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { createCloudFrontProxy, type CloudFrontProxySettings } from '../src/index.js';
import { prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

const zone = 'tenants-reliability.example';
const services: AwsServiceName[] = ['route53', 'cloudfront', 'acm'];
// Waits never sleep through deploys: each waiting event moves the sandbox clock past them, so a
// run's requests are the same from one run to the next and "the k-th request" names one call.
const sweepAwsOptions: AwsApiOptions = { deployDelayMs: 2_000, certificateIssueDelayMs: 1_000, changePropagationDelayMs: 50 };

function adapterFor(world: CloudFrontWorld, extra: CloudFrontProxySettings = {}) {
  return createCloudFrontProxy({
    mode: 'tenants',
    credentials: { ...AWS_TEST_CREDENTIALS },
    endpoints: world.aws.endpoints,
    verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 2_000 },
    wait: { minDelay: 10, maxDelay: 20, maxWaitTime: 15_000 },
    retry: { minDelay: 5, maxDelay: 10, maxAttempts: 4 },
    timeoutMs: 250,
    ...extra,
  });
}

function driveClock(world: CloudFrontWorld): (event: ProgressEvent) => void {
  return (event) => {
    if (event.type === 'certificate-waiting' || event.type === 'edge-waiting') world.clock.advance(5_000);
  };
}

/** What exists for a host, and for the account: duplicates and orphans show here. */
function counts(world: CloudFrontWorld, hostname: string): { tenants: number; certificates: number; distributions: number; cname: string | undefined } {
  return {
    tenants: world.aws.tenants().filter((tenant) => tenant.domains.includes(hostname)).length,
    certificates: world.aws.certificates().filter((certificate) => certificate.names.includes(hostname)).length,
    distributions: world.aws.distributions().length,
    cname: world.dns.zone.getRecords(hostname).find((record) => record.type === 'CNAME')?.value,
  };
}

function requestsOf(world: CloudFrontWorld): Array<{ service: AwsServiceName; index: number; label: string }> {
  return services.flatMap((service) => {
    const operations = world.aws.operations.filter((operation) => operation.service === service);
    return world.aws.servers[service].requests.map((request, index) => ({ service, index, label: `${service}#${index} ${request.method} ${operations[index]?.operation ?? request.path}` }));
  });
}

async function until(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const startedAt = Date.now();
  while (!predicate()) {
    if (Date.now() - startedAt > timeoutMs) throw new Error('The awaited request never arrived.');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A world whose shared distribution exists already (set up by a first host), logs cleared. */
async function startWorld(): Promise<CloudFrontWorld> {
  const world = await startCloudFrontWorld(sweepAwsOptions);
  world.aws.addHostedZone(zone);
  const status = await adapterFor(world).apply({ hostname: prepareBrandedHost(world, zone) }, { onProgress: driveClock(world) });
  if (!status.ready) throw new Error(`The first host did not end ready: ${status.nextSteps.join(' ')}`);
  return world;
}

// Most of a case is waiting (edge checks, the post-cutover confirmation): four worlds keep two cores busy.
const pool: CloudFrontWorld[] = await Promise.all(Array.from({ length: 4 }, () => startWorld()));
const idle = [...pool];
const waiting: Array<(world: CloudFrontWorld) => void> = [];
const reset = (world: CloudFrontWorld): void => {
  world.aws.clearFaults();
  world.aws.clearLog();
};

async function withWorld<Result>(work: (world: CloudFrontWorld) => Promise<Result>): Promise<Result> {
  const world = idle.pop() ?? (await new Promise<CloudFrontWorld>((resolve) => waiting.push(resolve)));
  try {
    reset(world);
    return await work(world);
  } finally {
    reset(world);
    const next = waiting.shift();
    if (next) next(world);
    else idle.push(world);
  }
}

afterAll(async () => {
  await Promise.all(pool.map((world) => world.close()));
});

// The clean runs define the cases ("the k-th request"): with the 250 ms time-out, an answer late on
// a loaded machine would be asked again and shift every case after it. No answer takes 30 s unless
// a fault holds it, and the clean runs have none.
const cleanRunTimeoutMs = 30_000;

const [cleanApply, cleanDestroy] = await withWorld(async (world) => {
  const hostname = prepareBrandedHost(world, zone);
  const status = await adapterFor(world, { timeoutMs: cleanRunTimeoutMs }).apply({ hostname }, { onProgress: driveClock(world) });
  if (!status.ready) throw new Error(`The clean apply did not end ready: ${status.nextSteps.join(' ')}`);
  const apply = requestsOf(world);
  reset(world);
  const destroyed = await adapterFor(world, { timeoutMs: cleanRunTimeoutMs }).destroy({ hostname }, { onProgress: driveClock(world) });
  if (destroyed.state !== 'absent') throw new Error(`The clean destroy did not end absent: ${destroyed.state}`);
  // CloudFront's requests only: the Route 53 and ACM calls are the per-host mode's own (same
  // modules, same retry path), swept at every request in reliability.test.ts.
  const cloudFrontOnly = (requests: ReturnType<typeof requestsOf>) => requests.filter((request) => request.service === 'cloudfront');
  return [cloudFrontOnly(apply), cloudFrontOnly(requestsOf(world))];
});

// Throttling and a dropped connection, alternating over the requests (every request gets one; the
// per-host sweep in reliability.test.ts runs all five kinds over the same retry code).
const faultKinds: FaultKind[] = ['rate-limit', 'reset'];
const faultCases = cleanApply.map((request, position) => {
  const kind = faultKinds[position % faultKinds.length] as FaultKind;
  return { ...request, kind, name: `${request.label}: ${kind}` };
});

describe(`1. a fault at every AWS request of a tenants apply: ${faultCases.length} cases`, () => {
  it.concurrent.for(faultCases)('$name', async (testCase) => {
    await withWorld(async (world) => {
      const hostname = prepareBrandedHost(world, zone);
      world.aws.injectFault(testCase.service, { kind: testCase.kind, match: { index: testCase.index }, retryAfterSeconds: 0 });
      const status = await adapterFor(world).apply({ hostname }, { onProgress: driveClock(world) });
      expect(world.aws.servers[testCase.service].requests[testCase.index]?.fault).toBe(testCase.kind);
      expect({ state: status.state, ready: status.ready }).toEqual({ state: 'ready', ready: true });
      expect(counts(world, hostname)).toMatchObject({ tenants: 1, certificates: 1, distributions: 1, cname: status.edge.target });
    });
  });
});

/** Runs `operation`, aborting it when the fake receives the request at `service#index` (held by a 'hang' fault). */
async function abortAt(world: CloudFrontWorld, service: AwsServiceName, index: number, operation: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  world.aws.injectFault(service, { kind: 'hang', match: { index } });
  const controller = new AbortController();
  let finished = false;
  const watcher = until(() => finished || world.aws.servers[service].requests[index]?.fault === 'hang').then(() => controller.abort(new Error('simulated crash')));
  await operation(controller.signal).catch(() => undefined);
  finished = true;
  await watcher;
  world.aws.clearFaults();
}

describe(`2. crash and resume: ${cleanApply.length} apply and ${cleanDestroy.length} destroy abort points`, () => {
  it.concurrent.for(cleanApply.map((request) => ({ ...request, name: `apply aborted at ${request.label}` })))('$name', async (testCase) => {
    await withWorld(async (world) => {
      const hostname = prepareBrandedHost(world, zone);
      await abortAt(world, testCase.service, testCase.index, (signal) => adapterFor(world).apply({ hostname }, { signal, onProgress: driveClock(world) }));
      const status = await adapterFor(world).apply({ hostname }, { onProgress: driveClock(world) });
      expect(status.ready).toBe(true);
      expect(counts(world, hostname)).toMatchObject({ tenants: 1, certificates: 1, distributions: 1, cname: status.edge.target });
    });
  });

  it.concurrent.for(cleanDestroy.map((request) => ({ ...request, name: `destroy aborted at ${request.label}` })))('$name', async (testCase) => {
    await withWorld(async (world) => {
      const hostname = prepareBrandedHost(world, zone);
      await adapterFor(world).apply({ hostname }, { onProgress: driveClock(world) });
      reset(world);
      await abortAt(world, testCase.service, testCase.index, (signal) => adapterFor(world).destroy({ hostname }, { signal, onProgress: driveClock(world) }));
      const status = await adapterFor(world).destroy({ hostname }, { onProgress: driveClock(world) });
      expect(status.resources.filter((resource) => resource.owned)).toEqual([]);
      // The first host of the world keeps the shared distribution alive; this host leaves nothing.
      expect(counts(world, hostname)).toEqual({ tenants: 0, certificates: 0, distributions: 1, cname: 'sendgrid.net' });
    });
  });
});
