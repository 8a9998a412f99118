/**
 * A fleet's result keeps every host. The result is redacted before it leaves setupAccount, and
 * the redactor stops walking after 10,000 objects (a guard meant for one error's cause graph):
 * redacting a 1,500-host result in one walk replaced the hosts past that limit with
 * "[redacted: too deep]".
 */
import { describe, expect, it } from 'vitest';
import { setupAccount, type LinkBranding, type LinkBrandingSource } from '../src/index.js';

const hostCount = 1_500;

function branding(index: number): LinkBranding {
  const subdomain = `url${index}`;
  const domain = `fleet${Math.floor(index / 100)}.com`;
  return {
    id: index + 1,
    hostname: `${subdomain}.${domain}`,
    domain,
    subdomain,
    valid: true,
    default: false,
    legacy: false,
    username: 'agency',
    userId: 1,
    // Every tenth is Auto SSL; the rest are classic hosts with no CDN chosen for them (blocked):
    // neither needs a vendor, so the test is only about what the result carries.
    route: index % 10 === 0 ? 'auto-ssl' : 'classic',
    origin: 'sendgrid.net',
    records: [{ type: 'CNAME', name: `${subdomain}.${domain}`, value: 'sendgrid.net' }],
  };
}

// SendGrid's answer, as data: a LinkBrandingSource over a fixed list of brandings.
const brandings = Array.from({ length: hostCount }, (_, index) => branding(index));
const source: LinkBrandingSource = {
  list: async () => brandings,
  findByHostname: async (hostname) => brandings.find((entry) => entry.hostname === hostname),
  validate: async () => {
    throw new Error('setupAccount must not validate in this test');
  },
};

describe('setupAccount result of a large fleet', () => {
  it('holds every host, each with its hostname, decision and checks', async () => {
    const result = await setupAccount(source, () => undefined, { dryRun: true });
    const hosts = result.accounts.flatMap((account) => account.hosts);
    expect(hosts).toHaveLength(hostCount);
    for (const host of hosts) {
      expect(typeof host).toBe('object');
      expect(host.hostname).toMatch(/^url\d+\.fleet\d+\.com$/);
      expect(['auto-ssl', 'blocked']).toContain(host.decision);
      expect(Array.isArray(host.checks)).toBe(true);
    }
    expect(result.plan.decisions).toMatchObject({ 'auto-ssl': hostCount / 10, blocked: hostCount - hostCount / 10 });
    expect(result.accounts[0]?.blockedBy).toHaveLength(hostCount - hostCount / 10);
  });
});
