import type { TestProject } from 'vitest/node';
import { findPostgresBin, startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server URL for tests, or null when none is available outside CI. */
    postgresUrl: string | null;
  }
}

/**
 * Gives the integration suite a PostgreSQL server: `FIREBREAK_TEST_POSTGRES_URL` when set, else a
 * throwaway cluster from the local server binaries. Missing PostgreSQL fails under CI=true and is
 * skipped with one line otherwise.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env.FIREBREAK_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return undefined;
  }
  if (!findPostgresBin()) {
    if (process.env.CI === 'true') throw new Error('CI=true but PostgreSQL is not installed: apt-get install -y postgresql');
    console.warn('[firebreak] PostgreSQL not found: PostgreSQL tests are skipped. Install it (apt-get install -y postgresql) or set FIREBREAK_TEST_POSTGRES_URL.');
    project.provide('postgresUrl', null);
    return undefined;
  }
  const server = await startPostgres({ fast: true });
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
