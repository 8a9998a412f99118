/**
 * The one window no other test covers (issue 16, part 2): DNS has just moved to the CDN, the edge
 * turns out broken, and the process dies before the write that puts DNS back. Then clicks fail
 * until someone acts. For each CDN, `apply` runs in a child process that is killed with SIGKILL
 * at every step of the check after the cutover, with a failing edge:
 *
 * 1. right after the cutover's DNS write was answered, before the first check;
 * 2. during a check (the edge accepts the connection and never answers);
 * 3. after a failed check, before the next one;
 * 4. while the write putting DNS back is in flight (the DNS API holds it).
 *
 * After each kill the next `status` (read-only) reports `failed`, says "DNS points at a CDN that
 * fails the checks" first and names the record to restore by hand in `dns.restore`; the next
 * `apply` puts DNS back before any other write (the vendors' request logs show the order), links
 * work again, and once the edge is repaired `apply` reaches ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsRecord, ProxyAdapter } from '@sslclick/core';
import { AWS_TEST_CREDENTIALS, type Edge, type EdgeFailure } from '@sslclick/sandbox';
import type { CutoverChildConfig } from './post-cutover-child.js';
import { nodeArgumentsFor } from './support/child-script.js';
import { createTestProxy as createCloudflareProxy, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from '../packages/cloudflare/test/cloudflare-world.js';
import { createTestAdapter as createCloudFrontAdapter, prepareBrandedHost, startCloudFrontWorld, type CloudFrontWorld } from '../packages/cloudfront/test/cloudfront-world.js';
import { clickLink, reliabilityProxy, seedHost, startReliabilityWorld, type ReliabilityWorld } from '../packages/fastly/test/reliability-world.js';

const caseTimeout = 90_000;
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/** One write a vendor received, in the order the vendors received them. */
interface VendorWrite {
  label: string;
  /** Whether it is the write that puts the hostname's DNS back. */
  restoresDns: boolean;
}

/** What the matrix needs from one CDN's sandbox world. */
interface Harness {
  cdn: CutoverChildConfig['cdn'];
  edge: Edge;
  /** A fresh branded host, its DNS on SendGrid. */
  seed(): Promise<string>;
  child(hostname: string, pauseAt: string[]): CutoverChildConfig;
  /** The adapter in this process, with the child's settings. */
  adapter(): ProxyAdapter;
  /** The event right after the cutover's DNS write was answered. */
  dnsWritten: string;
  /** The event after a failed check following the cutover. */
  checkFailed: string;
  /** Whether the hostname's DNS points at the CDN / back at SendGrid, in the vendor's state. */
  pointsAtCdn(hostname: string): boolean;
  onSendGrid(hostname: string): boolean;
  /** The record that makes links work again. */
  restoreRecord(hostname: string): Partial<DnsRecord>;
  /** Holds the next DNS write (the restore) without answering; `held()` says it arrived. */
  holdNextDnsWrite(): { held(): boolean };
  clearFaults(): void;
  /** A mark in the vendors' logs, and the writes since it, in order. */
  mark(): number[];
  writesSince(mark: number[]): VendorWrite[];
  onEvent(type: string): void;
  clickWorks(hostname: string): Promise<boolean>;
  close(): Promise<void>;
}

async function cloudflareHarness(): Promise<Harness> {
  const world: CloudflareWorld = await startCloudflareWorld({ certificateIssueDelayMs: 0 });
  const server = world.cloudflare.server;
  const settings = {
    apiToken: world.cloudflare.tokens.full,
    baseURL: world.cloudflare.url,
    verification: { ...world.verification, timeoutMs: 1_500 },
    wait: { minDelay: 30, maxDelay: 150, maxWaitTime: 20_000 },
    retry: { minDelay: 10, maxDelay: 50 },
    timeoutMs: 60_000,
    cutoverCheckTimeoutMs: 4_000,
  };
  const record = (hostname: string) => world.cloudflare.recordsAt(world.zone.id, hostname)[0];
  return {
    cdn: 'cloudflare',
    edge: world.edge,
    seed: () => seedBrandedHost(world),
    child: (hostname, pauseAt) => ({ cdn: 'cloudflare', hostname, pauseAt, settings }),
    adapter: () => createCloudflareProxy(world, settings),
    dnsWritten: 'record-proxied',
    checkFailed: 'edge-check-waiting',
    pointsAtCdn: (hostname) => record(hostname)?.proxied === true,
    onSendGrid: (hostname) => record(hostname)?.proxied === false && record(hostname)?.content === 'sendgrid.net',
    restoreRecord: (hostname) => ({ name: hostname, type: 'CNAME', value: 'sendgrid.net', purpose: expect.stringMatching(/DNS only/) as unknown as string }),
    holdNextDnsWrite: () => {
      const from = server.requests.length;
      server.injectFault({ kind: 'hang', match: { method: 'PATCH', path: /\/dns_records\// } });
      return { held: () => server.requests.slice(from).some((request) => request.fault === 'hang') };
    },
    clearFaults: () => server.clearFaults(),
    mark: () => [server.requests.length],
    writesSince: ([from = 0]) =>
      server.requests
        .slice(from)
        .filter((request) => request.write)
        .map((request) => ({ label: `cloudflare ${request.method} ${request.path}`, restoresDns: request.method === 'PATCH' && request.path.includes('/dns_records/') && /"proxied":false/.test(request.body) })),
    onEvent: () => undefined,
    clickWorks: async (hostname) => {
      const click = await clickLink(asReliability(world), hostname, 'https://shop.example.org/after');
      return click.status === 302 && click.location === 'https://shop.example.org/after';
    },
    close: () => world.close(),
  };
}

async function fastlyHarness(): Promise<Harness> {
  const world: ReliabilityWorld = await startReliabilityWorld();
  const settings = {
    apiToken: world.fastly.tokens.admin,
    baseURL: world.fastly.url,
    mode: 'vcl' as const,
    verification: { resolver: world.sandbox.dns.address, ca: world.sandbox.ca.certificate, ports: world.sandbox.ports, timeoutMs: 1_500 },
    wait: { minDelay: 30, maxDelay: 100, maxWaitTime: 4_000 },
    retry: { minDelay: 5, maxDelay: 20, maxAttempts: 4 },
    timeoutMs: 60_000,
  };
  const dns = { apiToken: world.cloudflareToken, baseURL: world.cloudflare.url, retry: { minDelay: 5, maxDelay: 20 } };
  const cname = (hostname: string) => world.cloudflare.recordsAt(world.zone.id, hostname)[0]?.content;
  const dnsServer = world.cloudflare.server;
  const fastlyServer = world.fastly.server;
  return {
    cdn: 'fastly',
    edge: world.sandbox.edge,
    seed: () => seedHost(world),
    child: (hostname, pauseAt) => ({ cdn: 'fastly', hostname, pauseAt, settings, dns }),
    adapter: () => reliabilityProxy(world, settings),
    dnsWritten: 'dns-cutover',
    checkFailed: 'edge-recheck-waiting',
    pointsAtCdn: (hostname) => cname(hostname) === world.fastly.cnameTarget,
    onSendGrid: (hostname) => cname(hostname) === 'sendgrid.net',
    restoreRecord: (hostname) => ({ name: hostname, type: 'CNAME', value: 'sendgrid.net' }),
    holdNextDnsWrite: () => {
      const from = dnsServer.requests.length;
      dnsServer.injectFault({ kind: 'hang', match: { write: true } });
      return { held: () => dnsServer.requests.slice(from).some((request) => request.fault === 'hang') };
    },
    clearFaults: () => {
      dnsServer.clearFaults();
      fastlyServer.clearFaults();
    },
    mark: () => [dnsServer.requests.length, fastlyServer.requests.length],
    writesSince: ([dnsFrom = 0, fastlyFrom = 0]) =>
      [
        ...dnsServer.requests.slice(dnsFrom).map((request) => ({ request, vendor: 'cloudflare' })),
        ...fastlyServer.requests.slice(fastlyFrom).map((request) => ({ request, vendor: 'fastly' })),
      ]
        .filter(({ request }) => request.write)
        .sort((left, right) => left.request.receivedAt - right.request.receivedAt)
        .map(({ request, vendor }) => ({
          label: `${vendor} ${request.method} ${request.path}`,
          restoresDns: vendor === 'cloudflare' && request.path.includes('/dns_records/') && /"content":"sendgrid\.net"/.test(request.body),
        })),
    onEvent: () => undefined,
    clickWorks: async (hostname) => {
      const click = await clickLink(world, hostname, 'https://shop.example.org/after');
      return click.status === 302 && click.location === 'https://shop.example.org/after';
    },
    close: () => world.close(),
  };
}

async function cloudFrontHarness(): Promise<Harness> {
  const world: CloudFrontWorld = await startCloudFrontWorld();
  const zone = 'window.example';
  world.aws.addHostedZone(zone);
  const settings = {
    credentials: { ...AWS_TEST_CREDENTIALS },
    endpoints: world.aws.endpoints,
    verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 1_500 },
    wait: { minDelay: 30, maxDelay: 100, maxWaitTime: 20_000 },
    retry: { minDelay: 10, maxDelay: 50 },
    timeoutMs: 60_000,
  };
  const cname = (hostname: string) => world.dns.zone.getRecords(hostname).find((record) => record.type === 'CNAME')?.value;
  const distributionDomain = (hostname: string) => world.aws.distributions().find((distribution) => distribution.aliases.includes(hostname))?.domainName;
  return {
    cdn: 'cloudfront',
    edge: world.edge,
    seed: async () => prepareBrandedHost(world, zone),
    child: (hostname, pauseAt) => ({ cdn: 'cloudfront', hostname, pauseAt, settings }),
    adapter: () => createCloudFrontAdapter(world, settings),
    dnsWritten: 'dns-cutover',
    checkFailed: 'edge-recheck-waiting',
    pointsAtCdn: (hostname) => cname(hostname) !== undefined && cname(hostname) === distributionDomain(hostname),
    onSendGrid: (hostname) => cname(hostname) === 'sendgrid.net',
    restoreRecord: (hostname) => ({ name: hostname, type: 'CNAME', value: 'sendgrid.net' }),
    holdNextDnsWrite: () => {
      const from = world.aws.servers.route53.requests.length;
      world.aws.injectFault('route53', { kind: 'hang', match: { write: true } });
      return { held: () => world.aws.servers.route53.requests.slice(from).some((request) => request.fault === 'hang') };
    },
    clearFaults: () => world.aws.clearFaults(),
    mark: () => [world.aws.operations.length],
    writesSince: ([from = 0]) =>
      world.aws.operations
        .slice(from)
        .filter((operation) => operation.write)
        .map((operation) => ({ label: `${operation.service} ${operation.operation}`, restoresDns: operation.operation === 'ChangeResourceRecordSets' })),
    // Deploys and issuance finish on the sandbox clock, which lives here.
    onEvent: (type) => {
      if (type === 'certificate-waiting' || type === 'edge-waiting') world.clock.advance(5_000);
    },
    clickWorks: async (hostname) => {
      const click = await clickLink(asReliability(world), hostname, 'https://shop.example.org/after');
      return click.status === 302 && click.location === 'https://shop.example.org/after';
    },
    close: () => world.close(),
  };
}

/** `clickLink` needs only the sandbox of a world. */
function asReliability(world: CloudflareWorld | CloudFrontWorld): ReliabilityWorld {
  return { sandbox: world } as unknown as ReliabilityWorld;
}

/** A step of the post-cutover check at which the process dies. */
interface KillStep {
  name: string;
  /** How the edge fails, from right after the DNS write. */
  failure: EdgeFailure;
  /** Hold the child at the first failed check too. */
  holdAfterFailedCheck?: boolean;
  /** Runs while the child holds right after the DNS write; resolves once the child may be killed. */
  killWhen(harness: Harness, hostname: string, child: ChildRun): Promise<void>;
}

const killSteps: KillStep[] = [
  {
    name: 'right after the DNS write, before the first check',
    failure: '503',
    killWhen: async () => undefined,
  },
  {
    name: 'during a check (the edge accepted the connection and never answers)',
    failure: 'hang',
    killWhen: async (harness, hostname, child) => {
      const from = harness.edge.requests.length;
      child.release();
      await until(() => harness.edge.requests.slice(from).some((request) => request.hostname === hostname), child);
    },
  },
  {
    name: 'after a failed check, before the next one',
    failure: '503',
    holdAfterFailedCheck: true,
    killWhen: async (harness, _hostname, child) => {
      child.release();
      await until(() => child.events.includes(harness.checkFailed), child);
    },
  },
  {
    name: 'while the write putting DNS back is in flight',
    failure: 'refuse',
    killWhen: async (harness, _hostname, child) => {
      const hold = harness.holdNextDnsWrite();
      child.release();
      await until(() => hold.held(), child);
    },
  },
];

interface ChildRun {
  process: ChildProcess;
  events: string[];
  output(): string;
  release(): void;
  exited: Promise<NodeJS.Signals | number | null>;
}

function startChild(config: CutoverChildConfig, onEvent: (type: string) => void): ChildRun {
  const child = spawn(process.execPath, nodeArgumentsFor('test/post-cutover-child.ts'), {
    cwd: repositoryRoot,
    env: { ...process.env, SSLCLICK_CUTOVER_CHILD: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: string[] = [];
  let output = '';
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('event ')) continue;
      const type = (JSON.parse(line.slice('event '.length)) as { type: string }).type;
      events.push(type);
      onEvent(type);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A release written just as the child dies must not fail the test run (EPIPE).
  child.stdin?.on('error', () => undefined);
  return {
    process: child,
    events,
    output: () => output,
    release: () => void child.stdin?.write('go\n'),
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code))),
  };
}

/** Resolves once `predicate` holds; fails with the child's output when it never does or the child ended. */
async function until(predicate: () => boolean, child: ChildRun, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline || child.process.exitCode !== null) throw new Error(`The child never got there. Its output:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const harnesses: Record<CutoverChildConfig['cdn'], () => Promise<Harness>> = {
  cloudflare: cloudflareHarness,
  fastly: fastlyHarness,
  cloudfront: cloudFrontHarness,
};

// The three CDNs side by side (each has its own world, so none sees another's requests, faults or
// edge), their four steps one after another (they share their CDN's world and request logs). One
// CDN after another, the file spent most of its minute waiting on children, probes and time-outs.
describe.concurrent.each(Object.keys(harnesses) as Array<CutoverChildConfig['cdn']>)('%s: killed at every step of the check after the cutover, with a failing edge (4 steps)', (cdn) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await harnesses[cdn]();
  }, 60_000);
  afterAll(async () => harness?.close(), 30_000);

  it.sequential.for(killSteps)('killed $name: status says failed with the record to restore, apply puts DNS back first', { timeout: caseTimeout }, async (step, { expect }) => {
    const hostname = await harness.seed();
    expect(await harness.clickWorks(hostname)).toBe(true);

    // 1. apply in a child process, held right after the cutover's DNS write.
    const child = startChild(harness.child(hostname, [harness.dnsWritten, ...(step.holdAfterFailedCheck ? [harness.checkFailed] : [])]), (type) => harness.onEvent(type));
    try {
      await until(() => child.events.includes(harness.dnsWritten), child);
      // DNS has just moved; the edge turns out broken.
      const route = harness.edge.getRoute(hostname);
      if (!route) throw new Error(`No edge route for ${hostname} after the cutover. Child output:\n${child.output()}`);
      harness.edge.setRoute({ ...route, failure: step.failure });
      await step.killWhen(harness, hostname, child);
      child.process.kill('SIGKILL');
      expect(await child.exited).toBe('SIGKILL');
    } finally {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      harness.clearFaults();
    }
    expect(child.output()).not.toMatch(/^(finished|failed) /m);
    expect(child.events).not.toContain('dns-restored');
    // The window: DNS points at the CDN, the CDN fails, nobody is left to put DNS back.
    expect(harness.pointsAtCdn(hostname)).toBe(true);
    expect(await harness.clickWorks(hostname)).toBe(false);

    // 2. The next status sees it at once, writes nothing, and names the record to restore.
    const adapter = harness.adapter();
    const beforeStatus = harness.mark();
    const status = await adapter.status({ hostname });
    expect(harness.writesSince(beforeStatus)).toEqual([]);
    expect(status.state).toBe('failed');
    expect(status.ready).toBe(false);
    expect(status.dns.pointsToCdn).toBe(true);
    expect(status.dns.restore).toMatchObject(harness.restoreRecord(hostname));
    expect(status.nextSteps[0]).toMatch(/^DNS points at a CDN that fails the checks/);
    expect(status.nextSteps[0]).toContain(`${hostname} CNAME sendgrid.net`);

    // 3. The next apply puts DNS back before any other write. Where it goes on to the pre-cutover
    // check (Fastly, CloudFront), that check keeps failing on the broken edge until the edge is
    // repaired; Cloudflare, whose only test of the edge is the proxy switch, stops there.
    const beforeApply = harness.mark();
    const events: string[] = [];
    let restoredOnSendGrid: boolean | undefined;
    let clickAfterRestore: Promise<boolean> | undefined;
    const repairEdge = (): void => {
      const route = harness.edge.getRoute(hostname);
      if (route && route.failure !== 'none') harness.edge.setRoute({ ...route, failure: 'none' });
    };
    const applied = await adapter.apply(
      { hostname },
      {
        onProgress: (event) => {
          events.push(event.type);
          harness.onEvent(event.type);
          if (event.type === 'dns-restored' && restoredOnSendGrid === undefined) {
            restoredOnSendGrid = harness.onSendGrid(hostname);
            clickAfterRestore = harness.clickWorks(hostname);
          }
          if (event.type === 'edge-check-waiting' && events.includes('dns-restored')) repairEdge();
        },
      },
    );
    const writes = harness.writesSince(beforeApply);
    expect(writes[0], JSON.stringify(writes)).toMatchObject({ restoresDns: true });
    expect(events.indexOf('cutover-failing')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('dns-restored')).toBeGreaterThan(events.indexOf('cutover-failing'));
    expect(restoredOnSendGrid).toBe(true);
    expect(await clickAfterRestore).toBe(true);

    // 4. Converged: ready once the edge is repaired (Cloudflare in a second apply).
    let finished = applied;
    if (!finished.ready) {
      expect(harness.cdn).toBe('cloudflare');
      expect(finished.state).toBe('failed');
      expect(harness.onSendGrid(hostname)).toBe(true);
      repairEdge();
      finished = await adapter.apply({ hostname }, { onProgress: (event) => harness.onEvent(event.type) });
    } else {
      expect(events).toContain('edge-check-waiting');
    }
    expect(finished.ready, JSON.stringify(finished.checks.filter((check) => check.ok === false))).toBe(true);
    expect(finished.dns.restore).toBeUndefined();
    expect(await harness.clickWorks(hostname)).toBe(true);
  });
});
