import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AWS_TEST_CREDENTIALS, SANDBOX_WORLD_CREDENTIALS } from '@sslclick/sandbox';
import { expect } from 'vitest';
import { bundleOf } from '../../../test/support/child-script.js';

/** The `sslclick` bin, as `npx sslclick` runs it in the repository. */
export const binPath = fileURLToPath(new URL('../bin/sslclick.js', import.meta.url));
export const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

const credentialVariables = ['CLOUDFLARE_API_TOKEN', 'FASTLY_API_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'SENDGRID_API_KEY', 'SENDGRID_SUBUSER'];

/** The environment of a user with no credentials set, in CI (plain progress lines). */
export function cleanEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...extra };
  for (const name of credentialVariables) delete environment[name];
  return environment;
}

/** What one run printed and how it ended. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a started child's output until it exits. */
export function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/**
 * Runs `sslclick …args` as a child process, the way a user's shell does: from the CLI's sources
 * compiled into one file for this test run (as the installed bin runs its dist/, in one process),
 * or through the bin when no bundle was built. Inside the repository the bin starts a second
 * process that loads the sources through tsx, about 1.5 s of CPU per run; the tests of the bin
 * itself (pipes, terminals, signals) start `binPath` directly.
 */
export function runSslclick(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const command = bundleOf('packages/cli/src/main.ts') ?? binPath;
  return collect(spawn(process.execPath, [command, ...args], { cwd: repositoryRoot, env: options.env ?? cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] }));
}

// Every credential a sandbox world hands out; the Fastly fake's tokens are random but all start so.
// The SendGrid key's tail and the AWS access key id are there too: no credential pattern knows the
// one, and the other is registered with the redactor like the secret key.
const secrets = [
  SANDBOX_WORLD_CREDENTIALS.sendgridApiKey,
  SANDBOX_WORLD_CREDENTIALS.sendgridApiKey.split('.').at(-1) ?? '',
  SANDBOX_WORLD_CREDENTIALS.cloudflareToken,
  AWS_TEST_CREDENTIALS.accessKeyId,
  AWS_TEST_CREDENTIALS.secretAccessKey,
  'sandbox-fastly-',
];

/** No sandbox credential appears in the output. */
export function expectNoSecret(result: RunResult): void {
  for (const secret of secrets) expect((result.stdout + result.stderr).includes(secret), `output contains ${secret}`).toBe(false);
}

/** The Fastly Compute package the Fastly adapter uploads; built once if missing (about 20 s). */
export async function ensureEdgePackage(): Promise<void> {
  if (existsSync(new URL('../../fastly/dist/edge/sslclick-edge.tar.gz', import.meta.url))) return;
  const { buildEdgePackage } = await import('../../fastly/scripts/build-edge-package.js');
  await buildEdgePackage();
}
