import type { Kysely } from 'kysely';

// Routing rules, support hours, backlog (docs/alerts.md, "Routing rules and urgency"; ADR 0018).
// Portable column types only (ADR 0002). One optional row per service in `service_routing`, so
// services without rules cost nothing and the services table keeps its shape. `alerts.deliver_at` is
// the delivery decision the paging release reads: NULL now, an instant when a low-urgency alert waits
// for the service's next support window (backlog alerts, urgency `backlog`, are never delivered).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('service_routing')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id'))
    .addColumn('rules_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('support_hours_json', 'text')
    .addColumn('raise_at_support_start', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('backlog_webhook_url', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('alerts').addColumn('deliver_at', 'bigint').execute();
  // The raise-at-support-start job reads a service's open low-urgency alerts; the backlog view lists by urgency.
  await db.schema.createIndex('alerts_service_urgency_idx').on('alerts').columns(['service_id', 'urgency', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('alerts_service_urgency_idx').execute();
  await db.schema.alterTable('alerts').dropColumn('deliver_at').execute();
  await db.schema.dropTable('service_routing').execute();
}
