import { describe, expect, it } from 'vitest';
import { tenantEdgeState } from '../src/tenant-status-mapping.js';

const deployed = { status: 'Deployed', enabled: true };
const inProgress = { status: 'InProgress', enabled: true };

describe('tenantEdgeState: tenant, connection group and multi-tenant distribution → the uniform edge state', () => {
  it.each([
    ['no tenant', {}, 'absent'],
    ['all deployed and enabled', { tenant: deployed, connectionGroup: deployed, distribution: deployed }, 'deployed'],
    ['the tenant deploying', { tenant: inProgress, connectionGroup: deployed, distribution: deployed }, 'pending'],
    ['the connection group deploying (the default one, made with the first tenant)', { tenant: deployed, connectionGroup: inProgress, distribution: deployed }, 'pending'],
    ['the shared distribution deploying', { tenant: deployed, connectionGroup: deployed, distribution: inProgress }, 'pending'],
    ['the tenant disabled (it serves nothing)', { tenant: { status: 'Deployed', enabled: false }, connectionGroup: deployed, distribution: deployed }, 'pending'],
    ['the connection group not read yet', { tenant: deployed, distribution: deployed }, 'pending'],
    ['a status CloudFront does not document', { tenant: { status: 'Failed', enabled: true }, connectionGroup: deployed, distribution: deployed }, 'failed'],
  ] as const)('%s', (_name, parts, state) => {
    expect(tenantEdgeState(parts)).toBe(state);
  });
});
