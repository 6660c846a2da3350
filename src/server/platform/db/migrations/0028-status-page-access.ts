import type { Kysely } from 'kysely';

// Private status pages for people who are not Firebreak users (issue 7 "Private pages require login or
// an allow-listed email domain", ADR 0041, docs/status-pages.md). Portable column types only (ADR 0002).
//
// - `status_page_access_links`: one-time sign-in links mailed to an address in one of a private page's
//   allowed email domains, by the SHA-256 of their token (the token itself is only in the mail),
//   expiring after 30 minutes, `used_at` set when consumed (a link works once).
// - `status_page_access_keys`: the HMAC key signing visitors' access cookies, random, sealed with the
//   instance key (SecretBox) so every node sharing the database signs and checks with the same key.
// - `status_maintenance_reminders`: a maintenance's optional reminder to subscribers (issue 7 "with an
//   optional reminder to subscribers"): minutes before its start, and the start it last reminded of
//   (a replayed job does not remind twice; a rescheduled maintenance is reminded again).
//
// No foreign keys to pages or maintenances: deleting them (StatusPageService) must not fail on these
// rows. A row of a deleted page or maintenance is inert: links open nothing, reminders find nothing.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('status_page_access_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    // Lower-cased address the link was mailed to.
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_page_access_links_page_idx').on('status_page_access_links').columns(['page_id', 'email', 'created_at']).execute();
  await db.schema.createIndex('status_page_access_links_created_idx').on('status_page_access_links').columns(['page_id', 'created_at']).execute();

  await db.schema
    .createTable('status_page_access_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('status_maintenance_reminders')
    .addColumn('maintenance_id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('minutes_before', 'integer', (c) => c.notNull())
    .addColumn('reminded_for', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('status_maintenance_reminders').execute();
  await db.schema.dropTable('status_page_access_keys').execute();
  await db.schema.dropTable('status_page_access_links').execute();
}
