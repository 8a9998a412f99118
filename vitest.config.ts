import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { childScripts } from './test/support/child-bundles.js';

// Tests run against the TypeScript sources: the "@sslclick/source" export condition points each
// workspace package at its src/ so no build is needed first.
// 'module' is left out on purpose: with it Node picks @aws-sdk/core's extensionless ES build and fails.
const sourceConditions = ['@sslclick/source', 'node', 'development|production'];

const packageNames = readdirSync(new URL('./packages', import.meta.url)).filter((name) =>
  existsSync(new URL(`./packages/${name}/src`, import.meta.url)),
);

// Packages whose test files were run sharing one worker's modules (isolate: false) and passed.
const sharedModulePackages = new Set(['core', 'fastly', 'sandbox', 'sendgrid', 'cloudfront', 'cloudflare', 'cli']);

// The projects whose tests start child processes get those scripts compiled once per run.
const childBundles = fileURLToPath(new URL('./test/support/child-bundles.ts', import.meta.url));

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    // Test files side by side, one per core (vitest's default leaves one core free, which on a
    // two-core CI runner is one file at a time). The suite is mostly CPU: sandbox servers, SDK
    // clients and child processes all compute in the test's own processes.
    maxWorkers: 2,
    projects: [
      ...packageNames.map((name) => ({
        extends: true as const,
        test: {
          name,
          root: `packages/${name}`,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // In these packages each file starts its own servers, closes them and puts back what it
          // changes, so their files share a worker's loaded modules instead of loading the SDKs
          // again for each file (about 0.7 s of CPU per file: sandbox and sendgrid's 21 files took
          // 15 s of CPU instead of 30 s). The Cloudflare reliability sweep, whose clean run once
          // recorded fewer requests after the other Cloudflare files, passed run last of all 19 in
          // one worker (shuffled, one worker); its clean runs no longer depend on timing. The cli
          // project passed too. Not integration: two CloudFront account files failed that way on
          // a loaded machine (not investigated); examples untried.
          isolate: !sharedModulePackages.has(name),
          ...(childScripts[name] ? { globalSetup: [childBundles] } : {}),
        },
      })),
      {
        // Tests across packages: several adapters, setup() and the sandbox together.
        extends: true as const,
        test: { name: 'integration', root: 'test', include: ['*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000, globalSetup: [childBundles] },
      },
      {
        // The examples run as child processes, exactly as the README tells a user to run them.
        extends: true as const,
        test: { name: 'examples', root: 'examples', include: ['*.test.ts'], testTimeout: 120_000 },
      },
    ],
  },
});
