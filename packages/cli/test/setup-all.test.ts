/**
 * `sslclick setup --all --subusers` over ONE sandbox account (issue 14): a parent and three
 * sub-users, 48 link brandings in mixed states, behind Cloudflare. The account outlives each
 * command (`--sandbox-account <file>`), so the same world is planned (no write), set up (the
 * parent and tenant-a ready, each with its support request; tenant-b and tenant-c blocked, naming
 * the host and why), shown in the `--report` page in headless chromium, and run again with 0
 * writes in the fakes' request logs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountSetupResult } from '@sslclick/core';
import { startSandboxAccount, type SandboxAccount } from '@sslclick/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccountEndState } from '../../../test/account-expectations.js';
import type { SandboxAccountSettings } from '../src/account-target.js';
import { chromiumMissing, renderedDom } from './chromium.js';
import { hostRowsOf } from './report-dom.js';
import { runInProcess } from './run-in-process.js';
import { expectNoSecret } from './run-sslclick.js';

describe('sslclick setup --all --subusers --sandbox', () => {
  it('a fresh sandbox account: the parent and tenant-a reach ready with their requests; tenant-b and tenant-c name their blockers (exit 1)', async () => {
    const result = await runInProcess(['setup', '--all', '--subusers', '--cdn', 'cloudflare', '--sandbox', '--concurrency', '16']);
    expect(result.code, result.stderr.slice(-3_000)).toBe(1);
    expect(result.stderr).toContain('Running against a fresh local sandbox account (--sandbox): the parent "agency" and its sub-users "tenant-a", "tenant-b", "tenant-c", 48 link brandings');
    expect(result.stdout).toContain('Plan: 48 branded hosts: 41 to set up, 0 ready already, 6 Auto SSL, 1 blocked.');
    for (const [name, label] of [['agency', 'agency (the parent account)'], ['tenant-a', 'tenant-a (sub-user)']]) {
      expect(result.stdout).toContain(`${label}: READY: every branded host serves HTTPS`);
      expect(result.stdout).toContain(`Request to send to SendGrid support for ${name}:\n\n  Subject: Please enable SSL click and open tracking for ${name === 'agency' ? 'the account "agency"' : 'the sub-user "tenant-a"'}`);
    }
    expect(result.stdout).toContain('tenant-b (sub-user): NOT READY');
    expect(result.stdout).toMatch(/No request to SendGrid support yet: SSL click tracking is switched on for all of tenant-b's hosts at once, and these are not ready:\n  - url\d+\.tenant-b\.example: .*links\.elsewhere\.example/);
    expect(result.stdout).toContain('tenant-c (sub-user): NOT READY');
    expect(result.stdout).toContain('2 of 4 accounts ready for SSL click tracking.');
    expectNoSecret(result);
  }, 120_000);
});

describe('sslclick setup --all --subusers on one sandbox account (Cloudflare)', () => {
  let account: SandboxAccount<'cloudflare'>;
  let directory: string;
  let settingsFile: string;
  let reportFile: string;
  let args: string[];
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'cloudflare' });
    directory = await mkdtemp(join(tmpdir(), 'sslclick-setup-all-'));
    settingsFile = join(directory, 'sandbox-account.json');
    reportFile = join(directory, 'report.html');
    // The factory settings travel in the file, so the test's short waits do too (as test/account-world.ts).
    const settings = {
      cdn: 'cloudflare',
      adapter: { ...account.adapter, verification: { ...account.adapter.verification, timeoutMs: 3_000 }, wait: { minDelay: 50, maxDelay: 300, maxWaitTime: 30_000 }, retry: { minDelay: 10, maxDelay: 50 } },
      sendgrid: account.sendgrid,
      sampleLinks: account.sampleLinks,
    } satisfies Omit<SandboxAccountSettings<'cloudflare'>, 'adapter'> & { adapter: object };
    await writeFile(settingsFile, JSON.stringify(settings));
    args = ['setup', '--all', '--subusers', '--cdn', 'cloudflare', '--sandbox-account', settingsFile, '--concurrency', '16'];
  });
  afterAll(async () => {
    await account?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('--dry-run --json: the plan of every host, only JSON on stdout, nothing written (exit 0)', async () => {
    const before = account.writes();
    const result = await runInProcess([...args, '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as AccountSetupResult;
    expect(account.writes()).toBe(before);
    expect(plan.dryRun).toBe(true);
    expect(plan.plan).toMatchObject({ hosts: 48, decisions: { 'auto-ssl': 6, 'already-ready': 0, 'set-up': 41, blocked: 1 }, fits: true });
    expect(plan.plan.vendors).toEqual([expect.objectContaining({ provider: 'cloudflare', budget: 'cloudflare account', hosts: 41 })]);
    expect(result.stderr).toContain('account-planned');
  }, 60_000);

  let first: AccountSetupResult;
  it('--json --report: the parent and tenant-a ready with their requests, tenant-b and tenant-c blocked with the host and why (exit 1)', async () => {
    const before = account.writes();
    const result = await runInProcess([...args, '--json', '--report', reportFile]);
    expect(result.code, result.stderr.slice(-3_000)).toBe(1);
    first = JSON.parse(result.stdout) as AccountSetupResult;
    expect(account.writes()).toBeGreaterThan(before);
    expect(account.rateLimited()).toBe(0);
    expectAccountEndState(account, first);
    expect(first.accounts.map((entry) => [entry.account, entry.ready])).toEqual([
      ['agency', true],
      ['tenant-a', true],
      ['tenant-b', false],
      ['tenant-c', false],
    ]);
    expect(result.stderr).toMatch(/host-finished/);
    expect(result.stderr).toContain(`Report written to ${reportFile}.`);
    expectNoSecret(result);
  }, 120_000);

  it.skipIf(chromiumMissing !== undefined)(`the --report page, rendered by headless chromium, shows every host and every check of the result${chromiumMissing ? ` (${chromiumMissing})` : ''}`, async () => {
    const html = await readFile(reportFile, 'utf8');
    expect(html).not.toMatch(/<script|<link|<img/i);
    const dom = await renderedDom(reportFile);
    const rows = hostRowsOf(dom);
    const hosts = first.accounts.flatMap((entry) => entry.hosts);
    expect(rows.map((row) => row.hostname)).toEqual(hosts.map((host) => host.hostname));
    const labels = { true: 'pass', false: 'fail', null: 'not decided' } as const;
    hosts.forEach((host, index) => {
      const row = rows[index];
      expect(row?.ready, host.hostname).toBe(host.ready);
      expect(row?.checks, host.hostname).toEqual(host.checks.map((check) => ({ id: check.id, state: labels[String(check.ok) as keyof typeof labels] })));
      if (host.status?.certificate.notAfter) expect(row?.text).toContain(`until ${host.status.certificate.notAfter.slice(0, 10)}`);
      if (!host.ready) expect(row?.text).toContain(host.reason);
    });
    // Each ready account's request, to copy; each blocked account's blockers, with why.
    for (const entry of first.accounts) {
      const section = dom.slice(dom.indexOf(`data-account="${entry.account}"`));
      if (entry.supportRequest) expect(section).toMatch(/<textarea[^>]*class="support-request"[^>]*>Subject: Please enable SSL click and open tracking/);
      for (const blocker of entry.blockedBy) expect(section).toContain(`data-blocked-by="${blocker.hostname}"`);
    }
    expect(dom.match(/<textarea/g)).toHaveLength(first.accounts.filter((entry) => entry.supportRequest).length);
  }, 90_000);

  it('the re-run makes 0 writes and shows the same accounts to a person: tables, requests, blockers (exit 1)', async () => {
    const before = account.writes();
    const requestsBefore = account.apis.cloudflare?.server.requests.length ?? 0;
    const result = await runInProcess(args);
    expect(result.code, result.stderr.slice(-3_000)).toBe(1);
    expect(account.writes()).toBe(before);
    // It read the hosts (to find them done), and wrote nothing.
    expect((account.apis.cloudflare?.server.requests.length ?? 0) - requestsBefore).toBeGreaterThan(0);
    expect(result.stdout).toContain('Plan: 48 branded hosts: 2 to set up, 39 ready already, 6 Auto SSL, 1 blocked.');
    expect(result.stdout).toMatch(/cloudflare: 2 hosts, \d+ writes? \(budget "cloudflare account"\)/);
    expect(result.stdout).toContain('agency (the parent account): READY: every branded host serves HTTPS');
    expect(result.stdout).toContain('tenant-a (sub-user): READY: every branded host serves HTTPS');
    for (const entry of first.accounts.filter((candidate) => candidate.ready)) {
      expect(result.stdout).toContain(`Request to send to SendGrid support for ${entry.account}:\n\n${(entry.supportRequest as string).replace(/^/gm, '  ')}`);
    }
    for (const host of account.hosts.filter((candidate) => candidate.subuser === 'agency' || candidate.subuser === undefined)) {
      expect(result.stdout).toMatch(new RegExp(`│ ${host.hostname.replace(/\./g, '\\.')}\\s+│ ready \\((already|Auto SSL)\\)`));
    }
    for (const name of ['tenant-b', 'tenant-c']) {
      expect(result.stdout).toContain(`${name} (sub-user): NOT READY`);
      for (const host of account.hosts.filter((candidate) => candidate.subuser === name && !candidate.canBeReady)) {
        expect(result.stdout).toMatch(new RegExp(`\\n  - ${host.hostname.replace(/\./g, '\\.')}: .+`));
      }
    }
    expect(result.stdout).toMatch(/url\d+\.tenant-b\.example: .*links\.elsewhere\.example/);
    expect(result.stdout).toMatch(/url\d+\.legacy-brand\.example: .*legacy-brand\.example/);
    expect(result.stdout).toContain('2 of 4 accounts ready for SSL click tracking.');
    expectNoSecret(result);
  }, 120_000);
});
