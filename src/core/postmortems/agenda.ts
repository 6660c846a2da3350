/**
 * The review meeting helper (issue 8): an agenda generated from the document — a brief summary and
 * timeline, the root cause discussion, the questions the document itself raises, and the action
 * items — and the informal round for small teams (what worked, what didn't, start, stop, improve),
 * whose answers are saved as the postmortem's review notes. Pure: the same document gives the same
 * agenda.
 */
import type { ReviewAgenda } from '../../contracts/postmortems.js';

/** What the agenda is generated from. */
export interface AgendaDocument {
  reference: string;
  title: string;
  sections: ReadonlyArray<{ key: string; title: string; body: string }>;
  actionItems: ReadonlyArray<{ reference: string; title: string; status: string; owner?: string | null }>;
  noActionItemsReason?: string | null;
}

/** The informal round's prompts, in the order the meeting goes through them. */
export const INFORMAL_ROUND: ReviewAgenda['informalRound'] = [
  { key: 'worked', prompt: 'What worked well in detecting, responding to and recovering from this?' },
  { key: 'didnt', prompt: 'What didn’t work, or slowed us down?' },
  { key: 'start', prompt: 'What should we start doing?' },
  { key: 'stop', prompt: 'What should we stop doing?' },
  { key: 'improve', prompt: 'What could we improve in our tools, alerts or process?' },
];

/** Sections whose text is the root cause discussion, in any template. */
const CAUSE_KEYS = ['root-cause', 'root-causes', 'trigger', 'contributing-factors'];
const SUMMARY_KEYS = ['summary'];
const TIMELINE_KEYS = ['timeline'];
/** How many timeline lines a brief timeline keeps: the first and the last few. */
const BRIEF_TIMELINE = 8;
const MAX_POINT = 280;
const MAX_QUESTIONS = 10;

/** Markdown reduced to a readable line: no link targets, emphasis or heading marks. */
function plain(text: string): string {
  const s = text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/^\s{0,3}(#{1,6}|>|[-+*]|\d+[.)])\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > MAX_POINT ? `${s.slice(0, MAX_POINT - 1).trimEnd()}…` : s;
}

function paragraphs(body: string): string[] {
  return body
    .split(/\n\s*\n/)
    .filter((p) => !/^\s{0,3}#{1,6}\s/.test(p.trim()) || p.trim().includes('\n'))
    .map(plain)
    .filter((p) => p !== '');
}

function sectionsOf(doc: AgendaDocument, keys: readonly string[]) {
  return doc.sections.filter((s) => keys.includes(s.key));
}

/** Sentences ending in a question mark, anywhere in the document. */
function questionsIn(doc: AgendaDocument): string[] {
  const found: string[] = [];
  for (const s of doc.sections) {
    // Link targets and bare URLs carry `?` in query strings; they are not questions.
    const text = s.body.replace(/\]\([^)]*\)/g, ']').replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '');
    for (const m of text.matchAll(/[^.!?\n]*\?/g)) {
      const q = plain(m[0]);
      if (q.length > 1 && !found.includes(q)) found.push(q);
    }
  }
  return found.slice(0, MAX_QUESTIONS);
}

/**
 * The review meeting's agenda, with a suggested length per item and the whole as Markdown to paste
 * into an invitation.
 */
export function reviewAgenda(doc: AgendaDocument): ReviewAgenda {
  const items: ReviewAgenda['items'] = [];

  const summary = sectionsOf(doc, SUMMARY_KEYS).flatMap((s) => paragraphs(s.body)).slice(0, 2);
  const lines = sectionsOf(doc, TIMELINE_KEYS)
    .flatMap((s) => s.body.split('\n'))
    .filter((l) => /^\s{0,3}[-+*]\s+\S/.test(l))
    .map(plain);
  const brief =
    lines.length <= BRIEF_TIMELINE
      ? lines
      : [...lines.slice(0, BRIEF_TIMELINE / 2), `… ${lines.length - BRIEF_TIMELINE} more entries …`, ...lines.slice(-BRIEF_TIMELINE / 2)];
  items.push({
    heading: 'Summary and timeline',
    minutes: 10,
    points: [...(summary.length > 0 ? summary : ['The summary is not written yet: the author walks through what happened.']), ...brief],
  });

  const causes = sectionsOf(doc, CAUSE_KEYS).flatMap((s) => paragraphs(s.body));
  items.push({
    heading: 'Root cause discussion',
    minutes: 20,
    points: [
      ...(causes.length > 0 ? causes.slice(0, 5) : ['No root cause written yet: what do we know, and what don’t we?']),
      'What made this possible, and what made it hard to see?',
      'Which contributing factors would make the next incident like this worse?',
      'What tool, check or default could have prevented or shortened it?',
    ],
  });

  const questions = questionsIn(doc);
  items.push({
    heading: 'Questions',
    minutes: questions.length > 0 ? Math.min(15, 5 + questions.length) : 5,
    points: questions.length > 0 ? questions : ['Open questions from the attendees.'],
  });

  const open = doc.actionItems.filter((i) => i.status !== 'done' && i.status !== 'wont_do');
  const actionPoints = doc.actionItems.map((i) => `${i.reference}: ${plain(i.title)} (${i.owner ?? 'no owner'}, ${i.status.replace('_', ' ')})`);
  if (doc.actionItems.length === 0) {
    const reason = doc.noActionItemsReason?.trim() ?? '';
    actionPoints.push(reason === '' ? 'No action items yet: agree on them, or on why none are needed (cost of doing something versus nothing).' : `No action items: ${plain(reason)}`);
  } else {
    actionPoints.push('Does every item have an owner, a priority and a due date? Is anything missing?');
  }
  items.push({ heading: 'Action items', minutes: Math.min(20, Math.max(5, 2 * open.length)), points: actionPoints });

  const title = `Postmortem review: ${doc.reference} ${plain(doc.title)}`;
  const total = items.reduce((sum, i) => sum + i.minutes, 0);
  const markdown = [
    `# ${title}`,
    `About ${total} minutes, then the informal round.`,
    ...items.map((i) => `## ${i.heading} (${i.minutes} min)\n\n${i.points.map((p) => `- ${p}`).join('\n')}`),
    `## Informal round\n\n${INFORMAL_ROUND.map((r) => `- ${r.prompt}`).join('\n')}`,
  ].join('\n\n');
  return { title, items, informalRound: INFORMAL_ROUND.map((r) => ({ ...r })), markdown: `${markdown}\n` };
}
