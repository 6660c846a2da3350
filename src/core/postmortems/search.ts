/**
 * Full-text search over postmortems (issue 8): what a search box's text means, what text is indexed
 * for each postmortem (`postmortems.search_text`), and a snippet around the matches.
 *
 * The query language is deliberately small: words, all of which must match, and a trailing `*` for a
 * prefix (`certif*`). Anything else (quotes, AND/OR/NOT, parentheses, `:`) is taken as a separator,
 * so no input can inject FTS5 or tsquery syntax: {@link ftsMatchExpression} and
 * {@link tsQueryExpression} build the two dialects' expressions from plain letters and digits only.
 * Words are split the way SQLite's unicode61 tokenizer and PostgreSQL's parser split them (on
 * anything that is not a letter or digit), so `root-cause` finds "root cause" and vice versa.
 */

/** A parsed full-text query: the words (lower case) and, for each, whether it is a prefix. */
export interface SearchQuery {
  terms: string[];
  prefix: boolean[];
}

/** What goes into `postmortems.search_text`. */
export interface SearchableDocument {
  tags: readonly string[];
  services: ReadonlyArray<string | { handle: string; name: string }>;
  sections: ReadonlyArray<{ title?: string; body: string }>;
  actionItems: ReadonlyArray<string | { title: string }>;
}

/** At most this many words count; the rest of a very long query is ignored. */
export const MAX_SEARCH_TERMS = 16;

const TERM = /([\p{L}\p{N}]+)(\*?)/gu;

/**
 * Splits a search box's text into words (lower case, unique, at most {@link MAX_SEARCH_TERMS}); a
 * word written with a trailing `*` is a prefix. An empty `terms` list means "no full-text filter".
 *
 * @example parseSearchQuery('Checkout  certif* checkout') // → { terms: ['checkout', 'certif'], prefix: [false, true] }
 */
export function parseSearchQuery(q: string): SearchQuery {
  const terms: string[] = [];
  const prefix: boolean[] = [];
  for (const m of q.normalize('NFC').matchAll(TERM)) {
    const term = (m[1] as string).toLowerCase();
    const isPrefix = m[2] === '*';
    const seen = terms.indexOf(term);
    if (seen >= 0) {
      // The same word twice: the exact form is the stricter one.
      prefix[seen] = (prefix[seen] as boolean) && isPrefix;
      continue;
    }
    if (terms.length === MAX_SEARCH_TERMS) break;
    terms.push(term);
    prefix.push(isPrefix);
  }
  return { terms, prefix };
}

/** SQLite FTS5 `MATCH` text: every word quoted (no operators possible), prefixes with `*`; all must match. */
export function ftsMatchExpression(query: SearchQuery): string {
  return query.terms.map((t, i) => `"${t}"${query.prefix[i] === true ? '*' : ''}`).join(' ');
}

/** PostgreSQL `to_tsquery('english', …)` text: words joined with `&`, prefixes with `:*`. */
export function tsQueryExpression(query: SearchQuery): string {
  return query.terms.map((t, i) => `${t}${query.prefix[i] === true ? ':*' : ''}`).join(' & ');
}

/** Link and image targets are addresses, not words anyone searches for. */
function withoutUrls(markdown: string): string {
  return markdown.replace(/\]\([^)\s]*(?:\s+"[^"]*")?\)/g, ']').replace(/<https?:\/\/[^>\s]*>/g, ' ');
}

/**
 * The text indexed for a postmortem, besides its title: tags, services (handle and name), section
 * bodies (without link targets), and action item titles. Recomputed whenever any of them changes.
 */
export function searchTextOf(doc: SearchableDocument): string {
  const services = doc.services.map((s) => (typeof s === 'string' ? s : `${s.handle} ${s.name}`));
  const items = doc.actionItems.map((i) => (typeof i === 'string' ? i : i.title));
  return [doc.tags.join(' '), services.join(' '), ...doc.sections.map((s) => withoutUrls(s.body).trim()), ...items]
    .filter((x) => x !== '')
    .join('\n');
}

/**
 * A short piece of `text` around the first match, every match wrapped in « », words cut at the
 * edges marked with `…`; null when no word matches. Same rules as the search: whole words, or
 * word starts for prefixes, case-insensitive.
 */
export function snippetOf(text: string, query: SearchQuery, maxLength = 160): string | null {
  if (query.terms.length === 0) return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  const ranges: Array<[number, number]> = [];
  for (const m of flat.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = m[0].toLowerCase();
    const hit = query.terms.some((t, i) => (query.prefix[i] === true ? word.startsWith(t) : word === t));
    if (hit) ranges.push([m.index, m.index + m[0].length]);
  }
  if (ranges.length === 0) return null;
  const first = (ranges[0] as [number, number])[0];
  let from = Math.max(0, first - Math.floor(maxLength / 3));
  let to = Math.min(flat.length, from + maxLength);
  from = Math.max(0, Math.min(from, to - maxLength));
  // Cut on word boundaries.
  while (from > 0 && /[\p{L}\p{N}]/u.test(flat[from - 1] as string) && from < first) from++;
  while (to < flat.length && to > from && /[\p{L}\p{N}]/u.test(flat[to] as string)) to--;
  let out = '';
  let cursor = from;
  for (const [s, e] of ranges) {
    if (s < from || e > to) continue;
    out += `${flat.slice(cursor, s)}«${flat.slice(s, e)}»`;
    cursor = e;
  }
  out += flat.slice(cursor, to);
  return `${from > 0 ? '…' : ''}${out.trim()}${to < flat.length ? '…' : ''}`;
}
