/**
 * setupAccount() over the sandbox account with CloudFront in tenants mode (SaaS Manager): the
 * fleet shares ONE multi-tenant distribution with a tenant per host, so the plan counts one
 * distribution (the 200-distributions quota no longer binds) and one tenant per host; the
 * account reaches its end state and a re-run makes 0 writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudFrontProxy } from '@sslclick/cloudfront';
import { defaultResourceQuotas, setupAccount, type ProxyAdapter, type ResourceQuota } from '@sslclick/core';
import { startSandboxAccount, type SandboxAccount } from '@sslclick/sandbox';
import { expectAccountEndState } from './account-expectations.js';
import { fastRunOptionsOf, proxyBefore, runConfigOf, runOptionsOf, sendgridOf } from './account-world.js';

describe('setupAccount() through CloudFront tenants mode', () => {
  let account: SandboxAccount<'cloudfront'>;
  let adapter: ProxyAdapter;
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'cloudfront' });
    adapter = createCloudFrontProxy({
      ...account.adapter,
      mode: 'tenants',
      verification: { ...account.adapter.verification, timeoutMs: 3_000 },
      wait: { minDelay: 50, maxDelay: 300, maxWaitTime: 30_000 },
      retry: { minDelay: 10, maxDelay: 50 },
    });
    await proxyBefore(account, adapter);
  });
  afterAll(async () => {
    await account?.close();
  });

  // 199 distributions already in the account: a per-host fleet of 39 would not fit, one shared distribution does.
  // Distribution tenants: 10,000 per account is an assumption here (see the README's assumption table), not a cited figure.
  const quotas: ResourceQuota[] = [
    ...defaultResourceQuotas.map((quota) => (quota.resourceKind === 'cloudfront-distribution' ? { ...quota, inUse: 199 } : quota)),
    { provider: 'cloudfront', resourceKind: 'cloudfront-distribution-tenant', limit: 10_000, name: 'CloudFront distribution tenants per AWS account' },
  ];

  it('plans 1 shared distribution and a tenant per host, which fits where 199 distributions exist', async () => {
    const config = runConfigOf(account);
    const before = account.writes();
    const result = await setupAccount(sendgridOf(config), adapter, { ...runOptionsOf(config), dryRun: true, quotas });
    expect(account.writes()).toBe(before);
    expect(result.plan.quotas).toContainEqual({ quota: expect.objectContaining({ resourceKind: 'cloudfront-distribution', inUse: 199, limit: 200 }), planned: 0, fits: true });
    expect(result.plan.quotas).toContainEqual({ quota: expect.objectContaining({ resourceKind: 'cloudfront-distribution-tenant' }), planned: 39, fits: true });
    expect(result.plan.fits).toBe(true);
  });

  it('sets up the account on ONE distribution with a tenant per host, then re-runs with 0 writes', async () => {
    const config = runConfigOf(account);
    const options = { ...fastRunOptionsOf(config), quotas };
    const aws = account.apis.aws;
    const configReads = () => aws?.operations.filter((operation) => operation.operation === 'GetDistributionConfig').length ?? 0;
    const configReadsBefore = configReads();
    const result = await setupAccount(sendgridOf(config), adapter, options);
    expectAccountEndState(account, result);
    // The run's hosts share one lookup cache: the shared distribution's config is checked once (plan and apply), not per host.
    expect(configReads() - configReadsBefore).toBeLessThanOrEqual(2);
    const served = account.hosts.filter((host) => host.canBeReady && host.state !== 'auto-ssl').map((host) => host.hostname);
    expect(aws?.distributions()).toHaveLength(1);
    expect(aws?.distributions()[0]?.config).toMatchObject({ ConnectionMode: 'tenant-only' });
    expect(aws?.tenants().map((tenant) => tenant.name).sort()).toEqual([...served].sort());
    const before = account.writes();
    const again = await setupAccount(sendgridOf(config), adapter, options);
    expect(account.writes()).toBe(before);
    expectAccountEndState(account, again);
  });
});
