import type { LookupCache } from './lookup-cache.js';
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
  /**
   * How long the CDN edge may take to serve the hostname correctly (valid certificate, request
   * reaching SendGrid) in the check that gates the DNS cutover, in ms. An edge that never answers
   * correctly fails the check after this long and DNS stays (or, on Cloudflare, where the check
   * runs right after the record is proxied, is put back) as it was. `0` checks once. The same
   * name on every adapter; at most one hour.
   * @default 60000
   */
  cutoverCheckTimeoutMs?: number | undefined;
  /**
   * Remembers zone, service and hosted-zone lookups for as long as this cache lives, so one
   * adapter used for many hosts finds each once (`createLookupCache()`; a run's own
   * `RunOptions.lookupCache` comes first). Without it every call looks up afresh.
   */
  lookupCache?: LookupCache | undefined;
}

/** The default of {@link CommonProxySettings.cutoverCheckTimeoutMs}, in ms. */
export const DEFAULT_CUTOVER_CHECK_TIMEOUT_MS = 60_000;

/** The largest {@link CommonProxySettings.cutoverCheckTimeoutMs} accepted: one hour, in ms. */
const maximumCutoverCheckTimeoutMs = 3_600_000;

/**
 * Validates `cutoverCheckTimeoutMs` for an adapter factory: `INVALID_INPUT` naming the setting
 * when it is not a whole number of ms from 0 to one hour, or when the old name
 * `cutoverCheckTimeout` is passed. Returns the value, or `undefined` when
 * it is not set (the adapter then uses {@link DEFAULT_CUTOVER_CHECK_TIMEOUT_MS}).
 */
export function readCutoverCheckTimeoutMs(settings: Pick<CommonProxySettings, 'cutoverCheckTimeoutMs'> | undefined, provider: string): number | undefined {
  if (settings !== undefined && 'cutoverCheckTimeout' in settings) {
    // The Cloudflare adapter's old name: silently ignoring it would bring back the 60 s default.
    throw new SslClickError({ code: 'INVALID_INPUT', message: 'cutoverCheckTimeout was renamed cutoverCheckTimeoutMs (the same value, in ms).', provider, operation: 'create' });
  }
  const value: unknown = settings?.cutoverCheckTimeoutMs;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > maximumCutoverCheckTimeoutMs) {
    throw new SslClickError({
      code: 'INVALID_INPUT',
      message: `cutoverCheckTimeoutMs must be a whole number of milliseconds, 0 or more and at most ${maximumCutoverCheckTimeoutMs} (one hour), not ${JSON.stringify(value)}.`,
      provider,
      operation: 'create',
    });
  }
  return value;
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

function isLoopbackURL(endpoint: string): boolean {
  if (!URL.canParse(endpoint)) return false;
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Refuses, at once, an adapter pointed at a vendor API on this machine (a sandbox world, a local
 * fake) without `verification` settings. Its edge and DNS exist only on loopback, so the checks
 * through the edge, asking the internet's resolvers and trust store, could only fail, after the
 * whole pre-cutover wait. An explicit `verification` (even `{}`) is taken as meant.
 * Throws `INVALID_INPUT` naming the setting.
 */
export function requireVerificationForLocalEndpoints(options: {
  provider: string;
  endpoints: ReadonlyArray<string | undefined>;
  verification: VerificationSettings | undefined;
}): void {
  if (options.verification !== undefined) return;
  const local = options.endpoints.find((endpoint): endpoint is string => endpoint !== undefined && isLoopbackURL(endpoint));
  if (local === undefined) return;
  throw new SslClickError({
    code: 'INVALID_INPUT',
    provider: options.provider,
    operation: 'create',
    message: `The ${options.provider} API at ${local} is on this machine (a sandbox?), but no "verification" setting was given: the checks through the edge would ask the internet's DNS for hosts that exist only locally, and fail. Pass the sandbox's verification settings (startSandboxWorld() returns them in world.adapter and world.verification).`,
  });
}
