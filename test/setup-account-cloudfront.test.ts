/**
 * setupAccount() over the sandbox account with CloudFront (Route 53 zones): a plan that does not
 * fit the distributions quota is refused before any write, naming the quota; then the account
 * reaches its end state and a re-run makes 0 writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, defaultResourceQuotas, setupAccount, type ProxyAdapter, type ResourceQuota } from '@sslclick/core';
import { startSandboxAccount, type SandboxAccount } from '@sslclick/sandbox';
import { expectAccountEndState } from './account-expectations.js';
import { adapterOf, fastRunOptionsOf, proxyBefore, runConfigOf, runOptionsOf, sendgridOf } from './account-world.js';

describe('setupAccount() through CloudFront', () => {
  let account: SandboxAccount<'cloudfront'>;
  let adapter: ProxyAdapter;
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'cloudfront' });
    adapter = adapterOf(runConfigOf(account));
    await proxyBefore(account, adapter);
  });
  afterAll(async () => {
    await account?.close();
  });

  const nearlyFull: ResourceQuota[] = defaultResourceQuotas.map((quota) => (quota.resourceKind === 'cloudfront-distribution' ? { ...quota, inUse: 190 } : quota));

  it('plans the distributions against the quota and the writes against the default budget', async () => {
    const config = runConfigOf(account);
    const before = account.writes();
    const result = await setupAccount(sendgridOf(config), adapter, { ...runOptionsOf(config), dryRun: true, quotas: nearlyFull });
    expect(account.writes()).toBe(before);
    expect(result.plan.fits).toBe(false);
    expect(result.plan.quotas).toContainEqual({ quota: expect.objectContaining({ resourceKind: 'cloudfront-distribution', limit: 200, inUse: 190 }), planned: 39, fits: false });
    // The default CloudFront budget (20 writes per 10 s) cannot take ~150 writes at once.
    expect(result.plan.vendors[0]).toMatchObject({ provider: 'cloudfront', budget: 'cloudfront account', hosts: 39 });
    expect(result.plan.estimatedMs).toBeGreaterThan(30_000);
  });

  it('refuses to start, naming the quota, when the plan does not fit; nothing is written', async () => {
    const config = runConfigOf(account);
    const before = account.writes();
    const refusal = await setupAccount(sendgridOf(config), adapter, { ...runOptionsOf(config), quotas: nearlyFull }).catch((error: unknown) => error);
    expect(SslClickError.isInstance(refusal)).toBe(true);
    expect(refusal).toMatchObject({ code: 'QUOTA_EXCEEDED', provider: 'cloudfront' });
    expect((refusal as Error).message).toContain('CloudFront distributions per AWS account');
    expect((refusal as Error).message).toContain('190 in use + 39 planned > limit 200');
    expect(account.writes()).toBe(before);
  });

  it('sets up the account to its end state, then re-runs with 0 writes', async () => {
    const config = runConfigOf(account);
    const options = fastRunOptionsOf(config);
    const result = await setupAccount(sendgridOf(config), adapter, options);
    expectAccountEndState(account, result);
    expect(account.rateLimited()).toBe(0);
    const before = account.writes();
    const again = await setupAccount(sendgridOf(config), adapter, options);
    expect(account.writes()).toBe(before);
    expectAccountEndState(account, again);
  });
});
