import type { Kysely } from 'kysely';

// On-call: schedules (layers as the engine's JSON), overrides, escalation policies, calendar feeds and
// public holidays (docs/oncall.md). Portable column types only (ADR 0002): instants are bigint epoch
// milliseconds, JSON is text, booleans are 0/1 integers. Deleted schedules and policies keep their
// rows (history, audit) with `deleted_at` set and their handle freed (see the services).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    // The engine's Layer[] (src/core/oncall/schedule.ts) with user ids and epoch-millisecond instants.
    .addColumn('layers_json', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('schedules_team_idx').on('schedules').column('team_id').execute();

  await db.schema
    .createTable('schedule_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('replaces_user_id', 'text', (c) => c.references('users.id'))
    // The other override of a shift swap (rule 9 in core/oncall/schedule.ts).
    .addColumn('swap_with', 'text')
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('schedule_overrides_window_idx').on('schedule_overrides').columns(['schedule_id', 'end_at']).execute();
  await db.schema.createIndex('schedule_overrides_user_idx').on('schedule_overrides').columns(['user_id', 'end_at']).execute();

  await db.schema
    .createTable('escalation_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    // [{ delayMinutes, targets: [{ type: 'user' | 'schedule' | 'team', id }] }]
    .addColumn('levels_json', 'text', (c) => c.notNull())
    .addColumn('repeat_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fallback_json', 'text')
    .addColumn('skip_empty_levels', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();

  await db.schema
    .createTable('calendar_feeds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // SHA-256 of the secret in the feed's URL; the secret itself is shown once.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    // The user (kind user) or schedule (kind schedule) the feed shows.
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('calendar_feeds_user_idx').on('calendar_feeds').column('user_id').execute();

  await db.schema
    .createTable('holidays')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // YYYY-MM-DD, a local date: it counts as a holiday in each person's own time zone.
    .addColumn('date', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['holidays', 'calendar_feeds', 'escalation_policies', 'schedule_overrides', 'schedules']) {
    await db.schema.dropTable(table).execute();
  }
}
