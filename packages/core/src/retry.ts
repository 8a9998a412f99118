import { setTimeout as sleep } from 'node:timers/promises';
import { SslClickError } from './errors.js';
import { headersOf, httpStatusOf, parseRetryAfter, readHeader } from './http-hints.js';
import type { ProgressEvent } from './types.js';

// p-retry is loaded on the first vendor call, not when @sslclick/core is imported (import time).
let pRetryModule: Promise<typeof import('p-retry')> | undefined;
const loadPRetry = async (): Promise<typeof import('p-retry').default> => (await (pRetryModule ??= import('p-retry'))).default;

/** How `withRetry` sees one failure. */
export interface RetryDecision {
  /** Try again. */
  retryable: boolean;
  /** The vendor said when to try again (Retry-After, a rate-limit reset): wait this long, in ms. */
  retryAfterMs?: number;
}

/** Options for `withRetry`. */
export interface RetryOptions<Result = unknown> {
  /** Names the call in progress events and errors, e.g. `dns.records.edit`. */
  operation: string;
  /** The CDN or service, for progress events. */
  provider?: string;
  /** Stops retrying (and any wait) at once with `ABORTED`. */
  signal?: AbortSignal;
  /** Receives a `request-retrying` event before each retry. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * For a write that is not idempotent (a create): called before each retry to find out whether
   * the failed attempt took effect anyway (a time-out or a dropped connection leaves that
   * unknown). Return the resource found, and it is not sent again; return undefined to retry.
   */
  recover?: () => Promise<Result | undefined>;
  /**
   * The most attempts, the first included.
   * @default 6
   */
  maxAttempts?: number;
  /**
   * The most time spent retrying, in ms, waits included; past it the last error is thrown.
   * @default 120000
   */
  maxRetryTime?: number;
  /**
   * The first backoff delay, in ms; it doubles each retry, with jitter.
   * @default 250
   */
  minDelay?: number;
  /**
   * The longest backoff delay, in ms (a vendor's Retry-After may ask for longer and is honoured).
   * @default 10000
   */
  maxDelay?: number;
  /**
   * Decides whether a failure is worth retrying and how long the vendor asked to wait. The
   * default (`defaultRetryDecision`) retries 408, 429, 5xx and connection errors and reads
   * `Retry-After`; a vendor adds its own hints (a rate-limit reset header) by wrapping it.
   */
  classify?: (error: unknown) => RetryDecision;
}

const retryableNetworkCodes = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  'ECONNABORTED', 'TimeoutError', 'RequestTimeout',
]);

const throttlingNames = new Set([
  'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded',
  'RateLimitError', 'SlowDown', 'PriorRequestNotComplete', 'RequestTimeout', 'RequestTimeoutException',
]);

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (current && chain.length < 6) {
    chain.push(current);
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return chain;
}

/** Whether an error is a dropped, refused or timed-out connection rather than an answer. */
export function isConnectionError(error: unknown): boolean {
  return errorChain(error).some((link) => {
    if (!link || typeof link !== 'object') return false;
    const { code, name, message } = link as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && retryableNetworkCodes.has(code)) return true;
    // Stainless SDKs (cloudflare) leave `name` as 'Error': their class name is on the constructor.
    const className = (link as { constructor?: { name?: unknown } }).constructor?.name;
    for (const candidate of [name, className]) {
      if (typeof candidate === 'string' && (candidate === 'APIConnectionError' || candidate === 'APIConnectionTimeoutError' || candidate === 'TimeoutError')) return true;
    }
    return typeof message === 'string' && /socket hang up|fetch failed|network error|other side closed|connection (?:reset|error)/i.test(message);
  });
}

/** The default classification: 408, 429, 5xx and connection errors are retried; other 4xx are not. */
export function defaultRetryDecision(error: unknown): RetryDecision {
  if (SslClickError.isInstance(error) && error.httpStatus === undefined) {
    return { retryable: error.retryable && error.code !== 'TIMEOUT' };
  }
  const status = httpStatusOf(error);
  const retryAfterMs = parseRetryAfter(readHeader(headersOf(error), 'retry-after'));
  if (status !== undefined) {
    const retryable = status === 408 || status === 429 || (status >= 500 && status <= 599);
    return retryAfterMs === undefined ? { retryable } : { retryable, retryAfterMs };
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && throttlingNames.has(name)) return { retryable: true };
  if ((error as { $retryable?: unknown } | null)?.$retryable) return { retryable: true };
  return { retryable: isConnectionError(error) };
}

function abortedError(options: RetryOptions<unknown>, reason: unknown): SslClickError {
  return new SslClickError({
    code: 'ABORTED',
    message: `${options.operation} was aborted; run the operation again to resume.`,
    provider: options.provider,
    operation: options.operation,
    cause: reason,
  });
}

/**
 * Runs one vendor call, retrying what is worth retrying: 408, 429, 5xx and dropped connections,
 * with exponential backoff and jitter, honouring the vendor's `Retry-After` or reset hint. Other
 * 4xx fail at once. Bounded by `maxAttempts` and `maxRetryTime`; the signal stops it at once with
 * `ABORTED`. When retries run out, the last error is thrown unchanged for the adapter to translate.
 */
export async function withRetry<Result>(
  call: (attempt: { attemptNumber: number; signal: AbortSignal | undefined }) => Promise<Result>,
  options: RetryOptions<Result>,
): Promise<Result> {
  const classify = options.classify ?? defaultRetryDecision;
  const maxAttempts = options.maxAttempts ?? 6;
  const maxRetryTime = options.maxRetryTime ?? 120_000;
  const startedAt = Date.now();
  let hintedRetries = 0;
  const decisions = new WeakMap<object, RetryDecision>();
  const decide = (error: Error): RetryDecision => {
    const known = decisions.get(error);
    if (known) return known;
    const decision = classify(error);
    decisions.set(error, decision);
    return decision;
  };

  if (options.signal?.aborted) throw abortedError(options, options.signal.reason);
  const pRetry = await loadPRetry();
  try {
    const attempt = async (attemptNumber: number): Promise<Result> => {
      if (attemptNumber > 1 && options.recover) {
        const recovered = await options.recover();
        if (recovered !== undefined) return recovered;
      }
      // Each attempt gets a signal of its own that follows the caller's: vendor SDKs add an abort
      // listener to the signal of every request and never remove it, so one run's signal passed
      // to hundreds of requests (a certificate wait's polls) collected a listener per request
      // (MaxListenersExceededWarning, and memory held until the run ended).
      return call({ attemptNumber, signal: options.signal ? AbortSignal.any([options.signal]) : undefined });
    };
    return await pRetry(attempt, {
      retries: maxAttempts - 1,
      factor: 2,
      minTimeout: options.minDelay ?? 250,
      maxTimeout: options.maxDelay ?? 10_000,
      randomize: true,
      maxRetryTime,
      signal: options.signal,
      onFailedAttempt: async ({ error, attemptNumber }) => {
        const decision = decide(error);
        if (!decision.retryable || attemptNumber >= maxAttempts) return;
        const waitMs = decision.retryAfterMs;
        options.onProgress?.({
          type: 'request-retrying',
          provider: options.provider,
          message: `${options.operation} failed (${describeFailure(error)}); retrying${waitMs === undefined ? '' : ` in ${Math.ceil(waitMs / 1000)} s as the vendor asked`}.`,
          attempt: attemptNumber,
          ...(waitMs === undefined ? {} : { delayMs: waitMs }),
        });
        if (waitMs === undefined) return;
        if (Date.now() - startedAt + waitMs > maxRetryTime) {
          throw new SslClickError({
            code: 'RATE_LIMITED',
            message: `${options.operation}: the vendor asks to wait ${Math.ceil(waitMs / 1000)} s, longer than the retry budget of ${Math.round(maxRetryTime / 1000)} s; run again later.`,
            provider: options.provider,
            operation: options.operation,
            cause: error,
            retryable: true,
          });
        }
        hintedRetries += 1;
        await sleep(waitMs, undefined, { signal: options.signal });
      },
      // A retry the vendor timed with Retry-After has waited already: it needs no backoff on top.
      shouldConsumeRetry: ({ error }) => decide(error).retryAfterMs === undefined || hintedRetries >= maxAttempts,
      shouldRetry: ({ error, attemptNumber }) => decide(error).retryable && attemptNumber < maxAttempts,
    });
  } catch (error) {
    if (options.signal?.aborted) throw abortedError(options, options.signal.reason);
    throw error;
  }
}

function describeFailure(error: unknown): string {
  const status = httpStatusOf(error);
  if (status !== undefined) return `HTTP ${status}`;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
}
