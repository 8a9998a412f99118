/**
 * The `sslclick` command's entry: sets up the abort signal, closed-pipe handling and exit codes,
 * then runs the program.
 */
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
// Vendor SDKs keep sockets alive for a while; the command is done, so leave now.
process.exit();
