/**
 * Stakeholder updates (ADR 0032): templates, the message subscribers receive, the update cadence and
 * its reminder. Pure: times are epoch milliseconds passed in, never read from a clock.
 */

/** The template kinds: the first update of an incident, every later one, and the all clear. */
export type TemplateKind = 'first' | 'update' | 'all_clear';

/** Placeholders a template may use, written `{{name}}`. */
export const UPDATE_PLACEHOLDERS = ['reference', 'title', 'status', 'severity', 'impact', 'nextUpdateAt', 'summary', 'services'] as const;
export type UpdatePlaceholder = (typeof UPDATE_PLACEHOLDERS)[number];

/** The built-in templates, used until an admin replaces one. */
export const DEFAULT_UPDATE_TEMPLATES: Readonly<Record<TemplateKind, { name: string; text: string }>> = Object.freeze({
  first: {
    name: 'First update',
    text: 'We are investigating {{title}} ({{reference}}, {{severity}}). Impact: {{impact}}. Status: {{status}}. Next update by {{nextUpdateAt}}.',
  },
  update: {
    name: 'Regular update',
    text: '{{reference}} is {{status}}. Impact: {{impact}}. What changed: … Next update by {{nextUpdateAt}}.',
  },
  all_clear: {
    name: 'All clear',
    text: 'All clear: {{reference}} ({{title}}) is resolved. {{summary}}',
  },
});

/** The cadence when neither the incident nor its severity names one: the issue's 30 minutes. */
export const DEFAULT_CADENCE_MINUTES = 30;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Problems with a template's text: each unknown placeholder, named. Empty when it is usable. */
export function templateProblems(text: string): string[] {
  const known = new Set<string>(UPDATE_PLACEHOLDERS);
  const unknown = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) if (!known.has(match[1] as string)) unknown.add(match[1] as string);
  return [...unknown].map((name) => `unknown placeholder {{${name}}}; known: ${UPDATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`);
}

/**
 * Fills `{{placeholder}}`s. Unknown ones are left as written (a template is checked when it is saved,
 * so this only happens with a value the caller did not give).
 *
 * @example
 *   renderTemplate('{{reference}} is {{status}}', { reference: 'INC-4', status: 'monitoring' }) // 'INC-4 is monitoring'
 */
export function renderTemplate(text: string, values: Partial<Record<UpdatePlaceholder, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = (values as Record<string, string | undefined>)[name];
    return value === undefined ? whole : value;
  });
}

/** What the templates and messages say about an incident. */
export interface IncidentFacts {
  reference: string;
  title: string;
  severity: string;
  status: string;
  mitigated: boolean;
  customerImpact: string;
  summary: string;
  services: readonly string[];
}

/** `identified (mitigated)`: the status as people read it. */
export function statusLabel(facts: Pick<IncidentFacts, 'status' | 'mitigated'>): string {
  return facts.mitigated && facts.status !== 'resolved' ? `${facts.status} (mitigated)` : facts.status;
}

/** `10:30 UTC` (with the date when it is not the day of `now`). UTC: stakeholders sit in many zones. */
export function clockLabel(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** The placeholder values for an incident at `now`, with the next update due one cadence later. */
export function templateValues(facts: IncidentFacts, now: number, cadenceMinutes: number): Record<UpdatePlaceholder, string> {
  return {
    reference: facts.reference,
    title: facts.title,
    status: statusLabel(facts),
    severity: facts.severity,
    impact: facts.customerImpact.trim() === '' ? 'being assessed' : facts.customerImpact.trim(),
    nextUpdateAt: clockLabel(now + cadenceMinutes * 60_000, now),
    summary: facts.summary.trim(),
    services: facts.services.length === 0 ? 'none named' : facts.services.join(', '),
  };
}

/** Which template fits the next update: the first while none was posted, the all clear once resolved. */
export function suggestedTemplate(updatesSoFar: number, status: string): TemplateKind {
  if (status === 'resolved') return 'all_clear';
  return updatesSoFar === 0 ? 'first' : 'update';
}

/** Longest subject every channel shows whole (`MAX_SUBJECT_LENGTH` of the channel port). */
const MAX_SUBJECT = 50;

const fit = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * The message a subscriber receives for one update: the incident's reference, title, severity and
 * status as they were when it was posted, the update's text, and a link to the incident.
 *
 * @example
 *   stakeholderMessage({ facts, text: 'Rolled back.', allClear: false, postedBy: 'ana', postedAt, url, reason: 'you follow INC-4' })
 *   // { subject: '[INC-4] SEV2 monitoring: Checkout errors', text: 'INC-4: Checkout errors\nSeverity: SEV2 · Status: monitoring\n\nRolled back.\n…' }
 */
export function stakeholderMessage(input: { facts: IncidentFacts; text: string; allClear: boolean; postedBy: string | null; postedAt: number; url: string; reason: string }): { subject: string; text: string } {
  const { facts } = input;
  const head = input.allClear ? `[${facts.reference}] All clear` : `[${facts.reference}] ${facts.severity} ${statusLabel(facts)}`;
  const subject = fit(`${head}: ${facts.title}`, MAX_SUBJECT);
  const lines = [
    `${facts.reference}: ${facts.title}`,
    `Severity: ${facts.severity} · Status: ${statusLabel(facts)}`,
    ...(facts.services.length > 0 ? [`Services: ${facts.services.join(', ')}`] : []),
    '',
    input.text.trim(),
    '',
    `${input.allClear ? 'All clear posted' : 'Posted'}${input.postedBy ? ` by ${input.postedBy}` : ''} at ${new Date(input.postedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    `Follow the incident: ${input.url}`,
    '',
    `You receive this because ${input.reason}.`,
  ];
  return { subject, text: lines.join('\n') };
}

/** Where an incident's cadence comes from: its own setting, its severity's default, or 30 minutes. */
export function cadenceOf(input: { incidentMinutes: number | null; severityMinutes: number | null | undefined }): { minutes: number; source: 'incident' | 'severity' | 'default' } {
  if (input.incidentMinutes !== null) return { minutes: input.incidentMinutes, source: 'incident' };
  if (typeof input.severityMinutes === 'number' && Number.isInteger(input.severityMinutes) && input.severityMinutes > 0) return { minutes: input.severityMinutes, source: 'severity' };
  return { minutes: DEFAULT_CADENCE_MINUTES, source: 'default' };
}

/**
 * When the reminder is due: one cadence after the last update (or the declaration, before the first
 * update), but never before `now` (a shorter cadence set late reminds at once, not in the past).
 */
export function reminderDueAt(input: { lastUpdateAt: number | null; declaredAt: number; cadenceMinutes: number; now: number }): number {
  return Math.max(input.now, (input.lastUpdateAt ?? input.declaredAt) + input.cadenceMinutes * 60_000);
}

/** Who is reminded: the communications lead, or the commander while that role is vacant. */
export function reminderRecipient<P extends { role: string }>(roles: readonly P[]): { holder: P; role: 'communications_lead' | 'incident_commander' } | null {
  const lead = roles.find((r) => r.role === 'communications_lead');
  if (lead) return { holder: lead, role: 'communications_lead' };
  const commander = roles.find((r) => r.role === 'incident_commander');
  return commander ? { holder: commander, role: 'incident_commander' } : null;
}

/** The reminder's words: "No stakeholder update for 30 minutes: if nothing has changed, say so." */
export function reminderText(input: { reference: string; title: string; silentMinutes: number; url: string; role: 'communications_lead' | 'incident_commander'; personName: string }): { subject: string; text: string; timeline: string } {
  const span = formatMinutes(input.silentMinutes);
  const headline = `No stakeholder update for ${span}: if nothing has changed, say so.`;
  const why = input.role === 'communications_lead' ? 'you are the communications lead' : 'you are the incident commander and the communications lead role is vacant';
  return {
    subject: fit(`[${input.reference}] Stakeholder update due`, MAX_SUBJECT),
    text: [`${input.personName}, ${input.reference} (${input.title}): ${headline}`, '', `You are reminded because ${why}.`, `Post an update: ${input.url}`].join('\n'),
    timeline: headline,
  };
}

/** `30 minutes`, `1 hour`, `1 h 15 min`. */
export function formatMinutes(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (rest === 0) return `${h} hour${h === 1 ? '' : 's'}`;
  return `${h} h ${rest} min`;
}
