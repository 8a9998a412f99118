import type { ProgressEvent } from '@sslclick/core';
import type { OutputStream } from './output.js';

/** Shows progress events as they happen: a live line on a terminal, plain lines otherwise. */
export interface ProgressDisplay {
  /** Shows one event. */
  onProgress(event: ProgressEvent): void;
  /** Ends the display with a success or failure line. */
  stop(outcome: 'succeed' | 'fail', text: string): void;
}

/** Options for {@link createProgressDisplay}. */
export interface ProgressDisplayOptions {
  /**
   * Redraw one live line in place. Off the stream is not a terminal, or `CI` or `TERM=dumb` is set.
   * @default stream.isTTY && !process.env.CI && process.env.TERM !== 'dumb'
   */
  live?: boolean;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const clearLine = '\r\u001B[2K';
// A terminal that reports no width (0 columns, or none) gets this one. Redrawing assumes the live
// line never wraps, so it is cut to the width rather than trusting the terminal to fold it.
const fallbackColumns = 80;

/** The width to draw in: the terminal's, or 80 when it reports none. */
export function usableColumns(stream: { columns?: number }): number {
  const columns = stream.columns;
  return typeof columns === 'number' && Number.isFinite(columns) && columns >= 20 ? columns : fallbackColumns;
}

function fit(text: string, columns: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length < columns ? line : `${line.slice(0, columns - 2)}…`;
}

/**
 * Creates the display on `stream` (stderr by default, so JSON on stdout stays clean). The live
 * line is redrawn at most ten times a second and never wider than the terminal, whatever width
 * it reports, so a terminal reporting 0 columns cannot make it flood.
 */
export function createProgressDisplay(stream: OutputStream = process.stderr, options: ProgressDisplayOptions = {}): ProgressDisplay {
  const live = options.live ?? (stream.isTTY === true && !process.env.CI && process.env.TERM !== 'dumb');
  const startedAt = Date.now();
  const stamp = (): string => `${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s`;
  if (!live) {
    return {
      onProgress(event) {
        stream.write(`${stamp()} ${event.type.padEnd(22)} ${event.message}\n`);
      },
      stop(outcome, text) {
        stream.write(`${stamp()} ${(outcome === 'succeed' ? 'done' : 'failed').padEnd(22)} ${text}\n`);
      },
    };
  }
  let text = 'Starting…';
  let frame = 0;
  const draw = (): void => {
    stream.write(`${clearLine}${fit(`${frames[frame % frames.length]} ${text}`, usableColumns(stream))}`);
  };
  const timer = setInterval(() => {
    frame += 1;
    draw();
  }, 100);
  // The spinner alone must not keep the process alive.
  timer.unref();
  draw();
  return {
    onProgress(event) {
      // Finished steps stay on screen above the live line; waits and retries update it in place.
      if (/-(waiting|retrying)$/.test(event.type)) {
        text = event.message;
      } else {
        stream.write(`${clearLine}• ${event.message}\n`);
        text = 'Working…';
      }
      draw();
    },
    stop(outcome, finalText) {
      clearInterval(timer);
      stream.write(`${clearLine}${outcome === 'succeed' ? '✔' : '✖'} ${finalText}\n`);
    },
  };
}
