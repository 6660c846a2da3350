import type { Kysely } from 'kysely';

// Maintenance windows, silences, flap damping, storm guard (docs/alerts.md, ADR 0019). Portable column
// types only (ADR 0002).
//
// - maintenance_windows: one-off (starts_at, ends_at) or recurring (rrule + duration_minutes in
//   time_zone from starts_at, until ends_at); ended_at when someone ended it early.
// - silences: label matchers (JSON) with a start and an end; expiring one sets ends_at to now.
// - alert_storms: one row per service counting new alerts in the current and the previous minute
//   bucket. An upsert with RETURNING increments it atomically (and row-locks it on PostgreSQL until
//   the transaction commits), so concurrent intake on several nodes counts every new alert once.
// - alerts.suppressed_json: why an alert notifies nobody ({kind, id, name, until}); NULL when it may.
// - services.flap_window_minutes and storm_threshold_per_minute (both 0: off, the default).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('maintenance_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('rrule', 'text')
    .addColumn('duration_minutes', 'integer')
    .addColumn('time_zone', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('maintenance_window_services')
    .addColumn('window_id', 'text', (c) => c.notNull().references('maintenance_windows.id').onDelete('cascade'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addPrimaryKeyConstraint('maintenance_window_services_pk', ['window_id', 'service_id'])
    .execute();
  await db.schema.createIndex('maintenance_window_services_service_idx').on('maintenance_window_services').column('service_id').execute();

  await db.schema
    .createTable('silences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.references('services.id'))
    .addColumn('matchers_json', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('silences_ends_idx').on('silences').column('ends_at').execute();

  await db.schema
    .createTable('alert_storms')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id'))
    // floor(epoch ms / 60 000) of the minute `count` counts.
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    // New alerts in the minute before `bucket` (0 when that minute had none).
    .addColumn('previous_count', 'integer', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('alerts').addColumn('suppressed_json', 'text').execute();
  await db.schema.alterTable('services').addColumn('flap_window_minutes', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('services').addColumn('storm_threshold_per_minute', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('storm_threshold_per_minute').execute();
  await db.schema.alterTable('services').dropColumn('flap_window_minutes').execute();
  await db.schema.alterTable('alerts').dropColumn('suppressed_json').execute();
  for (const table of ['alert_storms', 'silences', 'maintenance_window_services', 'maintenance_windows']) {
    await db.schema.dropTable(table).execute();
  }
}
