/**
 * A vitest globalSetup: compiles each script that tests run in a child process (a killed `apply`,
 * a killed account run, the `sslclick` command) once per `vitest run` into one JavaScript file,
 * dependencies included, and hands the paths to the tests (`inject('childBundles')`, read through
 * `nodeArgumentsFor`).
 *
 * Why: started through tsx, every child spent about 2.5 s of CPU loading and resolving the
 * TypeScript sources and the vendor SDKs' hundreds of modules before its first line ran; the
 * bundle starts in about 0.3 s. On two cores, with dozens of children per run, that was a large
 * part of the suite's time. The bundle is built from the same sources on every run, so it is never
 * stale; a test file run outside this setup falls back to tsx.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { TestProject } from 'vitest/node';

/** The child scripts of each vitest project, relative to the repository root. */
export const childScripts: Readonly<Record<string, readonly string[]>> = {
  integration: ['test/post-cutover-child.ts', 'test/account-child.ts'],
  cli: ['packages/cli/src/main.ts'],
  // The reliability tests' processes killed mid-apply.
  cloudflare: ['packages/cloudflare/test/reliability-child-apply.ts', 'packages/cloudflare/test/saas-reliability-child.ts'],
  cloudfront: ['packages/cloudfront/test/reliability-child.ts'],
  fastly: ['packages/fastly/test/reliability-child.ts'],
};

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
// Inside the repository's node_modules, so a `require` esbuild leaves in place resolves as before.
const outputRoot = join(repositoryRoot, 'node_modules', '.cache', 'sslclick-child-bundles');

/**
 * Keeps `import.meta.url` of each workspace source file its own file's URL (the Fastly adapter
 * finds its Compute package next to its sources), not the bundle's.
 */
const keepSourceUrls: Plugin = {
  name: 'keep-source-urls',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]src[\\/].*\.ts$/ }, async (arguments_) => {
      const source = await readFile(arguments_.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(arguments_.path).href)), loader: 'ts' };
    });
  },
};

/** Builds the bundles for `project` and provides their paths, by script; removes them at the end of the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scripts = childScripts[project.name] ?? [];
  const directory = join(outputRoot, `${project.name}-${process.pid}`);
  await mkdir(directory, { recursive: true });
  const bundles: Record<string, string> = {};
  await Promise.all(
    scripts.map(async (script) => {
      const outfile = join(directory, script.replaceAll('/', '-').replace(/\.ts$/, '.mjs'));
      await build({
        entryPoints: [join(repositoryRoot, script)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // The same conditions the tests resolve with (see vitest.config.ts).
        conditions: ['@sslclick/source'],
        // CommonJS dependencies inside an ES module bundle still call require().
        banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
        plugins: [keepSourceUrls],
        logLevel: 'error',
      });
      bundles[script] = outfile;
    }),
  );
  project.provide('childBundles', bundles);
  return async () => {
    await rm(directory, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The compiled bundle of each child script, by its path from the repository root. */
    childBundles: Record<string, string>;
  }
}
