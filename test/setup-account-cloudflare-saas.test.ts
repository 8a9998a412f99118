/**
 * setupAccount() with Cloudflare for SaaS (issue 15 item 1): the hosts of a sandbox account,
 * each in its customer's own Cloudflare zone (written through createCloudflareDns, DNS-only), all
 * become custom hostnames of ONE provider zone sharing ONE fallback origin. Run again: 0 writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudflareDns, createCloudflareProxy } from '@sslclick/cloudflare';
import { setupAccount, type ProxyAdapter } from '@sslclick/core';
import { startSandboxAccount, type CloudflareZone, type SandboxAccount } from '@sslclick/sandbox';
import { runConfigOf, runOptionsOf, sendgridOf } from './account-world.js';

const layout = { agency: { fresh: 4, 'auto-ssl': 1, 'not-yet-valid': 1 }, 'tenant-a': { fresh: 3 } };

describe('setupAccount() through Cloudflare for SaaS', () => {
  let account: SandboxAccount<'cloudflare'>;
  let provider: CloudflareZone;
  let adapter: ProxyAdapter;
  beforeAll(async () => {
    // Under .com: Cloudflare refuses custom hostnames under the reserved .example (error 1409).
    account = await startSandboxAccount({ cdn: 'cloudflare', layout, certificateIssueDelayMs: 0, topLevelDomain: 'com' });
    const cloudflare = account.apis.cloudflare;
    if (!cloudflare) throw new Error('The Cloudflare account has no Cloudflare fake.');
    provider = cloudflare.addZone({ name: 'saas-provider.net' });
    const retry = { minDelay: 10, maxDelay: 50 };
    adapter = createCloudflareProxy({
      mode: 'saas',
      zoneId: provider.id,
      apiToken: account.adapter.apiToken,
      baseURL: account.adapter.baseURL,
      verification: { ...account.verification, timeoutMs: 3_000 },
      wait: { minDelay: 20, maxDelay: 100, maxWaitTime: 20_000 },
      retry,
      dns: createCloudflareDns({ apiToken: account.adapter.apiToken, baseURL: account.adapter.baseURL, retry }),
    });
  });
  afterAll(async () => {
    await account?.close();
  });

  it('sets every host up as a custom hostname of the one provider zone, sharing one fallback origin; again with 0 writes', async () => {
    const config = runConfigOf(account);
    const result = await setupAccount(sendgridOf(config), adapter, runOptionsOf(config));
    const classic = account.hosts.filter((host) => host.state !== 'auto-ssl');
    expect(result.plan.decisions).toEqual({ 'auto-ssl': 1, 'already-ready': 0, 'set-up': classic.length, blocked: 0 });
    expect(result.ready).toBe(true);
    for (const entry of result.accounts) expect(entry.supportRequest).toBeDefined();
    const saas = account.apis.cloudflare?.saas;
    // One fallback origin for the whole account, N custom hostnames, all in the provider zone.
    expect([...(saas?.fallbackOrigins.keys() ?? [])]).toEqual([provider.id]);
    expect(saas?.fallbackOrigins.get(provider.id)?.origin).toBe('sslclick-origin.saas-provider.net');
    const customHostnames = saas?.zoneHostnames(provider.id).map((record) => record.hostname).sort();
    expect(customHostnames).toEqual(classic.map((host) => host.hostname).sort());
    expect(saas?.hostnames.size).toBe(classic.length);
    // The shared records exist once.
    const shared = account.apis.cloudflare?.state.zoneRecords(provider.id).filter((record) => record.type === 'CNAME');
    expect(shared?.map((record) => `${record.name} → ${record.content}`).sort()).toEqual(['sslclick-links.saas-provider.net → sslclick-origin.saas-provider.net', 'sslclick-origin.saas-provider.net → sendgrid.net']);
    // Each host's own zone holds a DNS-only CNAME to the target (no orange-to-orange).
    for (const host of classic) {
      const record = [...(account.apis.cloudflare?.state.records.values() ?? [])].find((candidate) => candidate.name === host.hostname && candidate.type === 'CNAME');
      expect(record).toMatchObject({ content: 'sslclick-links.saas-provider.net', proxied: false });
    }

    const before = account.writes();
    const again = await setupAccount(sendgridOf(config), adapter, runOptionsOf(config));
    expect(account.writes()).toBe(before);
    expect(again.plan.decisions['already-ready']).toBe(classic.length);
  }, 120_000);
});
