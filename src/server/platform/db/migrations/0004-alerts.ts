import type { Kysely } from 'kysely';

// Services, integrations, alerts, the event log and the alert timeline (docs/alerts.md). Portable
// column types only (ADR 0002). `alerts.open_dedup_key` equals `dedup_key` while the alert is open and
// is NULL once resolved: UNIQUE (service_id, open_dedup_key) then allows at most one open alert per
// key on both SQLite and PostgreSQL (both treat NULLs as distinct), however many resolved ones exist.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('escalation_policy_id', 'text', (c) => c.references('escalation_policies.id'))
    .addColumn('runbook_url', 'text')
    .addColumn('dashboard_url', 'text')
    // {critical, error, warning, info} → high | low
    .addColumn('urgency_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('services_team_idx').on('services').column('team_id').execute();

  await db.schema
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // The key itself, SecretBox-sealed, so admins and the owning team can read it again.
    .addColumn('key_sealed', 'text', (c) => c.notNull())
    // SHA-256 of the key: intake finds the integration by it.
    .addColumn('key_lookup', 'text', (c) => c.notNull().unique())
    // The key before the last rotation, accepted until previous_key_valid_until.
    .addColumn('previous_key_lookup', 'text', (c) => c.unique())
    .addColumn('previous_key_valid_until', 'bigint')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_event_at', 'bigint')
    .execute();
  await db.schema.createIndex('integrations_service_idx').on('integrations').column('service_id').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('integration_id', 'text', (c) => c.references('integrations.id'))
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('open_dedup_key', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('source', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'text')
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolved_by', 'text')
    .addColumn('labels_json', 'text', (c) => c.notNull())
    .addColumn('details_json', 'text')
    .addColumn('links_json', 'text', (c) => c.notNull())
    .addColumn('images_json', 'text', (c) => c.notNull())
    .addColumn('members_json', 'text', (c) => c.notNull())
    // Optimistic concurrency: every write bumps it and requires the value it read.
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_open_key_uq').on('alerts').columns(['service_id', 'open_dedup_key']).unique().execute();
  await db.schema.createIndex('alerts_status_idx').on('alerts').columns(['status', 'id']).execute();
  await db.schema.createIndex('alerts_service_idx').on('alerts').columns(['service_id', 'id']).execute();
  await db.schema.createIndex('alerts_dedup_idx').on('alerts').columns(['service_id', 'dedup_key']).execute();

  await db.schema
    .createTable('alert_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.references('alerts.id'))
    .addColumn('integration_id', 'text', (c) => c.references('integrations.id'))
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text')
    // The event as received; bodies over the limit keep only their head (see alert.repo.ts).
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_events_alert_idx').on('alert_events').columns(['alert_id', 'id']).execute();
  await db.schema.createIndex('alert_events_integration_idx').on('alert_events').columns(['integration_id', 'id']).execute();

  await db.schema
    .createTable('alert_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('data_json', 'text')
    .execute();
  await db.schema.createIndex('alert_log_alert_idx').on('alert_log').columns(['alert_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['alert_log', 'alert_events', 'alerts', 'integrations', 'services']) {
    await db.schema.dropTable(table).execute();
  }
}
