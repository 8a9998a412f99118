import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SANDBOX_WORLD_CREDENTIALS } from '@sslclick/sandbox';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

describe('examples/cloudflare.ts --mode saas in sandbox mode', () => {
  it('exits 0 with a ready status through Cloudflare for SaaS and a real click redirected through the edge', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    for (const name of ['CLOUDFLARE_API_TOKEN', 'SENDGRID_API_KEY', 'SSLCLICK_HOSTNAME', 'SSLCLICK_CLOUDFLARE_MODE']) delete env[name];
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('npm', ['run', 'example:cloudflare', '--', '--json', '--mode', 'saas'], { cwd: repositoryRoot, env, timeout: 90_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
    expect(result.stderr).toContain('Cloudflare for SaaS');
    for (const secret of Object.values(SANDBOX_WORLD_CREDENTIALS)) expect(result.stdout + result.stderr).not.toContain(secret);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { status: { ready: boolean; edge: { target: string }; resources: Array<{ kind: string; owned: boolean }> }; click: { status: number } };
    expect(output.status).toMatchObject({ ready: true, edge: { target: 'sslclick-links.saas-provider.example' } });
    expect(output.status.resources).toContainEqual(expect.objectContaining({ kind: 'custom-hostname', owned: true }));
    expect(output.click).toMatchObject({ status: 302 });
  }, 120_000);
});
