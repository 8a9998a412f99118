/**
 * Runs one setupAccount() in its own process, for the test that kills it with SIGKILL mid-way.
 * The sandbox account stays in the test process; this script gets its settings in
 * SSLCLICK_ACCOUNT_CHILD (JSON) and writes one line per progress event (`event <type> <host>`)
 * to stdout, then `done` at the end.
 */
import { setupAccount } from '@sslclick/core';
import { adapterOf, fastRunOptionsOf, sendgridOf, type AccountRunConfig } from './account-world.js';

const config = JSON.parse(process.env.SSLCLICK_ACCOUNT_CHILD ?? '{}') as AccountRunConfig;
await setupAccount(sendgridOf(config), adapterOf(config), {
  ...fastRunOptionsOf(config),
  // Fewer at once, so the kill lands with hosts done, hosts in flight and hosts not started.
  concurrency: 4,
  onProgress: (event) => process.stdout.write(`event ${event.type} ${event.hostname ?? '-'}\n`),
});
process.stdout.write('done\n');
