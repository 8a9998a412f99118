/**
 * Added latency per adapter: the sandbox makes the vendor slow (certificate issued T1 after it is
 * ordered or its validation record is visible; CloudFront's distribution deployed T2 after it is
 * created), and we measure the time from the moment the vendor is ready (its fake's state says so,
 * checked every few ms) to the moment `setup()` returns `ready`: the waiter's lag after the vendor
 * is done, plus the pre-cutover check, the DNS cutover and the final verification.
 *
 * The real waits poll every 2-15 s up to 30-60 s (`maxDelay`), which would make 20 runs take an
 * hour, so every adapter is given the same scaled bounds (`minDelay` 100 ms, `maxDelay` 1 s) and
 * the vendor delays are scaled alike. The target scales with them: under `maxDelay` + 1 s.
 */
import { setup, type ProgressEvent } from '@sslclick/core';
import { adapterNames, startWorld, type AdapterName, type VendorDelays, type WaitBounds } from './worlds.js';

export interface LatencyRun {
  /** From vendor ready to setup() returning ready, ms. */
  addedMs: number;
  /** Of which: from vendor ready to the waiter seeing it (its last `*-ready` event), ms. */
  waiterLagMs: number;
  /** Polls of the vendor-state waits (certificate, edge deployment). */
  polls: number;
  /** Polls a fixed-interval poller at maxDelay would have made over the same waits. */
  fixedIntervalPolls: number;
}

export interface LatencyFigure {
  adapter: AdapterName;
  delays: VendorDelays;
  wait: WaitBounds;
  runs: LatencyRun[];
  medianMs: number;
  p95Ms: number;
  medianWaiterLagMs: number;
  /** Median polls per run: the waiter's, and a fixed-interval poll at maxDelay over the same waits. */
  medianPolls: number;
  medianFixedIntervalPolls: number;
  /** The expected added latency of that fixed-interval poll (half an interval), for comparison. */
  fixedIntervalExpectedLagMs: number;
  targetMs: number;
  met: boolean;
}

export const latencyWait: WaitBounds = { minDelay: 100, maxDelay: 1_000, maxWaitTime: 60_000 };
const vendorWaitSubjects = new Set(['certificate', 'edge']);

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function percentile(values: readonly number[], rank: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

async function measureAdapter(name: AdapterName, runs: number, lanes: number, delays: VendorDelays): Promise<LatencyFigure> {
  const world = await startWorld(name, { delays, wait: latencyWait });
  const results: LatencyRun[] = [];
  try {
    let started = 0;
    const lane = async (): Promise<void> => {
      while (started < runs) {
        started += 1;
        const hostname = await world.prepareHostname();
        let readyAt: number | undefined;
        let lastWaitDoneAt: number | undefined;
        let polls = 0;
        let fixedIntervalPolls = 0;
        let finished = false;
        const watcher = (async () => {
          while (!finished && readyAt === undefined) {
            if (await world.vendorReady(hostname)) readyAt = performance.now();
            else await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })();
        const onProgress = (event: ProgressEvent): void => {
          const subject = event.type.replace(/-ready$/, '');
          if (event.type.endsWith('-ready') && vendorWaitSubjects.has(subject)) {
            lastWaitDoneAt = performance.now();
            polls += event.attempt ?? 1;
            fixedIntervalPolls += Math.ceil((event.elapsedMs ?? 0) / latencyWait.maxDelay) + 1;
          }
        };
        // A tracked link, as a user copies from a test message: without one setup() is not ready.
        const sampleLink = world.sandbox.origin.createLink(hostname, 'https://shop.example.org/bench').clickUrl;
        const status = await setup(world.adapter, { hostname }, { verification: { ...world.sandbox.verification, timeoutMs: 3_000 }, sampleLink, onProgress });
        const doneAt = performance.now();
        finished = true;
        await watcher;
        if (!status.ready) throw new Error(`${name}: setup did not end ready for ${hostname}: ${status.checks.filter((check) => check.ok === false).map((check) => check.detail).join(' ')}`);
        if (readyAt === undefined) throw new Error(`${name}: the vendor never looked ready for ${hostname}`);
        results.push({
          addedMs: Math.round(doneAt - readyAt),
          waiterLagMs: Math.round(Math.max(0, (lastWaitDoneAt ?? readyAt) - readyAt)),
          polls,
          fixedIntervalPolls,
        });
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    await world.close();
  }
  const added = results.map((run) => run.addedMs);
  const targetMs = latencyWait.maxDelay + 1_000;
  const p95 = percentile(added, 95);
  return {
    adapter: name,
    delays,
    wait: latencyWait,
    runs: results,
    medianMs: median(added),
    p95Ms: p95,
    medianWaiterLagMs: median(results.map((run) => run.waiterLagMs)),
    medianPolls: median(results.map((run) => run.polls)),
    medianFixedIntervalPolls: median(results.map((run) => run.fixedIntervalPolls)),
    fixedIntervalExpectedLagMs: latencyWait.maxDelay / 2,
    targetMs,
    met: p95 < targetMs,
  };
}

/**
 * Measures every adapter in turn, `runs` setups each, `lanes` at a time (two overlapping runs keep
 * the benchmark short; more would have the CPU-heavy steps of one run, such as Fastly's package
 * upload, delay the finish of another and inflate its figure).
 */
export async function measureAddedLatency(runs = 20, lanes = 2): Promise<LatencyFigure[]> {
  const figures: LatencyFigure[] = [];
  for (const name of adapterNames) {
    figures.push(await measureAdapter(name, runs, lanes, { certificateMs: 1_000, deployMs: name === 'cloudfront' ? 1_000 : 0 }));
  }
  return figures;
}
