/**
 * An account run killed mid-way (issue 14, item 4), for any CDN: setupAccount() runs in a child
 * process over the sandbox account and is killed with SIGKILL once some hosts are done and others
 * are in flight. The next run resumes: it only reads the hosts finished before the kill, finishes
 * the rest, and reaches the same end state as a run never interrupted; the run after that makes 0
 * writes.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAccount, type ProxyAdapter } from '@sslclick/core';
import { startSandboxAccount, type SandboxAccount, type SandboxCdn } from '@sslclick/sandbox';
import { expectAccountEndState } from './account-expectations.js';
import { nodeArgumentsFor } from './support/child-script.js';
import { adapterOf, fastRunOptionsOf, proxyBefore, runConfigOf, sendgridOf } from './account-world.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/** Starts the child and kills it after `finishedBefore` hosts finished; resolves with the hosts finished and whether it got to the end. */
function runAndKill(account: SandboxAccount, finishedBefore: number): Promise<{ finished: string[]; started: string[]; completed: boolean }> {
  const child = spawn(process.execPath, nodeArgumentsFor('test/account-child.ts'), {
    cwd: repositoryRoot,
    // The child holds after its `finishedBefore`-th finished host until the kill below arrives.
    env: { ...process.env, SSLCLICK_ACCOUNT_CHILD: JSON.stringify(runConfigOf(account)), SSLCLICK_ACCOUNT_CHILD_HOLD_AFTER: String(finishedBefore) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const finished: string[] = [];
  const started: string[] = [];
  let completed = false;
  let buffer = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, type, hostname] = line.split(' ');
      if (kind === 'done') completed = true;
      if (type === 'host-starting' && hostname) started.push(hostname);
      if (type === 'host-finished' && hostname) {
        finished.push(hostname);
        if (finished.length === finishedBefore) child.kill('SIGKILL');
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`The child failed (${String(code)}): ${errors}`));
      else resolve({ finished, started, completed });
    });
  });
}

/** The kill-and-resume case over the sandbox account of `cdn`. */
export function describeKilledAccountRun(cdn: SandboxCdn): void {
  describe(`setupAccount() killed mid-way, then run again (${cdn})`, () => {
    let account: SandboxAccount;
    let adapter: ProxyAdapter;
    beforeAll(async () => {
      account = await startSandboxAccount({ cdn });
      adapter = adapterOf(runConfigOf(account));
      await proxyBefore(account, adapter);
    });
    afterAll(async () => {
      await account?.close();
    });

    it('resumes where the killed run stopped and reaches the same end state; the next run writes nothing', async () => {
      const killed = await runAndKill(account, 10);
      expect(killed.completed).toBe(false);
      expect(killed.finished).toHaveLength(10);
      // Some hosts were set up before the kill, and the kill left others half done or not begun.
      expect(killed.started.length).toBeGreaterThan(10);
      expect(killed.started.length).toBeLessThan(38);
      const writesByKilledRun = account.writes();
      expect(writesByKilledRun).toBeGreaterThan(0);

      const config = runConfigOf(account);
      const resumed = await setupAccount(sendgridOf(config), adapter, fastRunOptionsOf(config));
      // The hosts the killed run finished ready are only read now.
      const readyBeforeKill = killed.finished.filter((hostname) => account.hosts.find((host) => host.hostname === hostname)?.canBeReady);
      const resumedHosts = resumed.accounts.flatMap((entry) => entry.hosts);
      for (const hostname of readyBeforeKill) expect(resumedHosts.find((host) => host.hostname === hostname)?.decision).toBe('already-ready');
      expect(resumed.plan.decisions['already-ready']).toBeGreaterThanOrEqual(3 + readyBeforeKill.length);
      expectAccountEndState(account, resumed);
      expect(account.rateLimited()).toBe(0);

      const before = account.writes();
      const again = await setupAccount(sendgridOf(config), adapter, fastRunOptionsOf(config));
      expect(account.writes()).toBe(before);
      expectAccountEndState(account, again);
    });
  });
}
