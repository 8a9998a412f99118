import { restoreFailedError } from './cutover-recovery.js';
import type { DnsProvider } from './dns-provider.js';
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
  /** The branded link host. */
  hostname: string;
  /** The CDN edge to dial (its CNAME target or an address), with SNI and Host = hostname. */
  edgeTarget: string;
  /** The CDN, for messages and progress events. */
  provider: string;
  /** How the verifier reaches DNS, trusted roots and ports (the internet's by default). */
  verification?: VerificationSettings;
  /**
   * How long the edge may take to start answering correctly, in ms (new config can take a moment
   * to reach every edge server).
   * @default 60000
   */
  maxWaitTime?: number;
  /** Stops the check with `ABORTED`. */
  signal?: AbortSignal;
  /** Receives each attempt as a progress event. */
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
        // The adapter configured this edge to forward the viewer's Host itself; what the check can
        // add without a tracked link is valid TLS and an answer that is no CDN error.
        const failing = last.checks.filter((check) => check.ok === false).map((check) => check.detail);
        return { done: last.edgeForwards, value: last, state: failing.length === 0 ? (last.edgeForwards ? 'passing' : 'waiting for an answer') : failing.join(' ') };
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
          .filter((check) => check.ok === false)
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

/** Options for `confirmAfterCutover`. */
export interface CutoverConfirmationOptions {
  /** The branded link host. */
  hostname: string;
  /** The CDN edge the hostname's CNAME now points at. */
  edgeTarget: string;
  /** The CDN, for messages and progress events. */
  provider: string;
  /** Where the CNAME was just written, and where it is put back. */
  dns: DnsProvider;
  /** What the CNAME held before the cutover, restored if the edge fails; undefined deletes ours. */
  restoreTo: string | undefined;
  /** How the verifier reaches DNS, trusted roots and ports (the internet's by default). */
  verification?: VerificationSettings;
  /**
   * How long the edge may take to serve the hostname correctly again before DNS goes back.
   * @default 30000
   */
  maxWaitTime?: number;
  /**
   * The first delay between checks, in ms.
   * @default 250
   */
  minDelay?: number;
  /** Stops the check with `ABORTED`. */
  signal?: AbortSignal;
  /** Receives each attempt as a progress event. */
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * The check right after the DNS write. The edge passed the pre-cutover check, but it can still
 * fail before resolvers follow the new CNAME (a configuration push, a revoked certificate). If it
 * no longer serves the hostname within `maxWaitTime`, DNS goes back to `restoreTo` at once, so
 * clicks keep working, and this throws `PROVIDER` saying so; if even that write fails it throws
 * `UNSAFE` naming the record to restore by hand.
 */
export async function confirmAfterCutover(options: CutoverConfirmationOptions): Promise<void> {
  const { hostname, edgeTarget, provider, dns } = options;
  let finding = '';
  try {
    await waitUntil(
      async ({ signal }) => {
        const result = await verifyHostname(hostname, {
          ...options.verification,
          connectTo: edgeTarget,
          checks: ['tls-valid', 'reaches-sendgrid'],
          ...(signal ? { signal } : {}),
        });
        finding = result.checks.filter((check) => check.ok === false).map((check) => check.detail).join(' ');
        return { done: result.edgeForwards, state: finding || (result.edgeForwards ? 'passing' : 'waiting for an answer') };
      },
      {
        description: `the ${provider} edge to keep serving ${hostname} after the cutover`,
        subject: 'edge-recheck',
        provider,
        hostname,
        minDelay: options.minDelay ?? 250,
        maxDelay: 2_000,
        maxWaitTime: options.maxWaitTime ?? 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
        // Each failed re-check is reported (`edge-recheck-waiting`), so a log shows how far it got.
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
  } catch (error) {
    if (SslClickError.isInstance(error) && error.code === 'ABORTED') throw error;
    finding ||= error instanceof Error ? error.message : String(error);
    const restored = options.restoreTo ?? 'no record, as before';
    try {
      if (options.restoreTo) await dns.upsertCname(hostname, options.restoreTo, { replaceable: [edgeTarget], comment: `sslclick: ${hostname} restored (the edge failed after the cutover)` });
      else await dns.deleteCname(hostname, edgeTarget);
    } catch (restoreError) {
      if (!options.restoreTo) {
        throw new SslClickError({
          code: 'UNSAFE',
          provider,
          operation: 'cutover',
          cause: restoreError,
          message: `${hostname} now points at ${edgeTarget} but the ${provider} edge stopped serving it (${finding}), and putting the record back through ${dns.name} failed: restore ${hostname} by deleting the CNAME by hand now, or its links break.`,
        });
      }
      throw restoreFailedError({ hostname, provider, edgeTarget, finding, dnsName: dns.name, restoreRecord: { name: hostname, type: 'CNAME', value: options.restoreTo }, cause: restoreError });
    }
    options.onProgress?.({
      type: 'dns-restored',
      provider,
      hostname,
      message: `The ${provider} edge failed right after the cutover; ${hostname} is back at ${restored} in ${dns.name}.`,
    });
    throw new SslClickError({
      code: 'PROVIDER',
      provider,
      operation: 'cutover',
      cause: error,
      retryable: true,
      message: `The ${provider} edge stopped serving ${hostname} right after its CNAME moved (${finding}); the record is back at ${restored}, so links keep working. Check the CDN configuration and certificate (run status), then run apply again.`,
    });
  }
}
