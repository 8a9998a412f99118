/**
 * Debian's chromium, headless, for the `--report` page: no browser is downloaded (`.ci/run`
 * installs the distribution's package when it is missing), and nothing reaches the network.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const chromiumPath = '/usr/bin/chromium';

/** Why the browser tests are skipped, or undefined when they run. */
export const chromiumMissing: string | undefined = existsSync(chromiumPath)
  ? undefined
  : `skipped: Debian's chromium is not installed at ${chromiumPath} (apt-get install -y chromium; .ci/run installs it)`;

// Every switch that would have it call home, update or sync is off; a fresh profile each run.
const quiet = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions'];

async function runChromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'sslclick-chromium-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(chromiumPath, [...quiet, `--user-data-dir=${profile}`, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2_000)}`));
        else resolve(stdout);
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The page's DOM as chromium built it from the file (serialised after parsing, as a browser shows it). */
export function renderedDom(file: string): Promise<string> {
  return runChromium(['--dump-dom', pathToFileURL(file).href]);
}
