import { writeFile } from 'node:fs/promises';
import { SslClickError, setupAccount, type AccountSetupResult } from '@sslclick/core';
import { renderAccountReport } from './account-report.js';
import { formatAccountResult, unfitQuotas } from './account-summary.js';
import { openAccountTarget, type AccountTargetOptions } from './account-target.js';
import type { CommandContext, OutputOptions } from './commands.js';
import { ExitCode } from './exit-codes.js';
import { writeJson, writeOut } from './output.js';
import { createProgressDisplay } from './progress-display.js';

/** The options of `setup --all`. */
export interface SetupAllCommandOptions extends OutputOptions, AccountTargetOptions {
  /** Every sub-user too (`--subusers`). */
  subusers?: boolean;
  /** Plan only (`--dry-run`). */
  dryRun?: boolean;
  /** Hosts at once (`--concurrency`). */
  concurrency?: number;
  /** Where to write the HTML report (`--report`). */
  reportFile?: string;
}

async function writeReport(result: AccountSetupResult, options: SetupAllCommandOptions, context: CommandContext): Promise<void> {
  if (options.reportFile === undefined) return;
  const source = options.sandbox || options.sandboxAccountFile ? `a local sandbox account (${options.cdn})` : `your SendGrid and ${options.cdn} accounts`;
  try {
    await writeFile(options.reportFile, renderAccountReport(result, { source }));
  } catch (error) {
    throw new SslClickError({ code: 'INVALID_INPUT', operation: 'cli', cause: error, message: `--report ${options.reportFile} could not be written: ${error instanceof Error ? error.message : String(error)}` });
  }
  context.stderr.write(`Report written to ${options.reportFile}.\n`);
}

/**
 * `sslclick setup --all`: every link branding of the SendGrid account (and with `--subusers` of
 * each sub-user) planned, then set up through the CDN within its write budget (`setupAccount`).
 * Exit 0 when every account is ready (or a dry run fits), 1 when one is not ready, 2 when the plan
 * does not fit a quota or the run fails.
 */
export async function runSetupAll(options: SetupAllCommandOptions, context: CommandContext): Promise<number> {
  const target = await openAccountTarget(options, (message) => context.stderr.write(`${message}\n`));
  try {
    context.stderr.write(`${target.banner}\n`);
    const display = createProgressDisplay(context.stderr);
    let result: AccountSetupResult;
    try {
      result = await setupAccount(target.sendgrid, target.adapter, {
        signal: context.signal,
        onProgress: (event) => display.onProgress(event),
        ...(options.subusers ? { subusers: true } : {}),
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(target.budgetFor ? { budgetFor: target.budgetFor } : {}),
        ...(target.verification ? { verification: target.verification } : {}),
        ...(Object.keys(target.sampleLinks).length > 0 ? { sampleLinks: target.sampleLinks } : {}),
      });
    } catch (error) {
      display.stop('fail', options.dryRun ? 'Planning stopped.' : 'The account run stopped.');
      throw error;
    }
    const ready = result.accounts.filter((account) => account.ready).length;
    if (result.dryRun) display.stop(result.plan.fits ? 'succeed' : 'fail', result.plan.fits ? 'Planned; nothing was changed.' : `The plan does not fit: ${unfitQuotas(result.plan)}.`);
    else display.stop(result.ready ? 'succeed' : 'fail', `${ready} of ${result.accounts.length} accounts ready for SSL click tracking.`);
    await writeReport(result, options, context);
    if (options.json) await writeJson(result, context.stdout);
    else await writeOut(`\n${formatAccountResult(result)}\n`, context.stdout);
    // A plan that cannot fit would be refused (QUOTA_EXCEEDED) by the real run: an error, not "not ready".
    if (result.dryRun) return result.plan.fits ? ExitCode.ready : ExitCode.error;
    return result.ready ? ExitCode.ready : ExitCode.notReady;
  } finally {
    await target.close();
  }
}
