/**
 * setupAccount() over the sandbox account with Cloudflare (issue 14, items 1 and 4): a parent and
 * three sub-users, 48 link brandings in mixed states. Planned first without a write; run once to
 * the end with every host either ready or named as the blocker of its account; run again with 0
 * writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteBudget, setupAccount, type AccountSetupResult, type LinkBrandingSource, type ProxyAdapter } from '@sslclick/core';
import { SANDBOX_WORLD_CREDENTIALS, startSandboxAccount, type SandboxAccount } from '@sslclick/sandbox';
import { adapterOf, proxyBefore, runConfigOf, runOptionsOf, sendgridOf } from './account-world.js';
import { expectAccountEndState } from './account-expectations.js';

describe('setupAccount() through Cloudflare', () => {
  let account: SandboxAccount<'cloudflare'>;
  let adapter: ProxyAdapter;
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'cloudflare' });
    adapter = adapterOf(runConfigOf(account));
    await proxyBefore(account, adapter);
  });
  afterAll(async () => {
    await account?.close();
  });

  it('plans the whole account without a write: a decision per host, the writes against the budget', async () => {
    const config = runConfigOf(account);
    const before = account.writes();
    const unchosen = account.hosts.filter((host) => host.subuser === 'tenant-c');
    const plan = await setupAccount(sendgridOf(config), (host) => (host.subuser === 'tenant-c' ? undefined : adapter), { ...runOptionsOf(config), dryRun: true });
    expect(account.writes()).toBe(before);
    expect(plan.dryRun).toBe(true);
    expect(plan.plan.hosts).toBe(48);
    // tenant-c's 8 classic hosts have no CDN; the other 31 not yet ready are to set up.
    expect(plan.plan.decisions).toEqual({ 'auto-ssl': 6, 'already-ready': 3, 'set-up': 31, blocked: 8 });
    expect(plan.plan.vendors).toEqual([expect.objectContaining({ provider: 'cloudflare', budget: 'cloudflare account', hosts: 31 })]);
    expect(plan.plan.vendors[0]?.writes).toBeGreaterThanOrEqual(31);
    // A host without a CDN is reported, not guessed: tenant-c's classic hosts have none.
    const tenantC = plan.accounts.find((entry) => entry.subuser === 'tenant-c');
    for (const host of unchosen.filter((candidate) => candidate.state !== 'auto-ssl')) {
      expect(tenantC?.blockedBy).toContainEqual({ hostname: host.hostname, reason: expect.stringContaining('No CDN was chosen') });
    }
    expect(plan.accounts.every((entry) => entry.supportRequest === undefined)).toBe(true);
  });

  it('chooses the adapter per sub-user; adapters on one vendor account share one budget in the plan', async () => {
    const config = runConfigOf(account);
    const tenants = adapterOf(config);
    // One write a second: the combined writes of both adapters decide the estimate.
    const shared = createWriteBudget({ name: 'cloudflare account', capacity: 10, intervalMs: 10_000 });
    const before = account.writes();
    const result = await setupAccount(sendgridOf(config), (host) => (host.subuser === undefined ? adapter : tenants), { ...runOptionsOf(config), dryRun: true, budgetFor: () => shared });
    expect(account.writes()).toBe(before);
    const [parentVendor, tenantVendor] = result.plan.vendors;
    expect(parentVendor).toMatchObject({ provider: 'cloudflare', budget: 'cloudflare account', hosts: 12 });
    expect(tenantVendor).toMatchObject({ provider: 'cloudflare', budget: 'cloudflare account', hosts: 26 });
    const writes = (parentVendor?.writes ?? 0) + (tenantVendor?.writes ?? 0);
    expect(result.plan.estimatedMs).toBe(Math.ceil(((writes - 10) * 10_000) / 10));
    expect(parentVendor?.estimatedMs).toBe(result.plan.estimatedMs);
  });

  it('refuses bad input with INVALID_INPUT before any request', async () => {
    const config = runConfigOf(account);
    const requests = account.apis.sendgrid.server.requests.length;
    await expect(setupAccount(sendgridOf(config), adapter, { ...runOptionsOf(config), concurrency: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(setupAccount(sendgridOf(config), {} as ProxyAdapter, runOptionsOf(config))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // A source of another author that cannot list or act for sub-users, asked for them.
    const links = sendgridOf(config);
    const plain: LinkBrandingSource = { list: (options) => links.list(options), findByHostname: (hostname, options) => links.findByHostname(hostname, options), validate: (id, options) => links.validate(id, options) };
    const refusal = await setupAccount(plain, adapter, runOptionsOf(config)).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('listSubusers and forSubuser') });
    expect(account.apis.sendgrid.server.requests.length).toBe(requests);
  });

  let first: AccountSetupResult;
  it('sets up every host that can be, in every account, and names what blocks the others', async () => {
    const config = runConfigOf(account);
    first = await setupAccount(sendgridOf(config), adapter, runOptionsOf(config));
    expect(first.plan.decisions).toEqual({ 'auto-ssl': 6, 'already-ready': 3, 'set-up': 38, blocked: 1 });
    expectAccountEndState(account, first);
    expect(account.rateLimited()).toBe(0);
    // Errors of blocked hosts and statuses travel in the result: no credential with them.
    const text = JSON.stringify(first);
    for (const credential of Object.values(SANDBOX_WORLD_CREDENTIALS)) expect(text).not.toContain(credential);
    // The not-yet-valid brandings were validated while their CNAMEs still led to SendGrid.
    for (const host of account.hosts.filter((candidate) => candidate.state === 'not-yet-valid')) {
      const branding = first.accounts.flatMap((entry) => entry.hosts).find((candidate) => candidate.hostname === host.hostname)?.branding;
      expect(account.apis.sendgrid.getLinkBranding(branding?.id ?? 0)?.valid).toBe(true);
    }
  });

  it('runs again with 0 writes, reading the hosts already done, to the same end state', async () => {
    const config = runConfigOf(account);
    const before = account.writes();
    const again = await setupAccount(sendgridOf(config), adapter, runOptionsOf(config));
    expect(account.writes()).toBe(before);
    expect(again.plan.decisions['already-ready']).toBe(39);
    expectAccountEndState(account, again);
    expect(again.accounts.map((entry) => entry.supportRequest)).toEqual(first.accounts.map((entry) => entry.supportRequest));
  });
});
