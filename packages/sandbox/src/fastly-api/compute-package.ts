import { createHash } from 'node:crypto';
import { Parser } from 'tar';

// Node has WebAssembly at run time; the project's lib (no DOM) does not declare it as a value.
const webAssembly = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** What the fake reads out of an uploaded Compute package. */
export interface ComputePackageContents {
  /** The package's top-level directory. */
  directory: string;
  /** `fastly.toml` fields the metadata reports. */
  manifest: { name?: string; description?: string; authors?: string[]; language?: string };
  /** SHA-512 over the package's files in path order, as the Fastly CLI computes `files_hash`. */
  filesHash: string;
  /** SHA-512 of the tarball itself (the deprecated `hashsum`). */
  hashsum: string;
  size: number;
}

/** Reads the files of a tar.gz into memory. */
export function readTarball(tarball: Uint8Array): Promise<Map<string, Buffer>> {
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
    parser.on('warn', (code: string, message: string | Error) => {
      if (code === 'TAR_BAD_ARCHIVE' || code === 'TAR_ABORT') reject(message instanceof Error ? message : new Error(message));
    });
    parser.on('end', () => resolve(files));
    parser.end(Buffer.from(tarball));
  });
}

function tomlString(text: string, key: string): string | undefined {
  const match = new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, 'm').exec(text);
  return match?.[1];
}

function tomlStrings(text: string, key: string): string[] | undefined {
  const match = new RegExp(`^\\s*${key}\\s*=\\s*\\[([^\\]]*)\\]`, 'm').exec(text);
  return match?.[1] === undefined ? undefined : [...match[1].matchAll(/"([^"]*)"/g)].map((item) => item[1] ?? '');
}

/**
 * Checks an uploaded package as Fastly does: a gzipped tarball whose single top-level directory
 * holds `fastly.toml` and `bin/main.wasm`, the latter valid WebAssembly. Throws with the reason.
 */
export async function inspectComputePackage(tarball: Uint8Array): Promise<ComputePackageContents> {
  // A fleet uploads the same package for every host: unpacking, validating and hashing it each
  // time was a quarter of a Fastly fleet run's CPU. The same bytes always read the same.
  const hashsum = createHash('sha512').update(tarball).digest('hex');
  let contents = inspected.get(hashsum);
  if (!contents) {
    contents = await inspectUncached(tarball, hashsum);
    if (inspected.size >= 16) inspected.delete(inspected.keys().next().value as string);
    inspected.set(hashsum, contents);
  }
  // A copy: a caller may change what it is given.
  return { ...contents, manifest: { ...contents.manifest, ...(contents.manifest.authors ? { authors: [...contents.manifest.authors] } : {}) } };
}

/** Packages read before, by their SHA-512 (a few: the sandbox sees one or two builds). */
const inspected = new Map<string, ComputePackageContents>();

async function inspectUncached(tarball: Uint8Array, hashsum: string): Promise<ComputePackageContents> {
  if (tarball.length < 2 || tarball[0] !== 0x1f || tarball[1] !== 0x8b) throw new Error('The package is not a gzipped tarball (.tar.gz).');
  let files: Map<string, Buffer>;
  try {
    files = await readTarball(tarball);
  } catch (error) {
    throw new Error(`The package could not be read as a tarball: ${error instanceof Error ? error.message : String(error)}`);
  }
  const directories = new Set([...files.keys()].map((path) => path.split('/')[0] ?? ''));
  if (directories.size !== 1 || [...files.keys()].some((path) => !path.includes('/'))) {
    throw new Error('The package must hold a single top-level directory with fastly.toml and bin/main.wasm.');
  }
  const directory = [...directories][0] ?? '';
  const manifest = files.get(`${directory}/fastly.toml`);
  if (!manifest) throw new Error(`The package has no ${directory}/fastly.toml.`);
  const wasm = files.get(`${directory}/bin/main.wasm`);
  if (!wasm) throw new Error(`The package has no ${directory}/bin/main.wasm.`);
  if (!webAssembly.validate(wasm)) throw new Error(`${directory}/bin/main.wasm is not valid WebAssembly.`);
  const text = manifest.toString('utf8');
  const filesHash = createHash('sha512');
  for (const path of [...files.keys()].sort()) filesHash.update(files.get(path) ?? Buffer.alloc(0));
  const name = tomlString(text, 'name');
  const description = tomlString(text, 'description');
  const authors = tomlStrings(text, 'authors');
  const language = tomlString(text, 'language');
  return {
    directory,
    manifest: {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      ...(authors === undefined ? {} : { authors }),
      ...(language === undefined ? {} : { language }),
    },
    filesHash: filesHash.digest('hex'),
    hashsum,
    size: tarball.length,
  };
}
