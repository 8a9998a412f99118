import { defaultRetryDecision, withRetry, type CommonProxySettings, type RetryDecision, type RunOptions } from '@sslclick/core';
import { isAwsError, isAwsThrottling, translateAwsError } from './aws-errors.js';

/** What every AWS call needs: who is calling, the retry bounds and the run's signal and progress. */
export interface AwsCallContext extends RunOptions {
  provider: string;
  hostname?: string;
  retry?: CommonProxySettings['retry'];
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
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'SyntaxError' || (error as { $metadata?: unknown; $fault?: unknown } | null)?.$fault === undefined && name === 'Error' && /deserializ/i.test(String((error as Error).message))) {
    return { retryable: true };
  }
  return fallback;
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
    return await withRetry(({ signal }) => call(signal), {
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
