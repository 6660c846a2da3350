import type { Kysely } from 'kysely';

// Named counters handed out atomically (alert numbers now; incident numbers later). An upsert with
// RETURNING row-locks the counter on PostgreSQL, so concurrent transactions on several nodes never
// receive the same number; on SQLite the single writer serializes them anyway. No rows are seeded: a
// migrated database stays empty (restore requires that); the first allocation starts from the data.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('counters').execute();
}
