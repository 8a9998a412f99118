import { type RunOptions } from '@sslclick/core';
import { defaultRetryDecision, withRetry, type CommonProxySettings, type RetryDecision } from '@sslclick/core/adapter';
import { isAwsError, isAwsThrottling, isUnreadableAnswer, translateAwsError } from './aws-errors.js';

/** What every AWS call needs: who is calling, the retry bounds and the run's signal and progress. */
export interface AwsCallContext extends RunOptions {
  provider: string;
  hostname?: string;
  retry?: CommonProxySettings['retry'];
  /** How long one attempt may take before it is abandoned (and retried), in ms. */
  timeoutMs: number;
}

/** The default bound of one AWS request, in ms: AWS answers in well under a second, and the SDK itself never gives up. */
export const defaultAwsTimeoutMs = 30_000;

/**
 * One attempt that got no answer within `timeoutMs`. Named `TimeoutError` with code `ETIMEDOUT`
 * so the retry helper treats it as a dropped connection, and the translation as a `TIMEOUT`.
 */
export class AwsRequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(operation: string, readonly timeoutMs: number) {
    super(`${operation} got no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

// Answers that will not change by retrying, even though some come with a 5xx-looking status.
const neverRetried = ['PreconditionFailed', 'InvalidIfMatchVersion', 'CNAMEAlreadyExists', 'DistributionNotDisabled', 'AccessDenied', 'AccessDeniedException'];

/**
 * The retry decision for AWS: throttling is retried whatever its status (CloudFront throttles
 * with 400 `Throttling`), a body that could not be parsed (a proxy's HTML page, a cut-off
 * answer) is retried, and the rest follows core's default (408, 429, 5xx, dropped connections).
 */
export function awsRetryDecision(error: unknown): RetryDecision {
  if (isAwsError(error, ...neverRetried)) return { retryable: false };
  const fallback = defaultRetryDecision(error);
  if (isAwsThrottling(error)) return { ...fallback, retryable: true };
  if (isUnreadableAnswer(error)) return { retryable: true };
  return fallback;
}


/**
 * Whether an IAM action changes something (a create, update, delete, tag, certificate request or
 * record change): each attempt of one first takes a write from the run's `budget`.
 */
export function isWriteAction(operation: string): boolean {
  return /:(?:Create|Update|Delete|Tag|Untag|Request|Change|Put|Associate|Disassociate)/.test(operation);
}

/**
 * Runs one AWS call through core's `withRetry` (the SDK's own retries are off: `maxAttempts: 1`)
 * and translates a final failure into an `SslClickError`. `operation` is the IAM action.
 */
export async function callAws<Result>(
  context: AwsCallContext,
  operation: string,
  call: (abortSignal: AbortSignal | undefined) => Promise<Result>,
): Promise<Result> {
  try {
    return await withRetry(async ({ signal }) => {
      // Every attempt of a write is a request AWS counts: each one waits for the shared budget
      // (setupAccount's, per vendor account) before it is sent, and before its deadline starts.
      if (context.budget && isWriteAction(operation)) await context.budget.take(1, context.signal ? { signal: context.signal } : {});
      // The SDK has no request time-out by default (a proxy that accepts and never answers would
      // hang the run forever): each attempt gets its own deadline, combined with the run's signal.
      const deadline = AbortSignal.timeout(context.timeoutMs);
      try {
        return await call(signal ? AbortSignal.any([signal, deadline]) : deadline);
      } catch (error) {
        if (deadline.aborted && !signal?.aborted) throw new AwsRequestTimeoutError(operation, context.timeoutMs);
        throw error;
      }
    }, {
      operation,
      provider: context.provider,
      signal: context.signal,
      onProgress: context.onProgress,
      classify: awsRetryDecision,
      ...context.retry,
    });
  } catch (error) {
    throw translateAwsError(error, { provider: context.provider, operation, ...(context.hostname ? { hostname: context.hostname } : {}) });
  }
}
