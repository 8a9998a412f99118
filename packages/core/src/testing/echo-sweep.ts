import type { ProgressEvent, RunOptions } from '../types.js';
import { findSecrets, type SecretSighting } from './secret-scan.js';

/** A fake vendor API that can quote the request's credentials back (`@sslclick/sandbox`'s servers are). */
export interface EchoingServer {
  /** Every request the server received, in order, with the fault it answered with, if any. */
  readonly requests: ReadonlyArray<{
    /** The kind of fault that answered this request. */
    fault?: string;
  }>;
  /** Makes the request at `match.index` answer `status` with the credentials quoted back. */
  injectFault(fault: { kind: 'echo-credential'; status: number; match: { index: number } }): void;
  /** Removes every injected fault. */
  clearFaults(): void;
}

/** What an echo sweep saw: every error thrown, progress event sent and value returned. */
export interface EchoSweepRecord {
  /** Every error the operations threw. */
  thrown: unknown[];
  /** Every progress event the operations sent. */
  events: ProgressEvent[];
  /** Every value the operations returned. */
  returned: unknown[];
  /** How many operations were faulted in all. */
  faulted: number;
}

/** A new, empty record of a sweep. */
export function createEchoSweepRecord(): EchoSweepRecord {
  return { thrown: [], events: [], returned: [], faulted: 0 };
}

/** Run options that record every progress event of the sweep. */
export function recordingRunOptions(record: EchoSweepRecord): RunOptions {
  return { onProgress: (event) => void record.events.push(event) };
}

/**
 * Drives an operation into credential-echoing errors on one server: faults its first request,
 * runs the operation, then its second, and so on (each fault answering the next status of
 * `statuses` in turn), until the operation makes fewer requests than the fault's position. The
 * operation should be idempotent (apply, status, destroy, DNS upserts): a fault part-way leaves
 * state behind that the next run continues from, so later faults reach later calls.
 */
export async function sweepEchoFaults(options: {
  server: EchoingServer;
  operation: () => Promise<unknown>;
  statuses: readonly number[];
  record: EchoSweepRecord;
  /** A bound on the faults, against an operation that never stops making requests. @default 60 */
  maxFaults?: number;
}): Promise<void> {
  const maxFaults = options.maxFaults ?? 60;
  for (let position = 0; position < maxFaults; position += 1) {
    const start = options.server.requests.length;
    const status = options.statuses[position % options.statuses.length] ?? 401;
    options.server.injectFault({ kind: 'echo-credential', status, match: { index: start + position } });
    try {
      options.record.returned.push(await options.operation());
    } catch (error) {
      options.record.thrown.push(error);
    } finally {
      options.server.clearFaults();
    }
    const hit = options.server.requests.slice(start).some((request) => request.fault === 'echo-credential');
    if (!hit) return;
    options.record.faulted += 1;
  }
}

/** Every sighting of a secret in what a sweep saw, labelled by where it was. */
export function secretsInSweep(
  record: EchoSweepRecord,
  secrets: readonly string[],
): Array<
  SecretSighting & {
    /** Which thrown error, progress event or returned value held it. */
    in: string;
  }
> {
  return [
    ...record.thrown.flatMap((error, index) => findSecrets(error, secrets).map((sighting) => ({ ...sighting, in: `thrown[${index}]` }))),
    ...record.events.flatMap((event, index) => findSecrets(event, secrets).map((sighting) => ({ ...sighting, in: `event[${index}] ${event.type}` }))),
    ...record.returned.flatMap((value, index) => findSecrets(value, secrets).map((sighting) => ({ ...sighting, in: `returned[${index}]` }))),
  ];
}
