import type { Kysely } from 'kysely';

// Stakeholder updates (issue 6, ADR 0032). Portable column types only (ADR 0002).
//
// - incident_subscriptions: who hears of updates. `scope` incident | team | service with `scope_id`.
//   A subscriber is a user (`user_id`, optionally one of their contact methods) or an outside email
//   address or chat destination. `address_key` identifies the subscriber within a scope (`user:<id>`,
//   or the channel and a SHA-256 of the full address), UNIQUE per scope, so subscribing twice is one row.
//   ntfy topics and webhook URLs are credentials: `secret` holds them sealed, `address` redacted.
// - incident_comms: per incident, the cadence set on it (NULL: the severity's default) and when its
//   reminder is due (the fence the reminder job checks).
// - incident_comms_deliveries: the outbox: one row per recipient of an update (or a reminder), with the
//   message as it was rendered when posted and the recipient's address sealed. `idempotency_key` is
//   UNIQUE: a recipient reached through two subscriptions gets one message; a retried job finds the
//   row sent and sends nothing.
// - incident_update_templates: an admin's replacement of a built-in template (no row: the default).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incident_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('scope_id', 'text', (c) => c.notNull())
    // user | email | slack | teams | mattermost | discord | ntfy | webhook
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('contact_method_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('address_key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('incident_subscriptions_subscriber_uq', ['scope', 'scope_id', 'address_key'])
    .execute();
  await db.schema.createIndex('incident_subscriptions_user_idx').on('incident_subscriptions').column('user_id').execute();

  await db.schema
    .createTable('incident_comms')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id'))
    .addColumn('cadence_minutes', 'integer')
    .addColumn('reminder_due_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_comms_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    // The timeline entry of the update or the reminder.
    .addColumn('entry_id', 'text', (c) => c.notNull())
    // update | reminder
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('target_sealed', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    // pending | sent | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('provider', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('sent_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_comms_deliveries_entry_idx').on('incident_comms_deliveries').columns(['incident_id', 'entry_id']).execute();

  await db.schema
    .createTable('incident_update_templates')
    .addColumn('kind', 'text', (c) => c.primaryKey())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_update_templates').execute();
  await db.schema.dropTable('incident_comms_deliveries').execute();
  await db.schema.dropTable('incident_comms').execute();
  await db.schema.dropTable('incident_subscriptions').execute();
}
