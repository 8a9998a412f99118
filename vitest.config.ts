import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: the "@sslclick/source" export condition points each
// workspace package at its src/ so no build is needed first.
// 'module' is left out on purpose: with it Node picks @aws-sdk/core's extensionless ES build and fails.
const sourceConditions = ['@sslclick/source', 'node', 'development|production'];

const packageNames = readdirSync(new URL('./packages', import.meta.url)).filter((name) =>
  existsSync(new URL(`./packages/${name}/src`, import.meta.url)),
);

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    projects: [
      ...packageNames.map((name) => ({
        extends: true as const,
        test: {
          name,
          root: `packages/${name}`,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      })),
      {
        // Tests across packages: several adapters, setup() and the sandbox together.
        extends: true as const,
        test: { name: 'integration', root: 'test', include: ['*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 },
      },
      {
        // The examples run as child processes, exactly as the README tells a user to run them.
        extends: true as const,
        test: { name: 'examples', root: 'examples', include: ['*.test.ts'], testTimeout: 120_000 },
      },
    ],
  },
});
