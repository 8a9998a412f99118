#!/usr/bin/env node
// The `sslclick` command. An installed package runs its built dist/. Inside the sslclick
// repository (marked by the package's tsconfig.json, which is not published; src/ is, for the
// source maps) it runs the TypeScript sources through tsx with the workspace's source condition,
// so `npx sslclick` works right after `npm ci` and never runs a stale dist/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/main.ts', import.meta.url);

if (existsSync(new URL('../tsconfig.json', import.meta.url))) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, '--conditions=@sslclick/source', '--import', import.meta.resolve('tsx'), fileURLToPath(source), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Signals go on to the child, which aborts and says how to resume; this one waits for it. (A
  // terminal's Ctrl-C reaches both; the child takes two within a second as one.)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 2));
  });
} else {
  await import('../dist/main.js');
}
