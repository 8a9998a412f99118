import {
  type ProxyAdapter,
  type DnsProvider,
} from '@sslclick/core';
import {
  requireVerificationForLocalEndpoints,
  DEFAULT_CUTOVER_CHECK_TIMEOUT_MS,
  readCutoverCheckTimeoutMs,
  withRedactedErrors,
  invalidInput,
  loadCredential,
  withoutRunBudget,
  type CommonProxySettings,
} from '@sslclick/core/adapter';
import { createFastlyClient, defaultFastlyBaseURL, type FastlyClient } from './fastly-client.js';
import { createPerHostApply } from './per-host-apply.js';
import { createPerHostContext, normalizeRequest, provider } from './per-host-context.js';
import { createPerHostDestroy } from './per-host-destroy.js';
import { createPerHostPlan } from './per-host-plan.js';
import { createStatusReader } from './per-host-status.js';
import { createRateLimitGovernor, type FastlyRateLimitSettings } from './rate-limit.js';
import type { FastlyMode } from './service-configuration.js';
import type { FastlyCertificateAuthority } from './tls-subscription.js';
import { createSharedServiceProxy, type FastlySharedServiceSettings } from './shared-service-proxy.js';

/** Settings of `createFastlyProxy`. */
export interface FastlyProxySettings extends CommonProxySettings {
  /**
   * A Fastly API token with the `global` scope (sent as `Fastly-Key`).
   * @default process.env.FASTLY_API_TOKEN
   */
  apiToken?: string | undefined; // `| undefined`: `apiToken: process.env.X` compiles under exactOptionalPropertyTypes
  /**
   * The Fastly API endpoint; the sandbox passes its fake's URL.
   * @default 'https://api.fastly.com'
   */
  baseURL?: string;
  /**
   * `compute`: a Compute service running sslclick's edge program (a pass-through to SendGrid);
   * `vcl`: a VCL service with a `recv` snippet that passes every request. Both forward the
   * viewer's request unchanged, with its `Host`, and cache nothing.
   * @default 'compute'
   */
  mode?: FastlyMode;
  /**
   * Who issues the certificate of the Fastly TLS subscription.
   * @default 'certainly'
   */
  certificateAuthority?: FastlyCertificateAuthority;
  /**
   * Where the hostname's DNS lives (Fastly hosts none), e.g. `createCloudflareDns()` or `createRoute53Dns()`.
   * With it, apply writes the `_acme-challenge` record and, after the pre-cutover check, the
   * cutover CNAME; without it, both are left in `status.dns.required` for you to publish.
   * @default undefined (records are left to you)
   */
  dns?: DnsProvider;
  /**
   * The Compute package to upload in compute mode: bytes, or a path to a `.tar.gz`.
   * @default the package built into `dist/edge/sslclick-edge.tar.gz`
   */
  computePackage?: string | Uint8Array;
  /** How the hourly write budget is honoured. */
  rateLimit?: FastlyRateLimitSettings;
  /**
   * One shared service for every host instead of a service per host: `true`, or its settings.
   * Domains are added and removed in batched versions, and hosts share TLS subscriptions of up
   * to 100 domains (see "When to choose the shared service" in the README).
   * @default false (a service per host)
   */
  shared?: boolean | FastlySharedServiceSettings;
  /**
   * How long one Fastly API request may take, in ms, before it is abandoned and retried; when
   * every attempt times out the call fails with `TIMEOUT`. The Compute package upload has its
   * own, longer deadline (`packageUploadTimeoutMs`).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * How long the Compute package upload (a few MB) may take, in ms, before it is abandoned and
   * retried: long enough for a slow link, as the Fastly CLI allows 2 minutes per request
   * (fastly/cli `pkg/app/run.go`).
   * @default 120000
   */
  packageUploadTimeoutMs?: number;
  /**
   * The `fetch` used for API calls (tests may inject one).
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

const modes: readonly FastlyMode[] = ['compute', 'vcl'];
const authorities: readonly FastlyCertificateAuthority[] = ['certainly', 'lets-encrypt'];

/**
 * Creates the Fastly adapter: a service named `sslclick <hostname>` (Compute running sslclick's
 * pass-through program, or VCL with a pass snippet) whose `sendgrid` backend reaches SendGrid over
 * TLS with the viewer's `Host`; a Fastly-managed TLS subscription validated by the `managed-dns`
 * challenge, so the certificate is issued before traffic moves; the pre-cutover check through the
 * edge; then the cutover CNAME (through `dns`, or left in `status.dns.required`).
 */
export function createFastlyProxy(settings: FastlyProxySettings = {}): ProxyAdapter {
  if (settings.shared) return createSharedServiceProxy(settings);
  const mode = settings.mode ?? 'compute';
  if (!modes.includes(mode)) throw invalidInput(`mode must be "compute" or "vcl", not "${String(mode)}".`, { provider, operation: 'create' });
  const certificateAuthority = settings.certificateAuthority ?? 'certainly';
  if (!authorities.includes(certificateAuthority)) {
    throw invalidInput(`certificateAuthority must be "certainly" or "lets-encrypt", not "${String(certificateAuthority)}".`, { provider, operation: 'create' });
  }
  const baseURL = settings.baseURL ?? defaultFastlyBaseURL;
  try {
    new URL(baseURL);
  } catch {
    throw invalidInput(`baseURL "${baseURL}" is not a URL.`, { provider, operation: 'create' });
  }
  requireVerificationForLocalEndpoints({ provider, endpoints: [baseURL], verification: settings.verification });
  const timeoutMs = settings.timeoutMs ?? 30_000;
  // Without the setting, a shorter `wait.maxWaitTime` still bounds the edge check, as it did before the setting existed.
  const cutoverCheckTimeoutMs =
    readCutoverCheckTimeoutMs(settings, provider) ?? (settings.wait?.maxWaitTime ? Math.min(settings.wait.maxWaitTime, 300_000) : DEFAULT_CUTOVER_CHECK_TIMEOUT_MS);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw invalidInput(`timeoutMs must be a positive number of milliseconds, not ${String(settings.timeoutMs)}.`, { provider, operation: 'create' });
  const packageUploadTimeoutMs = settings.packageUploadTimeoutMs ?? 120_000;
  if (!Number.isFinite(packageUploadTimeoutMs) || packageUploadTimeoutMs <= 0) {
    throw invalidInput(`packageUploadTimeoutMs must be a positive number of milliseconds, not ${String(settings.packageUploadTimeoutMs)}.`, { provider, operation: 'create' });
  }
  const dns = settings.dns;
  if (dns !== undefined && (typeof dns.getRecords !== 'function' || typeof dns.upsertCname !== 'function' || typeof dns.deleteCname !== 'function')) {
    throw invalidInput('dns must be a DnsProvider such as createCloudflareDns() or createRoute53Dns().', { provider, operation: 'create' });
  }
  const apiToken = loadCredential({ value: settings.apiToken, environmentVariable: 'FASTLY_API_TOKEN', settingName: 'apiToken', provider });
  const client: FastlyClient = createFastlyClient({
    apiToken,
    baseURL,
    fetch: settings.fetch ?? globalThis.fetch,
    retry: settings.retry,
    rateLimit: createRateLimitGovernor(settings.rateLimit),
    timeoutMs,
  });
  // Fastly hosts no DNS: the DNS provider is another vendor's account, so its writes never draw
  // from the run's (Fastly) write budget.
  const context = createPerHostContext({ settings, client, mode, certificateAuthority, dns: dns ? withoutRunBudget(dns) : undefined, cutoverCheckTimeoutMs, packageUploadTimeoutMs });
  const readStatus = createStatusReader(context);

  // The one place errors leave the adapter: whatever is thrown, and every progress event, is redacted.
  return withRedactedErrors({
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: dns !== undefined, managedCertificate: true },
    plan: createPerHostPlan(context),
    apply: createPerHostApply(context),
    status: (request, run) => readStatus(normalizeRequest(request), run, [], undefined, { publicDns: true }),
    destroy: createPerHostDestroy(context),
  } satisfies ProxyAdapter);
}
