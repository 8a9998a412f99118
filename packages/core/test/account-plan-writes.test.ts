/**
 * The writes a host's plan reserves (issue 14): what each planned change says it writes, where
 * the adapter says, else the budget's `writesPerChange` (an average); summed per host and
 * rounded up, since the budget hands out whole writes.
 */
import { describe, expect, it } from 'vitest';
import { buildStatus } from '../src/adapter/index.js';
import { createWriteBudget, setupAccount, type LinkBranding, type LinkBrandingSource, type PlannedChange, type ProxyAdapter } from '../src/index.js';

function branding(index: number): LinkBranding {
  return {
    id: index + 1,
    hostname: `url${index}.writes.com`,
    domain: 'writes.com',
    subdomain: `url${index}`,
    valid: true,
    default: false,
    legacy: false,
    username: 'agency',
    userId: 1,
    route: 'classic',
    origin: 'sendgrid.net',
    records: [{ type: 'CNAME', name: `url${index}.writes.com`, value: 'sendgrid.net' }],
  };
}

const brandings = [branding(0), branding(1)];
const source: LinkBrandingSource = {
  list: async () => brandings,
  findByHostname: async (hostname) => brandings.find((entry) => entry.hostname === hostname),
  validate: async () => {
    throw new Error('setupAccount must not validate in this test');
  },
};

/** A CDN that has nothing for any host yet (so nothing is verified from outside) and plans `changes`. */
function adapterPlanning(changes: PlannedChange[]): ProxyAdapter {
  const nothing = (hostname: string) =>
    buildStatus({ provider: 'stub', hostname, origin: 'sendgrid.net', edge: { state: 'absent' }, certificate: { state: 'absent' }, dns: { managed: false, required: [] }, resources: [], checks: [], nextSteps: ['Run apply.'], warnings: [] });
  return {
    specificationVersion: 'v1',
    provider: 'stub',
    capabilities: { managesDns: false, managedCertificate: true },
    plan: async (request) => ({ provider: 'stub', hostname: request.hostname, changes, warnings: [] }),
    apply: async (request) => nothing(request.hostname),
    status: async (request) => nothing(request.hostname),
    destroy: async (request) => nothing(request.hostname),
  };
}

const change = (writes?: number): PlannedChange => ({ resource: { kind: 'thing', name: 'x' }, action: 'create', description: 'Make a thing.', ...(writes === undefined ? {} : { writes }) });

describe('the writes a plan reserves', () => {
  it('sums what each change says it writes, and the budget average for a change that does not say', async () => {
    const adapter = adapterPlanning([change(1), change(0), change(2), change()]);
    const budget = createWriteBudget({ name: 'stub account', capacity: 1_000, intervalMs: 3_600_000, writesPerChange: 2 });
    const result = await setupAccount(source, adapter, { dryRun: true, budgetFor: () => budget });
    expect(result.accounts.flatMap((account) => account.hosts).map((host) => host.plannedWrites)).toEqual([5, 5]);
    expect(result.plan.vendors).toEqual([expect.objectContaining({ provider: 'stub', hosts: 2, writes: 10 })]);
  });

  it('rounds a host\'s shares up to whole writes, and adds thirds without a spare write', async () => {
    const budget = createWriteBudget({ name: 'stub account', capacity: 1_000, intervalMs: 3_600_000 });
    const shares = await setupAccount(source, adapterPlanning([change(1), change(0.25)]), { dryRun: true, budgetFor: () => budget });
    expect(shares.accounts[0]?.hosts.map((host) => host.plannedWrites)).toEqual([2, 2]);
    const thirds = await setupAccount(source, adapterPlanning([change(1 / 3), change(1 / 3), change(1 / 3)]), { dryRun: true, budgetFor: () => budget });
    expect(thirds.accounts[0]?.hosts.map((host) => host.plannedWrites)).toEqual([1, 1]);
  });
});
