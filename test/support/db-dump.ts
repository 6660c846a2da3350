import { sql } from 'kysely';
import type { FirebreakDatabase } from '../../src/server/platform/db/database.js';
import { introspectorFor } from '../../src/server/platform/db/schema-introspection.js';

/** Every row of every Firebreak table, in primary-key order: compare two databases with `toEqual`. */
export async function dumpDatabase(database: FirebreakDatabase): Promise<Record<string, Array<Record<string, unknown>>>> {
  const introspect = introspectorFor(database.capabilities.dialect);
  const dump: Record<string, Array<Record<string, unknown>>> = {};
  for (const table of await introspect.tables(database.db)) {
    const key = await introspect.primaryKey(database.db, table);
    const order = key.length > 0 ? sql`order by ${sql.join(key.map((k) => sql.id(k)))}` : sql``;
    dump[table] = (await sql<Record<string, unknown>>`select * from ${sql.id(table)} ${order}`.execute(database.db)).rows;
  }
  return dump;
}
