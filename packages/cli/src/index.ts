/**
 * `@sslclick/cli`: the `sslclick` command (see its `--help`). A thin shell over the library:
 * parsing, display and exit codes. Its display pieces are exported for scripts that want the same
 * progress line and status table.
 *
 * @packageDocumentation
 */

export { runCli } from './run-cli.js';
export { ExitCode, type ExitCodeValue } from './exit-codes.js';
export { createProgressDisplay, usableColumns, type ProgressDisplay, type ProgressDisplayOptions } from './progress-display.js';
export { formatStatus } from './status-table.js';
