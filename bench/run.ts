/**
 * `npm run bench`: the four figures of issue #8 against the local sandbox, printed as a table and
 * written with every run to bench/results.json. Run it after `npm run build` (the npm script does):
 * the import cost is measured on the built dist/, the rest runs the TypeScript sources.
 *
 * Environment: BENCH_HOSTS (default 1000) hostnames for the verification throughput, BENCH_RUNS
 * (default 20) setups per adapter for the added latency, BENCH_IMPORT_RUNS (default 7) fresh
 * processes per import figure.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureAddedLatency, type LatencyFigure } from './added-latency.js';
import { measureImportCosts, type ImportFigure } from './import-cost.js';
import { measureVendorCalls, phases, type VendorCallsFigure } from './vendor-calls.js';
import { measureVerifyThroughput, type ThroughputFigure } from './verify-throughput.js';

const hosts = Number(process.env.BENCH_HOSTS ?? 1_000);
const latencyRuns = Number(process.env.BENCH_RUNS ?? 20);
const importRuns = Number(process.env.BENCH_IMPORT_RUNS ?? 7);
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

mark('1/4 vendor calls');
const vendorCalls: VendorCallsFigure[] = await measureVendorCalls(2);
mark('2/4 added latency');
const addedLatency: LatencyFigure[] = await measureAddedLatency(latencyRuns);
mark('3/4 verification throughput');
const throughput: ThroughputFigure[] = await measureVerifyThroughput(hosts, [1, 16, 64]);
mark('4/4 import cost');
const importCost: ImportFigure[] = measureImportCosts(importRuns);
mark('done');

// Fastly has no vendor SDK (a fetch client of ours) and SendGrid is not a CDN adapter: their
// ratio to core alone is shown for information, the 1.2× target applies to Cloudflare and CloudFront.
const hasVendorSdk = (figure: ImportFigure): boolean => figure.reference !== undefined && !figure.reference.label.startsWith('@sslclick/core');
const coreImport = importCost.find((figure) => figure.label === '@sslclick/core');
const at16 = throughput.find((figure) => figure.concurrency === 16);
const targets = {
  noOpApplyWritesZero: vendorCalls.every((figure) => figure.targets.noOpWritesZero),
  statusOneReadPerResource: vendorCalls.every((figure) => figure.targets.statusReadsWithinResources),
  addedLatencyUnderMaxDelayPlus1s: addedLatency.every((figure) => figure.met),
  verifyRatioAtLeast07At16: (at16?.ratio ?? 0) >= 0.7,
  coreImportUnder50ms: (coreImport?.medianMs ?? Infinity) < 50,
  adaptersWithin12xSdk: importCost.every((figure) => !hasVendorSdk(figure) || (figure.reference?.ratio ?? 0) <= 1.2),
};

table(
  'Vendor calls (reads/writes; instant vendor, so no wait polls)',
  ['adapter', 'resources', ...phases.map((phase) => `${phase} R/W`), 'no-op writes 0', 'status ≤ 1 read/resource'],
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
  `Verification throughput (${hosts} hostnames; median ratio of interleaved rounds)`,
  ['concurrency', 'verify/s', 'baseline/s', 'ratio', 'round ratios', 'failures', 'target'],
  throughput.map((figure) => [
    figure.concurrency,
    figure.verifyHostnamesPerSecond,
    figure.baselineHostnamesPerSecond,
    figure.ratio.toFixed(2),
    figure.runs.map((run) => run.ratio.toFixed(2)).join(' '),
    figure.failures,
    figure.concurrency === 16 ? `≥ 0.70 ${yes(figure.ratio >= 0.7)}` : '',
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
console.log('\nTargets:', Object.entries(targets).map(([name, ok]) => `${name} ${yes(ok)}`).join(', '));

const cpuList = cpus();
const results = {
  generatedAt: new Date().toISOString(),
  durationSeconds: Math.round((performance.now() - startedAt) / 1000),
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
  targets,
  vendorCalls,
  addedLatency,
  verifyThroughput: throughput,
  importCost,
};
const path = fileURLToPath(new URL('./results.json', import.meta.url));
writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nWrote ${path} (${results.durationSeconds} s).`);
