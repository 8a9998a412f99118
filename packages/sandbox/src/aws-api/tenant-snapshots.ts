import type { AwsApiState, ConnectionGroupState, DistributionTenantState } from './aws-api-state.js';
import { connectionGroupStatus, createConnectionGroup } from './connection-groups.js';
import { settleTenant } from './distribution-tenants-api.js';

/** A distribution tenant as the fake holds it, for assertions. */
export interface AwsTenantSnapshot {
  id: string;
  arn: string;
  name: string;
  distributionId: string;
  connectionGroupId: string;
  domains: string[];
  certificateArn: string | undefined;
  enabled: boolean;
  status: 'InProgress' | 'Deployed';
  etag: string;
  tags: Record<string, string>;
}

/** A connection group as the fake holds it, for assertions. */
export interface AwsConnectionGroupSnapshot {
  id: string;
  arn: string;
  name: string;
  routingEndpoint: string;
  isDefault: boolean;
  status: 'InProgress' | 'Deployed';
  tags: Record<string, string>;
}

function tenantSnapshot(state: AwsApiState, tenant: DistributionTenantState): AwsTenantSnapshot {
  return {
    id: tenant.id,
    arn: tenant.arn,
    name: tenant.name,
    distributionId: tenant.distributionId,
    connectionGroupId: tenant.connectionGroupId,
    domains: [...tenant.domains],
    certificateArn: tenant.certificateArn,
    enabled: tenant.enabled,
    status: settleTenant(state, tenant),
    etag: tenant.etag,
    tags: Object.fromEntries(tenant.tags),
  };
}

function connectionGroupSnapshot(state: AwsApiState, group: ConnectionGroupState): AwsConnectionGroupSnapshot {
  return {
    id: group.id,
    arn: group.arn,
    name: group.name,
    routingEndpoint: group.routingEndpoint,
    isDefault: group.isDefault,
    status: connectionGroupStatus(state, group),
    tags: Object.fromEntries(group.tags),
  };
}

/** The test helpers of `AwsApi` about CloudFront SaaS Manager. */
export function tenantSnapshots(state: AwsApiState): {
  tenants(): AwsTenantSnapshot[];
  connectionGroups(): AwsConnectionGroupSnapshot[];
  addConnectionGroup(name: string): AwsConnectionGroupSnapshot;
} {
  return {
    tenants: () => [...state.tenants.values()].map((tenant) => tenantSnapshot(state, tenant)),
    connectionGroups: () => [...state.connectionGroups.values()].map((group) => connectionGroupSnapshot(state, group)),
    addConnectionGroup: (name) => connectionGroupSnapshot(state, createConnectionGroup(state, { name, isDefault: false })),
  };
}
