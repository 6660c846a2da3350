/**
 * Drafting a postmortem from its incident (issue 8): the header (title, severity, when it started and
 * when customer impact ended), and the template's sections pre-filled with what Firebreak already
 * knows: the summary and customer impact, a timeline from the incident's milestones and pinned
 * entries, the changes marked as the cause or a suspect, the linked alerts and the stakeholder updates
 * (labelled, in the appendix). The author edits from there; nothing here is final.
 *
 * Templates are editable, so content goes to the first section of the template that fits (for
 * example the timeline to `timeline`, else the appendix, else the summary), and never silently
 * disappears: a template with none of the known keys gets everything in its first section.
 *
 * Times are written in the incident's zone with Intl (one formatter per draft: formatting 2,000
 * entries takes a few milliseconds); this file applies no offsets itself and reads no clock.
 */
import type { NewSection, TemplateLike } from './templates.js';

/** What a postmortem is drafted from: the incident and what happened during it. Times are epoch ms. */
export interface DraftInput {
  incident: {
    reference: string;
    title: string;
    severity: string | null;
    summary: string;
    customerImpact: string;
    detectedAt: number;
    mitigatedAt: number | null;
    resolvedAt: number | null;
    /** IANA zone the times are written in, e.g. `UTC`, `Europe/Berlin`. */
    timeZone: string;
  };
  /** The incident's timeline; milestones and pinned entries make the postmortem's timeline. */
  timeline: ReadonlyArray<{ at: number; kind: string; text: string; pinned: boolean }>;
  alerts: ReadonlyArray<{ number: number; title: string; service: string | null }>;
  changes: ReadonlyArray<{ at: number; service: string; summary: string; mark: 'caused' | 'suspect'; link?: string | null }>;
  /** Stakeholder updates sent during the incident. */
  updates: ReadonlyArray<{ at: number; text: string; author: string }>;
  /** Responders and their roles (commander, comms lead, …). */
  people: ReadonlyArray<{ name: string; roles: readonly string[] }>;
}

/** The drafted header and sections. */
export interface Draft {
  title: string;
  severity: string | null;
  /** When it started: the incident's detection. */
  occurredAt: number;
  /** When customer impact ended: mitigated, else resolved; null while neither. */
  endedAt: number | null;
  durationMinutes: number | null;
  sections: NewSection[];
}

/** Where each kind of drafted content goes: the first of these keys the template has. */
const PLACES = {
  summary: ['summary'],
  impact: ['impact', 'summary'],
  timeline: ['timeline', 'appendix', 'supporting-information', 'summary'],
  changes: ['root-cause', 'root-causes', 'trigger', 'appendix', 'supporting-information', 'summary'],
  alerts: ['detection', 'appendix', 'supporting-information', 'root-cause', 'root-causes', 'summary'],
  updates: ['appendix', 'supporting-information', 'summary'],
  // Names belong where records are kept (blameless.ts exempts these); the header lists people anyway.
  people: ['appendix', 'supporting-information'],
} as const;

/** Content that may be left out when the template has none of its places (the header carries it). */
const OPTIONAL: ReadonlySet<keyof typeof PLACES> = new Set(['people']);

/**
 * A function writing an instant as `2027-03-01 14:02 UTC` in `timeZone` (zone abbreviation as Intl
 * names it: `UTC`, `GMT+1`, `EST`). Throws a RangeError naming the zone when it is not one.
 */
export function instantFormatter(timeZone: string): (ms: number) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
  } catch {
    throw new RangeError(`timeZone "${timeZone}" is not an IANA time zone`);
  }
  const fromParts = (ms: number) => {
    const p: Record<string, string> = {};
    for (const part of format.formatToParts(ms)) p[part.type] = part.value;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
  };
  // `format()` is several times faster than `formatToParts()` (2,000 timeline lines); en-US numeric
  // output is `03/01/2027, 14:02 UTC`, rearranged here. Should an ICU version ever write it
  // differently, the pattern does not match and the parts are used instead: same text, slower.
  return (ms) => {
    const m = US_NUMERIC.exec(format.format(ms));
    return m === null ? fromParts(ms) : `${m[3]}-${m[1]}-${m[2]} ${m[4]}:${m[5]} ${m[6]}`;
  };
}

const US_NUMERIC = /^(\d{2})\/(\d{2})\/(\d{4}), (\d{2}):(\d{2}) (\S.*)$/;

/** `38 minutes`, `2 hours 5 minutes`, `1 day 3 hours`: how long, for people. */
export function formatDuration(minutes: number): string {
  const m = Math.max(0, Math.floor(minutes));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (m < 60) return plural(m, 'minute');
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  const mins = m % 60;
  if (days > 0) return hours > 0 ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  return mins > 0 ? `${plural(hours, 'hour')} ${plural(mins, 'minute')}` : plural(hours, 'hour');
}

/** One line of text for a markdown list item: line breaks folded, surrounding space trimmed. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A markdown link for http(s) URLs only; anything else stays text (and is rendered as text). */
function linkTo(label: string, url: string | null | undefined): string {
  if (url === null || url === undefined || !/^https?:\/\/[^\s]+$/i.test(url.trim())) return '';
  const safe = url.trim().replace(/[()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return ` ([${label}](${safe}))`;
}

/**
 * Drafts a postmortem from an incident into the template's sections.
 *
 * @example
 *   draftPostmortem({ incident: { reference: 'INC-42', title: 'Checkout errors', …, timeZone: 'UTC' }, timeline, … }, builtInTemplate('standard')!)
 *   // sections[2].body: "- **2027-03-01 14:02 UTC** INC-42 declared (SEV2) by ana: Checkout errors\n…"
 */
export function draftPostmortem(input: DraftInput, template: TemplateLike): Draft {
  const { incident } = input;
  const at = instantFormatter(incident.timeZone);
  const endedAt = incident.mitigatedAt ?? incident.resolvedAt;
  const durationMinutes = endedAt === null ? null : Math.max(0, Math.floor((endedAt - incident.detectedAt) / 60_000));

  const sections: NewSection[] = template.sections.map((s) => ({ key: s.key, title: s.title, body: '', internal: s.internal ?? false }));
  const byKey = new Map(sections.map((s) => [s.key, s]));
  const parts = new Map<NewSection, string[]>();
  const put = (place: keyof typeof PLACES, text: string) => {
    if (text === '') return;
    const target = PLACES[place].map((k) => byKey.get(k)).find((s) => s !== undefined) ?? (OPTIONAL.has(place) ? undefined : sections[0]);
    if (target === undefined) return;
    const list = parts.get(target) ?? [];
    list.push(text);
    parts.set(target, list);
  };
  const heading = (place: keyof typeof PLACES, own: string, title: string) => (byKey.has(own) && PLACES[place].find((k) => byKey.has(k)) === own ? '' : `### ${title}\n\n`);

  // Summary: what the incident said, then the facts of when.
  const when = [
    `${incident.reference}${incident.severity === null ? '' : ` (${incident.severity})`}: detected ${at(incident.detectedAt)}`,
    incident.mitigatedAt === null ? null : `customer impact ended ${at(incident.mitigatedAt)}`,
    incident.resolvedAt === null ? null : `resolved ${at(incident.resolvedAt)}`,
  ].filter((x) => x !== null);
  const duration = durationMinutes === null ? '' : ` Duration of impact: ${formatDuration(durationMinutes)}.`;
  put('summary', [incident.summary.trim(), `${when.join(', ')}.${duration}`].filter((x) => x !== '').join('\n\n'));

  if (incident.customerImpact.trim() !== '') put('impact', `${heading('impact', 'impact', 'Impact')}${incident.customerImpact.trim()}${byKey.has('impact') ? duration : ''}`);

  // Timeline: milestones and pinned entries, oldest first (a stable sort keeps same-minute order).
  const entries = input.timeline.filter((e) => e.kind === 'milestone' || e.pinned);
  if (entries.length > 0) {
    const sorted = entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
    const lines = sorted.map(({ e }) => `- **${at(e.at)}** ${oneLine(e.text)}`);
    put('timeline', `${heading('timeline', 'timeline', 'Timeline')}${lines.join('\n')}`);
  }

  const caused = input.changes.filter((c) => c.mark === 'caused');
  const suspect = input.changes.filter((c) => c.mark === 'suspect');
  const changeLine = (c: DraftInput['changes'][number]) => `- **${at(c.at)}** ${oneLine(c.service)}: ${oneLine(c.summary)}${linkTo('change', c.link)}`;
  if (caused.length > 0) put('changes', `### Changes marked as the cause\n\n${caused.map(changeLine).join('\n')}`);
  if (suspect.length > 0) put('changes', `### Suspect changes\n\n${suspect.map(changeLine).join('\n')}`);

  if (input.alerts.length > 0) {
    const lines = input.alerts.map((a) => `- Alert #${a.number}: ${oneLine(a.title)}${a.service === null ? '' : ` (${oneLine(a.service)})`}`);
    put('alerts', `### Linked alerts\n\n${lines.join('\n')}`);
  }

  const people = input.people.filter((p) => p.roles.length > 0);
  if (people.length > 0) put('people', `### Responders\n\n${people.map((p) => `- ${oneLine(p.name)}: ${p.roles.join(', ')}`).join('\n')}`);

  if (input.updates.length > 0) {
    const sorted = [...input.updates].sort((a, b) => a.at - b.at);
    const blocks = sorted.map((u) => `- **${at(u.at)}**, ${oneLine(u.author)}: ${oneLine(u.text)}`);
    put('updates', `### Stakeholder updates\n\n${blocks.join('\n')}`);
  }

  for (const [section, texts] of parts) section.body = texts.join('\n\n');
  return { title: incident.title, severity: incident.severity, occurredAt: incident.detectedAt, endedAt, durationMinutes, sections };
}
