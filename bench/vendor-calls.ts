/**
 * Vendor calls per adapter: the vendor API requests (reads and writes apart, from the fakes'
 * request logs) made by `apply` from nothing, `apply` again with nothing to do, `status` and
 * `destroy`. The verifier's own DNS, TLS and HTTP traffic is not a vendor request and is not
 * counted. The vendor is made instant (certificate and deployment ready at the first look), so
 * the counts are the adapter's own and do not depend on timing: with a slow vendor, each wait
 * adds one read per poll (see added-latency.ts).
 */
import { adapterNames, startWorld, type AdapterName, type CountedRequest } from './worlds.js';

/** `statusFresh` is `status` from a new adapter with the same settings (nothing learnt yet). */
export type Phase = 'apply' | 'applyAgain' | 'status' | 'statusFresh' | 'destroy';
export const phases: readonly Phase[] = ['apply', 'applyAgain', 'status', 'statusFresh', 'destroy'];

export interface PhaseCalls {
  reads: number;
  writes: number;
  /** Each distinct call with how many times it was made, in first-seen order: `GET /zones ×2`. */
  calls: string[];
}

export interface VendorCallsFigure {
  adapter: AdapterName;
  /** Resources the adapter reports owning or using after apply (`status` ≤ one lookup plus one read per resource). */
  resources: number;
  /** Whether apply from nothing ended ready, and apply again too. */
  ready: boolean;
  phases: Record<Phase, PhaseCalls>;
  /** Each run's [reads, writes] per phase; the runs should agree (the counts are deterministic). */
  runs: Array<Record<Phase, [number, number]>>;
  targets: { noOpWritesZero: boolean; statusReadsWithinResources: boolean };
}

function summarize(requests: CountedRequest[]): PhaseCalls {
  const counts = new Map<string, number>();
  for (const request of requests) {
    const key = `${request.write ? 'W' : 'R'} ${request.api === request.call.split(' ')[0] ? '' : `${request.api}: `}${request.call}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return {
    reads: requests.filter((request) => !request.write).length,
    writes: requests.filter((request) => request.write).length,
    calls: [...counts].map(([call, count]) => (count > 1 ? `${call} ×${count}` : call)),
  };
}

async function measureOnce(name: AdapterName): Promise<{ phases: Record<Phase, PhaseCalls>; resources: number; ready: boolean }> {
  const world = await startWorld(name, { delays: { certificateMs: 0, deployMs: 0 } });
  try {
    const hostname = await world.prepareHostname();
    const request = { hostname };
    const result = {} as Record<Phase, PhaseCalls>;
    world.clearLog();
    const applied = await world.adapter.apply(request);
    result.apply = summarize(world.requests());
    world.clearLog();
    const again = await world.adapter.apply(request);
    result.applyAgain = summarize(world.requests());
    world.clearLog();
    await world.adapter.status(request);
    result.status = summarize(world.requests());
    world.clearLog();
    await world.newAdapter().status(request);
    result.statusFresh = summarize(world.requests());
    world.clearLog();
    await world.adapter.destroy(request);
    result.destroy = summarize(world.requests());
    return { phases: result, resources: applied.resources.length, ready: applied.ready && again.ready };
  } finally {
    await world.close();
  }
}

/** Runs the lifecycle `runs` times per adapter (each in a fresh sandbox). */
export async function measureVendorCalls(runs: number): Promise<VendorCallsFigure[]> {
  const figures: VendorCallsFigure[] = [];
  for (const name of adapterNames) {
    const samples = [];
    for (let run = 0; run < runs; run += 1) samples.push(await measureOnce(name));
    const first = samples[0];
    if (!first) throw new Error('no run');
    figures.push({
      adapter: name,
      resources: first.resources,
      ready: samples.every((sample) => sample.ready),
      phases: first.phases,
      runs: samples.map((sample) => Object.fromEntries(phases.map((phase) => [phase, [sample.phases[phase].reads, sample.phases[phase].writes]])) as Record<Phase, [number, number]>),
      targets: {
        noOpWritesZero: samples.every((sample) => sample.phases.applyAgain.writes === 0),
        // Issue 14: at most one lookup plus one read per resource, on a warm and on a new adapter.
        statusReadsWithinResources: samples.every(
          (sample) => sample.phases.status.reads <= sample.resources + 1 && sample.phases.statusFresh.reads <= sample.resources + 1,
        ),
      },
    });
  }
  return figures;
}
