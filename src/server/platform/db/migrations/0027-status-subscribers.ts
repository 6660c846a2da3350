import type { Kysely } from 'kysely';

// Status-page subscribers (issue 7 "Subscribers", ADR 0039, docs/status-pages.md). Portable column
// types only (ADR 0002): booleans 0/1, lists JSON text, instants epoch-millisecond bigints.
//
// - `status_subscribers`: one row per subscription. `kind` email | webhook | slack | teams. Webhook and
//   chat URLs and signing secrets are sealed (SecretBox): a chat incoming-webhook URL is a credential.
//   The manage token (the subscriber's only credential, in every message's manage and unsubscribe
//   links) is looked up by its SHA-256 hash and kept sealed so messages can carry it again.
//   `confirmed_at` null: waiting for the email confirmation (double opt-in); nothing is sent but it.
// - `status_subscriber_confirmations`: confirmation links, by the SHA-256 of their token, expiring.
// - `status_subscriber_events`: one row per event told to subscribers: the public notice, built once by
//   the fan-out job from the public snapshot and read by every send job of the event.
// - `status_subscriber_deliveries`: which event reached which subscriber (send jobs skip a repeat).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('status_subscribers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('status_pages.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // Lower-cased address: the email subscriber's, or who a webhook subscriber answers to.
    .addColumn('email', 'text')
    .addColumn('url_sealed', 'text')
    // The URL's host, shown to admins instead of the URL.
    .addColumn('url_host', 'text')
    .addColumn('secret_sealed', 'text')
    .addColumn('manage_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('manage_token_sealed', 'text', (c) => c.notNull())
    .addColumn('components_json', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('last_confirmation_at', 'bigint')
    .addColumn('last_failure_at', 'bigint')
    .addColumn('last_failure', 'text')
    // public (signed up on the page) | admin
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_subscribers_page_idx').on('status_subscribers').columns(['page_id', 'kind', 'id']).execute();
  await db.schema.createIndex('status_subscribers_email_idx').on('status_subscribers').columns(['page_id', 'email']).execute();

  await db.schema
    .createTable('status_subscriber_confirmations')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('subscriber_id', 'text', (c) => c.notNull().references('status_subscribers.id'))
    .addColumn('page_id', 'text', (c) => c.notNull().references('status_pages.id'))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_subscriber_confirmations_page_idx').on('status_subscriber_confirmations').columns(['page_id', 'created_at']).execute();
  await db.schema.createIndex('status_subscriber_confirmations_subscriber_idx').on('status_subscriber_confirmations').column('subscriber_id').execute();

  await db.schema
    .createTable('status_subscriber_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('notice_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_subscriber_events_page_idx').on('status_subscriber_events').columns(['page_id', 'created_at']).execute();

  await db.schema
    .createTable('status_subscriber_deliveries')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('subscriber_id', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('status_subscriber_deliveries_pk', ['event_id', 'subscriber_id'])
    .execute();
  await db.schema.createIndex('status_subscriber_deliveries_subscriber_idx').on('status_subscriber_deliveries').column('subscriber_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('status_subscriber_deliveries').execute();
  await db.schema.dropTable('status_subscriber_events').execute();
  await db.schema.dropTable('status_subscriber_confirmations').execute();
  await db.schema.dropTable('status_subscribers').execute();
}
