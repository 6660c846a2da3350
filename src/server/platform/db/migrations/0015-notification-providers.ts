import type { Kysely } from 'kysely';

// Notification providers (docs/providers.md, ADR 0025): the accounts Firebreak delivers through
// (SMTP servers, Twilio, a second SMS gateway, Slack and Telegram bots, ntfy servers…), several per
// channel, tried in order with their health.
//
// - notification_providers: `handle` is the name people and config documents use. `settings_json`
//   holds the non-secret settings; secrets are either sealed with the master key (`secrets_sealed`,
//   set through the API) or named by environment variable (`secret_env_json`, config-as-code never
//   puts a secret inline). `position` orders providers of a channel; health (`consecutive_failures`,
//   `last_*`) moves a failing provider behind healthy ones without changing its position.
// - page_notifications.provider: the provider that accepted the page; `delivery_status` and
//   `delivered_at` come from the provider's status callback (Twilio: delivered, undelivered, failed).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('secrets_sealed', 'text')
    .addColumn('secret_env_json', 'text')
    // api | config
    .addColumn('managed_by', 'text', (c) => c.notNull().defaultTo('api'))
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_success_at', 'bigint')
    .addColumn('last_failure_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('page_notifications').addColumn('provider', 'text').execute();
  await db.schema.alterTable('page_notifications').addColumn('delivery_status', 'text').execute();
  await db.schema.alterTable('page_notifications').addColumn('delivered_at', 'bigint').execute();
  await db.schema.createIndex('page_notifications_provider_message_idx').on('page_notifications').column('provider_message_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('page_notifications_provider_message_idx').execute();
  await db.schema.alterTable('page_notifications').dropColumn('delivered_at').execute();
  await db.schema.alterTable('page_notifications').dropColumn('delivery_status').execute();
  await db.schema.alterTable('page_notifications').dropColumn('provider').execute();
  await db.schema.dropTable('notification_providers').execute();
}
