import type { RunOptions } from '@sslclick/core';
import { callAws, type AwsCallContext } from './aws-call.js';
import type { ResolvedCloudFrontSettings } from './cloudfront-settings.js';

/** One run of the adapter against AWS: the hostname, the run options, and a retried, translated `call`. */
export interface AwsRun {
  readonly hostname: string;
  readonly options: RunOptions;
  readonly settings: ResolvedCloudFrontSettings;
  /** Runs one AWS call (`operation` = its IAM action) with retries and error translation. */
  call<Result>(operation: string, call: (abortSignal: AbortSignal | undefined) => Promise<Result>): Promise<Result>;
  /** Sends a progress event about this hostname. */
  progress(type: string, message: string, detail?: Record<string, unknown>): void;
}

/** Creates the context of one run. */
export function createAwsRun(settings: ResolvedCloudFrontSettings, hostname: string, options: RunOptions = {}): AwsRun {
  const context: AwsCallContext = {
    provider: 'cloudfront',
    hostname,
    retry: settings.retry,
    timeoutMs: settings.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
  };
  return {
    hostname,
    options,
    settings,
    call: (operation, call) => callAws(context, operation, call),
    progress: (type, message, detail) =>
      options.onProgress?.({ type, message, provider: 'cloudfront', hostname, ...(detail ? { detail } : {}) }),
  };
}
