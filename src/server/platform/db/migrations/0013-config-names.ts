import type { Kysely } from 'kysely';

// Config-as-code names of maintenance windows and silences (docs/config-as-code.md, kinds
// `MaintenanceWindow` and `Silence`): `handle` is the document's `metadata.name`, unique per table.
// NULL for windows and silences made through the API or UI; config names those
// `window-<id>` / `silence-<id>` (lower case) until a document claims them.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('maintenance_windows').addColumn('handle', 'text').execute();
  await db.schema.alterTable('silences').addColumn('handle', 'text').execute();
  // Several NULLs are allowed by a unique index on both SQLite and PostgreSQL.
  await db.schema.createIndex('maintenance_windows_handle_idx').on('maintenance_windows').column('handle').unique().execute();
  await db.schema.createIndex('silences_handle_idx').on('silences').column('handle').unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('silences_handle_idx').execute();
  await db.schema.dropIndex('maintenance_windows_handle_idx').execute();
  await db.schema.alterTable('silences').dropColumn('handle').execute();
  await db.schema.alterTable('maintenance_windows').dropColumn('handle').execute();
}
