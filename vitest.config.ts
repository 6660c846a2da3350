import { defineConfig } from 'vitest/config';

// Three projects so slow suites can run alone (`npm run test:unit|test:integration|test:browser`);
// `npm test` runs them all. Under CI=true nothing is skipped: a missing PostgreSQL or Chromium fails.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: ['**/*.e2e.test.ts', 'node_modules/**'],
          environment: 'node',
          // Property tests run hundreds of cases; on a loaded 2-core machine one may pass 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.e2e.test.ts', 'test/integration/**/*.test.ts', 'test/reliability/**/*.test.ts'],
          globalSetup: ['test/support/postgres.global.ts'],
          environment: 'node',
          // CLI tests start several `firebreak` processes; a CI machine under load can run at half speed.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/browser.global.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
