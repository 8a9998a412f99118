/**
 * Builds the Compute package that compute mode uploads: bundles `edge/main.ts` into one JS file
 * with esbuild, compiles it to `main.wasm` with `@fastly/js-compute`'s own CLI (offline: no AOT),
 * and packs it with `fastly.toml` into Fastly's tar.gz layout (`sslclick-edge/fastly.toml`,
 * `sslclick-edge/bin/main.wasm`). The result is cached under `.cache/edge/<source hash>/`, so only
 * a change to the edge sources, this script or the toolchain versions rebuilds it, and copied to
 * `dist/edge/`, where the adapter finds it at run time.
 *
 * Run it with `npm run build:edge -w @sslclick/fastly`; the test suite calls it too.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create } from 'tar';

/** The directory name inside the tarball, as `fastly compute build` names it after the package. */
export const edgePackageName = 'sslclick-edge';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const edgeDirectory = join(packageRoot, 'edge');

/** What `buildEdgePackage` produced. */
export interface EdgePackageBuild {
  /** The tar.gz to upload, in `dist/edge/`. */
  packagePath: string;
  /** The compiled program, in the cache. */
  wasmPath: string;
  /** The hash of everything the build depends on; the cache key. */
  sourceHash: string;
  /** Whether the package came from the cache. */
  cached: boolean;
  /** How long this call took, in ms (the compile time when not cached). */
  durationMs: number;
  /** How long the cached package took to compile when it was built, in ms. */
  compileMs: number | undefined;
}

/** Options for `buildEdgePackage`. */
export interface BuildEdgePackageOptions {
  /**
   * Where built packages are kept between runs, one folder per source hash.
   * @default packages/fastly/.cache/edge
   */
  cacheDirectory?: string;
  /**
   * Where the package the adapter loads by default is written.
   * @default packages/fastly/dist/edge
   */
  outputDirectory?: string;
  /** Rebuild even when the cache holds this source hash. @default false */
  force?: boolean;
}

const sourceFiles = ['handler.ts', 'main.ts', 'fastly.toml'];

/** The installed folder of a package, found the way Node looks up node_modules (some packages do not export package.json). */
function packageDirectory(name: string): string {
  for (let directory = packageRoot; ; directory = dirname(directory)) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(directory) === directory) throw new Error(`${name} is not installed; run npm install.`);
  }
}

function toolVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(packageDirectory(name), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** The hash of the edge sources, this script and the versions of esbuild and js-compute. */
export async function edgeSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of sourceFiles) {
    hash.update(file).update('\0').update(await readFile(join(edgeDirectory, file))).update('\0');
  }
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  hash.update(`esbuild@${toolVersion('esbuild')} js-compute@${toolVersion('@fastly/js-compute')}`);
  return hash.digest('hex').slice(0, 24);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

async function compile(workDirectory: string): Promise<void> {
  const programDirectory = join(workDirectory, edgePackageName);
  await mkdir(join(programDirectory, 'bin'), { recursive: true });
  // js-compute-runtime takes one JS file, so the TypeScript is bundled first; `fastly:*` modules
  // are provided by the runtime and stay imports.
  const esbuild = await import('esbuild');
  const bundlePath = join(workDirectory, 'index.js');
  await esbuild.build({
    entryPoints: [join(edgeDirectory, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['fastly:*'],
    outfile: bundlePath,
    logLevel: 'silent',
  });
  const cli = join(packageDirectory('@fastly/js-compute'), 'dist/cli/js-compute-runtime-cli.js');
  await run(process.execPath, [cli, bundlePath, join(programDirectory, 'bin', 'main.wasm')], workDirectory);
  await copyFile(join(edgeDirectory, 'fastly.toml'), join(programDirectory, 'fastly.toml'));
  // Fixed times and portable headers: the tarball depends only on the files in it.
  await create(
    { gzip: true, cwd: workDirectory, file: join(workDirectory, 'package.tar.gz'), portable: true, mtime: new Date(0) },
    [`${edgePackageName}/fastly.toml`, `${edgePackageName}/bin/main.wasm`],
  );
}

/** Holds a directory lock so parallel test files do not compile the same package twice. */
async function withLock<Result>(lockPath: string, donePath: string, work: () => Promise<Result | undefined>): Promise<Result | undefined> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      await mkdir(lockPath);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      if (await exists(donePath)) return undefined;
      const lockAge = Date.now() - (await stat(lockPath).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (lockAge > 10 * 60_000) await rm(lockPath, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another build of the edge package (${lockPath}).`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { recursive: true, force: true });
  }
}

/**
 * Returns the Compute package, building it when the cache does not hold the current source hash.
 * Concurrent callers (parallel test files) wait for one build.
 */
export async function buildEdgePackage(options: BuildEdgePackageOptions = {}): Promise<EdgePackageBuild> {
  const startedAt = Date.now();
  const cacheDirectory = options.cacheDirectory ?? join(packageRoot, '.cache', 'edge');
  const outputDirectory = options.outputDirectory ?? join(packageRoot, 'dist', 'edge');
  const sourceHash = await edgeSourceHash();
  const buildDirectory = join(cacheDirectory, sourceHash);
  const cachedPackage = join(buildDirectory, 'package.tar.gz');
  let cached = true;
  if (options.force) await rm(buildDirectory, { recursive: true, force: true });
  if (!(await exists(cachedPackage))) {
    await mkdir(cacheDirectory, { recursive: true });
    await withLock(join(cacheDirectory, `${sourceHash}.lock`), cachedPackage, async () => {
      if (await exists(cachedPackage)) return undefined;
      cached = false;
      const workDirectory = join(cacheDirectory, `${sourceHash}.tmp-${process.pid}`);
      await rm(workDirectory, { recursive: true, force: true });
      const compileStartedAt = Date.now();
      await compile(workDirectory);
      await writeFile(join(workDirectory, 'build.json'), `${JSON.stringify({ sourceHash, compileMs: Date.now() - compileStartedAt }, null, 2)}\n`);
      await rm(buildDirectory, { recursive: true, force: true });
      await rename(workDirectory, buildDirectory);
      return undefined;
    });
  }
  await mkdir(outputDirectory, { recursive: true });
  const packagePath = join(outputDirectory, `${edgePackageName}.tar.gz`);
  const infoPath = join(outputDirectory, `${edgePackageName}.json`);
  const info = await readFile(infoPath, 'utf8').catch(() => '');
  if (!info.includes(sourceHash) || !(await exists(packagePath))) {
    // Write under a temporary name, then rename: a reader never sees half a file.
    const temporaryPath = `${packagePath}.${process.pid}.tmp`;
    await copyFile(cachedPackage, temporaryPath);
    await rename(temporaryPath, packagePath);
    await writeFile(infoPath, `${JSON.stringify({ sourceHash }, null, 2)}\n`);
  }
  const buildInfo = JSON.parse(await readFile(join(buildDirectory, 'build.json'), 'utf8').catch(() => '{}')) as { compileMs?: number };
  return {
    compileMs: buildInfo.compileMs,
    packagePath,
    wasmPath: join(buildDirectory, edgePackageName, 'bin', 'main.wasm'),
    sourceHash,
    cached,
    durationMs: Date.now() - startedAt,
  };
}

// Run directly (`tsx scripts/build-edge-package.ts`): build and print where the package is.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const build = await buildEdgePackage({ force: process.argv.includes('--force') });
  console.error(`${build.cached ? 'cached' : 'built'} ${build.packagePath} (${build.sourceHash}) in ${build.durationMs} ms; compiling took ${build.compileMs ?? '?'} ms`);
}
