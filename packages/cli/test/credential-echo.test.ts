/**
 * Issue 16, through the command line: `sslclick` runs against a sandbox world whose fake vendor
 * APIs quote the request's credentials back in every field of their error format (the
 * `echo-credential` fault, given through SSLCLICK_SANDBOX_FAULTS). The command must stop with the
 * vendor's error (exit 2), and nothing it prints, on stdout or stderr, may hold a credential.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnvironment, ensureEdgePackage, expectNoSecret, runSslclick } from './run-sslclick.js';

beforeAll(ensureEdgePackage, 120_000);

// One run per vendor: each fault reaches another vendor's API first.
const cases = [
  // SendGrid's first call (the branding list) answers 401 quoting the API key.
  { name: 'setup --cdn cloudflare, SendGrid refusing the key', args: ['setup', 'url1234.example.com', '--cdn', 'cloudflare', '--sandbox'], faults: [{ kind: 'echo-credential', status: 401, match: { path: '/^\\/v3\\//' } }], says: /SendGrid answered 401/ },
  // Cloudflare's first write answers 403 quoting the token.
  { name: 'setup --cdn cloudflare, Cloudflare refusing a write', args: ['setup', 'url1234.example.com', '--cdn', 'cloudflare', '--sandbox'], faults: [{ kind: 'echo-credential', status: 403, match: { write: true, path: '/^\\/client\\/v4\\//' } }], says: /Cloudflare/ },
  // Fastly's first write answers 403 quoting the token.
  { name: 'setup --cdn fastly, Fastly refusing a write', args: ['setup', 'url1234.example.com', '--cdn', 'fastly', '--sandbox'], faults: [{ kind: 'echo-credential', status: 403, match: { write: true, path: '/^\\/service/' } }], says: /Fastly refused/ },
  // The first AWS write answers 400 quoting the access key id.
  { name: 'setup --cdn cloudfront, AWS refusing a write', args: ['setup', 'url1234.example.com', '--cdn', 'cloudfront', '--sandbox'], faults: [{ kind: 'echo-credential', status: 400, match: { write: true } }], says: /AWS rejected/ },
  // readiness lists the brandings through SendGrid, which answers 403 quoting the key (a fault
  // answers once, and a 5xx would be retried past it).
  { name: 'readiness, SendGrid refusing the branding list', args: ['readiness', '--sandbox'], faults: [{ kind: 'echo-credential', status: 403, match: { path: '/^\\/v3\\/whitelabel\\/links/' } }], says: /SendGrid/ },
  // readiness asks for the sub-users first; a 403 there is a warning, not the end (no subusers.read).
  { name: 'readiness, SendGrid refusing the sub-user list', args: ['readiness', '--sandbox'], faults: [{ kind: 'echo-credential', status: 403, match: { path: '/^\\/v3\\/subusers/' } }], says: /subusers\.read/, exitCode: 1 },
];

describe('sslclick against vendors that quote the credentials back', () => {
  it.each(cases)('$name: stops or warns with the vendor error, and no credential in any output', async ({ args, faults, says, exitCode = 2 }) => {
    for (const json of [false, true]) {
      const result = await runSslclick(json ? [...args, '--json'] : args, { env: cleanEnvironment({ SSLCLICK_SANDBOX_FAULTS: JSON.stringify(faults) }) });
      expect(result.code, result.stderr).toBe(exitCode);
      expect(exitCode === 2 && json ? result.stdout : result.stdout + result.stderr).toMatch(says);
      expectNoSecret(result);
    }
  }, 120_000);
});
