/**
 * How a test starts one of the scripts in `child-bundles.ts` as a child process: from the bundle
 * built for this run when there is one, else from the TypeScript sources through tsx.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The bundle of `script` (a path from the repository root) built for this run, if any. */
export function bundleOf(script: string): string | undefined {
  return inject('childBundles')?.[script];
}

/** The arguments for `spawn(process.execPath, …)` that run `script` (a path from the repository root). */
export function nodeArgumentsFor(script: string): string[] {
  const bundle = bundleOf(script);
  return bundle ? [bundle] : ['--conditions=@sslclick/source', '--import', 'tsx', join(repositoryRoot, script)];
}
