import type { Kysely } from 'kysely';

// Incidents (issue 6, docs/incidents.md). Portable column types only (ADR 0002).
//
// - incidents: numbered from the `incident` row of `counters` (as alerts are, migration 0006), shown as
//   INC-<number>. `severity` is a key string (SEV1…) so configurable severities need no migration.
//   `revision`: optimistic concurrency for edits and status changes.
// - incident_services / incident_alerts: impacted services and linked alerts.
// - incident_roles: one row per held role (no row: vacant), primary key (incident, role), so a role
//   has one holder and a handover is a conditional UPDATE (compare-and-set on user_id).
//   `open_commander_user_id` equals user_id for the commander of an open incident and is NULL
//   otherwise: UNIQUE on it means nobody commands two open incidents, race-safe on PostgreSQL too
//   (both databases treat NULLs as distinct), like `alerts.open_dedup_key`.
// - incident_timeline: milestones, role changes, edits, linked alerts and manual notes. Entries can be
//   pinned; edits keep earlier texts in `history_json`.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    // investigating | identified | monitoring | resolved
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('customer_impact', 'text', (c) => c.notNull().defaultTo(''))
    // [{href, text}]
    .addColumn('links_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('declared_by', 'text', (c) => c.notNull())
    .addColumn('declared_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('detected_at', 'bigint', (c) => c.notNull())
    .addColumn('declared_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('mitigated_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_status_idx').on('incidents').column('status').execute();

  await db.schema
    .createTable('incident_services')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addPrimaryKeyConstraint('incident_services_pk', ['incident_id', 'service_id'])
    .execute();
  await db.schema.createIndex('incident_services_service_idx').on('incident_services').column('service_id').execute();

  await db.schema
    .createTable('incident_alerts')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('linked_at', 'bigint', (c) => c.notNull())
    .addColumn('linked_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_alerts_pk', ['incident_id', 'alert_id'])
    .execute();
  await db.schema.createIndex('incident_alerts_alert_idx').on('incident_alerts').column('alert_id').execute();

  await db.schema
    .createTable('incident_roles')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    // incident_commander | communications_lead | operations_lead | scribe | custom:<name>
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('open_commander_user_id', 'text', (c) => c.unique())
    .addColumn('assigned_at', 'bigint', (c) => c.notNull())
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_roles_pk', ['incident_id', 'role'])
    .execute();
  await db.schema.createIndex('incident_roles_user_idx').on('incident_roles').column('user_id').execute();

  await db.schema
    .createTable('incident_timeline')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    // milestone | note | role | update | alert
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('data_json', 'text')
    .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('edited_at', 'bigint')
    // [{at, by, change: text | pin | unpin, previousSummary}]
    .addColumn('history_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.createIndex('incident_timeline_incident_idx').on('incident_timeline').columns(['incident_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_timeline').execute();
  await db.schema.dropTable('incident_roles').execute();
  await db.schema.dropTable('incident_alerts').execute();
  await db.schema.dropTable('incident_services').execute();
  await db.schema.dropTable('incidents').execute();
}
