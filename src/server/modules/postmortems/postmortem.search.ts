import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import { AppError } from '../../../contracts/errors.js';
import { parseSearchQuery } from '../../../core/postmortems/search.js';
import type { DialectName } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { PostmortemRow } from './postmortem.lookup.js';

/**
 * Full-text search over postmortems, the one dialect-specific part of the module (ADR 0038).
 *
 * - SQLite: the FTS5 table `postmortem_search (postmortem_id, title, body)` that triggers keep in step
 *   with `postmortems.title/search_text`; ranked by bm25, snippets by `snippet()`.
 * - PostgreSQL: the GIN index on `to_tsvector('english', title || ' ' || search_text)`; ranked by
 *   `ts_rank`, snippets by `ts_headline`.
 *
 * The query text never reaches either query language as written: it is cut into words of letters and
 * digits (so no quote, operator or column filter survives), each word quoted for FTS5 (`"word"`) or
 * for tsquery (`'word'`), a trailing `*` making the last word of a term a prefix. All words must match.
 * Snippets are computed for the returned page only; matches in them are wrapped in « ».
 */

/** The narrowed, already resolved filters of a list or search. */
export interface SearchFilters {
  statuses?: readonly string[];
  tag?: string;
  serviceId?: string;
  ownerUserId?: string;
  incidentId?: string;
  /** Occurred at or after (epoch ms). */
  from?: number;
  /** Occurred before (epoch ms). */
  to?: number;
}

export interface SearchPage {
  rows: PostmortemRow[];
  snippets: Map<string, string>;
  nextCursor: string | null;
}

/** Words of a term: letters and digits only; the prefix mark goes to the last word. */
export function searchWords(q: string): Array<{ word: string; prefix: boolean }> {
  const parsed = parseSearchQuery(q);
  const words: Array<{ word: string; prefix: boolean }> = [];
  parsed.terms.forEach((term, i) => {
    const pieces = term.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((p) => p.length > 0);
    pieces.forEach((word, j) => words.push({ word: word.slice(0, 64), prefix: j === pieces.length - 1 && parsed.prefix[i] === true }));
  });
  return words.slice(0, 32);
}

/** An FTS5 MATCH expression: `"checkout" "deplo"*`: every word quoted, so none is read as syntax. */
export function fts5Match(words: ReadonlyArray<{ word: string; prefix: boolean }>): string {
  return words.map((w) => `"${w.word.replace(/"/g, '""')}"${w.prefix ? '*' : ''}`).join(' ');
}

/** A tsquery: `'checkout' & 'deplo':*`: every word quoted as a lexeme. */
export function tsQuery(words: ReadonlyArray<{ word: string; prefix: boolean }>): string {
  return words.map((w) => `'${w.word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${w.prefix ? ':*' : ''}`).join(' & ');
}

const CURSOR = /^\d{1,7}$/;

/** Postmortems matching `q` (ranked) or all of them (most recently changed first), narrowed by the filters. */
export async function searchPostmortems(db: Kysely<Database>, dialect: DialectName, input: { q?: string | undefined; filters: SearchFilters; limit: number; cursor?: string | undefined }): Promise<SearchPage> {
  if (input.cursor !== undefined && !CURSOR.test(input.cursor)) throw new AppError('VALIDATION_FAILED', 'query.cursor: must be a cursor from an earlier page', { issues: [{ path: 'query.cursor', message: 'must be a cursor from an earlier page' }] });
  const offset = input.cursor === undefined ? 0 : Number(input.cursor);
  const words = input.q ? searchWords(input.q) : [];
  const f = input.filters;

  // Ranking and paging read ids only; the page's rows are read afterwards by id. Sorting whole rows
  // (sections and search text) of thousands of matches cost more than the search itself.
  let q = db.selectFrom('postmortems').select('postmortems.id');
  if (f.statuses && f.statuses.length > 0) q = q.where('postmortems.status', 'in', [...f.statuses]);
  if (f.tag !== undefined) q = q.where('postmortems.id', 'in', db.selectFrom('postmortem_tags').select('postmortem_id').where('tag', '=', f.tag));
  if (f.serviceId !== undefined) q = q.where('postmortems.id', 'in', db.selectFrom('postmortem_services').select('postmortem_id').where('service_id', '=', f.serviceId));
  if (f.ownerUserId !== undefined) q = q.where('postmortems.owner_user_id', '=', f.ownerUserId);
  if (f.incidentId !== undefined) q = q.where('postmortems.incident_id', '=', f.incidentId);
  if (f.from !== undefined) q = q.where('postmortems.occurred_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('postmortems.occurred_at', '<', f.to);

  const filtered = (f.statuses?.length ?? 0) > 0 || f.tag !== undefined || f.serviceId !== undefined || f.ownerUserId !== undefined || f.incidentId !== undefined || f.from !== undefined || f.to !== undefined;
  if (words.length > 0 && dialect === 'sqlite') return rankedFromIndex(db, words, input.limit, offset, filtered ? q : undefined);

  let ids: string[];
  if (words.length === 0) {
    ids = (await q.orderBy('postmortems.updated_at', 'desc').orderBy('postmortems.id', 'desc').limit(input.limit + 1).offset(offset).execute()).map((r) => r.id);
  } else {
    const matched = sql<{ postmortem_id: string; score: number }>`(select p.id as postmortem_id, ts_rank(to_tsvector('english', p.title || ' ' || p.search_text), tq.q) as score
      from postmortems p, to_tsquery('english', ${tsQuery(words)}) as tq(q)
      where to_tsvector('english', p.title || ' ' || p.search_text) @@ tq.q)`;
    const ranked = await q
      .innerJoin(matched.as('m'), (join) => join.onRef('m.postmortem_id', '=', 'postmortems.id'))
      .orderBy('m.score', 'desc')
      .orderBy('postmortems.updated_at', 'desc')
      .orderBy('postmortems.id', 'desc')
      .limit(input.limit + 1)
      .offset(offset)
      .execute();
    ids = ranked.map((r) => r.id);
  }
  const page = await rowsInOrder(db, ids.slice(0, input.limit));
  const snippets = words.length > 0 && page.length > 0 ? await snippetsFor(db, page.map((r) => r.id), words) : new Map<string, string>();
  return { rows: page, snippets, nextCursor: ids.length > input.limit ? String(offset + input.limit) : null };
}

/** The rows of these postmortems, in the order of `ids`. */
async function rowsInOrder(db: Kysely<Database>, ids: readonly string[]): Promise<PostmortemRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('postmortems').selectAll().where('id', 'in', [...ids]).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is PostmortemRow => r !== undefined);
}

/**
 * SQLite: the full-text table ranks and pages on its own (`ORDER BY rank` is answered inside FTS5, so
 * only the page's rows get a snippet), filters narrowing that ranked stream (`postmortem_id IN (…)`),
 * then the page's rows are read by id. A common word matching most postmortems costs a fraction of
 * joining and sorting whole rows, and the snippets come from the same scan.
 */
async function rankedFromIndex(db: Kysely<Database>, words: ReadonlyArray<{ word: string; prefix: boolean }>, limit: number, offset: number, within?: Expression<unknown>): Promise<SearchPage> {
  const narrowed = within ? sql` and postmortem_id in (${within})` : sql``;
  const ranked = await sql<{ id: string; snippet: string }>`select postmortem_id as id, snippet(postmortem_search, -1, '«', '»', '…', 16) as snippet
    from postmortem_search where postmortem_search match ${fts5Match(words)}${narrowed} order by rank limit ${limit + 1} offset ${offset}`.execute(db);
  return {
    rows: await rowsInOrder(db, ranked.rows.slice(0, limit).map((r) => r.id)),
    snippets: new Map(ranked.rows.slice(0, limit).map((r) => [r.id, r.snippet.replace(/\s+/g, ' ').trim()])),
    nextCursor: ranked.rows.length > limit ? String(offset + limit) : null,
  };
}

/** PostgreSQL: where the page's postmortems matched, highlighted (SQLite's come from its ranked scan). */
async function snippetsFor(db: Kysely<Database>, ids: readonly string[], words: ReadonlyArray<{ word: string; prefix: boolean }>): Promise<Map<string, string>> {
  const idList: RawBuilder<unknown> = sql.join(ids.map((id) => sql`${id}`));
  const result = await sql<{ id: string; snippet: string }>`select p.id, ts_headline('english', p.title || ' ' || p.search_text, to_tsquery('english', ${tsQuery(words)}),
      'StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') as snippet
      from postmortems p where p.id in (${idList})`.execute(db);
  return new Map(result.rows.map((r) => [r.id, r.snippet.replace(/\s+/g, ' ').trim()]));
}
