import type { Kysely } from 'kysely';

// The escalation engine and page delivery (docs/paging.md, ADR 0022). Portable column types only (ADR 0002).
//
// - escalations: one row per alert that pages. `snapshot_json` is the policy as it was when the alert
//   triggered (`EscalationSnapshot`); `state_json` the engine's `EscalationState`. `generation` repeats
//   the state's fencing token as a column so a step commits only over the state it read
//   (`UPDATE … WHERE generation = ?`); `next_at` is when the next step is due (the auditor's index).
// - page_notifications: the outbox. One row per person, per step, per contact method, created in the
//   step's transaction; the delivery job sends it through the channel. `idempotency_key` is unique: a
//   step that runs twice cannot queue a second page, and the channel gets it to de-duplicate a resend.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('escalations')
    .addColumn('alert_id', 'text', (c) => c.primaryKey().references('alerts.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('snapshot_json', 'text', (c) => c.notNull())
    .addColumn('state_json', 'text', (c) => c.notNull())
    .addColumn('next_at', 'bigint')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('escalations_next_idx').on('escalations').columns(['status', 'next_at']).execute();

  await db.schema
    .createTable('page_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    // Not a foreign key: the row outlives a deleted contact method, for the history.
    .addColumn('contact_method_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('level', 'integer')
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    // pending → sent | failed | cancelled
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('sent_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('page_notifications_alert_idx').on('page_notifications').columns(['alert_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('page_notifications').execute();
  await db.schema.dropTable('escalations').execute();
}
