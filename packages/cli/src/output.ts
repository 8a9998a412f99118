import { SslClickError } from '@sslclick/core';
import { redact } from '@sslclick/core/adapter';

/**
 * Ends the process quietly, with exit code 0, when a reader closes the pipe (`sslclick … | head -1`):
 * the reader has what it wanted, so neither a stack trace nor a failure code helps anyone.
 */
export function exitQuietlyOnClosedPipe(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
      throw error;
    });
  }
}

/** Writes `text` and resolves once it is handed to the OS, so exiting next cannot cut it off. */
export function writeOut(text: string, stream: NodeJS.WriteStream = process.stdout): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

/** Writes `value` as the one JSON document on stdout. */
export function writeJson(value: unknown): Promise<void> {
  return writeOut(`${JSON.stringify(value, null, 2)}\n`);
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
