import type { Kysely } from 'kysely';

// Incident responders (issue 6, ADR 0034, docs/incidents.md "Responders"). Portable column types only
// (ADR 0002).
//
// - `incident_responder_requests`: one row per request to page someone into an incident. The paging
//   itself is an ordinary alert (`alert_id`, unique) assigned to the target, so escalation, delivery,
//   failover and the auditor are the alert's; this row keeps what the incident needs: the target as
//   asked (`target_type` user | policy | team), the policy that pages (`policy_id`, NULL for a person),
//   the message, and the request's state (requested | acknowledged | joined | cancelled) with its times.
// - `incident_participants`: who joined the incident (pressed Join); `left_at` set when they left.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incident_responder_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('alert_id', 'text', (c) => c.notNull().unique().references('alerts.id'))
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.references('escalation_policies.id'))
    .addColumn('message', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('joined_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('joined_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_responder_requests_incident_idx').on('incident_responder_requests').columns(['incident_id', 'created_at']).execute();

  await db.schema
    .createTable('incident_participants')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('left_at', 'bigint')
    .addPrimaryKeyConstraint('incident_participants_pk', ['incident_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_participants').execute();
  await db.schema.dropTable('incident_responder_requests').execute();
}
