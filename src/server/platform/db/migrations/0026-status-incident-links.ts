import type { Kysely } from 'kysely';

// A public incident posted from an internal incident remembers which one (issue 7, "Publishing from
// an incident"; docs/status-pages.md). Only the admin API reads the link: public pages and the
// Statuspage JSON never show it, and the public text is written separately from internal notes.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('status_incidents').addColumn('incident_id', 'text', (c) => c.references('incidents.id')).execute();
  await db.schema.createIndex('status_incidents_incident_idx').on('status_incidents').column('incident_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('status_incidents_incident_idx').execute();
  await db.schema.alterTable('status_incidents').dropColumn('incident_id').execute();
}
