import type { ProxyStatus } from '@sslclick/core';

/** What the tenant's edge state is made of: the tenant, its connection group and the shared distribution. */
export interface TenantEdgeParts {
  tenant?: { status: string; enabled: boolean } | undefined;
  connectionGroup?: { status: string; enabled: boolean } | undefined;
  distribution?: { status: string; enabled: boolean } | undefined;
}

/**
 * Tenant, connection group and multi-tenant distribution states → the uniform edge state. The
 * hostname is served only when all three are deployed and enabled: `absent` without a tenant,
 * `pending` while any of them is `InProgress` or disabled (a disabled tenant serves nothing;
 * enabling it is one apply away), `failed` for a status CloudFront does not document.
 */
export function tenantEdgeState(parts: TenantEdgeParts): ProxyStatus['edge']['state'] {
  const { tenant, connectionGroup, distribution } = parts;
  if (!tenant) return 'absent';
  const statuses = [tenant.status, connectionGroup?.status, distribution?.status];
  if (statuses.some((status) => status !== undefined && status !== 'InProgress' && status !== 'Deployed')) return 'failed';
  if (!connectionGroup || !distribution) return 'pending';
  if (statuses.includes('InProgress')) return 'pending';
  if (!tenant.enabled || !connectionGroup.enabled || !distribution.enabled) return 'pending';
  return 'deployed';
}
