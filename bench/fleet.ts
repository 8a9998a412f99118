/**
 * Figure 5: a fleet of branded hosts per CDN. Each world of `fleetWorlds` starts a sandbox
 * SendGrid account whose parent holds `hosts` fresh brandings (one zone, as a customer's brand
 * domain), runs core's `setupAccount()` over it under a known write budget (the vendor's published
 * budget with its window compressed, so a run takes seconds), then `getStatus` of every host, then
 * `setupAccount()` again. Calls are counted from the fakes' request logs.
 */
import { loadavg } from 'node:os';
import {
  createLookupCache,
  createWriteBudget,
  defaultResourceQuotas,
  getStatus,
  setupAccount,
  type AccountSetupResult,
  type ProgressEvent,
  type ProxyAdapter,
  type WriteBudgetSettings,
} from '@sslclick/core';
import { startSandboxAccount, type SandboxAccount } from '@sslclick/sandbox';
import { createSendGridLinks } from '@sslclick/sendgrid';
import type { FleetRequest, FleetWorld } from './fleet-worlds.js';

/** Vendor calls of one pass, per host. */
export interface CallsPerHost {
  reads: number;
  writes: number;
  /** Total requests, for the record. */
  totalReads: number;
  totalWrites: number;
}

/** One world's fleet figure. */
export interface FleetFigure {
  world: string;
  setting: string;
  hosts: number;
  concurrency: number;
  /** The budget given to `setupAccount` (the published one, its window divided by `timeCompression`). */
  budget: { capacity: number; intervalMs: number; writesPerChange: number; timeCompression: number };
  setup: {
    calls: CallsPerHost;
    wallMs: number;
    /** Writes `setupAccount`'s plan took from the budget. */
    plannedWrites: number;
    /**
     * Writes made against the budget: all writes but those to another vendor's DNS (`dns:*`), which
     * the adapters keep off the CDN's budget. The budget minimum, over budget and peak count these.
     */
    budgetedWrites: number;
    /** The plan's own estimate of the time the budget imposes. */
    plannedEstimateMs: number;
    /** The least time the budget allows for the writes actually made (a full bucket to start). */
    budgetMinimumMs: number;
    /** 429 answers the fakes sent (only Fastly's fake enforces a rate limit, set to the budget). */
    rateLimited: number;
    /**
     * Writes that a vendor enforcing this budget as a token bucket would have refused: the
     * writes' arrival times replayed against the budget.
     */
    overBudget: number;
    /** Writes per second in the busiest second. */
    peakWritesPerSecond: number;
    /** Hosts ready at the end: set up and ready, or found ready already. */
    ready: number;
    /** Hosts set up that did not end ready (or failed). */
    notReady: number;
    /** Whether setupAccount's result still held every account's hosts (see README: redaction cap). */
    resultComplete: boolean;
  };
  /**
   * The vendor resources the setup made, by kind (the fakes' state after the setup minus before),
   * and their sum per host.
   */
  resources: { byKind: Record<string, number>; perHost: number };
  status: { calls: CallsPerHost; wallMs: number; ready: number };
  rerun: { calls: CallsPerHost; wallMs: number; ready: number; decisions: Record<string, number> };
}

function perHost(requests: readonly FleetRequest[], hosts: number): CallsPerHost {
  const totalWrites = requests.filter((request) => request.write).length;
  const totalReads = requests.length - totalWrites;
  const round = (value: number): number => Number((value / hosts).toFixed(2));
  return { reads: round(totalReads), writes: round(totalWrites), totalReads, totalWrites };
}

/** Writes a token bucket of `capacity` per `intervalMs`, full at the start, would have refused. */
function overBudget(writes: readonly FleetRequest[], capacity: number, intervalMs: number): number {
  let tokens = capacity;
  let last = writes[0]?.at ?? 0;
  let refused = 0;
  for (const write of [...writes].sort((left, right) => left.at - right.at)) {
    tokens = Math.min(capacity, tokens + ((write.at - last) * capacity) / intervalMs);
    last = write.at;
    if (tokens >= 1) tokens -= 1;
    else refused += 1;
  }
  return refused;
}

function peakPerSecond(writes: readonly FleetRequest[]): number {
  const perSecond = new Map<number, number>();
  for (const write of writes) perSecond.set(Math.floor(write.at / 1000), (perSecond.get(Math.floor(write.at / 1000)) ?? 0) + 1);
  return Math.max(0, ...perSecond.values());
}

async function forEachAtMost<Item>(items: readonly Item[], concurrency: number, work: (item: Item) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next] as Item;
        next += 1;
        await work(item);
      }
    }),
  );
}

/**
 * An agency's account: the parent and as many sub-users as it takes, `perAccount` fresh
 * brandings each, every account on its own brand domain (its own zone).
 */
export function fleetLayout(hosts: number, perAccount: number): Record<string, { fresh: number }> {
  const layout: Record<string, { fresh: number }> = {};
  for (let index = 0; index * perAccount < hosts; index += 1) {
    layout[index === 0 ? 'agency' : `tenant-${String(index).padStart(3, '0')}`] = { fresh: Math.min(perAccount, hosts - index * perAccount) };
  }
  return layout;
}

/** Options of {@link measureFleet}. */
export interface FleetOptions {
  hosts: number;
  /** Brandings per SendGrid account (parent, then sub-users, each in its own zone). @default 20 */
  hostsPerAccount?: number;
  concurrency: number;
  /** How many times faster than the vendor's published window the budget refills. */
  timeCompression: (world: FleetWorld) => number;
}

/** Runs one world's fleet: setup under the budget, status of every host, then the re-run. */
export async function measureFleetWorld(world: FleetWorld, options: FleetOptions): Promise<FleetFigure> {
  const { hosts, concurrency } = options;
  const account: SandboxAccount = await startSandboxAccount({ cdn: world.cdn, layout: fleetLayout(hosts, options.hostsPerAccount ?? 20), ...world.accountOptions });
  try {
    const adapter: ProxyAdapter = await world.adapter(account);
    const compression = options.timeCompression(world);
    const budgetSettings: WriteBudgetSettings = { ...world.budget, intervalMs: world.budget.intervalMs / compression };
    // Fastly's fake enforces its hourly window itself: give it the same (compressed) numbers.
    account.apis.fastly?.setRateLimit({ limit: budgetSettings.capacity, remaining: budgetSettings.capacity, windowMs: budgetSettings.intervalMs });
    const sendgrid = createSendGridLinks(account.sendgrid);
    const hostnames = account.hosts.map((host) => host.hostname);
    // A run of many hosts raises the distribution quota first, as AWS does on request.
    const quotas = defaultResourceQuotas.map((quota) => ({ ...quota, limit: Math.max(quota.limit, hosts) }));
    // Hosts finished and ready, from the progress events: setupAccount's result is passed through
    // redactValue, which gives up past 10,000 objects, so a large fleet's per-host results do not
    // come back (see README).
    const finished = { ready: 0, notReady: 0 };
    const onProgress = (event: ProgressEvent): void => {
      if (event.type !== 'host-finished') return;
      if (event.detail?.ready === true) finished.ready += 1;
      else finished.notReady += 1;
    };
    const run = (budget = createWriteBudget(budgetSettings)): Promise<AccountSetupResult> => {
      finished.ready = 0;
      finished.notReady = 0;
      return setupAccount(sendgrid, adapter, { subusers: true, concurrency, budgetFor: () => budget, quotas, verification: account.verification, sampleLinks: account.sampleLinks, onProgress });
    };

    world.clear(account);
    const resourcesBefore = world.resources(account);
    let started = performance.now();
    const first = await run();
    const setupWallMs = performance.now() - started;
    const setupRequests = world.requests(account);
    const writes = setupRequests.filter((request) => request.write && !request.api.startsWith('dns:'));
    const actualWrites = writes.length;
    const minimumMs = budgetMinimumMs(budgetSettings, actualWrites);
    const firstFinished = { ...finished };
    const resourcesAfter = world.resources(account);
    const byKind = Object.fromEntries(Object.entries(resourcesAfter).map(([kind, count]) => [kind, count - (resourcesBefore[kind] ?? 0)]));
    const resourcesMade = Object.values(byKind).reduce((sum, count) => sum + count, 0);

    world.clear(account);
    const lookupCache = createLookupCache();
    let statusReady = 0;
    started = performance.now();
    await forEachAtMost(hostnames, concurrency, async (hostname) => {
      const sampleLink = account.sampleLinks[hostname];
      const status = await getStatus(adapter, { hostname, origin: 'sendgrid.net' }, { lookupCache, verification: account.verification, ...(sampleLink ? { sampleLink } : {}) });
      if (status.ready) statusReady += 1;
    });
    const statusWallMs = performance.now() - started;
    const statusRequests = world.requests(account);

    world.clear(account);
    started = performance.now();
    const second = await run();
    const rerunWallMs = performance.now() - started;
    const rerunRequests = world.requests(account);

    return {
      world: world.name,
      setting: world.setting,
      hosts,
      concurrency,
      budget: { capacity: budgetSettings.capacity, intervalMs: budgetSettings.intervalMs, writesPerChange: budgetSettings.writesPerChange ?? 1, timeCompression: compression },
      setup: {
        calls: perHost(setupRequests, hosts),
        wallMs: Math.round(setupWallMs),
        plannedWrites: first.plan.vendors.reduce((sum, vendor) => sum + vendor.writes, 0),
        budgetedWrites: actualWrites,
        plannedEstimateMs: first.plan.estimatedMs,
        budgetMinimumMs: Math.round(minimumMs),
        rateLimited: setupRequests.filter((request) => request.status === 429).length,
        overBudget: overBudget(writes, budgetSettings.capacity, budgetSettings.intervalMs),
        peakWritesPerSecond: peakPerSecond(writes),
        ready: firstFinished.ready + first.plan.decisions['already-ready'],
        notReady: firstFinished.notReady,
        resultComplete: Array.isArray(first.accounts) && first.accounts.every((each) => Array.isArray(each.hosts)),
      },
      resources: { byKind, perHost: Number((resourcesMade / hosts).toFixed(3)) },
      status: { calls: perHost(statusRequests, hosts), wallMs: Math.round(statusWallMs), ready: statusReady },
      rerun: { calls: perHost(rerunRequests, hosts), wallMs: Math.round(rerunWallMs), ready: finished.ready + second.plan.decisions['already-ready'], decisions: { ...second.plan.decisions } },
    };
  } finally {
    await account.close();
  }
}

/** One world's row: the fleet, and one host alone (what sharing lookups saves). */
export interface FleetRow {
  world: string;
  /** One host alone, under the vendor's real (uncompressed) budget. */
  single: FleetFigure;
  fleet: FleetFigure;
  /** The machine's 1-minute load average before and after the world ran (a shared machine's figures depend on it). */
  loadAverage: { before: number; after: number };
  /** When the world ran (rows of one results.json can come from separate runs, see BENCH_PARTS). */
  ranAt: string;
}

/** The least time `writes` take under a budget starting full, in ms. */
export function budgetMinimumMs(budget: { capacity: number; intervalMs: number }, writes: number): number {
  return writes <= budget.capacity ? 0 : ((writes - budget.capacity) * budget.intervalMs) / budget.capacity;
}

/**
 * Every world of `worlds`: one host alone first (its writes per host size the budget's time
 * compression), then `hosts` hosts. The published budget's window is divided so that the fleet's
 * planned or made writes, whichever is more, need about `budgetTargetMs` at the budget (never
 * sped up when they fit the real one).
 */
export async function measureFleet(
  worlds: readonly FleetWorld[],
  hosts: number,
  concurrency: number,
  budgetTargetMs: number,
  onWorld?: (name: string) => void,
  onRow?: (row: FleetRow) => void,
): Promise<FleetRow[]> {
  const rows: FleetRow[] = [];
  for (const world of worlds) {
    onWorld?.(world.name);
    const loadBefore = loadavg()[0] ?? 0;
    const single = await measureFleetWorld(world, { hosts: 1, concurrency: 1, timeCompression: () => 1 });
    // The budget is drawn by setupAccount's plan (planned changes × writesPerChange), which can be
    // more than the writes made (Fastly: 12 planned for 8 made): size the compression on the larger.
    const expectedWrites = Math.max(single.setup.budgetedWrites, single.setup.plannedWrites) * hosts;
    const compression = Math.max(1, budgetMinimumMs(world.budget, expectedWrites) / budgetTargetMs);
    const fleet = await measureFleetWorld(world, { hosts, concurrency, timeCompression: () => Number(compression.toFixed(1)) });
    const row: FleetRow = { world: world.name, single, fleet, loadAverage: { before: Number(loadBefore.toFixed(2)), after: Number((loadavg()[0] ?? 0).toFixed(2)) }, ranAt: new Date().toISOString() };
    rows.push(row);
    onRow?.(row);
  }
  return rows;
}
