import { setTimeout as sleep } from 'node:timers/promises';
import { SslClickError } from './errors.js';
import type { ProgressEvent } from './types.js';

/** What one poll of a `waitUntil` check found. */
export interface WaitObservation<Value> {
  /** The wait is over. */
  done: boolean;
  /** The value to return once done (the ready resource, the issued certificate). */
  value?: Value;
  /** What was seen, in a few words, for progress events and the time-out message: `InProgress`. */
  state: string;
  /** Stop waiting now: the thing has failed and will not become ready (e.g. a certificate `FAILED`). */
  failed?: boolean;
}

/** Options for `waitUntil`. */
export interface WaitOptions {
  /** What is awaited, for messages: `the CloudFront distribution to deploy`. */
  description: string;
  /** The progress event type prefix, noun-verb: `edge` gives `edge-waiting`. */
  subject: string;
  /** The CDN or service, for progress events and errors. */
  provider?: string;
  /** The hostname, for progress events. */
  hostname?: string;
  /**
   * The shortest delay between polls, in ms.
   * @default 2000
   */
  minDelay?: number;
  /**
   * The longest delay between polls, in ms.
   * @default 30000
   */
  maxDelay?: number;
  /**
   * The most time to wait before failing with `TIMEOUT`, in ms.
   * @default 1800000 (30 minutes)
   */
  maxWaitTime?: number;
  /** Stops the wait at once with `ABORTED`. */
  signal?: AbortSignal;
  /** Receives a `<subject>-waiting` event after each poll that is not done. */
  onProgress?: (event: ProgressEvent) => void;
  /** The random source for jitter, in [0, 1); injectable for the benchmark. @default Math.random */
  random?: () => number;
}

/** What a finished wait returns. */
export interface WaitResult<Value> {
  /** What the check returned last (when it said done). */
  value: Value | undefined;
  /** How many times the check ran. */
  polls: number;
  /** How long the wait took, in ms. */
  elapsedMs: number;
}

/**
 * Polls a read-only check until it says done, with exponential backoff and full jitter between
 * `minDelay` and `maxDelay` (the AWS waiter pattern), so many waiting clients do not poll in step.
 * Fails with `TIMEOUT` after `maxWaitTime`, `ABORTED` on the signal, and `PROVIDER` when the check
 * reports a failed state. Errors thrown by the check itself are passed through.
 */
export async function waitUntil<Value>(
  check: (poll: { attempt: number; signal: AbortSignal | undefined }) => Promise<WaitObservation<Value>>,
  options: WaitOptions,
): Promise<WaitResult<Value>> {
  const minDelay = options.minDelay ?? 2_000;
  const maxDelay = Math.max(minDelay, options.maxDelay ?? 30_000);
  const maxWaitTime = options.maxWaitTime ?? 1_800_000;
  const random = options.random ?? Math.random;
  const startedAt = Date.now();
  let lastState = 'not checked yet';

  for (let attempt = 1; ; attempt += 1) {
    throwIfWaitAborted(options, lastState);
    const observation = await check({ attempt, signal: options.signal });
    const elapsedMs = Date.now() - startedAt;
    lastState = observation.state;
    if (observation.done) {
      options.onProgress?.({
        type: `${options.subject}-ready`,
        message: `Done waiting for ${options.description}: ${observation.state}.`,
        provider: options.provider,
        hostname: options.hostname,
        attempt,
        elapsedMs,
      });
      return { value: observation.value, polls: attempt, elapsedMs };
    }
    if (observation.failed) {
      throw new SslClickError({
        code: 'PROVIDER',
        message: `Stopped waiting for ${options.description}: it reached the state "${observation.state}", which will not become ready by itself.`,
        provider: options.provider,
        operation: `wait:${options.subject}`,
        retryable: false,
      });
    }
    const remaining = maxWaitTime - elapsedMs;
    if (remaining <= 0) {
      throw new SslClickError({
        code: 'TIMEOUT',
        message: `Gave up waiting for ${options.description} after ${Math.round(elapsedMs / 1000)} s (last seen: ${lastState}). Nothing was rolled back; run again to keep waiting, or raise maxWaitTime.`,
        provider: options.provider,
        operation: `wait:${options.subject}`,
      });
    }
    // Full jitter: uniform between minDelay and the exponential ceiling for this attempt.
    const ceiling = Math.min(maxDelay, minDelay * 2 ** (attempt - 1));
    const delayMs = Math.min(remaining, Math.round(minDelay + random() * (ceiling - minDelay)));
    options.onProgress?.({
      type: `${options.subject}-waiting`,
      message: `Waiting for ${options.description} (now: ${observation.state}); next check in ${(delayMs / 1000).toFixed(1)} s.`,
      provider: options.provider,
      hostname: options.hostname,
      attempt,
      elapsedMs,
      delayMs,
      detail: { state: observation.state },
    });
    try {
      await sleep(delayMs, undefined, { signal: options.signal });
    } catch {
      throwIfWaitAborted(options, lastState);
    }
  }
}

function throwIfWaitAborted(options: WaitOptions, lastState: string): void {
  if (!options.signal?.aborted) return;
  throw new SslClickError({
    code: 'ABORTED',
    message: `Stopped waiting for ${options.description} (last seen: ${lastState}) because the run was aborted; run again to resume.`,
    provider: options.provider,
    operation: `wait:${options.subject}`,
    cause: options.signal.reason,
  });
}
