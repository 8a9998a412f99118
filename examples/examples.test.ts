import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AWS_TEST_CREDENTIALS, SANDBOX_WORLD_CREDENTIALS } from '@sslclick/sandbox';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const credentialVariables = ['CLOUDFLARE_API_TOKEN', 'FASTLY_API_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'SENDGRID_API_KEY', 'SSLCLICK_HOSTNAME'];

// Every credential the sandbox runs use; the Fastly fake's tokens are random but all start so.
const secrets = [SANDBOX_WORLD_CREDENTIALS.sendgridApiKey, SANDBOX_WORLD_CREDENTIALS.cloudflareToken, AWS_TEST_CREDENTIALS.secretAccessKey, 'sandbox-fastly-'];

function expectNoSecret(output: string): void {
  for (const secret of secrets) expect(output.includes(secret), `output contains ${secret}`).toBe(false);
}

/**
 * Runs an example exactly as a user types it (`npm run example:x -- --json`, no --silent), with no
 * credentials, so it uses the sandbox: stdout must then hold the example's output only.
 */
function runExample(script: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  for (const name of credentialVariables) delete env[name];
  return new Promise((resolve) => {
    execFile('npm', script === 'start' ? ['start', '--', ...args] : ['run', script, '--', ...args], { cwd: repositoryRoot, env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe.each(['cloudflare', 'fastly', 'cloudfront'])('examples/%s.ts in sandbox mode', (cdn) => {
  it('exits 0 with a ready status and a real click redirected through the edge', async () => {
    const result = await runExample(`example:${cdn}`, ['--json']);
    expect(result.stderr).toContain('Running against the local sandbox');
    expectNoSecret(result.stdout + result.stderr);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as {
      mode: string;
      status: { provider: string; ready: boolean; hostname: string; checks: Array<{ id: string; ok: boolean | null }>; supportRequest: string };
      click: { status: number; location: string };
    };
    expect(output.mode).toBe('sandbox');
    expect(output.status).toMatchObject({ provider: cdn, ready: true, hostname: 'url1234.example.com' });
    for (const id of ['branding-assigned', 'dns-points-to-cdn', 'dns-not-sendgrid', 'tls-valid', 'reaches-sendgrid', 'http-still-served']) {
      expect(output.status.checks.find((check) => check.id === id)?.ok, id).toBe(true);
    }
    expect(output.status.supportRequest).toContain('url1234.example.com');
    expect(output.click).toMatchObject({ status: 302, location: 'https://shop.example.com/welcome?utm_source=newsletter' });
  }, 120_000);
});

describe('examples/cloudfront.ts -- --mode tenants in sandbox mode', () => {
  it('exits 0 with a ready status through a distribution tenant on the shared distribution', async () => {
    const result = await runExample('example:cloudfront', ['--mode', 'tenants', '--json']);
    expect(result.stderr).toContain('Tenants mode');
    expectNoSecret(result.stdout + result.stderr);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { status: { ready: boolean; resources: Array<{ kind: string; owned: boolean }> }; click: { status: number } };
    expect(output.status.ready).toBe(true);
    expect(output.status.resources).toContainEqual(expect.objectContaining({ kind: 'cloudfront-distribution-tenant', owned: true }));
    expect(output.click.status).toBe(302);
  }, 120_000);
});

describe('npm start (the README\'s main command)', () => {
  it('npm start -- --json writes only JSON to stdout', async () => {
    const result = await runExample('start', ['--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'sandbox', status: { provider: 'cloudflare', ready: true } });
  }, 120_000);

  it('prints progress, the table of checks and the click', async () => {
    const result = await runExample('start');
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result.stdout + result.stderr);
    expect(result.stderr).toMatch(/rule-created/);
    expect(result.stdout).toMatch(/tls-valid\s+│ pass/);
    expect(result.stdout).toContain('Request to send to SendGrid support');
    expect(result.stdout).toMatch(/One real click through the proxy:\n {2}GET https:\/\/url1234\.example\.com\/ls\/click\?upn=\S+\n {2}→ 302 Location: https:\/\/shop\.example\.com\/welcome/);
  }, 120_000);
});

describe('examples/fastly.ts --shared in sandbox mode', () => {
  it('puts the host on the one shared service and reaches ready, with a real click through the edge', async () => {
    const result = await runExample('example:fastly', ['--json', '--shared']);
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result.stdout + result.stderr);
    const output = JSON.parse(result.stdout) as { status: { ready: boolean; edge: { raw: { serviceName: string; shared: boolean } } }; click: { status: number } };
    expect(output.status.ready).toBe(true);
    expect(output.status.edge.raw).toMatchObject({ serviceName: 'sslclick shared', shared: true });
    expect(output.click.status).toBe(302);
  }, 120_000);
});
