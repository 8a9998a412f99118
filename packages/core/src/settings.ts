import type { VerificationSettings } from './cutover.js';
import { SslClickError } from './errors.js';
import { registerSecret } from './redact.js';
import type { RetryOptions } from './retry.js';
import type { WaitOptions } from './wait.js';

/**
 * Settings every adapter factory accepts besides its vendor's own. Each accepts an explicit
 * `undefined` (the default then applies), so adapters may re-declare them as `CommonProxySettings['retry']`
 * and users under `exactOptionalPropertyTypes` may pass a maybe-undefined value.
 */
export interface CommonProxySettings {
  /**
   * How the adapter's pre-cutover and final checks reach the verifier: resolver, trusted roots,
   * ports. The real internet's by default; the sandbox passes `sandbox.verification`.
   */
  verification?: VerificationSettings | undefined;
  /** Bounds of the waits for certificates and deployments. Each has the adapter's own default. */
  wait?: Pick<WaitOptions, 'minDelay' | 'maxDelay' | 'maxWaitTime'> | undefined;
  /** Bounds of the retries of each vendor call. */
  retry?: Pick<RetryOptions, 'maxAttempts' | 'maxRetryTime' | 'minDelay' | 'maxDelay'> | undefined;
}

/**
 * Reads a credential from the setting or, when absent, the named environment variable, and
 * registers it for redaction. A missing one is a `CREDENTIALS` error naming both places.
 */
export function loadCredential(options: { value: string | undefined; environmentVariable: string; settingName: string; provider: string }): string {
  const value = options.value ?? process.env[options.environmentVariable];
  if (value === undefined || value.trim() === '') {
    throw new SslClickError({
      code: 'CREDENTIALS',
      message: `No ${options.provider} credential: pass the "${options.settingName}" setting or set the ${options.environmentVariable} environment variable.`,
      provider: options.provider,
      operation: 'create',
    });
  }
  registerSecret(value);
  return value;
}
