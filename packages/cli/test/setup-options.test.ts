/**
 * The options of `setup --all` and `--mode`, through the programmatic entry: what goes together,
 * what a usage error says (exit 2, before any server starts or any credential is read), and that
 * a mode reaches the CDN's factory.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cdnModes, modeNames } from '../src/targets.js';
import { runInProcess } from './run-in-process.js';

beforeEach(() => {
  for (const name of ['SENDGRID_API_KEY', 'CLOUDFLARE_API_TOKEN', 'FASTLY_API_TOKEN']) vi.stubEnv(name, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('sslclick --mode', () => {
  it('each CDN has its modes in one table, the default first', () => {
    expect(modeNames('fastly')).toEqual(['compute', 'vcl', 'shared', 'shared-vcl']);
    expect(modeNames('cloudflare')).toEqual(['per-host', 'saas']);
    expect(modeNames('cloudfront')).toEqual(['per-host', 'tenants']);
    expect(cdnModes.fastly.vcl).toEqual({ mode: 'vcl' });
  });

  it.each([
    ['setup', 'cloudflare', 'vcl', 'per-host or saas'],
    ['status', 'fastly', 'saas', 'compute or vcl or shared or shared-vcl'],
    ['destroy', 'cloudfront', 'compute', 'per-host or tenants'],
  ])('%s --cdn %s --mode %s: a usage error naming the valid modes (exit 2), with nothing started', async (command, cdn, mode, valid) => {
    for (const json of [false, true]) {
      const result = await runInProcess([command, 'url1234.example.com', '--cdn', cdn, '--mode', mode, '--sandbox', ...(json ? ['--json'] : [])]);
      expect(result.code).toBe(2);
      const message = json ? (JSON.parse(result.stdout) as { error: { code: string; message: string } }).error : { code: 'INVALID_INPUT', message: result.stderr };
      expect(message.code).toBe('INVALID_INPUT');
      expect(message.message).toContain(`--mode ${mode} is not a mode of --cdn ${cdn}: choose ${valid}.`);
      expect(result.stderr).not.toContain('Running against');
    }
  });

  it('setup --all --mode bogus: the same usage error, before the sandbox account starts', async () => {
    const result = await runInProcess(['setup', '--all', '--cdn', 'fastly', '--mode', 'bogus', '--sandbox']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--mode bogus is not a mode of --cdn fastly: choose compute or vcl or shared or shared-vcl.');
    expect(result.stderr).not.toContain('Running against');
  });

  it('--cdn fastly --mode vcl reaches the factory: the plan is a VCL service', async () => {
    const result = await runInProcess(['setup', 'url1234.example.com', '--cdn', 'fastly', '--mode', 'vcl', '--sandbox', '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { provider: string; changes: Array<{ resource: { kind: string }; description: string }> };
    expect(plan.provider).toBe('fastly');
    expect(plan.changes.find((change) => change.resource.kind === 'fastly-service')?.description).toContain('VCL service');
  }, 60_000);

  it('--cdn cloudflare --mode saas: the host becomes a custom hostname of the provider zone and reaches ready', async () => {
    const result = await runInProcess(['setup', 'url1234.example.com', '--cdn', 'cloudflare', '--mode', 'saas', '--sandbox', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as { provider: string; ready: boolean; resources: Array<{ kind: string }>; dns: { target?: string } };
    expect(status).toMatchObject({ provider: 'cloudflare', ready: true });
    expect(status.resources.map((resource) => resource.kind)).toContain('custom-hostname');
  }, 60_000);

  it('--cdn cloudfront --mode tenants reaches the factory: the plan is a distribution tenant', async () => {
    const result = await runInProcess(['setup', 'url1234.example.com', '--cdn', 'cloudfront', '--mode', 'tenants', '--sandbox', '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { provider: string; changes: Array<{ resource: { kind: string } }> };
    expect(plan.provider).toBe('cloudfront');
    expect(plan.changes.map((change) => change.resource.kind)).toContain('cloudfront-distribution-tenant');
  }, 60_000);

  it('--cdn fastly --mode shared-vcl reaches the factory: the plan adds the host to the shared service', async () => {
    const result = await runInProcess(['setup', 'url1234.example.com', '--cdn', 'fastly', '--mode', 'shared-vcl', '--sandbox', '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { provider: string; changes: Array<{ resource: { kind: string }; description: string }> };
    expect(plan.provider).toBe('fastly');
    expect(plan.changes.map((change) => change.description).join('\n')).toMatch(/shared/i);
  }, 60_000);

  it('--mode saas on a real account without CLOUDFLARE_SAAS_ZONE_ID: a usage error naming it', async () => {
    const saved = process.env.CLOUDFLARE_SAAS_ZONE_ID;
    delete process.env.CLOUDFLARE_SAAS_ZONE_ID;
    try {
      const result = await runInProcess(['status', 'url1234.example.com', '--cdn', 'cloudflare', '--mode', 'saas', '--dns', 'manual', '--json']);
      expect(result.code).toBe(2);
      expect((JSON.parse(result.stdout) as { error: { message: string } }).error.message).toContain('CLOUDFLARE_SAAS_ZONE_ID');
    } finally {
      if (saved !== undefined) process.env.CLOUDFLARE_SAAS_ZONE_ID = saved;
    }
  });

  it('--cdn cloudflare --mode per-host is the default mode, named', async () => {
    const result = await runInProcess(['status', 'url1234.example.com', '--cdn', 'cloudflare', '--mode', 'per-host', '--sandbox', '--json']);
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ provider: 'cloudflare', hostname: 'url1234.example.com', ready: false });
  }, 60_000);
});

describe('sslclick setup: one host or --all', () => {
  it.each([
    [['setup', '--cdn', 'cloudflare'], 'setup needs the branded link host'],
    [['setup', 'url1234.example.com', '--all', '--cdn', 'cloudflare'], 'setup --all works on every branded host of the account: drop "url1234.example.com"'],
    [['setup', 'url1234.example.com', '--cdn', 'cloudflare', '--subusers'], '--subusers goes with --all.'],
    [['setup', 'url1234.example.com', '--cdn', 'cloudflare', '--report', 'r.html'], '--report goes with --all.'],
    [['setup', '--all', '--cdn', 'cloudflare', '--adopt'], '--adopt goes with one host, not --all'],
    [['setup', '--all', '--cdn', 'cloudflare', '--concurrency', '0'], '--concurrency must be a whole number from 1 to 256, not "0".'],
    [['setup', '--all', '--cdn', 'cloudflare', '--sample-link', 'not a link'], '--sample-link not a link is not a link on a branded host'],
    [['setup', '--all', '--cdn', 'cloudflare', '--sandbox', '--sandbox-account', 'x.json'], '--sandbox starts a fresh sandbox account; --sandbox-account <file> uses a running one'],
    [['setup', '--all', '--cdn', 'cloudflare', '--sandbox-account', '/nonexistent/sandbox.json'], '--sandbox-account /nonexistent/sandbox.json is not a readable JSON file'],
    [['setup', '--all', '--cdn', 'cloudflare'], 'set SENDGRID_API_KEY'],
  ])('%j: a usage error (exit 2): %s', async (args, says) => {
    const result = await runInProcess(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(says);
  });

  it('--help shows --all and its options, and --mode', async () => {
    const result = await runInProcess(['setup', '--help']);
    expect(result.code).toBe(0);
    for (const option of ['--all', '--subusers', '--concurrency <hosts>', '--report <file>', '--sandbox-account <file>', '--mode <name>']) expect(result.stdout).toContain(option);
    expect(result.stdout).toContain('fastly: compute, vcl');
  });
});
