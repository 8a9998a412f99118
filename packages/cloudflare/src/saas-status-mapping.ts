import type { CheckResult, DnsRecord, ProxyStatus, ResourceReference } from '@sslclick/core';
import { buildStatus } from '@sslclick/core/adapter';
import type { CustomHostnameSummary, OwnershipMarker } from './custom-hostname.js';
import { validationRecords } from './custom-hostname.js';
import { providerReady, type ProviderState } from './fallback-origin.js';

/** Custom hostname `status` values that will not become active by waiting (cloudflare-typescript `CustomHostname.status`). */
const failedHostnameStatuses = new Set(['blocked', 'moved', 'deleted', 'pending_deletion', 'pending_blocked', 'test_blocked', 'test_failed']);

/** `ssl.status` values that will not become active by waiting. */
const failedCertificateStatuses = new Set([
  'deleted',
  'pending_deletion',
  'pending_expiration',
  'expired',
  'initializing_timed_out',
  'validation_timed_out',
  'issuance_timed_out',
  'deployment_timed_out',
  'deletion_timed_out',
  'pending_cleanup',
  'deactivating',
  'inactive',
]);

/** The hostname's activation maps onto the edge state: `active` → deployed; the failed set → failed; others pending. */
export function edgeStateOf(custom: CustomHostnameSummary | undefined, provider: ProviderState): ProxyStatus['edge']['state'] {
  if (!custom) return 'absent';
  if (failedHostnameStatuses.has(custom.status) || provider.fallbackOrigin?.status?.endsWith('_timed_out')) return 'failed';
  return custom.status === 'active' && providerReady(provider) ? 'deployed' : 'pending';
}

/** The certificate's `ssl.status` onto the certificate state: `active` → issued; time-outs, expiry, deletion → failed; others pending. */
export function certificateStateOf(custom: CustomHostnameSummary | undefined): ProxyStatus['certificate']['state'] {
  if (!custom) return 'absent';
  if (custom.sslStatus === 'active') return 'issued';
  return failedCertificateStatuses.has(custom.sslStatus) ? 'failed' : 'pending';
}

/** Whether waiting can still bring the hostname and its certificate to active. */
export function isFailedCustomHostname(custom: CustomHostnameSummary): boolean {
  return failedHostnameStatuses.has(custom.status) || failedCertificateStatuses.has(custom.sslStatus);
}

/** What the adapter adds to what it read to build a status. */
export interface SaasStatusContext {
  hostname: string;
  origin: string;
  provider: ProviderState;
  custom?: CustomHostnameSummary | undefined;
  marker?: OwnershipMarker | undefined;
  /** Whether sslclick may manage the custom hostname (its marker, or adopt). */
  owned: boolean;
  /** Whether a DnsProvider writes the host's records. */
  dnsManaged: boolean;
  /** Whether the public DNS shows the validation TXT records (unknown: undefined). */
  validationVisible?: boolean | undefined;
  /** What the public DNS answers for the host (CNAME chain, addresses), when read. */
  observedDns?: string[] | undefined;
  /** Whether the host's public CNAME chain reaches the CNAME target. */
  pointsToCdn: boolean;
  /** Whether the edge was proven to serve the host (the pre-cutover check passed): the CNAME is then due. */
  edgeProven: boolean;
  verifierChecks?: CheckResult[] | undefined;
  /** The pre-cutover check failed: the edge is reported failed. */
  edgeCheckFailed?: boolean | undefined;
  nextSteps?: string[] | undefined;
  warnings?: string[] | undefined;
}

/**
 * Maps a Cloudflare for SaaS host onto the uniform status. The table:
 * - edge: the custom hostname's `status` (ownership): `active` with the fallback origin, its
 *   record, the CNAME target and SSL Full in place → `deployed`; `blocked`, `moved`, `deleted`,
 *   `pending_deletion`, `pending_blocked`, `test_blocked`, `test_failed` (or a fallback origin
 *   `*_timed_out`) → `failed`; else `pending`; no custom hostname → `absent`. `target` is the CNAME target.
 * - certificate: `ssl.status`: `active` → `issued`; `*_timed_out`, `expired`, `deleted`,
 *   `pending_deletion`, `pending_expiration`, `pending_cleanup`, `deactivating`, `inactive` →
 *   `failed`; else (`initializing`, `pending_validation`, `pending_issuance`,
 *   `pending_deployment`, …) → `pending`.
 * - dns: managed when a DnsProvider writes the host's records; `required` holds the two TXT
 *   pre-validation records, then the host's CNAME to the target once the edge is proven (or it
 *   is in place); `pointsToCdn` when the public CNAME chain reaches the target.
 * Cloudflare's values are kept in `raw`.
 */
export function buildSaasStatus(context: SaasStatusContext): ProxyStatus {
  const { hostname, origin, provider, custom } = context;
  const edgeState = context.edgeCheckFailed ? 'failed' : edgeStateOf(custom, provider);
  const certificateState = certificateStateOf(custom);
  // The TXT records Cloudflare asks for now, and those noted in the marker (Cloudflare stops
  // showing the DCV record once the certificate is issued; renewals may need it again).
  const required: DnsRecord[] = custom && context.owned ? validationRecords(custom) : [];
  for (const noted of custom && context.owned ? (context.marker?.noted ?? []) : []) {
    if (!required.some((record) => record.name === noted.name)) required.push({ name: noted.name, type: 'TXT', value: noted.value, purpose: 'Cloudflare for SaaS pre-validation (as published)' });
  }
  const cname: DnsRecord = { name: hostname, type: 'CNAME', value: provider.targetName, purpose: 'sends the branded host through Cloudflare for SaaS (only once apply has proven the certificate through the edge)' };
  if (context.edgeProven || context.pointsToCdn) required.push(cname);

  const checks: CheckResult[] = [];
  checks.push(
    providerReady(provider)
      ? { id: 'fallback-origin', ok: true, detail: `${provider.fallbackName} is the active fallback origin of ${provider.zone.name}, a proxied CNAME to ${provider.origin} with SSL Full; ${provider.targetName} points at it.` }
      : { id: 'fallback-origin', ok: false, detail: `The fallback origin of ${provider.zone.name} is not in place and active yet (${provider.fallbackOrigin?.status ?? 'not set'}).` },
  );
  if (custom) {
    checks.push(
      custom.status === 'active'
        ? { id: 'hostname-ownership', ok: true, detail: `Cloudflare verified the ownership of ${hostname} (custom hostname ${custom.id} is active).` }
        : { id: 'hostname-ownership', ok: false, detail: `The custom hostname ${hostname} is "${custom.status}"${custom.verificationErrors.length > 0 ? `: ${custom.verificationErrors.join(' ')}` : ''}.` },
      custom.sslStatus === 'active'
        ? { id: 'certificate-covers-host', ok: true, detail: `The certificate for ${hostname} is active on Cloudflare's edge.` }
        : { id: 'certificate-covers-host', ok: false, detail: `The certificate for ${hostname} is "${custom.sslStatus}".` },
    );
    if (context.validationVisible !== undefined && custom.status !== 'active') {
      checks.push(
        context.validationVisible
          ? { id: 'validation-records', ok: true, detail: `The public DNS shows the TXT pre-validation records of ${hostname}.` }
          : { id: 'validation-records', ok: false, detail: `The public DNS does not show the TXT pre-validation records of ${hostname} yet.` },
      );
    }
  }
  if (custom && context.owned) {
    checks.push(
      context.pointsToCdn
        ? { id: 'public-cname', ok: true, detail: `The public DNS answers ${hostname} as a CNAME to ${provider.targetName}.` }
        : { id: 'public-cname', ok: false, detail: `The public DNS does not answer ${hostname} as a CNAME to ${provider.targetName} yet.` },
    );
  }
  checks.push(...(context.verifierChecks ?? []));

  const resources: ResourceReference[] = [];
  if (custom) resources.push({ kind: 'custom-hostname', id: custom.id, owned: context.owned });
  if (context.marker) resources.push({ kind: 'dns-record', id: context.marker.id, owned: true });

  const warnings = [...(context.warnings ?? [])];
  if (custom && !context.owned) {
    warnings.push(`The custom hostname ${hostname} (${custom.id}) in ${provider.zone.name} was not created by sslclick; it is left alone unless adopt: true.`);
  }

  return buildStatus({
    provider: 'cloudflare',
    hostname,
    origin,
    edge: {
      state: edgeState,
      target: provider.targetName,
      raw: {
        mode: 'saas',
        zone: provider.zone,
        fallbackOrigin: provider.fallbackOrigin ?? null,
        fallbackRecord: provider.fallbackRecord ?? null,
        cnameTarget: provider.targetRecord ?? null,
        sslMode: provider.sslMode,
        customHostname: custom?.raw ?? null,
      },
    },
    certificate: {
      state: certificateState,
      ...(certificateState === 'issued' && custom?.expiresOn ? { notAfter: custom.expiresOn } : {}),
      raw: custom ? { status: custom.sslStatus, method: custom.sslMethod } : null,
    },
    dns: {
      managed: context.dnsManaged,
      required,
      ...(context.observedDns ? { observed: context.observedDns } : {}),
      pointsToCdn: context.pointsToCdn,
      restore: { name: hostname, type: 'CNAME', value: origin, purpose: 'at the DNS that serves the branded host: sends it straight to SendGrid again' },
    },
    resources,
    checks,
    nextSteps: context.nextSteps ?? [],
    warnings,
  });
}
