import { inject } from 'vitest';
import { openDatabase, type FirebreakDatabase } from '../../src/server/platform/db/database.js';
import { createTestDatabase } from './postgres.js';

/** The dialects a contract suite runs against. PostgreSQL only when the global setup provided one. */
export interface DialectCase {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, migrated, empty database for one test or suite. */
  open(): Promise<FirebreakDatabase>;
}

export const postgresUrl = (): string | null => inject('postgresUrl');

export function dialectCases(): DialectCase[] {
  const cases: DialectCase[] = [
    {
      name: 'sqlite',
      async open() {
        const database = openDatabase({ sqlitePath: ':memory:' });
        await database.migrate();
        return database;
      },
    },
  ];
  const serverUrl = postgresUrl();
  if (serverUrl) {
    cases.push({
      name: 'postgres',
      async open() {
        const database = openDatabase({ url: await createTestDatabase(serverUrl), poolSize: 4 });
        await database.migrate();
        return database;
      },
    });
  }
  return cases;
}
