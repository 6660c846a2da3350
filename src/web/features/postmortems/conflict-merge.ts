import type { Postmortem } from '../../../contracts/postmortems.js';

/**
 * Three-way merge of the postmortem editor's text when a save answers 409: `base` is the version this
 * page started editing from, `mine` the unsaved text, `theirs` the postmortem now. Whatever only one
 * side changed is taken from that side without asking; a part both changed differently is a conflict
 * the author settles (keep mine, take theirs, or merge by hand). Nothing either side wrote is dropped
 * silently. Pure, so it is unit tested beside the page.
 */

export interface EditableSection {
  key: string;
  title: string;
  body: string;
  internal: boolean;
}

/**
 * The header fields the Details editor changes, as the text typed: people and services are handles
 * separated by commas, times ISO instants, '' for none. Named as the API names them, so a 409's
 * `theirs.fields` and the conflicts here use the same words.
 */
export interface EditableHeader {
  owner: string;
  authors: string;
  people: string;
  severity: string;
  services: string;
  occurredAt: string;
  endedAt: string;
  dueAt: string;
}
export type HeaderField = keyof EditableHeader;
export const headerFields: readonly HeaderField[] = ['owner', 'authors', 'people', 'severity', 'services', 'occurredAt', 'endedAt', 'dueAt'];
export const headerLabels: Record<HeaderField, string> = {
  owner: 'Owner', authors: 'Authors', people: 'People involved', severity: 'Severity', services: 'Services', occurredAt: 'Started', endedAt: 'Impact ended', dueAt: 'Due',
};
const listFields = new Set<HeaderField>(['authors', 'people', 'services']);

/** A comma-separated list as its items (trimmed, without a leading @, no empties or repeats). */
export function listOf(text: string): string[] {
  return [...new Set(text.split(',').map((v) => v.trim().replace(/^@/, '')).filter(Boolean))];
}

/** A header value compared as its meaning: lists by their items, times by their instant, the rest trimmed. */
function headerValue(field: HeaderField, text: string): string {
  if (listFields.has(field)) return listOf(text).join(', ');
  if (field === 'occurredAt' || field === 'endedAt' || field === 'dueAt') {
    const ms = Date.parse(text);
    return text.trim() === '' || Number.isNaN(ms) ? text.trim() : new Date(ms).toISOString();
  }
  return field === 'owner' ? text.trim().replace(/^@/, '') : text.trim();
}

/** The parts of a postmortem the editor changes as text. */
export interface EditableDoc {
  title: string;
  tags: string[];
  noActionItemsReason: string;
  sections: EditableSection[];
  header: EditableHeader;
}

/** `title`, `tags`, `noActionItemsReason` or `sections.<key>`. */
export type ConflictField = string;

export interface Conflict {
  field: ConflictField;
  /** What the field is called on screen: "Title", "Root cause". */
  label: string;
  /** null: that side removed the section. */
  mine: string | null;
  theirs: string | null;
}

export type Resolution = { choice: 'mine' } | { choice: 'theirs' } | { choice: 'hand'; text: string };

export interface MergeResult {
  /** Everything merged without asking; conflicting fields hold their own (mine) value until resolved. */
  merged: EditableDoc;
  conflicts: Conflict[];
  /** Fields taken from theirs without asking (only they changed them). */
  tookTheirs: ConflictField[];
}

/** The header of a postmortem as the Details editor shows it. */
export function headerOf(pm: Pick<Postmortem, 'owner' | 'authors' | 'people' | 'severity' | 'services' | 'occurredAt' | 'endedAt' | 'dueAt'>): EditableHeader {
  const handles = (list: readonly { handle: string }[]) => list.map((p) => p.handle).join(', ');
  return {
    owner: pm.owner?.handle ?? '',
    authors: handles(pm.authors),
    people: handles(pm.people),
    severity: pm.severity ?? '',
    services: handles(pm.services),
    occurredAt: pm.occurredAt ?? '',
    endedAt: pm.endedAt ?? '',
    dueAt: pm.dueAt ?? '',
  };
}

export function editableOf(pm: Pick<Postmortem, 'title' | 'tags' | 'noActionItemsReason' | 'sections' | 'owner' | 'authors' | 'people' | 'severity' | 'services' | 'occurredAt' | 'endedAt' | 'dueAt'>): EditableDoc {
  return {
    title: pm.title,
    tags: [...pm.tags],
    noActionItemsReason: pm.noActionItemsReason ?? '',
    sections: pm.sections.map((s) => ({ key: s.key, title: s.title, body: s.body, internal: s.internal })),
    header: headerOf(pm),
  };
}

const sameSection = (a: EditableSection | undefined, b: EditableSection | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.title === b.title && a.body === b.body && a.internal === b.internal);

/** The fields whose values differ between two versions, in the same names as conflicts use. */
export function changedFields(a: EditableDoc, b: EditableDoc): ConflictField[] {
  const fields: ConflictField[] = [];
  if (a.title !== b.title) fields.push('title');
  if (a.tags.join('\n') !== b.tags.join('\n')) fields.push('tags');
  if (a.noActionItemsReason !== b.noActionItemsReason) fields.push('noActionItemsReason');
  for (const field of headerFields) if (headerValue(field, a.header[field]) !== headerValue(field, b.header[field])) fields.push(field);
  const keys = new Set([...a.sections.map((s) => s.key), ...b.sections.map((s) => s.key)]);
  for (const key of keys) {
    if (!sameSection(a.sections.find((s) => s.key === key), b.sections.find((s) => s.key === key))) fields.push(`sections.${key}`);
  }
  return fields;
}

function mergeScalar(base: string, mine: string, theirs: string): { value: string; conflict: boolean; tookTheirs: boolean } {
  if (mine === theirs) return { value: mine, conflict: false, tookTheirs: false };
  if (mine === base) return { value: theirs, conflict: false, tookTheirs: true };
  if (theirs === base) return { value: mine, conflict: false, tookTheirs: false };
  return { value: mine, conflict: true, tookTheirs: false };
}

export function threeWayMerge(base: EditableDoc, mine: EditableDoc, theirs: EditableDoc): MergeResult {
  const conflicts: Conflict[] = [];
  const tookTheirs: ConflictField[] = [];
  const title = mergeScalar(base.title, mine.title, theirs.title);
  if (title.conflict) conflicts.push({ field: 'title', label: 'Title', mine: mine.title, theirs: theirs.title });
  if (title.tookTheirs) tookTheirs.push('title');
  const tags = mergeScalar(base.tags.join('\n'), mine.tags.join('\n'), theirs.tags.join('\n'));
  if (tags.conflict) conflicts.push({ field: 'tags', label: 'Tags', mine: mine.tags.join(', '), theirs: theirs.tags.join(', ') });
  if (tags.tookTheirs) tookTheirs.push('tags');
  const reason = mergeScalar(base.noActionItemsReason, mine.noActionItemsReason, theirs.noActionItemsReason);
  if (reason.conflict) conflicts.push({ field: 'noActionItemsReason', label: 'Why no action items', mine: mine.noActionItemsReason, theirs: theirs.noActionItemsReason });
  if (reason.tookTheirs) tookTheirs.push('noActionItemsReason');
  const header = { ...mine.header };
  for (const field of headerFields) {
    const merged = mergeScalar(headerValue(field, base.header[field]), headerValue(field, mine.header[field]), headerValue(field, theirs.header[field]));
    header[field] = merged.value;
    if (merged.conflict) conflicts.push({ field, label: headerLabels[field], mine: merged.value, theirs: headerValue(field, theirs.header[field]) });
    if (merged.tookTheirs) tookTheirs.push(field);
  }

  // Order: mine, with sections only theirs has placed after the section that precedes them there.
  const order: string[] = mine.sections.map((s) => s.key);
  theirs.sections.forEach((s, i) => {
    if (order.includes(s.key)) return;
    const before = theirs.sections[i - 1]?.key;
    const at = before === undefined ? 0 : order.indexOf(before);
    order.splice(before === undefined ? 0 : at < 0 ? order.length : at + 1, 0, s.key);
  });

  const sections: EditableSection[] = [];
  for (const key of order) {
    const b = base.sections.find((s) => s.key === key);
    const m = mine.sections.find((s) => s.key === key);
    const t = theirs.sections.find((s) => s.key === key);
    const field = `sections.${key}`;
    let chosen: EditableSection | undefined;
    if (sameSection(m, t)) chosen = m;
    else if (sameSection(m, b)) {
      chosen = t;
      tookTheirs.push(field);
    } else if (sameSection(t, b)) chosen = m;
    else {
      conflicts.push({ field, label: m?.title ?? t?.title ?? key, mine: m ? m.body : null, theirs: t ? t.body : null });
      chosen = m ?? t;
    }
    if (chosen) sections.push(chosen);
  }
  return { merged: { title: title.value, tags: tags.value ? tags.value.split('\n') : [], noActionItemsReason: reason.value, sections, header }, conflicts, tookTheirs };
}

/**
 * The document after the author settled every conflict. `theirs` supplies a section's title and
 * flags when only they still have it; "keep mine" on a section mine removed leaves it out.
 */
export function applyResolutions(result: MergeResult, theirs: EditableDoc, resolutions: ReadonlyMap<ConflictField, Resolution>): EditableDoc {
  const doc: EditableDoc = { ...result.merged, tags: [...result.merged.tags], sections: result.merged.sections.map((s) => ({ ...s })), header: { ...result.merged.header } };
  for (const conflict of result.conflicts) {
    const resolution = resolutions.get(conflict.field);
    if (!resolution) throw new Error(`The conflict on ${conflict.label} is not settled yet`);
    const text = resolution.choice === 'mine' ? conflict.mine : resolution.choice === 'theirs' ? conflict.theirs : resolution.text;
    if (conflict.field === 'title') doc.title = text ?? doc.title;
    else if (conflict.field === 'tags') doc.tags = (text ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    else if (conflict.field === 'noActionItemsReason') doc.noActionItemsReason = text ?? '';
    else if ((headerFields as readonly string[]).includes(conflict.field)) doc.header[conflict.field as HeaderField] = (text ?? '').trim();
    else {
      const key = conflict.field.slice('sections.'.length);
      const index = doc.sections.findIndex((s) => s.key === key);
      if (text === null) {
        if (index >= 0) doc.sections.splice(index, 1);
      } else if (index >= 0) {
        (doc.sections[index] as EditableSection).body = text;
      } else {
        const source = theirs.sections.find((s) => s.key === key);
        doc.sections.push({ key, title: source?.title ?? key, internal: source?.internal ?? false, body: text });
      }
    }
  }
  return doc;
}

/** Both versions in one text with markers, the starting point for "merge by hand". */
export function handMergeStart(conflict: Conflict): string {
  if (conflict.mine === null) return conflict.theirs ?? '';
  if (conflict.theirs === null) return conflict.mine;
  return `<<<<<<< mine\n${conflict.mine}\n=======\n${conflict.theirs}\n>>>>>>> theirs`;
}
