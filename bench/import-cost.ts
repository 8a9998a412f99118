import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One module's import cost in a fresh process: median time and memory over the runs. */
export interface ImportFigure {
  label: string;
  specifiers: string[];
  /** Each run's import time, ms, with the ESM loader already started (see importOnce). */
  runs: number[];
  medianMs: number;
  /** The same, counting the start of the ESM loader too (paid once by any ESM program). */
  medianColdMs: number;
  rssMiB: number;
  /** For an adapter: its vendor SDK's figure, and the ratio (target ≤ 1.2). */
  reference?: { label: string; medianMs: number; ratio: number };
}

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Imports the built packages (dist/, what users get: plain `node`, so the packages' `default`
 * export condition) in a fresh `node` per run. A user's setup script is itself an ES module, so
 * the ESM loader is already running when it imports ours: an empty module is imported first to
 * start it, and the package's own time is measured from there (the cold figure is kept too).
 */
function importOnce(specifiers: string[]): { ms: number; coldMs: number; rss: number } {
  const script = `
    const before = process.memoryUsage().rss;
    const coldStart = performance.now();
    await import('data:text/javascript,export default 0');
    const startedAt = performance.now();
    for (const specifier of ${JSON.stringify(specifiers)}) await import(specifier);
    const end = performance.now();
    console.log(JSON.stringify({ ms: end - startedAt, coldMs: end - coldStart, rss: process.memoryUsage().rss - before }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    // Plain node: no loader or condition from the benchmark's own process (tsx, @sslclick/source).
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as { ms: number; coldMs: number; rss: number };
}

/** Measures `specifiers` over `count` fresh processes. */
export function measureImport(label: string, specifiers: string[], count: number): ImportFigure {
  const samples = Array.from({ length: count }, () => importOnce(specifiers));
  const runs = samples.map((sample) => Number(sample.ms.toFixed(1)));
  return {
    label,
    specifiers,
    runs,
    medianMs: Number(median(runs).toFixed(1)),
    medianColdMs: Number(median(samples.map((sample) => sample.coldMs)).toFixed(1)),
    rssMiB: Number((median(samples.map((sample) => sample.rss)) / 1_048_576).toFixed(1)) };
}

/** Each package, with the vendor SDK it wraps measured in the same run as its reference. */
export function measureImportCosts(count: number): ImportFigure[] {
  const pairs: Array<{ label: string; specifiers: string[]; reference?: { label: string; specifiers: string[] } }> = [
    { label: '@sslclick/core', specifiers: ['@sslclick/core'] },
    { label: '@sslclick/cloudflare', specifiers: ['@sslclick/cloudflare'], reference: { label: 'cloudflare (SDK)', specifiers: ['cloudflare'] } },
    {
      label: '@sslclick/cloudfront',
      specifiers: ['@sslclick/cloudfront'],
      reference: { label: '@aws-sdk/client-cloudfront + client-acm + client-route-53', specifiers: ['@aws-sdk/client-cloudfront', '@aws-sdk/client-acm', '@aws-sdk/client-route-53'] },
    },
    { label: '@sslclick/fastly', specifiers: ['@sslclick/fastly'], reference: { label: '@sslclick/core (Fastly has no SDK: a fetch client of ours)', specifiers: ['@sslclick/core'] } },
    { label: '@sslclick/sendgrid', specifiers: ['@sslclick/sendgrid'], reference: { label: '@sslclick/core (a fetch client of ours)', specifiers: ['@sslclick/core'] } },
  ];
  return pairs.map((pair) => {
    const figure = measureImport(pair.label, pair.specifiers, count);
    if (!pair.reference) return figure;
    const reference = measureImport(pair.reference.label, pair.reference.specifiers, count);
    return { ...figure, reference: { label: reference.label, medianMs: reference.medianMs, ratio: Number((figure.medianMs / Math.max(0.1, reference.medianMs)).toFixed(2)) } };
  });
}
