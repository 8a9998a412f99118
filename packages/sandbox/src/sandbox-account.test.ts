import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupName } from '@sslclick/core';
import { startSandboxAccount, type SandboxAccount } from './sandbox-account.js';

/** What the sandbox account claims about each state, checked where a client would see it. */
describe('startSandboxAccount', () => {
  let account: SandboxAccount<'cloudflare'>;
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'cloudflare' });
  });
  afterAll(async () => {
    await account?.close();
  });

  async function cname(hostname: string): Promise<string | undefined> {
    return (await lookupName(hostname, { servers: [account.verification.resolver], timeoutMs: 2_000 })).cnameChain[0];
  }

  it('holds a parent with 3 sub-users and 48 brandings, each sub-user’s own seen on its behalf', async () => {
    expect(account.subusers).toEqual(['tenant-a', 'tenant-b', 'tenant-c']);
    expect(account.hosts).toHaveLength(48);
    const answer = await fetch(`${account.sendgrid.baseURL}/v3/whitelabel/links?limit=500`, { headers: { authorization: `Bearer ${account.sendgrid.apiKey}`, 'on-behalf-of': 'tenant-b' } });
    const listed = (await answer.json()) as Array<{ domain: string }>;
    expect(listed).toHaveLength(9);
    expect(new Set(listed.map((branding) => branding.domain))).toEqual(new Set(['tenant-b.example']));
  });

  it('starts each host in the state it claims, as DNS and SendGrid show it', async () => {
    for (const host of account.hosts) {
      const target = await cname(host.hostname);
      const special: Record<string, string | undefined> = { 'auto-ssl': 'click.sendgrid.net', 'foreign-cname': 'links.elsewhere.example', unvalidatable: undefined };
      const expected = host.state in special ? special[host.state] : 'sendgrid.net';
      expect({ hostname: host.hostname, target }).toEqual({ hostname: host.hostname, target: expected });
    }
    const notYetValid = account.hosts.filter((host) => host.state === 'not-yet-valid' || host.state === 'unvalidatable').map((host) => host.hostname);
    for (let id = 1; id <= 48; id += 1) {
      const branding = account.apis.sendgrid.getLinkBranding(id);
      expect(branding?.valid).toBe(!notYetValid.includes(branding?.dns.domain_cname.host ?? ''));
    }
    const unreachable = account.hosts.find((host) => host.state === 'unreachable-zone');
    expect(unreachable?.hostname).toMatch(/\.legacy-brand\.example$/);
    expect([...(account.apis.cloudflare?.state.zones.values() ?? [])].map((zone) => zone.name)).not.toContain('legacy-brand.example');
  });
});
