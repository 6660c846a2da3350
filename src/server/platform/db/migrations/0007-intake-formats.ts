import type { Kysely } from 'kysely';

// Opsgenie requests, change events, webhook mappings (docs/alerts.md, ADR 0016). Portable column types
// only (ADR 0002).
//
// - `opsgenie_requests`: the outcome of every accepted Opsgenie Alert API request, so
//   `GET /v2/alerts/requests/{requestId}` can answer after the (synchronous) 202.
// - `changes`: PagerDuty change events (deploys, config changes) recorded on a service; never alerts.
// - `integrations.mapping_json`: a generic webhook's optional JSON-path mapping; NULL means "the
//   documented fields".

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('opsgenie_requests')
    // The requestId (a UUID) returned in the 202.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
    // Create, Acknowledge or Close.
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('success', 'integer', (c) => c.notNull())
    // Opsgenie's wording: "Created alert", "Acknowledged alert", "Alert does not exist", …
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text')
    .addColumn('alias', 'text')
    .addColumn('processed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('opsgenie_requests_processed_idx').on('opsgenie_requests').column('processed_at').execute();
  await db.schema
    .createTable('changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('integration_id', 'text', (c) => c.references('integrations.id'))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    // When the change happened (payload.timestamp), epoch ms; NULL when the sender gave none.
    .addColumn('timestamp', 'bigint')
    .addColumn('links_json', 'text', (c) => c.notNull())
    .addColumn('details_json', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('changes_service_idx').on('changes').columns(['service_id', 'id']).execute();
  await db.schema.alterTable('integrations').addColumn('mapping_json', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').dropColumn('mapping_json').execute();
  await db.schema.dropTable('changes').execute();
  await db.schema.dropTable('opsgenie_requests').execute();
}
