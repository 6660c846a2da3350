import type { Kysely } from 'kysely';
import type { Postmortem } from '../../../../contracts/postmortems.js';
import type { Tx } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import type { Acting } from '../../catalog/catalog.service.js';
import type { PostmortemRow } from '../postmortem.lookup.js';

/**
 * What the review part needs of the postmortem documents (`PostmortemService`, services.postmortems):
 * the API view of a postmortem, a version bump (compare-and-set, revision row, search text) when review
 * changes the document, the conflict answer of a stale writer, a draft made from an incident when the policy requires
 * one, and word of a deleted draft. A narrow port, so the review lifecycle depends on these calls and nothing else of the document service.
 */
export interface PostmortemDocuments {
  view(db: Kysely<Database>, row: PostmortemRow): Promise<Postmortem>;
  bump(tx: Tx, row: PostmortemRow, who: Acting, fields: readonly string[], set?: Partial<Omit<PostmortemRow, 'id' | 'number' | 'version'>>): Promise<PostmortemRow>;
  /** The 409 for a writer that started from `baseVersion` while the postmortem moved on. */
  conflict(db: Kysely<Database>, row: PostmortemRow, baseVersion: number): Promise<Error>;
  /** Returns the incident's postmortem when it has one already (marked required when asked). */
  /** Listens for deleted drafts, in the deleting transaction. */
  onDeleted(listener: (tx: Tx, row: PostmortemRow) => Promise<void>): void;
  createDraft(tx: Tx, who: Acting, request: { incidentId: string; owner?: string | null; required?: boolean; reasons?: readonly string[]; dueAt?: number | null }): Promise<PostmortemRow>;
}
