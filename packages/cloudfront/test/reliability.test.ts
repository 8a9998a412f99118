// Reliability of the CloudFront adapter against the sandbox (issue #7): a fault at every AWS
// request, crash and resume (abort at every request, and a killed child process), foreign state
// left byte for byte, the cutover never breaking live links, bad input, no secret in anything a
// user sees, and nothing hanging. Run alone with `npm test -- reliability`.
import { spawn } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { SslClickError, lookupName, type ProgressEvent, type ProxyStatus } from '@sslclick/core';
import {
  AWS_DENIED_CREDENTIALS,
  AWS_EXPIRED_CREDENTIALS,
  AWS_REVOKED_CREDENTIALS,
  AWS_TEST_CREDENTIALS,
  startAwsApi,
  type AwsApi,
  type AwsApiOptions,
  type AwsServiceName,
  type FaultKind,
} from '@sslclick/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArgumentsFor } from '../../../test/support/child-script.js';
import { createCloudFrontProxy, createRoute53Dns, type CloudFrontProxySettings } from '../src/index.js';
import { prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from './cloudfront-world.js';

const zone = 'reliability.example';
const services: AwsServiceName[] = ['route53', 'cloudfront', 'acm'];

// Deploys and issuance take seconds on the sandbox clock; the tests never sleep through them:
// each `certificate-waiting` / `edge-waiting` event moves the clock past them (see driveClock).
// So every wait polls exactly twice and a run's requests are the same from one run to the next,
// which is what lets "the k-th request" mean the same call in every run.
const sweepAwsOptions: AwsApiOptions = { deployDelayMs: 2_000, certificateIssueDelayMs: 1_000, changePropagationDelayMs: 50 };
// The per-request time-out leaves room for a busy machine: at 250 ms, with test files side by side
// on two cores, plain answers timed out four times in a row (TIMEOUT on CreateDistribution and
// ListDistributions in the sweep below). A 'slow' answer still comes well after it.
const requestTimeoutMs = 1_000;
const slowResponseMs = 2_500;
// The clean runs define the cases ("the k-th request"), so they must not depend on the machine's
// load: with the 1 s time-out, a clean run on a loaded machine once recorded an extra
// DescribeCertificate (an answer that timed out and was asked again), and every case after that
// index pointed at the wrong request. No answer takes this long unless a fault holds it, and the
// clean runs have no faults.
const cleanRunTimeoutMs = 30_000;

async function startWorld(): Promise<CloudFrontWorld> {
  const world = await startCloudFrontWorld(sweepAwsOptions);
  world.aws.addHostedZone(zone);
  return world;
}

function settingsFor(world: CloudFrontWorld, extra: CloudFrontProxySettings = {}): CloudFrontProxySettings {
  return {
    credentials: { ...AWS_TEST_CREDENTIALS },
    endpoints: world.aws.endpoints,
    verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 2_000 },
    wait: { minDelay: 10, maxDelay: 20, maxWaitTime: 15_000 },
    retry: { minDelay: 5, maxDelay: 10, maxAttempts: 4 },
    timeoutMs: requestTimeoutMs,
    ...extra,
  };
}

function adapterFor(world: CloudFrontWorld, extra: CloudFrontProxySettings = {}): ReturnType<typeof createCloudFrontProxy> {
  return createCloudFrontProxy(settingsFor(world, extra));
}

/** Progress handler that skips the sandbox clock past deploys and issuance when the adapter starts waiting. */
function driveClock(world: CloudFrontWorld, also?: (event: ProgressEvent) => void): (event: ProgressEvent) => void {
  return (event) => {
    if (event.type === 'certificate-waiting' || event.type === 'edge-waiting') world.clock.advance(5_000);
    also?.(event);
  };
}

function resetLogs(world: CloudFrontWorld): void {
  world.aws.clearFaults();
  world.aws.clearLog();
}

/**
 * The AWS state of one hostname, normalised: ids, ARNs, distribution domains, validation record
 * names, the hosted zone's id and the hostname itself replaced by placeholders, so two runs on two hosts compare equal.
 */
function hostState(world: CloudFrontWorld, hostname: string): unknown {
  const distributions = world.aws.distributions().filter((distribution) => distribution.aliases.includes(hostname) || JSON.stringify(distribution.config).includes(hostname));
  const certificates = world.aws.certificates().filter((certificate) => certificate.names.includes(hostname));
  const records = world.dns.zone
    .records()
    .filter((record) => record.name === hostname || record.name.endsWith(`.${hostname}`))
    .map((record) => ({ name: record.name, type: record.type, value: record.value }))
    .sort((left, right) => `${left.name}${left.type}`.localeCompare(`${right.name}${right.type}`));
  const route = world.edge.getRoute(hostname);
  const raw = JSON.stringify({
    distributions: distributions.map((distribution) => {
      const { CallerReference: _reference, ...config } = distribution.config as Record<string, unknown>;
      return { id: distribution.id, status: distribution.status, enabled: distribution.enabled, aliases: distribution.aliases, config, tags: distribution.tags };
    }),
    certificates: certificates.map((certificate) => ({
      arn: certificate.arn,
      status: certificate.status,
      names: certificate.names,
      tags: certificate.tags,
      inUseBy: certificate.inUseBy.length,
    })),
    records,
    edge: { route: route ?? null, certificate: world.edge.getCertificate(hostname) !== undefined },
  });
  const replacements: Array<[string, string]> = [];
  certificates.forEach((certificate, index) => {
    for (const record of certificate.validationRecords) {
      replacements.push([record.value.replace(/\.$/, ''), `<validation-value-${index}>`], [record.name, `<validation-name-${index}>`]);
    }
    replacements.push([certificate.arn, `<certificate-${index}>`]);
  });
  distributions.forEach((distribution, index) => {
    replacements.push([distribution.arn, `<distribution-arn-${index}>`], [distribution.domainName, `<distribution-domain-${index}>`], [distribution.id, `<distribution-${index}>`]);
  });
  // The zone's id differs per world; sslclick's distribution names it in a tag.
  replacements.push([world.aws.addHostedZone(zone).id, '<hosted-zone>']);
  replacements.push([hostname, '<hostname>']);
  let text = raw;
  for (const [from, to] of replacements) text = text.split(from).join(to);
  return JSON.parse(text);
}

/** How many distributions and certificates exist for the hostname (duplicates and orphans show here). */
function resourceCounts(world: CloudFrontWorld, hostname: string): { distributions: number; certificates: number } {
  return {
    distributions: world.aws.distributions().filter((distribution) => distribution.aliases.includes(hostname) || JSON.stringify(distribution.config).includes(hostname)).length,
    certificates: world.aws.certificates().filter((certificate) => certificate.names.includes(hostname)).length,
  };
}

/** The requests each AWS fake received, as `service#index METHOD operation` labels. */
function requestsOf(world: CloudFrontWorld): Array<{ service: AwsServiceName; index: number; label: string }> {
  return services.flatMap((service) => {
    const operations = world.aws.operations.filter((operation) => operation.service === service);
    return world.aws.servers[service].requests.map((request, index) => ({
      service,
      index,
      label: `${service}#${index} ${request.method} ${operations[index]?.operation ?? request.path}`,
    }));
  });
}

/** Resolves once `predicate` holds, polling every 2 ms; rejects after `timeoutMs`. */
async function until(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const startedAt = Date.now();
  while (!predicate()) {
    if (Date.now() - startedAt > timeoutMs) throw new Error('The awaited request never arrived.');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Clicks a tracked link the way a mail client does: sandbox DNS, then HTTP(S) to whatever the
 * name resolves to, trusting the sandbox CA. Links already in inboxes are `http://` (SendGrid has
 * no certificate for a branded host, so `https://` only works once the CDN serves the host).
 */
async function click(world: CloudFrontWorld, hostname: string, protocol: 'http' | 'https' = 'http'): Promise<{ status: number; location: string | undefined; via: string[] }> {
  const link = world.origin.createLink(hostname, 'https://shop.example.org/after-click', { protocol });
  const lookup = await lookupName(hostname, { servers: [world.dns.address], timeoutMs: 2_000 });
  const address = lookup.addresses[0];
  if (!address) throw new Error(`${hostname} does not resolve in sandbox DNS: ${lookup.error ?? ''}`);
  const url = new URL(link.clickUrl);
  const options = { host: address, path: `${url.pathname}${url.search}`, headers: { host: hostname }, timeout: 3_000 };
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage): void => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, location: response.headers.location, via: lookup.cnameChain });
    };
    const outgoing =
      protocol === 'https'
        ? httpsRequest({ ...options, port: world.ports.https, servername: hostname, ca: world.ca.certificate }, onResponse)
        : httpRequest({ ...options, port: world.ports.http }, onResponse);
    outgoing.on('timeout', () => outgoing.destroy(new Error('click timed out')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Clean runs, recorded at collection time so that every case below is enumerated by name.

const cleanWorld = await startWorld();
const pool: CloudFrontWorld[] = [cleanWorld, ...(await Promise.all([startWorld(), startWorld(), startWorld()]))];
const idle = [...pool];
const waiting: Array<(world: CloudFrontWorld) => void> = [];

/** Runs `work` on a world of its own (the fakes' request indexes are per world), waiting for one to be free. */
async function withWorld<Result>(work: (world: CloudFrontWorld) => Promise<Result>): Promise<Result> {
  const world = idle.pop() ?? (await new Promise<CloudFrontWorld>((resolve) => waiting.push(resolve)));
  try {
    resetLogs(world);
    return await work(world);
  } finally {
    resetLogs(world);
    const next = waiting.shift();
    if (next) next(world);
    else idle.push(world);
  }
}

const cleanApply = await (async () => {
  const hostname = prepareBrandedHost(cleanWorld, zone);
  resetLogs(cleanWorld);
  const status = await adapterFor(cleanWorld, { timeoutMs: cleanRunTimeoutMs }).apply({ hostname }, { onProgress: driveClock(cleanWorld) });
  if (!status.ready) throw new Error(`The clean apply did not end ready: ${JSON.stringify(status.nextSteps)}`);
  return { hostname, requests: requestsOf(cleanWorld), state: hostState(cleanWorld, hostname) };
})();

const cleanDestroy = await (async () => {
  const hostname = prepareBrandedHost(cleanWorld, zone);
  await adapterFor(cleanWorld, { timeoutMs: cleanRunTimeoutMs }).apply({ hostname }, { onProgress: driveClock(cleanWorld) });
  resetLogs(cleanWorld);
  const status = await adapterFor(cleanWorld, { timeoutMs: cleanRunTimeoutMs }).destroy({ hostname }, { onProgress: driveClock(cleanWorld) });
  if (status.state !== 'absent') throw new Error(`The clean destroy did not end absent: ${status.state}`);
  return { hostname, requests: requestsOf(cleanWorld), state: hostState(cleanWorld, hostname) };
})();
resetLogs(cleanWorld);

afterAll(async () => {
  await Promise.all(pool.map((world) => world.close()));
});

const faultKinds: FaultKind[] = ['rate-limit', 'server-error', 'unavailable', 'reset', 'slow'];
const faultCases = cleanApply.requests.flatMap((request) => faultKinds.map((kind) => ({ ...request, kind, name: `${request.label}: ${kind}` })));

describe(`1. a fault at every AWS request of apply: ${faultCases.length} cases (${cleanApply.requests.length} requests × ${faultKinds.length} faults)`, () => {
  it('the clean apply is ready, with exactly one distribution and one certificate', () => {
    expect(resourceCounts(cleanWorld, cleanApply.hostname)).toEqual({ distributions: 1, certificates: 1 });
    expect((cleanApply.state as { records: unknown[] }).records).toEqual([
      { name: '<validation-name-0>', type: 'CNAME', value: '<validation-value-0>' },
      { name: '<hostname>', type: 'CNAME', value: '<distribution-domain-0>' },
    ]);
  });

  it.concurrent.for(faultCases)('$name', async (testCase) => {
    await withWorld(async (world) => {
      const hostname = prepareBrandedHost(world, zone);
      world.aws.injectFault(testCase.service, { kind: testCase.kind, match: { index: testCase.index }, retryAfterSeconds: 0, delayMs: slowResponseMs });
      const status = await adapterFor(world).apply({ hostname }, { onProgress: driveClock(world) });
      expect(world.aws.servers[testCase.service].requests[testCase.index]?.fault).toBe(testCase.kind);
      expect({ state: status.state, ready: status.ready }).toEqual({ state: 'ready', ready: true });
      expect(resourceCounts(world, hostname)).toEqual({ distributions: 1, certificates: 1 });
      expect(hostState(world, hostname)).toEqual(cleanApply.state);
    });
  });
});

const crashApplyCases = cleanApply.requests.map((request) => ({ ...request, name: `apply aborted at ${request.label}` }));
const crashDestroyCases = cleanDestroy.requests.map((request) => ({ ...request, name: `destroy aborted at ${request.label}` }));

/** Runs `operation`, aborting it when the fake receives the request at `service#index` (held by a 'hang' fault). */
async function abortAt(world: CloudFrontWorld, service: AwsServiceName, index: number, operation: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
  world.aws.injectFault(service, { kind: 'hang', match: { index } });
  const controller = new AbortController();
  let finished = false;
  const watcher = until(() => finished || world.aws.servers[service].requests[index]?.fault === 'hang').then(() => controller.abort(new Error('simulated crash')));
  const outcome = await operation(controller.signal).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  finished = true;
  await watcher;
  world.aws.clearFaults();
  return 'error' in outcome ? outcome.error : outcome.value;
}

describe(`2. crash and resume: ${crashApplyCases.length} apply + ${crashDestroyCases.length} destroy abort points, and a killed child process`, () => {
  it.concurrent.for(crashApplyCases)('$name, then apply again converges', async (testCase) => {
    await withWorld(async (world) => {
      const hostname = prepareBrandedHost(world, zone);
      const aborted = await abortAt(world, testCase.service, testCase.index, (signal) => adapterFor(world).apply({ hostname }, { signal, onProgress: driveClock(world) }));
      expect(SslClickError.isInstance(aborted) && aborted.code).toBe('ABORTED');
      const status = await adapterFor(world).apply({ hostname }, { onProgress: driveClock(world) });
      expect(status.ready).toBe(true);
      expect(resourceCounts(world, hostname)).toEqual({ distributions: 1, certificates: 1 });
      expect(hostState(world, hostname)).toEqual(cleanApply.state);
    });
  });

  it.concurrent.for(crashDestroyCases)('$name, then destroy again leaves nothing', async (testCase) => {
    await withWorld(async (world) => {
      const hostname = prepareBrandedHost(world, zone);
      expect((await adapterFor(world).apply({ hostname }, { onProgress: driveClock(world) })).ready).toBe(true);
      resetLogs(world);
      const aborted = await abortAt(world, testCase.service, testCase.index, (signal) => adapterFor(world).destroy({ hostname }, { signal, onProgress: driveClock(world) }));
      expect(SslClickError.isInstance(aborted) && aborted.code).toBe('ABORTED');
      const status = await adapterFor(world).destroy({ hostname }, { onProgress: driveClock(world) });
      expect(status.state).toBe('absent');
      expect(resourceCounts(world, hostname)).toEqual({ distributions: 0, certificates: 0 });
      expect(hostState(world, hostname)).toEqual(cleanDestroy.state);
      const click302 = await click(world, hostname);
      expect(click302.status).toBe(302);
    });
  });

  it('a child process running apply is killed (SIGKILL) after it created the distribution; apply again converges', { timeout: 60_000 }, async () => {
    await withWorld(async (world) => {
      const hostname = prepareBrandedHost(world, zone);
      const settings = settingsFor(world, { timeoutMs: 5_000 });
      const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
      const child = spawn(process.execPath, nodeArgumentsFor('packages/cloudfront/test/reliability-child.ts'), {
        cwd: repositoryRoot,
        env: { ...process.env, SSLCLICK_CHILD_CONFIG: JSON.stringify({ hostname, settings }) },
        detached: true, // its own process group, killed whole (tsx's loader when there is no bundle)
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // Deploys and issuance finish on the clock, which lives here.
        if (/event (certificate|edge)-waiting/.test(chunk.toString())) world.clock.advance(5_000);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
      try {
        await until(() => world.aws.operations.some((operation) => operation.operation === 'CreateDistributionWithTags' && operation.status === 201), 45_000);
      } catch (error) {
        throw new Error(`The child never created the distribution: ${output}`, { cause: error });
      } finally {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      expect(await exited).toBe('SIGKILL');
      expect(output).not.toContain('done ');
      // Killed mid-way: the distribution exists, DNS was not moved yet.
      expect(resourceCounts(world, hostname)).toEqual({ distributions: 1, certificates: 1 });
      expect(world.dns.zone.getRecords(hostname)).toMatchObject([{ type: 'CNAME', value: 'sendgrid.net' }]);

      const status = await adapterFor(world).apply({ hostname }, { onProgress: driveClock(world) });
      expect(status.ready).toBe(true);
      expect(resourceCounts(world, hostname)).toEqual({ distributions: 1, certificates: 1 });
      expect(hostState(world, hostname)).toEqual(cleanApply.state);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The remaining groups run one at a time on a world of their own.

const world = await startWorld();
afterAll(async () => {
  await world.close();
});

/** Everything a foreign resource is, for a before/after comparison. */
interface ForeignCase {
  name: string;
  /** Creates the foreign state for `hostname`; returns a snapshot function of exactly that state. */
  setup: (hostname: string) => Promise<() => unknown>;
  adopt?: boolean;
  /** What apply must do: `ready`, or fail with this code. */
  apply: 'ready' | 'CONFLICT';
  /** What apply must have said (in its error or its status warnings). */
  says?: RegExp;
  /** With adopt: whether the foreign state may change (what the README says adopt takes over). */
  takenOver?: boolean;
  /** The conflict is found before apply creates anything. */
  noWrites?: boolean;
}

const cloudFrontClient = (): CloudFrontClient =>
  new CloudFrontClient({ region: 'us-east-1', endpoint: world.aws.endpoints.cloudfront, credentials: { ...AWS_TEST_CREDENTIALS }, maxAttempts: 1 });
const acmClient = (): ACMClient => new ACMClient({ region: 'us-east-1', endpoint: world.aws.endpoints.acm, credentials: { ...AWS_TEST_CREDENTIALS }, maxAttempts: 1 });

const records = (name: string) => (): unknown => world.dns.zone.getRecords(name).map((record) => ({ ...record }));
const distribution = (id: string) => (): unknown => world.aws.getDistribution(id);
const certificate = (arn: string) => (): unknown => world.aws.certificates().find((candidate) => candidate.arn === arn);

async function foreignCertificate(name: string): Promise<string> {
  const answer = await acmClient().send(new RequestCertificateCommand({ DomainName: name, ValidationMethod: 'DNS', Tags: [{ Key: 'owner', Value: 'someone-else' }] }));
  return answer.CertificateArn ?? '';
}

const foreignCases: ForeignCase[] = [
  {
    name: 'an A record at the hostname',
    setup: async (hostname) => {
      world.dns.zone.deleteRecord(hostname);
      world.dns.zone.setRecord({ name: hostname, type: 'A', value: '192.0.2.10' });
      return records(hostname);
    },
    apply: 'CONFLICT',
    says: /holds A 192\.0\.2\.10/,
    noWrites: true,
  },
  {
    name: 'a CNAME to another host',
    setup: async (hostname) => {
      world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'links.other-esp.example' });
      return records(hostname);
    },
    apply: 'CONFLICT',
    says: /CNAME links\.other-esp\.example/,
    noWrites: true,
  },
  {
    name: 'a TXT record at the hostname (a CNAME cannot sit beside it)',
    setup: async (hostname) => {
      world.dns.zone.deleteRecord(hostname);
      world.dns.zone.setRecord({ name: hostname, type: 'TXT', value: 'v=verification-someone-else' });
      return records(hostname);
    },
    apply: 'CONFLICT',
    says: /holds TXT v=verification-someone-else/,
    noWrites: true,
  },
  {
    name: 'a distribution in this account holding the alias',
    setup: async (hostname) => distribution((await world.aws.addForeignDistribution({ alias: hostname })).id),
    apply: 'CONFLICT',
    says: /which sslclick did not create; it was left alone/,
    noWrites: true,
  },
  {
    name: 'a distribution in another account holding the alias',
    setup: async (hostname) => distribution((await world.aws.addForeignDistribution({ alias: hostname, otherAccount: true })).id),
    apply: 'CONFLICT',
    says: /already an alternate domain name \(CNAME\) of another CloudFront distribution/,
  },
  {
    name: "someone else's ACM certificate for the hostname",
    setup: async (hostname) => certificate(await foreignCertificate(hostname)),
    apply: 'ready',
  },
  {
    name: "someone else's wildcard certificate covering the hostname",
    setup: async (hostname) => certificate(await foreignCertificate(`*.${hostname.split('.').slice(1).join('.')}`)),
    apply: 'ready',
  },
  {
    name: "a distribution carrying sslclick's comment for the hostname but not its tags",
    setup: async (hostname) => {
      const created = await cloudFrontClient().send(
        new CreateDistributionCommand({
          DistributionConfig: {
            CallerReference: `copy-${hostname}`,
            Comment: `sslclick: SendGrid click tracking proxy for ${hostname}`,
            Enabled: true,
            Origins: { Quantity: 1, Items: [{ Id: 'o', DomainName: 'origin.someone-else.example', CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } }] },
            DefaultCacheBehavior: { TargetOriginId: 'o', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
          },
        }),
      );
      return distribution(created.Distribution?.Id ?? '');
    },
    apply: 'ready',
  },
  {
    name: 'an unrelated distribution and records of someone else in the same account and zone',
    setup: async (hostname) => {
      const sibling = `www.${hostname.split('.').slice(1).join('.')}`;
      const other = await world.aws.addForeignDistribution({ alias: `shop-${hostname}` });
      world.dns.zone.setRecord({ name: sibling, type: 'A', value: '192.0.2.20' });
      world.dns.zone.setRecord({ name: `_dmarc.${hostname}`, type: 'TXT', value: 'v=DMARC1; p=none' });
      const snapshots = [distribution(other.id), records(sibling), records(`_dmarc.${hostname}`)];
      return () => snapshots.map((snapshot) => snapshot());
    },
    apply: 'ready',
  },
  // adopt: true takes over the DNS name and a distribution in this account (README); never a certificate or another account's distribution.
  {
    name: 'adopt: an A record at the hostname is replaced by the CNAME',
    setup: async (hostname) => {
      world.dns.zone.deleteRecord(hostname);
      world.dns.zone.setRecord({ name: hostname, type: 'A', value: '192.0.2.11' });
      return records(hostname);
    },
    adopt: true,
    apply: 'ready',
    takenOver: true,
  },
  {
    name: 'adopt: a distribution in this account holding the alias is taken over',
    setup: async (hostname) => distribution((await world.aws.addForeignDistribution({ alias: hostname, originDomainName: 'sendgrid.net' })).id),
    adopt: true,
    apply: 'ready',
    says: /sslclick did not create|Adopted/,
    takenOver: true,
  },
  {
    name: "adopt: someone else's certificate for the hostname is still left alone",
    setup: async (hostname) => certificate(await foreignCertificate(hostname)),
    adopt: true,
    apply: 'ready',
  },
  {
    name: 'adopt: a distribution in another account is still a conflict',
    setup: async (hostname) => distribution((await world.aws.addForeignDistribution({ alias: hostname, otherAccount: true })).id),
    adopt: true,
    apply: 'CONFLICT',
    says: /another CloudFront distribution/,
  },
];

describe(`3. foreign state is left byte for byte: ${foreignCases.length} starting states, each through apply and destroy`, () => {
  it.for(foreignCases)('$name', async (testCase) => {
    const hostname = prepareBrandedHost(world, zone);
    const snapshot = await testCase.setup(hostname);
    // Let foreign distributions finish deploying first: their status must not change under the test.
    world.clock.advance(10_000);
    await world.aws.sync();
    const before = JSON.stringify(snapshot());
    const events: ProgressEvent[] = [];
    const adapter = adapterFor(world);
    const request = { hostname, ...(testCase.adopt ? { adopt: true } : {}) };
    resetLogs(world);
    const outcome = await adapter.apply(request, { onProgress: driveClock(world, (event) => events.push(event)) }).then(
      (status) => ({ status }),
      (error: unknown) => ({ error }),
    );
    let said: string;
    if (testCase.apply === 'ready') {
      expect('status' in outcome && outcome.status.ready).toBe(true);
      const status = (outcome as { status: ProxyStatus }).status;
      said = [...status.warnings, ...events.map((event) => event.message)].join('\n');
    } else {
      const error = (outcome as { error: unknown }).error;
      expect(SslClickError.isInstance(error) && error.code).toBe(testCase.apply);
      said = (error as Error).message;
    }
    if (testCase.says) expect(said).toMatch(testCase.says);
    if (testCase.noWrites) expect(world.aws.operations.filter((operation) => operation.write)).toEqual([]);
    if (!testCase.takenOver) expect(JSON.stringify(snapshot())).toBe(before);
    const afterApply = JSON.stringify(snapshot());

    const destroyed = await adapter.destroy(request, { onProgress: driveClock(world) }).catch((error: unknown) => error);
    if (SslClickError.isInstance(destroyed)) throw destroyed;
    const status = destroyed as ProxyStatus;
    expect(status.resources.filter((resource) => resource.owned)).toEqual([]);
    if (testCase.takenOver) {
      // Adopted things are sslclick's now: destroy removes the distribution and points DNS back at SendGrid.
      expect(world.dns.zone.getRecords(hostname)).toMatchObject([{ type: 'CNAME', value: 'sendgrid.net' }]);
    } else {
      expect(JSON.stringify(snapshot())).toBe(before);
      expect(JSON.stringify(snapshot())).toBe(afterApply);
    }
    if (testCase.name.includes('distribution in this account holding the alias') && !testCase.adopt) {
      expect(status.warnings.join(' ')).toMatch(/not created by sslclick: left alone|sslclick did not create and leaves alone/);
    }
  });
});

type CutoverFailure = { name: string; inject: (hostname: string) => void; cleanup?: (hostname: string) => void };

const cutoverFailures: CutoverFailure[] = [
  {
    name: 'the edge stops answering (connections refused)',
    inject: (hostname) => {
      const route = world.edge.getRoute(hostname);
      if (route) world.edge.setRoute({ ...route, failure: 'refuse' });
    },
    cleanup: (hostname) => {
      const route = world.edge.getRoute(hostname);
      if (route) world.edge.setRoute({ ...route, failure: 'none' });
    },
  },
  {
    name: 'the edge answers 503',
    inject: (hostname) => {
      const route = world.edge.getRoute(hostname);
      if (route) world.edge.setRoute({ ...route, failure: '503' });
    },
    cleanup: (hostname) => {
      const route = world.edge.getRoute(hostname);
      if (route) world.edge.setRoute({ ...route, failure: 'none' });
    },
  },
  {
    name: 'the edge loses its certificate',
    inject: (hostname) => void world.edge.removeCertificate(hostname),
  },
  {
    name: 'the ACM certificate is revoked',
    inject: (hostname) => {
      const found = world.aws.certificates().find((candidate) => candidate.names.includes(hostname));
      world.aws.setCertificateStatus(found?.arn ?? '', 'REVOKED', 'KEY_COMPROMISE');
      void world.aws.sync();
    },
  },
  {
    name: 'every Route 53 write fails (500)',
    inject: () => world.aws.injectFault('route53', { kind: 'server-error', match: { write: true }, times: 50 }),
    cleanup: () => world.aws.clearFaults(),
  },
  {
    name: 'every Route 53 write is answered by a proxy error page',
    inject: () => world.aws.injectFault('route53', { kind: 'html-error', match: { write: true }, times: 50 }),
    cleanup: () => world.aws.clearFaults(),
  },
];

describe(`4. the cutover never breaks live links: ${cutoverFailures.length} failures injected after the pre-cutover check`, () => {
  it.for(cutoverFailures)('$name: a click still reaches SendGrid', async (failure) => {
    const hostname = prepareBrandedHost(world, zone);
    expect((await click(world, hostname)).status).toBe(302);
    let injected = false;
    const outcome = await adapterFor(world)
      .apply(
        { hostname },
        {
          onProgress: driveClock(world, (event) => {
            if (event.type === 'edge-verified' && !injected) {
              injected = true;
              failure.inject(hostname);
            }
          }),
        },
      )
      .then(
        (status) => ({ status }),
        (error: unknown) => ({ error }),
      );
    expect(injected).toBe(true);
    const clicked = await click(world, hostname);
    expect(clicked.status).toBe(302);
    expect(clicked.location).toBe('https://shop.example.org/after-click');
    const target = world.dns.zone.getRecords(hostname)[0]?.value;
    if ('error' in outcome) {
      // Not cut over: DNS is SendGrid's again, and the error says so.
      expect(target).toBe('sendgrid.net');
      expect(SslClickError.isInstance(outcome.error) && ['PROVIDER', 'TIMEOUT'].includes(outcome.error.code)).toBe(true);
    } else {
      // Cut over: the distribution serves the host, over HTTPS too.
      expect(outcome.status.ready).toBe(true);
      expect(target).not.toBe('sendgrid.net');
      expect((await click(world, hostname, 'https')).status).toBe(302);
    }
    failure.cleanup?.(hostname);
  });
});

interface BadInputCase {
  name: string;
  run: () => Promise<unknown>;
  code: string;
  says: RegExp;
  /** Input errors must be found before any AWS request at all. */
  noRequests?: boolean;
}

const url = (hostname: string): { hostname: string } => ({ hostname });
const construct = (settings: CloudFrontProxySettings) => async (): Promise<unknown> => createCloudFrontProxy(settingsFor(world, settings));
const applyWith = (settings: CloudFrontProxySettings, hostname?: string) => async (): Promise<unknown> =>
  adapterFor(world, settings).apply(url(hostname ?? prepareBrandedHost(world, zone)), { onProgress: driveClock(world) });

const badInputCases: BadInputCase[] = [
  { name: 'empty hostname', run: () => adapterFor(world).apply(url('')), code: 'INVALID_INPUT', says: /hostname/i, noRequests: true },
  { name: 'the zone apex', run: () => adapterFor(world).apply(url(zone)), code: 'INVALID_INPUT', says: /apex|subdomain|branded/i, noRequests: true },
  { name: 'a wildcard', run: () => adapterFor(world).apply(url(`*.${zone}`)), code: 'INVALID_INPUT', says: /wildcard/i, noRequests: true },
  { name: 'an IP address', run: () => adapterFor(world).apply(url('192.0.2.1')), code: 'INVALID_INPUT', says: /IP address/i, noRequests: true },
  { name: 'a pasted URL', run: () => adapterFor(world).apply(url(`https://url1.${zone}/ls/click`)), code: 'INVALID_INPUT', says: /URL|host name/i, noRequests: true },
  { name: 'a label over 63 characters', run: () => adapterFor(world).apply(url(`${'a'.repeat(64)}.${zone}`)), code: 'INVALID_INPUT', says: /63/, noRequests: true },
  { name: 'an origin that is not a host name', run: () => adapterFor(world).apply({ hostname: `url1.${zone}`, origin: 'https://sendgrid.net/' }), code: 'INVALID_INPUT', says: /origin/, noRequests: true },
  { name: 'certificateArn in another region', run: construct({ certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }), code: 'INVALID_INPUT', says: /us-east-1/, noRequests: true },
  { name: 'an endpoint that is not a URL', run: construct({ endpoints: { cloudfront: 'cloudfront.local' } }), code: 'INVALID_INPUT', says: /not a URL/, noRequests: true },
  { name: 'a malformed hosted zone id', run: construct({ hostedZoneId: 'example.com' }), code: 'INVALID_INPUT', says: /hosted zone id/, noRequests: true },
  { name: 'hostedZoneId and dns together', run: construct({ hostedZoneId: 'Z123', dns: createRoute53Dns({ endpoint: world.aws.endpoints.route53 }) }), code: 'INVALID_INPUT', says: /either hostedZoneId/, noRequests: true },
  { name: 'a negative timeoutMs', run: construct({ timeoutMs: -1 }), code: 'INVALID_INPUT', says: /timeoutMs/, noRequests: true },
  { name: 'a reserved tag key', run: construct({ tags: { 'aws:owner': 'me' } }), code: 'INVALID_INPUT', says: /aws:/, noRequests: true },
  { name: 'an unknown viewer protocol', run: construct({ viewerProtocol: 'https-only' as 'allow-all' }), code: 'INVALID_INPUT', says: /viewerProtocol/, noRequests: true },
  { name: 'an unknown hosted zone', run: applyWith({ hostedZoneId: 'Z0000000000000000000' }), code: 'NOT_FOUND', says: /hosted zone.*hostedZoneId/i },
  { name: 'a certificateArn that does not exist', run: applyWith({ certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000' }), code: 'INVALID_INPUT', says: /does not exist/ },
  { name: 'a denied key', run: applyWith({ credentials: { ...AWS_DENIED_CREDENTIALS } }), code: 'PERMISSION', says: /IAM permission cloudfront:ListDistributions.*Grant it/ },
  { name: 'an expired key', run: applyWith({ credentials: { ...AWS_EXPIRED_CREDENTIALS } }), code: 'CREDENTIALS', says: /did not accept the credentials.*Check the access key/ },
  { name: 'a revoked (deleted) key', run: applyWith({ credentials: { ...AWS_REVOKED_CREDENTIALS } }), code: 'CREDENTIALS', says: /did not accept the credentials.*Check the access key/ },
  {
    name: 'a read-only key (every write action denied)',
    run: async () => {
      for (const action of ['acm:RequestCertificate', 'cloudfront:CreateDistribution', 'route53:ChangeResourceRecordSets']) world.aws.denyAction(action);
      try {
        return await applyWith({})();
      } finally {
        for (const action of ['acm:RequestCertificate', 'cloudfront:CreateDistribution', 'route53:ChangeResourceRecordSets']) world.aws.allowAction(action);
      }
    },
    code: 'PERMISSION',
    says: /lacks the IAM permission acm:RequestCertificate.*Grant it/,
  },
  { name: 'a wrong endpoint (nothing listening)', run: applyWith({ endpoints: { ...world.aws.endpoints, cloudfront: 'http://127.0.0.1:9' }, retry: { maxAttempts: 2, minDelay: 5, maxDelay: 10 } }), code: 'PROVIDER', says: /Could not reach AWS.*endpoint/ },
  {
    name: 'malformed answers (a cut-off body)',
    run: async () => {
      world.aws.injectFault('cloudfront', { kind: 'malformed', times: 50 });
      return applyWith({})();
    },
    code: 'PROVIDER',
    says: /could not be read|not an AWS answer|run again/i,
  },
  {
    name: 'HTML error pages from a proxy in between',
    run: async () => {
      world.aws.injectFault('acm', { kind: 'html-error', times: 50 });
      return applyWith({})();
    },
    code: 'PROVIDER',
    says: /502|proxy|run again/i,
  },
];

describe(`5. bad input: ${badInputCases.length} cases, each an SslClickError that says what to do, with no AWS write`, () => {
  it.for(badInputCases)('$name → $code', async (testCase) => {
    resetLogs(world);
    const outcome = await testCase.run().then(
      () => undefined,
      (error: unknown) => error,
    );
    world.aws.clearFaults();
    expect(SslClickError.isInstance(outcome) && { code: outcome.code, provider: outcome.provider }).toEqual({ code: testCase.code, provider: expect.stringMatching(/cloudfront|route53/) });
    expect((outcome as Error).message).toMatch(testCase.says);
    const requests = services.reduce((sum, service) => sum + world.aws.servers[service].requests.length, 0);
    if (testCase.noRequests) expect(requests).toBe(0);
    expect(world.aws.operations.filter((operation) => operation.write && operation.status < 300)).toEqual([]);
  });
});

const canary = { accessKeyId: 'AKIACANARY3F9A1C7E5B', secretAccessKey: 'canary-cloudfront-3f9a1c7e5b', sessionToken: 'canary-cloudfront-session-3f9a1c7e5b' };
const canaryNeedles = [canary.accessKeyId, canary.secretAccessKey, canary.sessionToken, '3f9a1c7e5b'];

/** Everything a user could see of an error: message, stack, enumerable properties, JSON, the cause chain. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    parts.push(String(current), inspect(current, { depth: 6 }));
    try {
      parts.push(JSON.stringify(current));
    } catch {
      // Circular: inspect covered it.
    }
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    if (typeof current === 'object') parts.push(JSON.stringify(Object.entries(current as object).map(([key, value]) => [key, typeof value === 'object' ? inspect(value, { depth: 4 }) : String(value)])));
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return parts.join('\n');
}

type SecretScenario = { name: string; run: (capture: Capture) => Promise<void> };
type Capture = { onProgress: (event: ProgressEvent) => void; settings: CloudFrontProxySettings };

const secretScenarios: SecretScenario[] = [
  { name: 'apply, status, plan, apply again, destroy', run: async ({ onProgress, settings }) => {
    const adapter = createCloudFrontProxy(settings);
    const hostname = prepareBrandedHost(world, zone);
    seen.push(await adapter.apply({ hostname }, { onProgress }), await adapter.status({ hostname }), await adapter.plan({ hostname }), await adapter.apply({ hostname }, { onProgress }), await adapter.destroy({ hostname }, { onProgress }));
  } },
  { name: 'faults (429, 500, reset, malformed, HTML) ridden out', run: async ({ onProgress, settings }) => {
    for (const kind of ['rate-limit', 'server-error', 'reset', 'malformed', 'html-error'] as const) world.aws.injectFault('cloudfront', { kind, retryAfterSeconds: 0 });
    seen.push(await createCloudFrontProxy({ ...settings, retry: { maxAttempts: 6, minDelay: 5, maxDelay: 10 } }).apply({ hostname: prepareBrandedHost(world, zone) }, { onProgress }));
  } },
  { name: 'faults that do not stop (each error kind)', run: async ({ onProgress, settings }) => {
    for (const kind of ['rate-limit', 'server-error', 'reset', 'malformed', 'html-error', 'hang'] as const) {
      world.aws.injectFault('acm', { kind, times: 20, retryAfterSeconds: 0 });
      seen.push(await createCloudFrontProxy({ ...settings, retry: { maxAttempts: 2, minDelay: 5, maxDelay: 10 } }).apply({ hostname: prepareBrandedHost(world, zone) }, { onProgress }).catch((error: unknown) => error));
      world.aws.clearFaults();
    }
  } },
  { name: 'a denied action, a foreign conflict, an aborted run', run: async ({ onProgress, settings }) => {
    world.aws.denyAction('cloudfront:CreateDistribution');
    seen.push(await createCloudFrontProxy(settings).apply({ hostname: prepareBrandedHost(world, zone) }, { onProgress }).catch((error: unknown) => error));
    world.aws.allowAction('cloudfront:CreateDistribution');
    const hostname = prepareBrandedHost(world, zone);
    await world.aws.addForeignDistribution({ alias: hostname });
    seen.push(await createCloudFrontProxy(settings).apply({ hostname }, { onProgress }).catch((error: unknown) => error));
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    seen.push(await createCloudFrontProxy(settings).apply({ hostname: prepareBrandedHost(world, zone) }, { signal: controller.signal, onProgress }).catch((error: unknown) => error));
  } },
  { name: 'the canary key refused as expired, revoked and denied', run: async ({ onProgress, settings }) => {
    for (const option of ['expiredAccessKeyIds', 'revokedAccessKeyIds', 'deniedAccessKeyIds'] as const) {
      const refusing: AwsApi = await startAwsApi(world, { ...sweepAwsOptions, [option]: [canary.accessKeyId] });
      try {
        seen.push(await createCloudFrontProxy({ ...settings, endpoints: refusing.endpoints, route53: false }).apply({ hostname: prepareBrandedHost(world, zone) }, { onProgress }).catch((error: unknown) => error));
      } finally {
        await refusing.close();
      }
    }
  } },
];
const seen: unknown[] = [];

describe(`6. no secret leaks: ${secretScenarios.length} scenarios with canary credentials, every error, cause, event and status scanned`, () => {
  it.for(secretScenarios)('$name', async (scenario) => {
    seen.length = 0;
    const events: ProgressEvent[] = [];
    const settings = settingsFor(world, { credentials: { ...canary } });
    await scenario.run({ onProgress: driveClock(world, (event) => events.push(event)), settings });
    world.aws.clearFaults();
    expect(seen.length).toBeGreaterThan(0);
    const text = [...seen.map((item) => (item instanceof Error ? errorText(item) : `${JSON.stringify(item)}\n${inspect(item, { depth: 8 })}`)), ...events.map((event) => JSON.stringify(event))].join('\n');
    const hits = canaryNeedles.filter((needle) => text.includes(needle));
    expect(hits).toEqual([]);
  });
});

describe('7. nothing hangs: 2 cases', () => {
  it('AWS accepting connections and never answering gives TIMEOUT within the configured bound', async () => {
    const retry = { maxAttempts: 3, minDelay: 5, maxDelay: 10 };
    const timeoutMs = 300;
    const bound = timeoutMs * retry.maxAttempts + retry.maxDelay * (retry.maxAttempts - 1);
    for (const service of services) world.aws.injectFault(service, { kind: 'hang', times: 100 });
    const startedAt = Date.now();
    const error = await adapterFor(world, { timeoutMs, retry }).apply(url(prepareBrandedHost(world, zone))).catch((caught: unknown) => caught);
    const elapsed = Date.now() - startedAt;
    world.aws.clearFaults();
    expect(SslClickError.isInstance(error) && error.code).toBe('TIMEOUT');
    expect((error as Error).message).toMatch(/did not answer .* in time.*timeoutMs/);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs * retry.maxAttempts);
    expect(elapsed).toBeLessThan(bound * 3);
  });

  it('status of a host whose DNS server is down returns failed checks, not an exception', async () => {
    const hostname = prepareBrandedHost(world, zone);
    expect((await adapterFor(world).apply(url(hostname), { onProgress: driveClock(world) })).ready).toBe(true);
    const status = await adapterFor(world, { verification: { resolver: '127.0.0.1:9', ca: world.ca.certificate, ports: world.ports, timeoutMs: 300 } }).status(url(hostname));
    expect(status.ready).toBe(false);
    expect(status.checks.some((check) => check.ok === false)).toBe(true);
  });
});
