import ora, { type Ora } from 'ora';
import type { ProgressEvent } from '@sslclick/core';

/** Shows progress events as they happen: a live spinner line on a terminal, plain lines otherwise. */
export interface ProgressDisplay {
  onProgress(event: ProgressEvent): void;
  /** Ends the live line with a success or failure mark. */
  stop(outcome: 'succeed' | 'fail', text: string): void;
}

/** Creates the display for `stream` (stderr by default, so `--json` output on stdout stays clean). */
export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  const live = stream.isTTY === true && !process.env.CI;
  const spinner: Ora | undefined = live ? ora({ stream, text: 'Starting…' }).start() : undefined;
  const startedAt = Date.now();
  const stamp = (): string => `${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s`;
  return {
    onProgress(event) {
      const line = `${event.message}`;
      if (spinner) {
        // Steps that finished stay on screen; waits and retries update the live line in place.
        if (/-(waiting|retrying)$/.test(event.type)) spinner.text = line;
        else spinner.stopAndPersist({ symbol: '•', text: line }).start('Working…');
      } else {
        stream.write(`${stamp()} ${event.type.padEnd(22)} ${line}\n`);
      }
    },
    stop(outcome, text) {
      if (spinner) spinner[outcome](text);
      else stream.write(`${stamp()} ${outcome === 'succeed' ? 'done' : 'failed'.padEnd(4)}${' '.repeat(18)} ${text}\n`);
    },
  };
}
