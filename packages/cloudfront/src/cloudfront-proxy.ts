import type { ProxyAdapter } from '@sslclick/core';
import { requireVerificationForLocalEndpoints, withRedactedErrors } from '@sslclick/core/adapter';
import { resolveCloudFrontSettings, type CloudFrontProxySettings, type ResolvedCloudFrontSettings } from './cloudfront-settings.js';
import { createPerHostApply } from './per-host-apply.js';
import { createPerHostContext, provider } from './per-host-context.js';
import { createPerHostDestroy } from './per-host-destroy.js';
import { createPerHostPlan } from './per-host-plan.js';
import { createPerHostStatus } from './per-host-status.js';
import { createRoute53DnsOnClient } from './route53-dns.js';
import { createCloudFrontTenantProxy } from './tenant-proxy.js';

export type { CloudFrontProxySettings } from './cloudfront-settings.js';

/**
 * SendGrid SSL click tracking through AWS CloudFront: an ACM certificate (DNS-validated), one
 * distribution per branded host forwarding everything, `Host` included, to SendGrid, and the
 * hostname's CNAME in Route 53 (or any `DnsProvider`), moved only after a pre-cutover check
 * through the new distribution. Without managed DNS, the records come back in
 * `status.dns.required` for you to publish.
 *
 * @example
 * const proxy = createCloudFrontProxy({ hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
 * const status = await proxy.apply({ hostname: 'url1234.example.com' }, { onProgress: console.log });
 */
export function createCloudFrontProxy(settingsInput: CloudFrontProxySettings = {}): ProxyAdapter {
  // CloudFront SaaS Manager: one multi-tenant distribution, a tenant per host (tenant-proxy.ts).
  if (typeof settingsInput === 'object' && settingsInput !== null && settingsInput.mode === 'tenants') return createCloudFrontTenantProxy(settingsInput);
  // CloudFront SaaS Manager: one multi-tenant distribution, a tenant per host (tenant-proxy.ts).
  if (settingsInput.mode === 'tenants') return createCloudFrontTenantProxy(settingsInput);
  const settings: ResolvedCloudFrontSettings = resolveCloudFrontSettings(settingsInput);
  requireVerificationForLocalEndpoints({ provider: 'cloudfront', endpoints: Object.values(settingsInput.endpoints ?? {}), verification: settingsInput.verification });
  const route53 = createRoute53DnsOnClient(settings.route53, { hostedZoneId: settings.hostedZoneId, retry: settings.retry, timeoutMs: settings.timeoutMs });
  const context = createPerHostContext(settings, route53);
  const reads = createPerHostStatus(context);

  // The one place errors leave the adapter: whatever is thrown, and every progress event, is redacted.
  return withRedactedErrors({
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: settings.dns !== undefined || settings.hostedZoneId !== undefined || settings.route53Lookup, managedCertificate: true, slowDeploy: true },
    plan: createPerHostPlan(context),
    apply: createPerHostApply(context, reads),
    status: reads.status,
    destroy: createPerHostDestroy(context, reads),
  } satisfies ProxyAdapter);
}
