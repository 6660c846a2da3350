import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../../contracts/errors.js';
import type { ActionItemsTable, Database, PostmortemsTable } from '../../platform/db/schema.js';

/**
 * Finding postmortems and action items by what people type: shared by the postmortem, review and
 * action-item parts of this module so each reads a reference the same way.
 */

export type PostmortemRow = Selectable<PostmortemsTable>;
export type ActionItemRow = Selectable<ActionItemsTable>;

/** `PM-12` for number 12. */
export const postmortemReference = (number: number): string => `PM-${number}`;
/** `AI-7` for number 7. */
export const actionItemReference = (number: number): string => `AI-${number}`;

/** An id, `PM-12` (any case), `#12` or `12`; null when there is none. */
export async function findPostmortem(db: Kysely<Database>, ref: string): Promise<PostmortemRow | null> {
  const number = /^(?:PM-|#)?(\d{1,15})$/i.exec(ref.trim());
  const query = db.selectFrom('postmortems').selectAll();
  const row = number ? await query.where('number', '=', Number(number[1])).executeTakeFirst() : await query.where('id', '=', ref).executeTakeFirst();
  return row ?? null;
}

/** As {@link findPostmortem}, or 404 naming what was asked for. */
export async function requirePostmortem(db: Kysely<Database>, ref: string): Promise<PostmortemRow> {
  const row = await findPostmortem(db, ref);
  if (!row) throw new AppError('NOT_FOUND', `Postmortem \`${ref}\` does not exist`);
  return row;
}

/** An id, `AI-7` (any case), `#7` or `7`; 404 when there is none. */
export async function requireActionItem(db: Kysely<Database>, ref: string): Promise<ActionItemRow> {
  const number = /^(?:AI-|#)?(\d{1,15})$/i.exec(ref.trim());
  const query = db.selectFrom('action_items').selectAll();
  const row = number ? await query.where('number', '=', Number(number[1])).executeTakeFirst() : await query.where('id', '=', ref).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `Action item \`${ref}\` does not exist`);
  return row;
}
