import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: the "@sslclick/source" export condition points each
// workspace package at its src/ so no build is needed first.
const sourceConditions = ['@sslclick/source', 'module', 'node', 'development|production'];

const packageNames = readdirSync(new URL('./packages', import.meta.url)).filter((name) =>
  existsSync(new URL(`./packages/${name}/src`, import.meta.url)),
);

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    projects: packageNames.map((name) => ({
      extends: true,
      test: {
        name,
        root: `packages/${name}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    })),
  },
});
