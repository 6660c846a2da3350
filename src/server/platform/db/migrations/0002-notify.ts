import type { Kysely } from 'kysely';

// Contact methods, notification rules and notification settings (docs/notifications.md). Portable
// column types only (ADR 0002): instants are bigint epoch milliseconds, JSON is text.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contact_methods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    // Email, phone number or chat handle; for push and webhook methods only a redacted form, because
    // the full subscription or URL embeds credentials and lives sealed in `secret`.
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('verified_at', 'bigint')
    .addColumn('verification_code_hash', 'text')
    .addColumn('verification_sent_at', 'bigint')
    .addColumn('verification_expires_at', 'bigint')
    .addColumn('verification_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('verification_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_methods_user_idx').on('contact_methods').column('user_id').execute();

  await db.schema
    .createTable('notification_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('delay_minutes', 'integer', (c) => c.notNull())
    .addColumn('contact_method_id', 'text', (c) => c.notNull().references('contact_methods.id').onDelete('cascade'))
    .addUniqueConstraint('notification_rules_position_uq', ['user_id', 'urgency', 'position'])
    .execute();
  await db.schema.createIndex('notification_rules_method_idx').on('notification_rules').column('contact_method_id').execute();

  await db.schema
    .createTable('notification_settings')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['notification_settings', 'notification_rules', 'contact_methods']) {
    await db.schema.dropTable(table).execute();
  }
}
