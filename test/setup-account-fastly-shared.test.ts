/**
 * setupAccount() over the sandbox account with the Fastly shared-service mode: the hosts of the
 * fleet, set up concurrently through one adapter, share ONE service, made in few versions (one
 * per batch of concurrent hosts, not one per host), and as few TLS subscriptions as the
 * per-subscription limit allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { setupAccount } from '@sslclick/core';
import { createFastlyProxy } from '@sslclick/fastly';
import { startSandboxAccount, type SandboxAccount } from '@sslclick/sandbox';
import type { AccountSetupResult } from '@sslclick/core';
import { runConfigOf, runOptionsOf, sendgridOf } from './account-world.js';

const domainsPerSubscription = 4;

/** Every host ready, proven from the outside as SendGrid support checks it; every account ready. */
function expectAllReady(account: SandboxAccount<'fastly'>, result: AccountSetupResult): void {
  expect(result.ready).toBe(true);
  const hosts = result.accounts.flatMap((entry) => entry.hosts);
  for (const expected of account.hosts) {
    const host = hosts.find((candidate) => candidate.hostname === expected.hostname);
    expect({ hostname: expected.hostname, ready: host?.ready }).toEqual({ hostname: expected.hostname, ready: true });
    if (expected.state === 'fresh') {
      for (const id of ['dns-points-to-cdn', 'tls-valid', 'reaches-sendgrid']) expect(host?.checks.find((check) => check.id === id)?.ok, `${expected.hostname} ${id}`).toBe(true);
    }
  }
}

describe('setupAccount() through one shared Fastly service', () => {
  let account: SandboxAccount<'fastly'>;
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'fastly', layout: { agency: { fresh: 9, 'auto-ssl': 1 }, 'tenant-a': { fresh: 6 }, 'tenant-b': { fresh: 3 } } });
  });
  afterAll(async () => {
    await account?.close();
  });

  it('puts every host on one service in few versions and ceil(hosts / limit) subscriptions, then re-runs with 0 writes', async () => {
    const config = runConfigOf(account);
    const fastRetry = { minDelay: 10, maxDelay: 50 };
    const adapter = createFastlyProxy({
      ...account.adapter,
      verification: { ...account.adapter.verification, timeoutMs: 3_000 },
      wait: { minDelay: 50, maxDelay: 300, maxWaitTime: 30_000 },
      retry: fastRetry,
      mode: 'vcl',
      shared: { domainsPerSubscription, batchWindowMs: 100 },
      dns: createCloudflareDns({ ...account.dns, retry: fastRetry }),
    });
    const result = await setupAccount(sendgridOf(config), adapter, runOptionsOf(config));
    expectAllReady(account, result);
    const hosts = account.hosts.filter((host) => host.state === 'fresh').map((host) => host.hostname);
    const state = account.apis.fastly?.state;
    const services = state?.services.filter((service) => service.deleted_at === undefined) ?? [];
    expect(services).toHaveLength(1);
    const service = services[0];
    const active = service?.versions.find((version) => version.active);
    expect(active?.domains.map((domain) => domain.name).sort()).toEqual([...hosts].sort());
    const versions = service?.versions.length ?? 0;
    // One version per batch of concurrent hosts (8 at a time), never one per host.
    expect(versions).toBeLessThanOrEqual(Math.ceil(hosts.length / 3));
    expect(state?.subscriptions).toHaveLength(Math.ceil(hosts.length / domainsPerSubscription));
    expect(state?.subscriptions.every((subscription) => subscription.domains.length <= domainsPerSubscription)).toBe(true);
    console.info(`shared Fastly: ${hosts.length} hosts, 1 service, ${versions} versions, ${state?.subscriptions.length} subscriptions`);
    const before = account.writes();
    const again = await setupAccount(sendgridOf(config), adapter, runOptionsOf(config));
    expect(account.writes()).toBe(before);
    expectAllReady(account, again);
  });
});
