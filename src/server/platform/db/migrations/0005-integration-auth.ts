import type { Kysely } from 'kysely';

// Optional verification of inbound posts per integration (Grafana: HMAC signature, bearer or basic
// auth). `auth_sealed` holds the settings as SecretBox-sealed JSON; NULL means "not configured".

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').addColumn('auth_sealed', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').dropColumn('auth_sealed').execute();
}
