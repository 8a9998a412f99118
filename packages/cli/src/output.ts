import { SslClickError } from '@sslclick/core';
import { redact } from '@sslclick/core/adapter';

/**
 * Where a command writes: its result (stdout) or its progress (stderr). `process.stdout` is one;
 * a program running `sslclick` in-process (`runCli`) may pass its own.
 */
export interface OutputStream {
  /** Writes text; calls back once it is handed on. */
  write(text: string, callback?: (error?: Error | null) => void): boolean;
  /** Whether it is a terminal (a live progress line is drawn only there). */
  isTTY?: boolean;
  /** The terminal's width, when it is one. */
  columns?: number;
}

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * Ends the process quietly, with exit code 0, when a reader closes the pipe (`sslclick … | head -1`):
 * the reader has what it wanted, so neither a stack trace nor a failure code helps anyone.
 */
export function exitQuietlyOnClosedPipe(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    // runCli may run more than once in a process: one listener per stream is enough.
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
      throw error;
    });
  }
}

/** Writes `text` and resolves once it is handed to the OS, so exiting next cannot cut it off. */
export function writeOut(text: string, stream: OutputStream = process.stdout): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

/** Writes `value` as the one JSON document on stdout (or `stream`). */
export function writeJson(value: unknown, stream: OutputStream = process.stdout): Promise<void> {
  return writeOut(`${JSON.stringify(value, null, 2)}\n`, stream);
}

/** An error as `--json` reports it: the stable code and the message (credentials never reach either). */
export function errorJson(error: unknown): { error: { code: string; message: string; provider?: string } } {
  if (SslClickError.isInstance(error)) {
    return { error: { code: error.code, message: error.message, ...(error.provider ? { provider: error.provider } : {}) } };
  }
  return { error: { code: 'UNEXPECTED', message: redact(error instanceof Error ? error.message : String(error)) } };
}

/** An error as one line for a person. */
export function errorLine(error: unknown): string {
  const { error: details } = errorJson(error);
  return `${details.code}: ${details.message}`;
}
