/**
 * The blameless review assistant (issue 8, ADR 0038): flags language that blames people, so the
 * author can reword it before review. It is advice shown beside the text, never a block, so it leans
 * towards precision: a false alarm on every "the pod failed to start" would teach authors to ignore it.
 *
 * What it flags, and why (the must-flag / must-not-flag tables in blameless.test.ts pin these down):
 *
 * - `person-name`: the names of the people involved (`options.names`; the full name and the first
 *   name, whole words, any case). Root causes and action items are about systems, not people. Names
 *   are not flagged in the record-keeping sections (`timeline`, `appendix`, `supporting-information`),
 *   where "who paged whom at 14:02" and labelled chat logs are facts the reader needs. A first name
 *   that is also a common English word ("Will", "May", "Mark", "Grant") is only taken for a name when
 *   written with a capital and not opening a sentence, so "we will roll back" and "Mark the incident
 *   as resolved" do not flag Will and Mark (the full name, or "Will broke it", still do).
 * - `blame-phrase`: verbs of blame with a *person* as their subject ("Ana broke checkout", "the
 *   engineer failed to test", "he forgot to"), and words that judge a person ("careless", "negligent",
 *   "sloppy", "dropped the ball"). The same verb with a thing as its subject is how systems are
 *   described and is NOT flagged: "the deploy broke checkout", "the health check failed to detect it".
 *   A person is: one of the given names, a personal pronoun (I, he, she, you, someone…) or a
 *   role noun (engineer, developer, operator, on-call, intern…). "They" is not (in technical writing
 *   it is as often the pods as the people), and "we" is not: "we broke it" is the blameless,
 *   collective way to say it, and is what the suggestions ask for. Only people forget, so
 *   "forgot to"/"neglected to" are flagged whatever the subject.
 * - `counterfactual`: hindsight. "should have" (and should've, shouldn't have, ought to have, if only)
 *   always: it judges what someone ought to have done. "could have"/"would have" only with a person as
 *   subject ("she could have checked"); "an alert on queue depth would have caught it" is exactly the
 *   kind of sentence a blameless postmortem wants.
 * - `human-error`: "human error", "operator error", "user error", "pilot error", "fat-fingered",
 *   "PEBKAC": a label that ends the inquiry where it should start.
 * - `fault`: "Ana's fault", "his fault", "fault of", "at fault", "to blame", "blamed on", "Ana's
 *   mistake". Not "fault tolerance" or "a fault in the disk controller".
 *
 * Offsets are UTF-16 code units into the text given (what JavaScript strings index), so a UI can
 * highlight `text.slice(start, end)`. Pure and deterministic; linear in the text's length.
 */
import type { BlamelessFinding } from '../../contracts/postmortems.js';

/** One piece of text to review, named by its section key (or `title`, `action-item:AI-3`). */
export interface BlamelessText {
  section: string;
  text: string;
}

/** `names`: the people involved in the response; their full and first names are flagged. */
export interface BlamelessOptions {
  names?: readonly string[];
}

export type BlamelessRule = BlamelessFinding['rule'];

/** Sections that record who did what (timeline lines, labelled chat logs): names are facts there. */
export const NAME_EXEMPT_SECTIONS: readonly string[] = ['timeline', 'appendix', 'supporting-information'];

/**
 * First names that are also everyday English words: taken for a name only when capitalised as
 * written, so "we will", "may cause", "mark as done" do not flag Will, May and Mark.
 */
const COMMON_WORD_NAMES = new Set([
  'will', 'may', 'mark', 'bill', 'grant', 'rob', 'sue', 'pat', 'jack', 'frank', 'art', 'june', 'april', 'august', 'dawn', 'faith',
  'hope', 'joy', 'rose', 'chase', 'drew', 'lane', 'max', 'case', 'gene', 'ray', 'rich', 'don', 'guy', 'jean', 'sky', 'summer',
  'autumn', 'river', 'reed', 'page', 'hunter', 'cash', 'ivy', 'penny', 'crystal', 'amber', 'ruby', 'grace', 'victor', 'sunny', 'sandy',
  'rusty', 'holly', 'olive', 'iris', 'daisy', 'les', 'long', 'young',
]);

const PRONOUNS = new Set(['i', 'he', 'she', 'you', 'someone', 'somebody', 'anyone', 'anybody', 'nobody', 'everyone', 'everybody', 'whoever']);

const ROLE_NOUNS = new Set([
  'engineer', 'engineers', 'developer', 'developers', 'dev', 'devs', 'operator', 'operators', 'on-call', 'oncall', 'on-caller',
  'on-callers', 'responder', 'responders', 'intern', 'interns', 'admin', 'admins', 'administrator', 'administrators', 'sre', 'sres',
  'contractor', 'contractors', 'reviewer', 'reviewers', 'author', 'deployer', 'employee', 'employees', 'person', 'human', 'teammate',
  'colleague', 'coworker', 'co-worker', 'dba', 'hire', 'member', 'manager', 'lead', 'commander', 'ic', 'staff', 'programmer', 'tester',
]);

/** Words that may sit between a subject and its verb without changing who did it. */
const SKIPPABLE = new Set([
  'just', 'simply', 'really', 'obviously', 'clearly', 'also', 'then', 'apparently', 'actually', 'unfortunately', 'again', 'already',
  'still', 'probably', 'definitely', 'accidentally', 'mistakenly', 'somehow', 'never', 'had', 'has', 'have', 'did', 'was', 'were',
]);

interface Phrase {
  words: readonly string[];
  rule: BlamelessRule;
  /** Flag only when a person is the subject (see the file header). */
  personSubject: boolean;
}

const MESSAGES: Record<BlamelessRule, { message: string; suggestion: string }> = {
  'person-name': {
    message: 'Names a person: a root cause or action item about a person invites blame and hides the system that let the mistake happen.',
    suggestion: "Replace the name with 'we' or with the role (the on-call engineer); ask what tool or process could have prevented the mistake.",
  },
  'blame-phrase': {
    message: 'Blames a person for the outcome instead of describing what happened and why it made sense at the time.',
    suggestion: "Say what happened and what in the system allowed it (we deployed…, the check did not…); replace names with 'we'; ask what tool could have prevented the mistake.",
  },
  counterfactual: {
    message: 'Hindsight: judges what someone ought to have done, which is only obvious after the fact.',
    suggestion: 'Describe what people knew and saw at the time, and what would make the right action the easy one (a check, an alert, a safer default).',
  },
  'human-error': {
    message: '"Human error" ends the inquiry where it should start: people make mistakes, systems decide how much they cost.',
    suggestion: 'Ask why the mistake was easy to make and hard to catch; name the missing guard rail (validation, review, automation) instead.',
  },
  fault: {
    message: 'Assigns fault to a person or team; a blameless postmortem looks for causes, not culprits.',
    suggestion: "Replace it with what happened and which safeguard was missing; use 'we' for the team.",
  },
};

const phrase = (rule: BlamelessRule, personSubject: boolean, ...texts: string[]): Phrase[] =>
  texts.map((t) => ({ words: t.split(' '), rule, personSubject }));

const PHRASES: readonly Phrase[] = [
  ...phrase('blame-phrase', true, 'broke', 'caused', 'messed up', 'screwed up', 'botched', 'took down', 'brought down', 'failed to', 'ignored', 'missed', 'overlooked', "didn't check", 'did not check', "didn't test", 'did not test', "didn't notice", 'did not notice', "didn't follow", 'did not follow', 'accidentally', 'mistakenly', 'wrongly', 'carelessly', 'blindly'),
  ...phrase('blame-phrase', false, 'forgot to', 'forgot', 'neglected to', 'neglected', "didn't bother", 'did not bother', 'careless', 'carelessness', 'negligent', 'negligence', 'negligently', 'sloppy', 'sloppiness', 'incompetent', 'incompetence', 'reckless', 'recklessly', 'lazy', 'laziness', 'dropped the ball', 'not paying attention', "wasn't paying attention", 'was not paying attention', 'rogue engineer', 'rogue developer'),
  ...phrase('counterfactual', false, 'should have', "should've", "shouldn't have", 'should not have', 'ought to have', 'if only'),
  ...phrase('counterfactual', true, 'could have', "could've", "couldn't have", 'could not have', 'would have', "would've", "wouldn't have", 'would not have'),
  ...phrase('human-error', false, 'human error', 'human errors', 'operator error', 'operator errors', 'user error', 'pilot error', 'human mistake', 'human mistakes', 'fat-fingered', 'fat-finger', 'fat finger', 'fat fingered', 'pebkac'),
  ...phrase('fault', false, 'my fault', 'his fault', 'her fault', 'their fault', 'your fault', 'whose fault', 'fault of', 'at fault', 'to blame', 'blamed on', 'blame on', 'his mistake', 'her mistake', 'their mistake', 'your mistake'),
];

/** Phrases indexed by their first word, so matching is one map lookup per token. */
const BY_FIRST_WORD = new Map<string, Phrase[]>();
for (const p of PHRASES) {
  const list = BY_FIRST_WORD.get(p.words[0] as string) ?? [];
  list.push(p);
  BY_FIRST_WORD.set(p.words[0] as string, list);
}
for (const list of BY_FIRST_WORD.values()) list.sort((a, b) => b.words.length - a.words.length);

interface Token {
  /** Lower case, typographic apostrophes made straight, a trailing possessive `'s` removed. */
  word: string;
  /** As written, possessive removed. */
  raw: string;
  start: number;
  /** End of the word without its possessive. */
  end: number;
  possessive: boolean;
  /** A sentence or clause boundary (. ! ? ; : newline) lies between this token and the one before. */
  newClause: boolean;
}

const WORD = /[\p{L}\p{N}](?:[\p{L}\p{N}'’-]*[\p{L}\p{N}])?(?:['’]s?)?/gu;
/** Sentence and clause boundaries: . ! ? ; : and line breaks. */
const BOUNDARY_CHARS = new Set([...'.!?;:\n'].map((c) => c.charCodeAt(0)));

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let previousEnd = 0;
  for (const m of text.matchAll(WORD)) {
    let raw = m[0];
    const start = m.index;
    let possessive = false;
    if (raw.includes("'") || raw.includes('’')) {
      const poss = /['’]s?$/.exec(raw);
      if (poss !== null && (poss[0].length === 2 || /s$/i.test(raw.slice(0, -1)))) {
        raw = raw.slice(0, raw.length - poss[0].length);
        possessive = true;
      }
      // A trailing apostrophe that is no possessive (quotes: 'done') is not part of the word.
      if (/['’]$/.test(raw)) raw = raw.slice(0, -1);
    }
    let newClause = tokens.length === 0;
    for (let k = previousEnd; k < start && !newClause; k++) newClause = BOUNDARY_CHARS.has(text.charCodeAt(k));
    const word = raw.toLowerCase();
    tokens.push({ word: word.includes('’') ? word.replace(/’/g, "'") : word, raw, start, end: start + raw.length, possessive, newClause });
    previousEnd = start + m[0].length;
  }
  return tokens;
}

interface NameSet {
  /** Full names of two words or more as lower-case word sequences, by first word, longest first. */
  full: Map<string, string[][]>;
  /** Every single word of every name (first names, last names): subjects of blame verbs. */
  parts: Set<string>;
  /** First names flagged on their own. */
  first: Set<string>;
}

function nameSet(names: readonly string[]): NameSet {
  const full = new Map<string, string[][]>();
  const parts = new Set<string>();
  const first = new Set<string>();
  for (const name of names) {
    const words = tokenize(name).map((t) => t.word);
    if (words.length === 0) continue;
    if (words.length > 1) full.set(words[0] as string, [...(full.get(words[0] as string) ?? []), words]);
    for (const w of words) if (w.length >= 2) parts.add(w);
    if ((words[0] as string).length >= 2) first.add(words[0] as string);
  }
  for (const list of full.values()) list.sort((a, b) => b.length - a.length);
  return { full, parts, first };
}

/** A token that may be this name word: common-word names must be capitalised as written. */
function nameWord(token: Token, word: string): boolean {
  if (token.word !== word) return false;
  return !COMMON_WORD_NAMES.has(word) || /^\p{Lu}/u.test(token.raw);
}

/** How many tokens from `i` spell one of the names (0: none). */
function nameAt(tokens: readonly Token[], i: number, names: NameSet): number {
  for (const words of names.full.get((tokens[i] as Token).word) ?? []) {
    if (i + words.length > tokens.length) continue;
    let ok = true;
    for (let k = 0; k < words.length && ok; k++) {
      const t = tokens[i + k] as Token;
      ok = nameWord(t, words[k] as string) && (k === 0 || !t.newClause) && (k === words.length - 1 || !t.possessive);
    }
    if (ok) return words.length;
  }
  const t = tokens[i] as Token;
  // A common-word name opening a sentence is more likely the word ("Mark the incident as resolved");
  // as the subject of a blame verb it is still caught ("Will broke it", see personSubjectStart).
  if (t.newClause && COMMON_WORD_NAMES.has(t.word)) return 0;
  return names.first.has(t.word) && nameWord(t, t.word) ? 1 : 0;
}

/**
 * The token where the subject of the verb phrase at `i` starts, when that subject is a person; -1
 * otherwise. Looks back within the clause, over adverbs and auxiliaries ("she had just", "the
 * engineer accidentally"), at one word: a name, a pronoun, or a role noun.
 */
function personSubjectStart(tokens: readonly Token[], i: number, names: NameSet): number {
  let j = i - 1;
  if ((tokens[i] as Token).newClause) return -1;
  while (j >= 0 && SKIPPABLE.has((tokens[j] as Token).word)) {
    if ((tokens[j] as Token).newClause) return -1;
    j--;
  }
  if (j < 0) return -1;
  const t = tokens[j] as Token;
  if (t.possessive) return -1;
  if (PRONOUNS.has(t.word)) return j;
  if (names.parts.has(t.word) && nameWord(t, t.word)) {
    // Take the whole name: "Ana Lima broke" starts at Ana.
    let k = j;
    while (k > 0 && !(tokens[k] as Token).newClause && names.parts.has((tokens[k - 1] as Token).word) && !(tokens[k - 1] as Token).possessive) k--;
    return k;
  }
  if (ROLE_NOUNS.has(t.word)) {
    // Include the determiner and a compound ("the on-call engineer", "a new hire", "one team member").
    let k = j;
    while (k > 0 && k > j - 3 && !(tokens[k] as Token).newClause && /^(the|a|an|our|their|that|this|one|new|junior|senior|team|on-call|oncall)$/.test((tokens[k - 1] as Token).word)) k--;
    return k;
  }
  return -1;
}

function phraseAt(tokens: readonly Token[], i: number): Phrase | undefined {
  const candidates = BY_FIRST_WORD.get((tokens[i] as Token).word);
  if (candidates === undefined) return undefined;
  for (const p of candidates) {
    if (i + p.words.length > tokens.length) continue;
    let ok = true;
    for (let k = 1; k < p.words.length && ok; k++) {
      const t = tokens[i + k] as Token;
      ok = t.word === p.words[k] && !t.newClause && !(tokens[i + k - 1] as Token).possessive;
    }
    if (ok) return p;
  }
  return undefined;
}

function finding(section: string, text: string, start: number, end: number, rule: BlamelessRule): BlamelessFinding {
  return { section, start, end, text: text.slice(start, end), rule, ...MESSAGES[rule] };
}

/**
 * Reviews texts for blaming language; findings in the order of the texts, then by position. Never
 * throws on any text; an empty list means nothing to point out.
 *
 * @example
 *   reviewBlameless([{ section: 'root-cause', text: 'Ana broke checkout: human error.' }], { names: ['Ana Lima'] })
 *   // → person-name "Ana", blame-phrase "Ana broke", human-error "human error"
 */
export function reviewBlameless(texts: ReadonlyArray<{ section: string; text: string }>, options?: { names?: readonly string[] }): BlamelessFinding[] {
  const names = nameSet(options?.names ?? []);
  const findings: BlamelessFinding[] = [];
  for (const { section, text } of texts) {
    const tokens = tokenize(text);
    const flagNames = !NAME_EXEMPT_SECTIONS.includes(section);
    const own: BlamelessFinding[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as Token;
      const nameLength = names.parts.size > 0 ? nameAt(tokens, i, names) : 0;
      if (nameLength > 0) {
        const last = tokens[i + nameLength - 1] as Token;
        if (flagNames) own.push(finding(section, text, t.start, last.end, 'person-name'));
        // "Ana's fault", "Ana's mistake"
        const next = tokens[i + nameLength];
        if (last.possessive && next !== undefined && !next.newClause && (next.word === 'fault' || next.word === 'mistake' || next.word === 'error')) {
          own.push(finding(section, text, t.start, next.end, 'fault'));
        }
      } else if (t.possessive && (tokens[i + 1]?.word === 'fault') && !(tokens[i + 1] as Token).newClause && /^\p{Lu}/u.test(t.raw)) {
        // "Bob's fault" for someone not in the list: a capitalised possessive owning a fault.
        own.push(finding(section, text, t.start, (tokens[i + 1] as Token).end, 'fault'));
      }
      const p = phraseAt(tokens, i);
      if (p === undefined) continue;
      const end = (tokens[i + p.words.length - 1] as Token).end;
      if (!p.personSubject) {
        own.push(finding(section, text, t.start, end, p.rule));
        continue;
      }
      const subject = personSubjectStart(tokens, i, names);
      if (subject >= 0) own.push(finding(section, text, (tokens[subject] as Token).start, end, p.rule));
    }
    const seen = new Set<string>();
    own.sort((a, b) => a.start - b.start || a.end - b.end);
    for (const f of own) {
      const key = `${f.start}:${f.end}:${f.rule}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
  }
  return findings;
}
