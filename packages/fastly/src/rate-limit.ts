import { setTimeout as sleep } from 'node:timers/promises';
import { SslClickError, type RunOptions } from '@sslclick/core';
import { defaultRetryDecision, headersOf, httpStatusOf, readHeader, type RetryDecision } from '@sslclick/core/adapter';

/** How the adapter treats Fastly's hourly write budget. */
export interface FastlyRateLimitSettings {
  /**
   * When a write response says fewer writes than this remain in the hour, the next write waits
   * for `Fastly-RateLimit-Reset` instead of running into 429 halfway through an apply.
   * @default 5
   */
  minimumRemaining?: number;
  /**
   * The longest the adapter waits for the budget to refill, in ms; past it the write fails with
   * `RATE_LIMITED` before anything is sent.
   * @default 3600000 (the whole hourly window)
   */
  maxWait?: number;
}

/** Tracks `Fastly-RateLimit-Remaining` and `-Reset` across the calls of one adapter. */
export interface RateLimitGovernor {
  /** Reads the budget headers of a write response. */
  observe(headers: Headers): void;
  /** Waits for the reset when the budget is nearly spent. */
  beforeWrite(operation: string, run: RunOptions | undefined): Promise<void>;
  /** `withRetry`'s classify hook: a 429 waits until `Fastly-RateLimit-Reset`. */
  classify(error: unknown): RetryDecision;
}

function resetMilliseconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

/** The start of the next UTC hour, in ms. */
function nextHour(): number {
  return Math.ceil((Date.now() + 1) / 3_600_000) * 3_600_000;
}

/** Creates the budget tracker one adapter shares across its calls. */
export function createRateLimitGovernor(settings: FastlyRateLimitSettings = {}): RateLimitGovernor {
  const minimumRemaining = settings.minimumRemaining ?? 5;
  const maxWait = settings.maxWait ?? 3_600_000;
  let remaining: number | undefined;
  let resetAt: number | undefined;
  return {
    observe(headers) {
      const seenRemaining = headers.get('fastly-ratelimit-remaining');
      const seenReset = resetMilliseconds(headers.get('fastly-ratelimit-reset') ?? undefined);
      if (seenRemaining !== null && /^\d+$/.test(seenRemaining.trim())) remaining = Number(seenRemaining.trim());
      if (seenReset !== undefined) resetAt = seenReset;
    },
    async beforeWrite(operation, run) {
      if (remaining === undefined || resetAt === undefined || remaining > minimumRemaining) return;
      const waitMs = resetAt - Date.now();
      if (waitMs <= 0) {
        remaining = undefined;
        return;
      }
      if (waitMs > maxWait) {
        throw new SslClickError({
          code: 'RATE_LIMITED',
          message: `Fastly's hourly write budget is nearly spent (${remaining} left) and refills in ${Math.ceil(waitMs / 1000)} s, longer than the ${Math.round(maxWait / 1000)} s allowed; run again after the reset.`,
          provider: 'fastly',
          operation,
        });
      }
      run?.onProgress?.({
        type: 'rate-limit-waiting',
        provider: 'fastly',
        message: `Fastly's hourly write budget is nearly spent (${remaining} left); waiting ${Math.ceil(waitMs / 1000)} s for it to refill before ${operation}.`,
        delayMs: waitMs,
        detail: { remaining, resetAt: new Date(resetAt).toISOString() },
      });
      try {
        await sleep(waitMs + 50, undefined, { signal: run?.signal });
      } catch {
        throw new SslClickError({ code: 'ABORTED', message: `Stopped waiting for Fastly's rate limit to reset before ${operation}; run again to resume.`, provider: 'fastly', operation });
      }
      remaining = undefined;
    },
    classify(error) {
      const decision = defaultRetryDecision(error);
      if (httpStatusOf(error) !== 429) return decision;
      const stated = resetMilliseconds(readHeader(headersOf(error), 'fastly-ratelimit-reset'));
      if (stated !== undefined) return { retryable: true, retryAfterMs: Math.max(decision.retryAfterMs ?? 0, stated - Date.now() + 50) };
      // A Retry-After (from a proxy in between, say) is honoured as it is.
      if (decision.retryAfterMs !== undefined) return decision;
      // `/tls/*` answers carry no rate-limit headers (go-fastly fixtures/tls_subscription/create.yaml),
      // so a 429 there may say nothing about when to come back: then the reset last seen on a
      // classic write, else the top of the next hour, where Fastly's hourly window resets (every
      // recorded Fastly-RateLimit-Reset in go-fastly's fixtures falls on the hour).
      const reset = resetAt !== undefined && resetAt > Date.now() ? resetAt : nextHour();
      return { retryable: true, retryAfterMs: reset - Date.now() + 50 };
    },
  };
}
