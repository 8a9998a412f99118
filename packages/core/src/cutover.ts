import { SslClickError } from './errors.js';
import type { ProgressEvent } from './types.js';
import { verifyHostname, type VerifyOptions, type VerifyResult } from './verifier/verify-hostname.js';
import { waitUntil } from './wait.js';

/**
 * How adapters reach the verifier: the trust store, resolver and ports to use. The defaults are
 * the real internet's; the sandbox passes its own (`sandbox.verification`).
 */
export type VerificationSettings = Pick<VerifyOptions, 'resolver' | 'ca' | 'ports' | 'timeoutMs'>;

/** Options for `checkBeforeCutover`. */
export interface CutoverCheckOptions {
  hostname: string;
  /** The CDN edge to dial (its CNAME target or an address), with SNI and Host = hostname. */
  edgeTarget: string;
  provider: string;
  verification?: VerificationSettings;
  /**
   * How long the edge may take to start answering correctly, in ms (new config can take a moment
   * to reach every edge server).
   * @default 60000
   */
  maxWaitTime?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * The pre-cutover check: before any DNS change, dial the CDN edge directly with SNI = hostname and
 * prove the certificate is valid and a request reaches SendGrid, so moving DNS cannot break live
 * links. Polls until it passes or `maxWaitTime` runs out; then throws `PROVIDER` with the
 * verifier's findings, and DNS is left as it was.
 */
export async function checkBeforeCutover(options: CutoverCheckOptions): Promise<VerifyResult> {
  let last: VerifyResult | undefined;
  try {
    const result = await waitUntil(
      async () => {
        last = await verifyHostname(options.hostname, {
          ...options.verification,
          connectTo: options.edgeTarget,
          checks: ['tls-valid', 'reaches-sendgrid'],
          signal: options.signal,
        });
        const failing = last.checks.filter((check) => check.ok !== true).map((check) => check.detail);
        return { done: last.ok, value: last, state: failing.length === 0 ? 'passing' : failing.join(' ') };
      },
      {
        description: `the CDN edge ${options.edgeTarget} to serve ${options.hostname} correctly`,
        subject: 'edge-check',
        provider: options.provider,
        hostname: options.hostname,
        minDelay: 500,
        maxDelay: 5_000,
        maxWaitTime: options.maxWaitTime ?? 60_000,
        signal: options.signal,
        onProgress: options.onProgress,
      },
    );
    options.onProgress?.({
      type: 'edge-verified',
      message: `The CDN edge serves ${options.hostname} with a valid certificate and reaches SendGrid; DNS can move.`,
      provider: options.provider,
      hostname: options.hostname,
    });
    return result.value as VerifyResult;
  } catch (error) {
    if (SslClickError.isInstance(error) && error.code === 'TIMEOUT' && last) {
      throw new SslClickError({
        code: 'PROVIDER',
        message: `The pre-cutover check of ${options.hostname} through ${options.edgeTarget} failed, so DNS was not changed and live links are safe: ${last.checks
          .filter((check) => check.ok !== true)
          .map((check) => check.detail)
          .join(' ')}`,
        provider: options.provider,
        operation: 'pre-cutover-check',
        retryable: true,
        cause: error,
      });
    }
    throw error;
  }
}
