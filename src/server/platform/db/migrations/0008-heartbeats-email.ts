import type { Kysely } from 'kysely';

// Heartbeat and email integrations (docs/alerts.md, ADR 0017). Portable column types only (ADR 0002).
//
// `heartbeats` holds one row per heartbeat integration: its schedule settings and the state the pure
// rules in src/core/alerts/heartbeat.ts read and write. `revision` fences concurrent pings (and the
// deadline job) on PostgreSQL: every write checks the revision it read. `email_integrations` holds
// the per-integration parsing rules of an email integration (dedup key pattern, keyword rules).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('heartbeats')
    .addColumn('integration_id', 'text', (c) => c.primaryKey().references('integrations.id'))
    // {periodSeconds | cron + timeZone, graceSeconds, maxRunSeconds?, severity}
    .addColumn('settings_json', 'text', (c) => c.notNull())
    // new | up | down (late is derived from the clock when shown)
    .addColumn('status', 'text', (c) => c.notNull())
    // missed | failed | run-timeout, while down
    .addColumn('down_reason', 'text')
    .addColumn('last_ping_at', 'bigint')
    // success | start | fail
    .addColumn('last_ping_kind', 'text')
    .addColumn('last_exit_code', 'integer')
    .addColumn('last_success_at', 'bigint')
    // Set by /start, cleared by the success or failure that ends the run (or its timeout).
    .addColumn('started_at', 'bigint')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('email_integrations')
    .addColumn('integration_id', 'text', (c) => c.primaryKey().references('integrations.id'))
    // {dedupKeyPattern?, resolve, acknowledge, severity, defaultSeverity}
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_integrations').execute();
  await db.schema.dropTable('heartbeats').execute();
}
