import { request as httpRequest } from 'node:http';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import { verifyHostnames } from '@sslclick/core';
import { EDGE_ADDRESS, startSandbox, type Sandbox } from '@sslclick/sandbox';

/** One concurrency level's figures. */
export interface ThroughputFigure {
  concurrency: number;
  hostnames: number;
  verifyHostnamesPerSecond: number;
  baselineHostnamesPerSecond: number;
  /** verify ÷ baseline: how close the full verifier gets to the bare minimum this machine can do. */
  ratio: number;
  /** Hosts whose verification did not pass (should be 0: every host is served correctly). */
  failures: number;
  /**
   * The rounds: each verifies a slice of the hosts and runs the baseline over the same slice right
   * before or after (alternately), so both see the same machine load. `ratio` is their median.
   */
  runs: Array<{ hostnames: number; verifyPerSecond: number; baselinePerSecond: number; ratio: number }>;
}

const edgeName = 'edge.bench.sandbox.test';

async function prepareHosts(sandbox: Sandbox, count: number): Promise<{ hostnames: string[]; sampleLinks: Record<string, string> }> {
  sandbox.dns.zone.setRecord({ name: edgeName, type: 'A', value: EDGE_ADDRESS });
  const hostnames: string[] = [];
  const sampleLinks: Record<string, string> = {};
  for (let index = 0; index < count; index += 1) {
    const hostname = `url${index}.bench${Math.floor(index / 100)}.example.com`;
    sandbox.origin.addBrandedHost(hostname);
    sandbox.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: edgeName });
    await sandbox.edge.setCertificate(hostname);
    sandbox.edge.setRoute({ hostname, provider: 'fastly', originHost: 'sendgrid.net', originProtocol: 'https', hostHeader: 'viewer' });
    // A tracked link per host, so each verification proves the redirect as a real one would.
    sampleLinks[hostname] = sandbox.origin.createLink(hostname, 'https://shop.example.org/bench', { protocol: 'https' }).clickUrl;
    hostnames.push(hostname);
  }
  return { hostnames, sampleLinks };
}

/**
 * The bare minimum per host: one TLS handshake with SNI (the certificate checked against the
 * sandbox root, with one trust store built once, as the verifier does) and one HTTP request over it.
 */
function bareCheck(hostname: string, sandbox: Sandbox, secureContext: SecureContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: EDGE_ADDRESS, port: sandbox.ports.https, servername: hostname, secureContext });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const request = httpRequest({ createConnection: () => socket as unknown as Socket, path: '/', headers: { host: hostname, connection: 'close' } });
      request.once('response', (response) => {
        response.resume();
        response.once('end', () => {
          socket.destroy();
          resolve();
        });
      });
      request.once('error', reject);
      request.end();
    });
  });
}

async function runPool<Item>(items: readonly Item[], concurrency: number, work: (item: Item) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next] as Item;
        next += 1;
        await work(item);
      }
    }),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Verifies `count` hostnames served by the sandbox edge (DNS, TLS and HTTP per host) at each
 * concurrency, and measures the bare baseline (TLS handshake plus one request) over the same hosts
 * in the same run, interleaved in `rounds` slices so that a busy machine slows both alike.
 */
export async function measureVerifyThroughput(count: number, levels: readonly number[], rounds = 4): Promise<ThroughputFigure[]> {
  const sandbox = await startSandbox();
  try {
    const { hostnames, sampleLinks } = await prepareHosts(sandbox, count);
    const secureContext = createSecureContext({ ca: sandbox.ca.certificate });
    const options = { ...sandbox.verification, expectedTargets: [edgeName], timeoutMs: 10_000, sampleLinks };
    await verifyHostnames(hostnames.slice(0, 50), { ...options, concurrency: 8 }); // warm-up
    await runPool(hostnames.slice(0, 50), 8, (hostname) => bareCheck(hostname, sandbox, secureContext));
    const figures: ThroughputFigure[] = [];
    const sliceSize = Math.ceil(count / rounds);
    for (const concurrency of levels) {
      const runs: ThroughputFigure['runs'] = [];
      let verifySeconds = 0;
      let baselineSeconds = 0;
      let failures = 0;
      for (let round = 0; round < rounds; round += 1) {
        const slice = hostnames.slice(round * sliceSize, (round + 1) * sliceSize);
        if (slice.length === 0) continue;
        const timeVerify = async (): Promise<number> => {
          const startedAt = performance.now();
          const results = await verifyHostnames(slice, { ...options, concurrency });
          failures += results.filter((result) => !result.ok).length;
          return (performance.now() - startedAt) / 1000;
        };
        const timeBaseline = async (): Promise<number> => {
          const startedAt = performance.now();
          await runPool(slice, concurrency, (hostname) => bareCheck(hostname, sandbox, secureContext));
          return (performance.now() - startedAt) / 1000;
        };
        let verify: number;
        let baseline: number;
        if (round % 2 === 0) {
          verify = await timeVerify();
          baseline = await timeBaseline();
        } else {
          baseline = await timeBaseline();
          verify = await timeVerify();
        }
        verifySeconds += verify;
        baselineSeconds += baseline;
        runs.push({
          hostnames: slice.length,
          verifyPerSecond: Math.round(slice.length / verify),
          baselinePerSecond: Math.round(slice.length / baseline),
          ratio: Number((baseline / verify).toFixed(2)),
        });
      }
      figures.push({
        concurrency,
        hostnames: count,
        verifyHostnamesPerSecond: Math.round(count / verifySeconds),
        baselineHostnamesPerSecond: Math.round(count / baselineSeconds),
        ratio: Number(median(runs.map((run) => run.ratio)).toFixed(2)),
        failures,
        runs,
      });
    }
    return figures;
  } finally {
    await sandbox.close();
  }
}
