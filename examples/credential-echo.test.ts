/**
 * Issue 16, end to end: each example runs as a child process, as the README tells a user to run
 * it, against a sandbox whose fake vendor APIs quote the request's credentials back in every field
 * of their error format (the `echo-credential` fault, given through SSLCLICK_SANDBOX_FAULTS). The
 * run must stop with the vendor's error, and nothing it prints may hold a credential.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AWS_TEST_CREDENTIALS, SANDBOX_WORLD_CREDENTIALS as sandboxCredentials } from '@sslclick/sandbox';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const credentialVariables = ['CLOUDFLARE_API_TOKEN', 'FASTLY_API_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'SENDGRID_API_KEY', 'SSLCLICK_HOSTNAME'];

// Every credential the sandbox runs use, and their tails (which no credential pattern knows).
// The Fastly fake's tokens are random but all start so.
const secrets = [
  sandboxCredentials.sendgridApiKey,
  sandboxCredentials.sendgridApiKey.split('.').at(-1) ?? '',
  sandboxCredentials.cloudflareToken,
  AWS_TEST_CREDENTIALS.accessKeyId,
  AWS_TEST_CREDENTIALS.secretAccessKey,
  'sandbox-fastly-',
];

function runFaulted(script: string, faults: unknown[]): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', SSLCLICK_SANDBOX_FAULTS: JSON.stringify(faults) };
  for (const name of credentialVariables) delete env[name];
  return new Promise((resolve) => {
    // tsx straight away, as the package.json scripts run it, without npm's start-up time; Fastly's
    // script through npm, because it builds the Compute package first.
    const [command, args] =
      script === 'fastly' ? ['npm', ['run', 'example:fastly', '--silent', '--', '--json']] : [tsx, ['--conditions=@sslclick/source', `examples/${script}.ts`, '--json']];
    execFile(command, args, { cwd: repositoryRoot, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

// One run per example (each is a child process of a few seconds): each fault reaches another vendor.
const cases = [
  // SendGrid's first call (the branding read) answers 401 quoting the API key.
  { name: 'cloudflare, SendGrid refusing the key', script: 'cloudflare', faults: [{ kind: 'echo-credential', status: 401, match: { path: '/^\\/v3\\//' } }], expected: /CREDENTIALS: SendGrid answered 401/ },
  // Fastly's first write answers 403 quoting the token.
  { name: 'fastly, Fastly refusing a write', script: 'fastly', faults: [{ kind: 'echo-credential', status: 403, match: { write: true, path: '/^\\/service/' } }], expected: /PERMISSION: Fastly refused/ },
  // The first AWS write answers 400 quoting the access key id.
  { name: 'cloudfront, AWS refusing a write', script: 'cloudfront', faults: [{ kind: 'echo-credential', status: 400, match: { write: true } }], expected: /AWS rejected/ },
];

describe('the examples against vendors that quote the credentials back', () => {
  it.concurrent.each(cases)('$name: stops with the vendor error and prints no credential', async ({ script, faults, expected }) => {
    const result = await runFaulted(script, faults);
    expect(result.output).toMatch(expected);
    expect(result.code, result.output).toBe(2);
    for (const secret of secrets) expect(result.output.includes(secret), `output contains ${secret}:\n${result.output}`).toBe(false);
  }, 90_000);
});
