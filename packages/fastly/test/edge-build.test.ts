import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inspectComputePackage } from '@sslclick/sandbox';
import { buildEdgePackage, edgePackageName } from '../scripts/build-edge-package.js';
import { loadEdgePackage } from '../src/index.js';

// The first build on a clean clone compiles with js-compute-runtime (a few seconds, up to ~20 s
// on a cold disk); later runs take it from packages/fastly/.cache/edge.
const buildTimeout = 180_000;

// Node has WebAssembly at run time; the project's lib (no DOM) does not declare it as a value.
const webAssembly = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

describe('the Compute package build', () => {
  it('builds valid WebAssembly and packs it in Fastly\'s layout', async () => {
    const build = await buildEdgePackage();
    console.info(`edge package ${build.cached ? 'taken from the cache' : 'compiled'} in ${build.durationMs} ms; compiling it took ${build.compileMs ?? '?'} ms (${build.sourceHash})`);
    const wasm = await readFile(build.wasmPath);
    expect(webAssembly.validate(wasm)).toBe(true);
    const tarball = new Uint8Array(await readFile(build.packagePath));
    const contents = await inspectComputePackage(tarball);
    expect(contents.directory).toBe(edgePackageName);
    expect(contents.manifest).toMatchObject({ name: 'sslclick-edge', language: 'javascript' });
    const loaded = await loadEdgePackage(build.packagePath);
    expect(loaded.filesHash).toBe(contents.filesHash);
  }, buildTimeout);

  it('is taken from the cache when the sources have not changed', async () => {
    const first = await buildEdgePackage();
    const second = await buildEdgePackage();
    expect(second.cached).toBe(true);
    expect(second.sourceHash).toBe(first.sourceHash);
    expect(second.durationMs).toBeLessThan(2_000);
  }, buildTimeout);

  it('rejects a package without bin/main.wasm before any upload', async () => {
    const error = await loadEdgePackage(new Uint8Array([1, 2, 3])).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
