/**
 * The same action item in several postmortems (issue 8): "repeated failures to fix something". Two
 * titles are compared as sets of content words: lower case, accents folded, stop words dropped, and
 * a light suffix trim so "alerting"/"alerts"/"alert" meet. The score is the Sørensen–Dice
 * coefficient 2|A∩B| / (|A| + |B|): 1 for the same words in any order, 0 for nothing in common.
 * Dice rather than Jaccard because action items are short and usually differ by a word or two
 * ("Add alert on replication lag" / "Alert when replication lag is high" → 0.75).
 */

const STOP_WORDS = new Set([
  'a', 'an', 'the', 'and', 'or', 'but', 'if', 'then', 'else', 'when', 'while', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with',
  'from', 'into', 'onto', 'about', 'as', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'it', 'its', 'this', 'that', 'these',
  'those', 'we', 'our', 'us', 'they', 'their', 'so', 'do', 'does', 'did', 'has', 'have', 'had', 'not', 'no', 'all', 'any', 'some',
  'more', 'most', 'very', 'can', 'could', 'should', 'would', 'will', 'shall', 'may', 'might', 'must', 'up', 'out', 'over', 'under',
  'again', 'also', 'too', 'than', 'there', 'here', 'which', 'who', 'what', 'how', 'why', 'where', 'make', 'sure', 'ensure',
]);

/** Trims common English endings so inflections compare equal; words stay at least 3 letters long. */
function stem(word: string): string {
  let w = word;
  for (const suffix of ['ing', 'ed', 's']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix) && !w.endsWith('ss')) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  // "case"/"cases", "cache"/"caching": a final e comes and goes with the ending.
  return w.length > 3 && w.endsWith('e') ? w.slice(0, -1) : w;
}

/** The set of content words of a text, as {@link similarity} compares them. */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  for (const m of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0];
    if (STOP_WORDS.has(w)) continue;
    words.add(stem(w));
  }
  return words;
}

function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return (2 * common) / (a.size + b.size);
}

/**
 * How alike two titles are, from 0 (no content word in common, or one has none) to 1 (the same
 * content words). Symmetric; ignores case, accents, word order, punctuation and stop words.
 */
export function similarity(a: string, b: string): number {
  return dice(contentWords(a), contentWords(b));
}

/** A candidate and its score. */
export interface SimilarMatch<T> {
  candidate: T;
  score: number;
}

/**
 * The candidates whose titles score at least `threshold` against `title`, best first (ties keep
 * the candidates' order).
 */
export function findSimilar<T extends { title: string }>(title: string, candidates: readonly T[], threshold = 0.6): SimilarMatch<T>[] {
  const words = contentWords(title);
  const matches: SimilarMatch<T>[] = [];
  for (const candidate of candidates) {
    const score = dice(words, contentWords(candidate.title));
    if (score >= threshold && score > 0) matches.push({ candidate, score });
  }
  return matches.sort((x, y) => y.score - x.score);
}
