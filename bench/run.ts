/**
 * `npm run bench`: the figures of issues #8 and #14 against the local sandbox, printed as a table and
 * written with every run to bench/results.json. Run it after `npm run build` (the npm script does):
 * the import cost is measured on the built dist/, the rest runs the TypeScript sources.
 *
 * Environment: BENCH_HOSTS (default 1000) hostnames for the verification throughput, BENCH_RUNS
 * (default 20) setups per adapter for the added latency, BENCH_IMPORT_RUNS (default 7) fresh
 * processes per import figure, BENCH_FLEET_HOSTS (default 1000) branded hosts per fleet world,
 * BENCH_FLEET_CONCURRENCY (default 32) hosts at once, BENCH_FLEET_BUDGET_MS (default 15000) the
 * time the fleet's writes should need at the compressed budget, BENCH_FLEET_WORLDS (default all)
 * a comma-separated subset of the fleet's worlds, BENCH_PARTS (default all) a comma-separated
 * subset of `calls,latency,throughput,import,fleet`: the parts left out keep their figures from the
 * previous results.json (and their tables print from it), and so do the fleet worlds left out of
 * BENCH_FLEET_WORLDS, so a long part or world can be re-run alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureAddedLatency, type LatencyFigure } from './added-latency.js';
import { measureImportCosts, type ImportFigure } from './import-cost.js';
import { measureVendorCalls, phases, type VendorCallsFigure } from './vendor-calls.js';
import { measureVerifyThroughput, type ThroughputFigure } from './verify-throughput.js';
import { measureFleet, type FleetRow } from './fleet.js';
import { fleetWorlds } from './fleet-worlds.js';

const hosts = Number(process.env.BENCH_HOSTS ?? 1_000);
const latencyRuns = Number(process.env.BENCH_RUNS ?? 20);
const importRuns = Number(process.env.BENCH_IMPORT_RUNS ?? 7);
const fleetHosts = Number(process.env.BENCH_FLEET_HOSTS ?? 1_000);
const fleetConcurrency = Number(process.env.BENCH_FLEET_CONCURRENCY ?? 32);
const fleetBudgetMs = Number(process.env.BENCH_FLEET_BUDGET_MS ?? 15_000);
// A comma-separated subset of the fleet's worlds (all by default).
const fleetOnly = process.env.BENCH_FLEET_WORLDS?.split(',').map((name) => name.trim());
const parts = process.env.BENCH_PARTS?.split(',').map((name) => name.trim());
const runs = (part: string): boolean => !parts || parts.includes(part);
const resultsPath = fileURLToPath(new URL('./results.json', import.meta.url));
// The previous run's figures, for the parts BENCH_PARTS leaves out.
const previous = (parts ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {}) as Record<string, unknown>;
const startedAt = performance.now();
const mark = (what: string): void => console.error(`[bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${what}`);

function table(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}

const yes = (ok: boolean): string => (ok ? 'yes' : 'NO');
const loadBefore = loadavg();

mark('1/5 vendor calls');
const vendorCalls = runs('calls') ? await measureVendorCalls(2) : (previous.vendorCalls as VendorCallsFigure[]);
mark('2/5 added latency');
const addedLatency = runs('latency') ? await measureAddedLatency(latencyRuns) : (previous.addedLatency as LatencyFigure[]);
mark('3/5 verification throughput');
const throughput = runs('throughput') ? await measureVerifyThroughput(hosts, [1, 16, 64]) : (previous.verifyThroughput as ThroughputFigure[]);
mark('4/5 import cost');
const importCost = runs('import') ? measureImportCosts(importRuns) : (previous.importCost as ImportFigure[]);
// Fastly has no vendor SDK (a fetch client of ours) and SendGrid is not a CDN adapter: their
// ratio to core alone is shown for information, the 1.2× target applies to Cloudflare and CloudFront.
const hasVendorSdk = (figure: ImportFigure): boolean => figure.reference !== undefined && !figure.reference.label.startsWith('@sslclick/core');
const coreImport = importCost.find((figure) => figure.label === '@sslclick/core');
const throughputGoal = 0.9;
const atGoalLevels = throughput.filter((figure) => figure.concurrency === 16 || figure.concurrency === 64);
const targetsFor = (fleet: readonly FleetRow[]) => ({
  noOpApplyWritesZero: vendorCalls.every((figure) => figure.targets.noOpWritesZero),
  statusOneLookupPlusOneReadPerResource: vendorCalls.every((figure) => figure.targets.statusReadsWithinResources),
  addedLatencyUnderMaxDelayPlus1s: addedLatency.every((figure) => figure.met),
  verifyRatioAtLeast09At16And64: atGoalLevels.length === 2 && atGoalLevels.every((figure) => figure.ratio >= throughputGoal),
  coreImportUnder50ms: (coreImport?.medianMs ?? Infinity) < 50,
  adaptersWithin12xSdk: importCost.every((figure) => !hasVendorSdk(figure) || (figure.reference?.ratio ?? 0) <= 1.2),
  fleetNo429WithKnownBudget: fleet.every((row) => row.fleet.setup.rateLimited === 0),
  fleetRerunWritesZero: fleet.every((row) => row.fleet.rerun.calls.totalWrites === 0),
  fleetCallsPerHostFallWithSharedLookups: fleet.every((row) => row.fleet.setup.calls.reads < row.single.setup.calls.reads),
});

function writeResults(fleet: readonly FleetRow[]): number {
  const cpuList = cpus();
  const durationSeconds = Math.round((performance.now() - startedAt) / 1000);
  const results = {
    generatedAt: new Date().toISOString(),
    durationSeconds,
    machine: {
      os: `${osType()} ${release()}`,
      cpus: cpuList.length,
      availableParallelism: availableParallelism(),
      cpuModel: cpuList[0]?.model,
      memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
      loadAverageBefore: loadBefore.map((value) => Number(value.toFixed(2))),
      loadAverageAfter: loadavg().map((value) => Number(value.toFixed(2))),
    },
    node: process.version,
    ...(parts ? { partsRun: parts, partsKeptFrom: previous.generatedAt } : {}),
    targets: targetsFor(fleet),
    vendorCalls,
    addedLatency,
    verifyThroughput: throughput,
    importCost,
    fleet,
  };
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  return durationSeconds;
}

mark(`5/5 fleet of ${fleetHosts} hosts per world`);
// With BENCH_PARTS, the worlds not run keep their previous rows (each row says its own hosts), in the table's order.
const fleetWithPrevious = (measured: readonly FleetRow[]): FleetRow[] =>
  [...measured, ...((previous.fleet ?? []) as FleetRow[]).filter((row) => !measured.some((done) => done.world === row.world))].sort(
    (left, right) => fleetWorlds.findIndex((world) => world.name === left.world) - fleetWorlds.findIndex((world) => world.name === right.world),
  );
const measuredFleet: FleetRow[] = [];
if (runs('fleet')) {
  await measureFleet(
    fleetWorlds.filter((world) => !fleetOnly || fleetOnly.includes(world.name)),
    fleetHosts,
    fleetConcurrency,
    fleetBudgetMs,
    (name) => mark(`fleet: ${name}`),
    // A world of 1,000 hosts takes minutes: each is written as soon as it is done, so a run stopped
    // later (or a slower world's time-out) keeps the figures of the worlds before it.
    (row) => {
      measuredFleet.push(row);
      writeResults(fleetWithPrevious(measuredFleet));
      mark(`fleet: ${row.world} written to ${resultsPath}`);
    },
  );
}
const fleet = fleetWithPrevious(measuredFleet);
mark('done');

table(
  'Vendor calls (reads/writes; instant vendor, so no wait polls)',
  ['adapter', 'resources', ...phases.map((phase) => `${phase} R/W`), 'no-op writes 0', 'status ≤ 1 lookup + 1 read/resource'],
  vendorCalls.map((figure) => [
    figure.adapter,
    figure.resources,
    ...phases.map((phase) => `${figure.phases[phase].reads}/${figure.phases[phase].writes}`),
    yes(figure.targets.noOpWritesZero),
    yes(figure.targets.statusReadsWithinResources),
  ]),
);
table(
  `Added latency (vendor ready → setup() ready; ${latencyRuns} runs; waiter minDelay ${addedLatency[0]?.wait.minDelay} ms, maxDelay ${addedLatency[0]?.wait.maxDelay} ms)`,
  ['adapter', 'T1 cert', 'T2 deploy', 'median ms', 'p95 ms', 'waiter lag ms', 'polls', 'fixed@maxDelay polls', 'target ms', 'met'],
  addedLatency.map((figure) => [
    figure.adapter,
    figure.delays.certificateMs,
    figure.delays.deployMs,
    figure.medianMs,
    figure.p95Ms,
    figure.medianWaiterLagMs,
    figure.medianPolls,
    figure.medianFixedIntervalPolls,
    `< ${figure.targetMs}`,
    yes(figure.met),
  ]),
);
table(
  `Verification throughput (${hosts} hostnames, sandbox in its own process; median ratio of interleaved rounds)`,
  ['concurrency', 'verify/s', 'baseline/s', 'ratio', 'round ratios', 'ms/host × conc. (verify/baseline)', 'failures (verify/baseline)', 'target'],
  throughput.map((figure) => [
    figure.concurrency,
    figure.verifyHostnamesPerSecond,
    figure.baselineHostnamesPerSecond,
    figure.ratio.toFixed(2),
    figure.runs.map((run) => run.ratio.toFixed(2)).join(' '),
    `${figure.meanHostMs.verify}/${figure.meanHostMs.baseline}`,
    `${figure.failures}/${figure.baselineFailures}`,
    figure.concurrency === 16 || figure.concurrency === 64 ? `≥ ${throughputGoal.toFixed(2)} ${yes(figure.ratio >= throughputGoal)}` : '',
  ]),
);
table(
  `Import cost (fresh node per run, built dist/, ${importRuns} runs; ms after the ESM loader started, cold in brackets)`,
  ['package', 'median ms', 'cold ms', 'RSS MiB', 'reference', 'ref ms', 'ratio', 'target'],
  importCost.map((figure) => [
    figure.label,
    figure.medianMs,
    figure.medianColdMs,
    figure.rssMiB,
    figure.reference?.label ?? '',
    figure.reference?.medianMs ?? '',
    figure.reference?.ratio.toFixed(2) ?? '',
    figure.label === '@sslclick/core'
      ? `< 50 ${yes(figure.medianMs < 50)}`
      : hasVendorSdk(figure)
        ? `≤ 1.20 ${yes((figure.reference?.ratio ?? 0) <= 1.2)}`
        : 'info (no SDK)',
  ]),
);
const seconds = (ms: number): string => (ms / 1000).toFixed(1);
table(
  `Fleet (setupAccount over a sandbox SendGrid account; concurrency ${fleetConcurrency}; the published write budget with its window compressed; calls are reads/writes per host)`,
  ['world', 'hosts', 'resources per host', 'setup R/W per host', '1 host alone R/W', 'budget writes planned/made', 'wall s', 'budget minimum s (planned/made)', 'budget', '429s', 'over budget', 'ready', 'status R/W per host', 'status s', 're-run R/W per host', 're-run writes'],
  fleet.map((row) => [
    row.world,
    row.fleet.hosts,
    row.fleet.resources?.perHost ?? '',
    `${row.fleet.setup.calls.reads}/${row.fleet.setup.calls.writes}`,
    `${row.single.setup.calls.reads}/${row.single.setup.calls.writes}`,
    // Rows of runs before budgetedWrites existed counted every write.
    `${row.fleet.setup.plannedWrites}/${row.fleet.setup.budgetedWrites ?? row.fleet.setup.calls.totalWrites}`,
    seconds(row.fleet.setup.wallMs),
    `${seconds(row.fleet.setup.plannedEstimateMs)}/${seconds(row.fleet.setup.budgetMinimumMs)}`,
    `${row.fleet.budget.capacity} per ${seconds(row.fleet.budget.intervalMs)} s (×${row.fleet.budget.timeCompression})`,
    row.fleet.setup.rateLimited,
    row.fleet.setup.overBudget,
    `${row.fleet.setup.ready}/${row.fleet.hosts}`,
    `${row.fleet.status.calls.reads}/${row.fleet.status.calls.writes}`,
    seconds(row.fleet.status.wallMs),
    `${row.fleet.rerun.calls.reads}/${row.fleet.rerun.calls.writes}`,
    row.fleet.rerun.calls.totalWrites,
  ]),
);
table(
  'Fleet: vendor resources the setup made (from the fakes\' state, after minus before)',
  ['world', 'hosts', 'load (1 min, before/after)', 'per host', 'by kind'],
  fleet.map((row) => [
    row.world,
    row.fleet.hosts,
    row.loadAverage ? `${row.loadAverage.before}/${row.loadAverage.after}` : '',
    row.fleet.resources?.perHost ?? '',
    Object.entries(row.fleet.resources?.byKind ?? {})
      .filter(([, count]) => count !== 0)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', '),
  ]),
);
const targets = targetsFor(fleet);
console.log('\nTargets:', Object.entries(targets).map(([name, ok]) => `${name} ${yes(ok)}`).join(', '));

const durationSeconds = writeResults(fleet);
console.log(`\nWrote ${resultsPath} (${durationSeconds} s).`);
