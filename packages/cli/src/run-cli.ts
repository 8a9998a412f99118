import { setMaxListeners } from 'node:events';
import { SslClickError } from '@sslclick/core';
import { CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { errorJson, errorLine, exitQuietlyOnClosedPipe, writeJson, type OutputStream } from './output.js';
import { createProgram, exitCodeOfCommanderError } from './program.js';

function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /**
   * Where the result goes (the status, the table, the JSON document).
   * @default process.stdout
   */
  stdout?: OutputStream;
  /**
   * Where progress, banners and errors go.
   * @default process.stderr
   */
  stderr?: OutputStream;
}

/**
 * Runs `sslclick` with `argv` (the arguments after the program name) and returns the exit code:
 * 0 ready, 1 not ready, 2 error, 130 interrupted. Ctrl-C (or SIGTERM) aborts the run through its
 * AbortSignal, and the message says how to resume; a second Ctrl-C leaves at once.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  exitQuietlyOnClosedPipe([stdout, stderr].filter((stream): stream is NodeJS.WriteStream => stream === process.stdout || stream === process.stderr));
  const controller = new AbortController();
  // One signal serves every vendor call and probe of the run, many of them at once.
  setMaxListeners(0, controller.signal);
  const json = argv.includes('--json');
  let interruptedAt = 0;
  const interrupt = (): void => {
    // A terminal's Ctrl-C can arrive twice (the process group, and the workspace shim passing it
    // on): only a second one a moment later means "leave at once".
    if (controller.signal.aborted) {
      if (Date.now() - interruptedAt > 1_000) process.exit(ExitCode.interrupted);
      return;
    }
    interruptedAt = Date.now();
    stderr.write('\nStopping at the next safe point… (Ctrl-C again to leave at once)\n');
    controller.abort(new Error('Interrupted by the user.'));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let exitCode: number = ExitCode.error;
  try {
    const program = createProgram({ signal: controller.signal, stdout, stderr }, (code) => {
      exitCode = code;
    });
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return exitCodeOfCommanderError(error);
    if (controller.signal.aborted) {
      stderr.write(
        `Interrupted. Every step is idempotent: run the same command again to resume where it stopped (status shows what is in place):\n  sslclick ${argv.map(shellQuote).join(' ')}\n`,
      );
      if (json) await writeJson({ ...errorJson(error), interrupted: true }, stdout);
      return ExitCode.interrupted;
    }
    if (json) await writeJson(errorJson(error), stdout);
    else stderr.write(`\n${errorLine(error)}\n`);
    if (!SslClickError.isInstance(error) && process.env.SSLCLICK_DEBUG) stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    return ExitCode.error;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
  return exitCode;
}
