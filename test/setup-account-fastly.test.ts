/**
 * setupAccount() over the sandbox account with Fastly (VCL services, DNS in Cloudflare zones):
 * the whole account to its end state, a re-run with 0 writes, and a run under a tight write limit
 * where the shared budget paces the hosts so Fastly never answers 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteBudget, setupAccount, type ProxyAdapter } from '@sslclick/core';
import { startSandboxAccount, type SandboxAccount } from '@sslclick/sandbox';
import { expectAccountEndState } from './account-expectations.js';
import { adapterOf, proxyBefore, runConfigOf, runOptionsOf, sendgridOf } from './account-world.js';

describe('setupAccount() through Fastly', () => {
  let account: SandboxAccount<'fastly'>;
  let adapter: ProxyAdapter;
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'fastly' });
    adapter = adapterOf(runConfigOf(account));
    await proxyBefore(account, adapter);
  });
  afterAll(async () => {
    await account?.close();
  });

  it('sets up the account to its end state within Fastly’s hourly budget, then re-runs with 0 writes', async () => {
    const config = runConfigOf(account);
    const result = await setupAccount(sendgridOf(config), adapter, runOptionsOf(config));
    expect(result.plan.vendors).toEqual([expect.objectContaining({ provider: 'fastly', budget: 'fastly account', estimatedMs: 0 })]);
    expectAccountEndState(account, result);
    expect(account.rateLimited()).toBe(0);
    const before = account.writes();
    const again = await setupAccount(sendgridOf(config), adapter, runOptionsOf(config));
    expect(account.writes()).toBe(before);
    expectAccountEndState(account, again);
  });
});

describe('setupAccount() through Fastly under a tight write limit', () => {
  let account: SandboxAccount<'fastly'>;
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'fastly', layout: { agency: { fresh: 8, 'auto-ssl': 1 }, 'tenant-a': { fresh: 6 } } });
  });
  afterAll(async () => {
    await account?.close();
  });

  it('paces every host from one shared budget so no write gets a 429', async () => {
    const config = runConfigOf(account);
    // Fastly counts writes in fixed windows; a token bucket of half the limit per window can
    // never put more than the limit into one window (a full bucket plus one window's refill).
    const fastly = account.apis.fastly;
    fastly?.setRateLimit({ limit: 40, remaining: 40, windowMs: 2_000 });
    const budget = createWriteBudget({ name: 'fastly account', capacity: 20, intervalMs: 2_000, writesPerChange: 2 });
    const started = Date.now();
    const result = await setupAccount(sendgridOf(config), adapterOf(config), { ...runOptionsOf(config), budgetFor: () => budget });
    const elapsed = Date.now() - started;
    expect(account.rateLimited()).toBe(0);
    expect(result.accounts.map((entry) => [entry.account, entry.ready])).toEqual([
      ['agency', true],
      ['tenant-a', true],
    ]);
    // The plan said how long the budget needs, and the run took at least that long.
    const estimate = result.plan.estimatedMs;
    expect(estimate).toBeGreaterThan(2_000);
    expect(elapsed).toBeGreaterThanOrEqual(estimate);
  });
});
