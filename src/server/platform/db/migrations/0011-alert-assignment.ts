import type { Kysely } from 'kysely';

// Reassign and snooze (docs/alerts.md, "Actions"). `assignee_json` holds `{kind, id, label}` (a user or
// an escalation policy) or NULL for the service's policy; `snoozed_until` is the epoch-ms instant a
// snoozed alert triggers again (its wake-up job checks it as a fencing value).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('alerts').addColumn('assignee_json', 'text').execute();
  await db.schema.alterTable('alerts').addColumn('snoozed_until', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('alerts').dropColumn('snoozed_until').execute();
  await db.schema.alterTable('alerts').dropColumn('assignee_json').execute();
}
