/**
 * Figure 3: `verifyHostnames` throughput against a hand-written baseline that does the same
 * network work per host, with the sandbox in a process of its own (bench/sandbox-process.ts), so
 * that the fake DNS server, edge and origin do not take CPU from the client being measured.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect, createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { verifyHostnames } from '@sslclick/core';
import type { SandboxProcessReady } from './sandbox-process.js';

/** One concurrency level's figures. */
export interface ThroughputFigure {
  concurrency: number;
  hostnames: number;
  verifyHostnamesPerSecond: number;
  baselineHostnamesPerSecond: number;
  /** verify ÷ baseline: how close the full verifier gets to the same network work written by hand. */
  ratio: number;
  /**
   * Wall time per host times the concurrency, in ms: at concurrency 1, one host's latency (the
   * baseline runs its probes at once, so its latency is its slowest probe's, after DNS).
   */
  meanHostMs: { verify: number; baseline: number };
  /** Hosts whose verification did not pass (should be 0: every host is served correctly). */
  failures: number;
  /** Hosts whose baseline work failed (a DNS time-out on a starved machine, say). */
  baselineFailures: number;
  /**
   * The rounds: each verifies a slice of the hosts and runs the baseline over the same slice right
   * before or after (alternately), so both see the same machine load. `ratio` is their median.
   */
  runs: Array<{ hostnames: number; verifyPerSecond: number; baselinePerSecond: number; ratio: number }>;
}

export interface Target {
  resolver: Resolver;
  secureContext: SecureContext;
  ports: { https: number; http: number };
  paths: Record<string, string>;
}

/** One request with `Host: hostname`, over `socket` when given, else plain HTTP; resolves at the body's end. */
function get(hostname: string, path: string, options: { socket?: Socket; address: string; port: number }): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: options.address,
      port: options.port,
      path,
      headers: { host: hostname, connection: 'close' },
      ...(options.socket ? { createConnection: () => options.socket as Socket } : { agent: false }),
    });
    request.once('response', (response) => {
      response.resume();
      response.once('end', () => {
        request.destroy();
        resolve(response.statusCode);
      });
    });
    request.once('error', reject);
    request.end();
  });
}

/**
 * The baseline: the verifier's network work for one host, by hand. DNS asks what the verifier
 * asks (the CNAME chain walked, the host's A record beside it); then the TLS handshake with SNI
 * (certificate checked against the same trust store, built once) and one HTTPS request over it,
 * beside one plain-HTTP request.
 */
export async function baselineCheck(hostname: string, target: Target): Promise<void> {
  const addressQuery = target.resolver.resolve4(hostname);
  let current = hostname;
  for (let hop = 0; hop < 8; hop += 1) {
    try {
      const [next] = await target.resolver.resolveCname(current);
      if (!next) break;
      current = next;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENODATA') break;
      throw error;
    }
  }
  const [address] = await addressQuery;
  if (!address) throw new Error(`${hostname} has no address`);
  const path = target.paths[hostname] ?? '/';
  const secure = new Promise<number | undefined>((resolve, reject) => {
    const socket = tlsConnect({ host: address, port: target.ports.https, servername: hostname, secureContext: target.secureContext, ALPNProtocols: ['http/1.1'] });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      get(hostname, path, { socket, address, port: target.ports.https }).then((status) => {
        socket.destroy();
        resolve(status);
      }, reject);
    });
  });
  await Promise.all([secure, get(hostname, path, { address, port: target.ports.http })]);
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

/** Forks bench/sandbox-process.ts under tsx and waits for its hosts. */
async function startSandboxProcess(count: number): Promise<{ child: ChildProcess; ready: SandboxProcessReady }> {
  const child = fork(fileURLToPath(new URL('./sandbox-process.ts', import.meta.url)), [String(count)], {
    execArgv: ['--conditions=@sslclick/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`The sandbox process exited (${String(code)}) before it was ready.`);
  });
  const [ready] = (await Promise.race([once(child, 'message'), exited])) as [SandboxProcessReady];
  return { child, ready };
}

/**
 * Verifies `count` hostnames served by the sandbox edge (DNS, TLS and HTTP per host) at each
 * concurrency, and measures the baseline over the same hosts in the same run, interleaved in
 * `rounds` slices so that a busy machine slows both alike.
 */
export async function measureVerifyThroughput(count: number, levels: readonly number[], rounds = 4): Promise<ThroughputFigure[]> {
  const { child, ready } = await startSandboxProcess(count);
  try {
    const { hostnames, sampleLinks, verification } = ready;
    const resolver = new Resolver({ timeout: 10_000, tries: 1 });
    resolver.setServers([verification.resolver]);
    const paths = Object.fromEntries(Object.entries(sampleLinks).map(([hostname, link]) => [hostname, `${new URL(link).pathname}${new URL(link).search}`]));
    const target: Target = { resolver, secureContext: createSecureContext({ ca: [...rootCertificates, verification.ca] }), ports: verification.ports, paths };
    const options = { ...verification, expectedTargets: [ready.edgeName], timeoutMs: 10_000, sampleLinks };
    await verifyHostnames(hostnames.slice(0, 50), { ...options, concurrency: 8 }); // warm-up
    await runPool(hostnames.slice(0, 50), 8, (hostname) => baselineCheck(hostname, target).catch(() => undefined));
    const figures: ThroughputFigure[] = [];
    const sliceSize = Math.ceil(count / rounds);
    for (const concurrency of levels) {
      const runs: ThroughputFigure['runs'] = [];
      let verifySeconds = 0;
      let baselineSeconds = 0;
      let failures = 0;
      let baselineFailures = 0;
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
          await runPool(slice, concurrency, (hostname) =>
            baselineCheck(hostname, target).catch(() => {
              baselineFailures += 1;
            }),
          );
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
        meanHostMs: { verify: Number(((verifySeconds * 1000 * concurrency) / count).toFixed(2)), baseline: Number(((baselineSeconds * 1000 * concurrency) / count).toFixed(2)) },
        failures,
        baselineFailures,
        runs,
      });
    }
    return figures;
  } finally {
    child.send({ type: 'stop' });
    await once(child, 'exit');
  }
}
