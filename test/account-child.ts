/**
 * Runs one setupAccount() in its own process, for the test that kills it with SIGKILL mid-way.
 * The sandbox account stays in the test process; this script gets its settings in
 * SSLCLICK_ACCOUNT_CHILD (JSON) and writes one line per progress event (`event <type> <host>`)
 * to stdout, then `done` at the end.
 *
 * With SSLCLICK_ACCOUNT_CHILD_HOLD_AFTER=n the whole process stops right after it reported the
 * n-th finished host, until the test kills it: the hosts in flight stay in flight however long the
 * test takes to read the line and send the signal (on a loaded machine, or with test files running
 * side by side, a kill sent "at once" can otherwise land after the run went on or even ended).
 */
import { writeSync } from 'node:fs';
import { setupAccount } from '@sslclick/core';
import { adapterOf, fastRunOptionsOf, sendgridOf, type AccountRunConfig } from './account-world.js';

const config = JSON.parse(process.env.SSLCLICK_ACCOUNT_CHILD ?? '{}') as AccountRunConfig;
const holdAfterFinished = Number(process.env.SSLCLICK_ACCOUNT_CHILD_HOLD_AFTER ?? 'Infinity');
let finished = 0;

/** Blocks this whole process (no timer, no socket, no other host moves on) until it is killed. */
function holdUntilKilled(): never {
  const never = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(never, 0, 0);
}

await setupAccount(sendgridOf(config), adapterOf(config), {
  ...fastRunOptionsOf(config),
  // Fewer at once, so the kill lands with hosts done, hosts in flight and hosts not started.
  concurrency: 4,
  onProgress: (event) => {
    // Synchronous, so the line is out before the process holds.
    writeSync(1, `event ${event.type} ${event.hostname ?? '-'}\n`);
    if (event.type === 'host-finished' && (finished += 1) >= holdAfterFinished) holdUntilKilled();
  },
});
writeSync(1, 'done\n');
