/**
 * `sslclick setup --all` on an account larger than a vendor quota: 201 classic hosts for CloudFront,
 * whose accounts hold 200 distributions by default. The dry run shows the plan and exits 2 naming
 * the quota; the real run refuses before any write (QUOTA_EXCEEDED, exit 2).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandboxAccount, type SandboxAccount } from '@sslclick/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from './run-in-process.js';

const quota = 'CloudFront distributions per AWS account (cloudfront cloudfront-distribution): 0 in use + 201 planned > limit 200';

describe('sslclick setup --all past a quota (CloudFront, 201 hosts)', () => {
  let account: SandboxAccount<'cloudfront'>;
  let directory: string;
  let args: string[];
  beforeAll(async () => {
    account = await startSandboxAccount({ cdn: 'cloudfront', layout: { fleet: { fresh: 201 } } });
    directory = await mkdtemp(join(tmpdir(), 'sslclick-quota-'));
    const file = join(directory, 'sandbox-account.json');
    await writeFile(file, JSON.stringify({ cdn: 'cloudfront', adapter: { ...account.adapter, verification: { ...account.adapter.verification, timeoutMs: 3_000 } }, sendgrid: account.sendgrid, sampleLinks: account.sampleLinks }));
    args = ['setup', '--all', '--cdn', 'cloudfront', '--sandbox-account', file, '--concurrency', '64'];
  }, 60_000);
  afterAll(async () => {
    await account?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('--dry-run: the plan, the quota it does not fit named, nothing written (exit 2)', async () => {
    const before = account.writes();
    const result = await runInProcess([...args, '--dry-run']);
    expect(result.code, result.stderr.slice(-2_000)).toBe(2);
    expect(account.writes()).toBe(before);
    expect(result.stdout).toContain('quota CloudFront distributions per AWS account: 0 in use + 201 planned of 200: DOES NOT FIT');
    expect(result.stderr).toContain(`The plan does not fit: ${quota}.`);
  }, 120_000);

  it('the real run refuses before any write: QUOTA_EXCEEDED naming the quota (exit 2)', async () => {
    const before = account.writes();
    const result = await runInProcess([...args, '--json']);
    expect(result.code, result.stderr.slice(-2_000)).toBe(2);
    expect(account.writes()).toBe(before);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.message).toContain(quota);
    expect(error.message).toContain('Nothing was written.');
  }, 120_000);
});
