import type { Kysely } from 'kysely';

// Paging actions (docs/paging.md): escalate now, added responders, acknowledgement timeouts, test pages
// and shadow copies.
//
// - paging_policy_settings: paging's own settings of an escalation policy, beside the policy's row (the
//   on-call module owns that one). ack_timeout_minutes: an acknowledged alert not resolved within this
//   many minutes triggers again and escalates from level 1. No row, or null: until resolved.
// - alert_responders: one row per person paged into an alert by "add responders", with the request that
//   added them (`request_id`, shared by the people of one request), who asked, how they were reached
//   (`via_type`/`via_id`: the user themself, or the escalation policy whose level 1 they were on) and the
//   requester's message. Adding someone again pages them again (a deliberate request).
// - page_notifications.test / shadow: the page is a test page (its alert is a self-test alert), or a
//   copy for a shadow participant. Both 0 for every existing row.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('paging_policy_settings')
    .addColumn('policy_id', 'text', (c) => c.primaryKey().references('escalation_policies.id'))
    .addColumn('ack_timeout_minutes', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alert_responders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    // user | escalationPolicy
    .addColumn('via_type', 'text', (c) => c.notNull())
    .addColumn('via_id', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_responders_alert_idx').on('alert_responders').column('alert_id').execute();
  await db.schema.alterTable('page_notifications').addColumn('test', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('page_notifications').addColumn('shadow', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('page_notifications').dropColumn('shadow').execute();
  await db.schema.alterTable('page_notifications').dropColumn('test').execute();
  await db.schema.dropTable('alert_responders').execute();
  await db.schema.dropTable('paging_policy_settings').execute();
}
