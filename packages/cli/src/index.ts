/**
 * `@sslclick/cli`: the `sslclick` command (see its `--help`). A thin shell over the library:
 * parsing, display and exit codes. Its display pieces are exported for scripts that want the same
 * progress line, status table, account summary and `--report` page.
 *
 * @packageDocumentation
 */

export { runCli, type RunCliOptions } from './run-cli.js';
export type { OutputStream } from './output.js';
export { ExitCode, type ExitCodeValue } from './exit-codes.js';
export { createProgressDisplay, usableColumns, type ProgressDisplay, type ProgressDisplayOptions } from './progress-display.js';
export { formatStatus } from './status-table.js';
export { renderAccountReport, type AccountReportOptions } from './account-report.js';
export { formatAccountResult } from './account-summary.js';
