/**
 * The settings of the Fastly shared-service mode, checked when the adapter is created: bad
 * input is `INVALID_INPUT` before any request.
 */
import type { DnsProvider } from '@sslclick/core';
import { DEFAULT_CUTOVER_CHECK_TIMEOUT_MS, invalidInput, loadCredential, readCutoverCheckTimeoutMs, requireVerificationForLocalEndpoints, withoutRunBudget } from '@sslclick/core/adapter';
import { createFastlyClient, defaultFastlyBaseURL, type FastlyClient } from './fastly-client.js';
import type { FastlyProxySettings } from './fastly-proxy.js';
import { createRateLimitGovernor } from './rate-limit.js';
import type { FastlyMode } from './service-configuration.js';
import { defaultSharedServiceName } from './shared-service.js';
import { defaultDomainsPerSubscription } from './shared-tls-subscription.js';
import type { FastlyCertificateAuthority } from './tls-subscription.js';

/** Settings of the shared-service mode (`createFastlyProxy({ shared: { … } })`). */
export interface FastlySharedServiceSettings {
  /**
   * The name of the one service holding every branded host. A service of that name that
   * sslclick did not create is used only for requests with `adopt: true`.
   * @default 'sslclick shared'
   */
  serviceName?: string;
  /**
   * How many branded hosts one TLS subscription (one certificate) holds. Fastly documents no
   * figure; Let's Encrypt issues at most 100 names per certificate.
   * @default 100
   */
  domainsPerSubscription?: number;
  /**
   * How long, in ms, the first domain change of a batch waits for others before the batch makes
   * its service version (changes arriving while a batch runs go into the next one).
   * @default 1000
   */
  batchWindowMs?: number;
  /**
   * Whether a new host may join a subscription whose certificate is already issued. Joining
   * re-issues the certificate; the fake's default, and Fastly's documentation, has the issued
   * certificate go on serving its hosts meanwhile. Set `false` if your account shows otherwise:
   * new hosts then only join subscriptions not yet issued, at the cost of more subscriptions.
   * @default true
   */
  joinIssuedSubscriptions?: boolean;
}

/** The settings resolved, with the API client built from them. */
export interface ResolvedSharedSettings {
  mode: FastlyMode;
  certificateAuthority: FastlyCertificateAuthority;
  serviceName: string;
  domainsPerSubscription: number;
  batchWindowMs: number;
  joinIssued: boolean;
  packageUploadTimeoutMs: number;
  cutoverCheckTimeoutMs: number;
  dns: DnsProvider | undefined;
  client: FastlyClient;
}

const provider = 'fastly';

function positiveNumber(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved <= 0) throw invalidInput(`${name} must be a positive number of milliseconds, not ${String(value)}.`, { provider, operation: 'create' });
  return resolved;
}

/** Checks the settings of `createFastlyProxy({ shared })` and builds the client. */
export function resolveSharedSettings(settings: FastlyProxySettings): ResolvedSharedSettings {
  if (typeof settings.shared !== 'boolean' && (typeof settings.shared !== 'object' || settings.shared === null || Array.isArray(settings.shared))) {
    throw invalidInput('shared must be true or the shared-service settings ({ serviceName, domainsPerSubscription, batchWindowMs, joinIssuedSubscriptions }).', { provider, operation: 'create' });
  }
  const shared: FastlySharedServiceSettings = typeof settings.shared === 'object' ? settings.shared : {};
  const mode = settings.mode ?? 'compute';
  if (mode !== 'compute' && mode !== 'vcl') throw invalidInput(`mode must be "compute" or "vcl", not "${String(mode)}".`, { provider, operation: 'create' });
  const certificateAuthority = settings.certificateAuthority ?? 'certainly';
  if (certificateAuthority !== 'certainly' && certificateAuthority !== 'lets-encrypt') {
    throw invalidInput(`certificateAuthority must be "certainly" or "lets-encrypt", not "${String(certificateAuthority)}".`, { provider, operation: 'create' });
  }
  const serviceName = typeof shared.serviceName === 'string' || shared.serviceName === undefined ? (shared.serviceName ?? defaultSharedServiceName).trim() : '';
  if (serviceName === '' || serviceName.length > 255) throw invalidInput('shared.serviceName must be a non-empty name of at most 255 characters.', { provider, operation: 'create' });
  const domainsPerSubscription = shared.domainsPerSubscription ?? defaultDomainsPerSubscription;
  if (!Number.isInteger(domainsPerSubscription) || domainsPerSubscription < 1 || domainsPerSubscription > 100) {
    throw invalidInput(`shared.domainsPerSubscription must be an integer from 1 to 100, not ${String(shared.domainsPerSubscription)}.`, { provider, operation: 'create' });
  }
  const batchWindowMs = shared.batchWindowMs ?? 1_000;
  if (!Number.isFinite(batchWindowMs) || batchWindowMs < 0) throw invalidInput(`shared.batchWindowMs must be a number of milliseconds, not ${String(shared.batchWindowMs)}.`, { provider, operation: 'create' });
  const baseURL = settings.baseURL ?? defaultFastlyBaseURL;
  try {
    new URL(baseURL);
  } catch {
    throw invalidInput(`baseURL "${baseURL}" is not a URL.`, { provider, operation: 'create' });
  }
  requireVerificationForLocalEndpoints({ provider, endpoints: [baseURL], verification: settings.verification });
  const timeoutMs = positiveNumber(settings.timeoutMs, 30_000, 'timeoutMs');
  const packageUploadTimeoutMs = positiveNumber(settings.packageUploadTimeoutMs, 120_000, 'packageUploadTimeoutMs');
  const cutoverCheckTimeoutMs =
    readCutoverCheckTimeoutMs(settings, provider) ?? (settings.wait?.maxWaitTime ? Math.min(settings.wait.maxWaitTime, 300_000) : DEFAULT_CUTOVER_CHECK_TIMEOUT_MS);
  const dns = settings.dns;
  if (dns !== undefined && (typeof dns.getRecords !== 'function' || typeof dns.upsertCname !== 'function' || typeof dns.deleteCname !== 'function')) {
    throw invalidInput('dns must be a DnsProvider such as createCloudflareDns() or createRoute53Dns().', { provider, operation: 'create' });
  }
  const apiToken = loadCredential({ value: settings.apiToken, environmentVariable: 'FASTLY_API_TOKEN', settingName: 'apiToken', provider });
  const client = createFastlyClient({
    apiToken,
    baseURL,
    fetch: settings.fetch ?? globalThis.fetch,
    retry: settings.retry,
    rateLimit: createRateLimitGovernor(settings.rateLimit),
    timeoutMs,
  });
  // Fastly hosts no DNS: the DNS provider is another vendor's account, so its writes never draw
  // from the run's (Fastly) write budget, as in the per-host mode.
  return { mode, certificateAuthority, serviceName, domainsPerSubscription, batchWindowMs, joinIssued: shared.joinIssuedSubscriptions ?? true, packageUploadTimeoutMs, cutoverCheckTimeoutMs, dns: dns ? withoutRunBudget(dns) : undefined, client };
}
