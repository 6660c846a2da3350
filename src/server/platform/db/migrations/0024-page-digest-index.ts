import type { Kysely } from 'kysely';

// The digest check (docs/paging.md, "Digests") asks, for every page about to be sent, how many pages
// went to the same contact method in the last minutes. Without an index that read scans every page ever
// sent, a cost growing with history on the hottest path of paging (ADR 0035).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('page_notifications_method_sent_idx').on('page_notifications').columns(['contact_method_id', 'sent_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('page_notifications_method_sent_idx').execute();
}
