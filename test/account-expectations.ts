/** What a finished account run must show over the sandbox account, for every CDN and every way of getting there. */
import { expect } from 'vitest';
import type { AccountSetupResult } from '@sslclick/core';
import type { SandboxAccount } from '@sslclick/sandbox';

const blockerPatterns: Record<string, RegExp> = {
  'foreign-cname': /links\.elsewhere\.example/,
  unvalidatable: /\(UNSAFE\)/,
  'unreachable-zone': /legacy-brand\.example/,
};

export function expectAccountEndState(account: SandboxAccount, result: AccountSetupResult): void {
  expect(result.accounts.map((entry) => entry.account)).toEqual([account.parent, ...account.subusers]);
  const hosts = result.accounts.flatMap((entry) => entry.hosts);
  // A parent's branding associated with a sub-user is listed by both accounts.
  expect(hosts).toHaveLength(account.hosts.reduce((sum, host) => sum + 1 + host.alsoListedBy.length, 0));
  for (const expected of account.hosts) {
    const host = hosts.find((candidate) => candidate.hostname === expected.hostname && candidate.subuser === expected.subuser);
    expect(host, expected.hostname).toBeDefined();
    expect({ hostname: expected.hostname, ready: host?.ready }).toEqual({ hostname: expected.hostname, ready: expected.canBeReady });
    for (const subuser of expected.alsoListedBy) {
      expect(hosts.find((candidate) => candidate.hostname === expected.hostname && candidate.subuser === subuser)?.ready).toBe(expected.canBeReady);
    }
    if (expected.state !== 'auto-ssl' && expected.canBeReady) {
      // What SendGrid support checks, from the outside, with the host's tracked link.
      for (const id of ['dns-points-to-cdn', 'tls-valid', 'reaches-sendgrid']) {
        expect(host?.checks.find((check) => check.id === id)?.ok, `${expected.hostname} ${id}`).toBe(true);
      }
    }
  }
  for (const entry of result.accounts) {
    const own = account.hosts.filter((host) => (host.subuser ?? account.parent) === entry.account || host.alsoListedBy.includes(entry.account));
    const blockers = own.filter((host) => !host.canBeReady);
    expect(entry.ready).toBe(blockers.length === 0);
    if (blockers.length === 0) {
      expect(entry.blockedBy).toEqual([]);
      // One request for the whole account, naming every one of its hosts.
      expect(entry.supportRequest).toContain(entry.subuser ? `the sub-user "${entry.subuser}"` : `the account "${account.parent}"`);
      for (const host of own) expect(entry.supportRequest).toContain(host.hostname);
    } else {
      expect(entry.supportRequest).toBeUndefined();
      expect(entry.blockedBy.map((blocker) => blocker.hostname).sort()).toEqual(blockers.map((host) => host.hostname).sort());
      for (const host of blockers) {
        expect(entry.blockedBy.find((blocker) => blocker.hostname === host.hostname)?.reason).toMatch(blockerPatterns[host.state] as RegExp);
      }
    }
  }
  expect(result.ready).toBe(false);
}
