import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup } from '@sslclick/core';
import { createCloudflareProxy } from '@sslclick/cloudflare';
import { startSandboxWorld } from '@sslclick/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { binPath, cleanEnvironment, collect, ensureEdgePackage, expectNoSecret, repositoryRoot, runSslclick } from './run-sslclick.js';

const commands = ['setup', 'status', 'destroy', 'verify', 'readiness'];
const shellQuoted = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

describe('sslclick --help', () => {
  it.each(['', ...commands])('sslclick %s --help prints the usage and exits 0', async (command) => {
    const result = await runSslclick(command ? [command, '--help'] : ['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Usage: sslclick${command ? ` ${command}` : ''}`);
  });

  it('setup and status take --sample-link (without it a classic host is never proven ready); destroy does not', async () => {
    for (const [command, takes] of [['setup', true], ['status', true], ['destroy', false]] as const) {
      const result = await runSslclick([command, '--help']);
      expect(result.stdout.includes('--sample-link <url>'), command).toBe(takes);
    }
  });

  it('no command: the usage on stderr, exit 2', async () => {
    const result = await runSslclick([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: sslclick');
  });

  it('a usage error exits 2 with the reason on stderr and nothing on stdout', async () => {
    const result = await runSslclick(['setup', 'url1234.example.com', '--cdn', 'akamai', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("argument 'akamai' is invalid");
  });
});

describe('sslclick setup --sandbox --json', () => {
  beforeAll(ensureEdgePackage, 120_000);

  it.each(['cloudflare', 'fastly', 'cloudfront'])('--cdn %s: only the status as JSON on stdout, ready, exit 0', async (cdn) => {
    const result = await runSslclick(['setup', 'url1234.example.com', '--cdn', cdn, '--sandbox', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as { provider: string; hostname: string; ready: boolean; checks: Array<{ id: string; ok: boolean | null }>; supportRequest?: string };
    expect(status).toMatchObject({ provider: cdn, hostname: 'url1234.example.com', ready: true });
    expect(status.checks.find((check) => check.id === 'reaches-sendgrid')?.ok).toBe(true);
    expect(status.supportRequest).toContain('url1234.example.com');
    expect(result.stderr).toContain('Running against a local sandbox world');
    expectNoSecret(result);
  }, 90_000);

  it('--dry-run prints the plan and changes nothing', async () => {
    const result = await runSslclick(['setup', 'url1234.example.com', '--cdn', 'cloudflare', '--sandbox', '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { provider: string; changes: Array<{ action: string }> };
    expect(plan.provider).toBe('cloudflare');
    expect(plan.changes.some((change) => change.action === 'create')).toBe(true);
    expect(result.stderr).not.toMatch(/rule-created/);
  }, 60_000);

  it('an option the sandbox world cannot honour is refused, not ignored (exit 2)', async () => {
    const result = await runSslclick(['setup', 'url1234.example.com', '--cdn', 'cloudfront', '--sandbox', '--dns', 'manual', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(result.stderr).not.toContain('Running against');
  }, 60_000);

  it('without credentials it is an error (exit 2) naming the variable, as JSON with --json', async () => {
    const result = await runSslclick(['setup', 'url1234.example.com', '--cdn', 'cloudflare', '--json']);
    expect(result.code).toBe(2);
    const output = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(output.error.code).toBe('CREDENTIALS');
    expect(output.error.message).toContain('CLOUDFLARE_API_TOKEN');
  }, 60_000);

  it('without --json: progress lines on stderr, the table on stdout', async () => {
    const result = await runSslclick(['setup', 'url1234.example.com', '--cdn', 'cloudflare', '--sandbox']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/rule-created/);
    expect(result.stdout).toMatch(/tls-valid\s+│ pass/);
    expect(result.stdout).toContain('Request to send to SendGrid support');
  }, 60_000);
});

describe('sslclick status, destroy, verify, readiness', () => {
  it('status of a host not set up: not ready (exit 1), with next steps', async () => {
    const result = await runSslclick(['status', 'url1234.example.com', '--cdn', 'cloudflare', '--sandbox', '--json']);
    expect(result.code, result.stderr).toBe(1);
    const status = JSON.parse(result.stdout) as { ready: boolean; nextSteps: string[] };
    expect(status.ready).toBe(false);
    expect(status.nextSteps.length).toBeGreaterThan(0);
  }, 60_000);

  it('destroy with nothing to remove: done (exit 0)', async () => {
    const result = await runSslclick(['destroy', 'url1234.example.com', '--cdn', 'cloudfront', '--sandbox', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ state: 'absent', resources: [] });
  }, 60_000);

  it('verify: exit 0 for a host behind the CDN, 1 when one of the hosts is not', async () => {
    const world = await startSandboxWorld({ cdn: 'cloudflare' });
    const directory = await mkdtemp(join(tmpdir(), 'sslclick-cli-'));
    try {
      const status = await setup(createCloudflareProxy(world.adapter), { hostname: world.hostname }, { verification: world.verification, sampleLink: world.sampleLink });
      expect(status.ready).toBe(true);
      const file = join(directory, 'verification.json');
      await writeFile(file, JSON.stringify(world.verification));
      // Without a tracked link nothing proves SendGrid knows the Host: not ready (issue 12).
      const unproven = await runSslclick(['verify', world.hostname, '--verification', file, '--json']);
      expect(unproven.code, unproven.stderr).toBe(1);
      const ready = await runSslclick(['verify', world.hostname, '--verification', file, '--sample-link', world.sampleLink, '--json']);
      expect(ready.code, ready.stderr).toBe(0);
      expect(JSON.parse(ready.stdout)).toMatchObject({ ready: true, hosts: [{ hostname: world.hostname, ok: true }] });
      const stray = await runSslclick(['verify', world.hostname, '--verification', file, '--sample-link', 'https://url9.example.com/ls/click?upn=x']);
      expect(stray.code).toBe(2);
      expect(stray.stderr).toMatch(/is not a link on one of the hosts to verify/);
      const mixed = await runSslclick(['verify', world.hostname, 'url9.example.com', '--verification', file, '--sample-link', world.sampleLink]);
      expect(mixed.code, mixed.stderr).toBe(1);
      expect(mixed.stdout).toContain('url9.example.com: NOT READY');
    } finally {
      await rm(directory, { recursive: true, force: true });
      await world.close();
    }
  }, 90_000);

  it('readiness lists the hosts that would break (exit 1)', async () => {
    const result = await runSslclick(['readiness', '--sandbox', '--json']);
    expect(result.code, result.stderr).toBe(1);
    const output = JSON.parse(result.stdout) as { ready: boolean; accounts: Array<{ wouldBreak: string[] }>; warnings: string[] };
    expect(output.ready).toBe(false);
    // The sub-users were listed (the world's account has none), not skipped with a warning.
    expect(output.warnings).toEqual([]);
    expect(output.accounts[0]?.wouldBreak).toEqual(['url1234.example.com']);
    expectNoSecret(result);
  }, 60_000);

  it('readiness without SENDGRID_API_KEY is an error (exit 2)', async () => {
    const result = await runSslclick(['readiness']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SENDGRID_API_KEY');
  }, 60_000);
});

describe('sslclick in pipes, terminals and interrupted', () => {
  it('| head -1 exits 0 (pipefail on)', async () => {
    const script = `set -o pipefail; ${shellQuoted(process.execPath)} ${shellQuoted(binPath)} setup url1234.example.com --cdn cloudflare --sandbox --json | head -1`;
    const result = await collect(spawn('bash', ['-c', script], { cwd: repositoryRoot, env: cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{\n');
  }, 60_000);

  it('a reader that closes the pipe early: quiet exit 0, no EPIPE trace', async () => {
    const child = spawn(process.execPath, [binPath, 'setup', 'url1234.example.com', '--cdn', 'cloudflare', '--sandbox', '--json'], { cwd: repositoryRoot, env: cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    const finished = collect(child);
    child.stdout.destroy();
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/EPIPE|Error:|at .*\(/);
  }, 60_000);

  it('a terminal reporting 0 columns gets a bounded live line, not a flood', async () => {
    // `script` gives the command a real pseudo-terminal, whose size stty sets to 0 × 0.
    const command = `stty cols 0 rows 0; ${shellQuoted(process.execPath)} ${shellQuoted(binPath)} setup url1234.example.com --cdn cloudflare --sandbox`;
    const environment = cleanEnvironment();
    delete environment.CI;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: repositoryRoot, env: { ...environment, TERM: 'xterm' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const result = await collect(child).finally(() => clearTimeout(timer));
    expect(result.code, result.stdout.slice(-2_000)).toBe(0);
    expect(result.stdout.length).toBeLessThan(100_000);
    expect(result.stdout).toContain('✔ url1234.example.com is ready for SSL click tracking.');
  }, 90_000);

  it('Ctrl-C aborts through the signal and prints how to resume (exit 130)', async () => {
    const args = ['setup', 'url1234.example.com', '--cdn', 'cloudfront', '--sandbox'];
    const child = spawn(process.execPath, [binPath, ...args], { cwd: repositoryRoot, env: cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    const finished = collect(child);
    // Interrupt while CloudFront "deploys": after the certificate, before DNS moves.
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        if (/certificate-requested/.test(chunk.toString())) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await finished;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('run the same command again to resume');
    expect(result.stderr).toContain(`sslclick ${args.join(' ')}`);
    expect(result.stderr).not.toMatch(/dns-cutover/);
  }, 90_000);
});
