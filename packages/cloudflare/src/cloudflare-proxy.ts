import type { ProxyAdapter } from '@sslclick/core';
import { requireVerificationForLocalEndpoints, invalidInput, withRedactedErrors, type CommonProxySettings } from '@sslclick/core/adapter';
import { createCloudflareConnection, type CloudflareConnectionSettings } from './cloudflare-client.js';
import { createPerHostApply } from './per-host-apply.js';
import { createPerHostContext, provider } from './per-host-context.js';
import { createPerHostDestroy } from './per-host-destroy.js';
import { createPerHostPlan } from './per-host-plan.js';
import { createPerHostStatus } from './per-host-status.js';
import { createCloudflareSaasProxy } from './saas-proxy.js';
import type { CloudflareSaasProxySettings, CloudflareZoneMode } from './saas-settings.js';

/** Settings of `createCloudflareProxy` in its per-host mode (the branded host's own zone on Cloudflare). */
export interface CloudflareProxySettings extends CloudflareConnectionSettings, CommonProxySettings {
  /**
   * `'zone'`: the branded host's own Cloudflare zone proxies it (these settings). For Cloudflare
   * for SaaS pass `mode: 'saas'` with `CloudflareSaasProxySettings`.
   * @default 'zone'
   */
  mode?: CloudflareZoneMode | undefined;
  /**
   * Order an advanced certificate pack (Advanced Certificate Manager) when no edge certificate
   * covers the hostname, e.g. `url1234.mail.example.com`, which Universal SSL does not cover;
   * without it `apply` stops before any change and says so.
   * @default false
   */
  orderCertificate?: boolean;
  /**
   * The certificate authority of an ordered pack.
   * @default 'google'
   */
  certificateAuthority?: 'google' | 'lets_encrypt' | 'ssl_com';
  /**
   * Add a Cache Rule that bypasses the cache for the host, so a zone-wide "cache everything" does
   * not hide repeat clicks and opens from SendGrid. `false` leaves the cache as the zone has it.
   * @default true
   */
  bypassCache?: boolean;
}

function validateSettings(settings: CloudflareProxySettings): void {
  const booleanSetting = (name: 'orderCertificate' | 'bypassCache'): void => {
    if (settings[name] !== undefined && typeof settings[name] !== 'boolean') throw invalidInput(`${name} must be true or false.`, { provider, operation: 'create' });
  };
  booleanSetting('orderCertificate');
  booleanSetting('bypassCache');
  if (settings.certificateAuthority !== undefined && !['google', 'lets_encrypt', 'ssl_com'].includes(settings.certificateAuthority)) {
    throw invalidInput(`certificateAuthority must be "google", "lets_encrypt" or "ssl_com", not "${String(settings.certificateAuthority)}".`, { provider, operation: 'create' });
  }
}

/**
 * Creates the Cloudflare adapter: the branded link host becomes a proxied ("orange cloud") CNAME
 * to SendGrid's origin, with a Configuration Rule setting SSL mode Full for that host only and a
 * Cache Rule bypassing the cache for it, on an edge certificate that covers it (Universal SSL, or
 * an advanced pack ordered with `orderCertificate: true`). Right after the record is proxied the
 * host is checked through the edge, and the record is put back as it was if the check fails.
 * Settings are validated here; no request is made until a method runs.
 */
export function createCloudflareProxy(settings?: CloudflareProxySettings): ProxyAdapter;
/**
 * Creates the Cloudflare adapter in Cloudflare for SaaS mode (`mode: 'saas'`): each branded host,
 * whatever DNS it lives in, becomes a custom hostname of the provider zone `zoneId`, validated by
 * TXT records before its CNAME moves to the zone's CNAME target (see `CloudflareSaasProxySettings`).
 */
export function createCloudflareProxy(settings: CloudflareSaasProxySettings): ProxyAdapter;
export function createCloudflareProxy(input: CloudflareProxySettings | CloudflareSaasProxySettings = {}): ProxyAdapter {
  const mode: unknown = input !== null && typeof input === 'object' ? input.mode : undefined;
  if (mode === 'saas') return createCloudflareSaasProxy(input as CloudflareSaasProxySettings);
  if (mode !== undefined && mode !== 'zone') throw invalidInput(`mode must be "zone" (the host's own Cloudflare zone, the default) or "saas" (Cloudflare for SaaS), not ${JSON.stringify(mode)}.`, { provider, operation: 'create' });
  const settings = input as CloudflareProxySettings;
  const connection = createCloudflareConnection(settings, 'createCloudflareProxy');
  validateSettings(settings);
  requireVerificationForLocalEndpoints({ provider, endpoints: [settings.baseURL], verification: settings.verification });
  const context = createPerHostContext(connection, settings);

  // The one place errors leave the adapter: whatever is thrown, and every progress event, is redacted.
  return withRedactedErrors({
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: true, managedCertificate: true },
    plan: createPerHostPlan(context),
    apply: createPerHostApply(context),
    status: createPerHostStatus(context),
    destroy: createPerHostDestroy(context),
  } satisfies ProxyAdapter);
}
