import type { Kysely } from 'kysely';

// Acknowledge and resolve links in page emails, and "resolved" notices (docs/paging.md, ADR 0023).
//
// - page_action_links: one row per link sent. Only the SHA-256 of the token is stored (`token_hash`,
//   hex); the token itself exists only in the email. A link is bound to its recipient (`user_id`, who
//   the action is recorded as), single use (`used_at`) and expiring (`expires_at`, 24 h).
// - page_notifications.kind: `page` (what the escalation sends) or `resolved` (the notice sent to
//   each person paged once the alert resolves). Existing rows are pages.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('page_action_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    // Not a foreign key: the outbox row it was sent with, for tracing only.
    .addColumn('notification_id', 'text')
    // acknowledge | resolve
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('page_action_links_alert_idx').on('page_action_links').column('alert_id').execute();
  await db.schema.alterTable('page_notifications').addColumn('kind', 'text', (c) => c.notNull().defaultTo('page')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('page_notifications').dropColumn('kind').execute();
  await db.schema.dropTable('page_action_links').execute();
}
