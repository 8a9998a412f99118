import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SslClickError } from '@sslclick/core';

/** The Compute package compute mode uploads, with the hash Fastly reports for it. */
export interface EdgePackage {
  /** The tar.gz bytes. */
  bytes: Uint8Array;
  /** SHA-512 over the package's files in path order: what Fastly reports as `metadata.files_hash`. */
  filesHash: string;
}

/**
 * Where the package build (`npm run build:edge`) leaves the package. The same relative path works
 * from `src/` (tests) and `dist/` (the published package).
 */
export const defaultEdgePackageURL = new URL('../dist/edge/sslclick-edge.tar.gz', import.meta.url);

// tar is loaded when a Compute package is first read, not when @sslclick/fastly is imported.
async function readFiles(tarball: Uint8Array): Promise<Map<string, Buffer>> {
  const { Parser } = await import('tar');
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    const parser = new Parser({
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          if (entry.type === 'File') files.set(entry.path.replace(/^\.\//, ''), Buffer.concat(chunks));
        });
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(files));
    parser.end(Buffer.from(tarball));
  });
}

/**
 * Loads the Compute package (bytes, or a path to a .tar.gz; the built one by default), checks its
 * layout (`<name>/fastly.toml`, `<name>/bin/main.wasm`) and computes its `files_hash`, so that an
 * unchanged package is never uploaded twice. A missing or malformed package is `INVALID_INPUT`.
 */
export async function loadEdgePackage(source: string | Uint8Array | undefined): Promise<EdgePackage> {
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'object' ? source : new Uint8Array(await readFile(source ?? defaultEdgePackageURL));
  } catch (error) {
    throw new SslClickError({
      code: 'INVALID_INPUT',
      provider: 'fastly',
      operation: 'create',
      cause: error,
      message: `The Compute package ${typeof source === 'string' ? source : 'dist/edge/sslclick-edge.tar.gz'} could not be read: build it with "npm run build:edge -w @sslclick/fastly", pass computePackage, or use mode "vcl".`,
    });
  }
  let files: Map<string, Buffer>;
  try {
    files = await readFiles(bytes);
  } catch (error) {
    throw new SslClickError({ code: 'INVALID_INPUT', provider: 'fastly', operation: 'create', cause: error, message: 'The Compute package is not a readable .tar.gz.' });
  }
  const paths = [...files.keys()].sort();
  if (!paths.some((path) => /^[^/]+\/fastly\.toml$/.test(path)) || !paths.some((path) => /^[^/]+\/bin\/main\.wasm$/.test(path))) {
    throw new SslClickError({
      code: 'INVALID_INPUT',
      provider: 'fastly',
      operation: 'create',
      message: `The Compute package must hold <name>/fastly.toml and <name>/bin/main.wasm; it holds ${paths.join(', ') || 'nothing'}.`,
    });
  }
  const hash = createHash('sha512');
  for (const path of paths) hash.update(files.get(path) ?? Buffer.alloc(0));
  return { bytes, filesHash: hash.digest('hex') };
}
