/**
 * Postmortem templates that ship with Firebreak (issue 8): `standard` (the default order),
 * `short` (a one-page form for small incidents) and `google-sre` (the layout of the Google SRE book's
 * example postmortem). A stored template with a built-in's handle replaces it (the server decides
 * that); these are the defaults. Guidance is shown to the author as a placeholder and is never part
 * of the document, which is why new sections start with an empty body.
 */

/** A section of a template. */
export interface BuiltInTemplateSection {
  readonly key: string;
  readonly title: string;
  readonly guidance: string;
  readonly internal: boolean;
}

/** A template that ships with Firebreak. */
export interface BuiltInTemplate {
  readonly handle: string;
  readonly title: string;
  readonly description: string;
  readonly sections: readonly BuiltInTemplateSection[];
}

/** Anything with sections: a built-in, a stored template (API shape), a config-as-code spec. */
export interface TemplateLike {
  readonly sections: ReadonlyArray<{ readonly key: string; readonly title: string; readonly guidance?: string; readonly internal?: boolean }>;
}

/** A section of a new document. */
export interface NewSection {
  key: string;
  title: string;
  body: string;
  internal: boolean;
}

/** The template a postmortem starts from when none is named. */
export const DEFAULT_TEMPLATE = 'standard';

const section = (key: string, title: string, guidance: string, internal = false): BuiltInTemplateSection => Object.freeze({ key, title, guidance, internal });

const SUMMARY = 'What happened, when, and who was affected, in two paragraphs at most. Someone who reads only this should know the outcome.';
const IMPACT = 'Customers and users affected, for how long, support cases, revenue, SLO/SLA effect (error budget spent). Add graphs as images: monitoring data expires, the record should not.';
const TIMELINE = 'Timestamped lines, oldest first, with links: detection, escalation, key decisions, mitigation, resolution. Drafted from the incident’s milestones and pinned entries.';
const ROOT_CAUSE = 'Why it happened, and the contributing factors that let it happen or made it worse. Describe systems and conditions, not people: ask what made the mistake easy and the problem hard to see.';
const ACTION_ITEMS = 'What will stop it happening again or make it smaller next time: each item with an owner, a priority and a due date, tracked below. With no action items, say why (the cost of doing something versus nothing).';
const APPENDIX = 'Supporting material, each piece labelled: chat logs, screenshots, graphs, links, stakeholder updates.';

/** The built-in templates, frozen. */
export const builtInTemplates: readonly BuiltInTemplate[] = Object.freeze([
  Object.freeze({
    handle: 'standard',
    title: 'Standard postmortem',
    description: 'Summary, impact, timeline, root cause, action items and appendix.',
    sections: Object.freeze([
      section('summary', 'Summary', SUMMARY),
      section('impact', 'Impact', IMPACT),
      section('timeline', 'Timeline', TIMELINE),
      section('root-cause', 'Root cause', ROOT_CAUSE),
      section('action-items', 'Action items', ACTION_ITEMS),
      section('appendix', 'Appendix', APPENDIX, true),
    ]),
  }),
  Object.freeze({
    handle: 'short',
    title: 'Short postmortem',
    description: 'A one-page form for small incidents: summary, root cause, action items.',
    sections: Object.freeze([
      section('summary', 'Summary', `${SUMMARY} Include the impact and how long it lasted.`),
      section('root-cause', 'Root cause', ROOT_CAUSE),
      section('action-items', 'Action items', ACTION_ITEMS),
    ]),
  }),
  Object.freeze({
    handle: 'google-sre',
    title: 'Google SRE postmortem',
    description: 'The layout of the example postmortem in Google’s Site Reliability Engineering book.',
    sections: Object.freeze([
      section('summary', 'Summary', SUMMARY),
      section('impact', 'Impact', IMPACT),
      section('root-causes', 'Root causes', ROOT_CAUSE),
      section('trigger', 'Trigger', 'The change or event that set the latent cause off (a deploy, a traffic spike, a certificate expiring).'),
      section('resolution', 'Resolution', 'What was done to mitigate and then resolve it, and why that worked.'),
      section('detection', 'Detection', 'How we found out (alert, customer report, chance) and how long it took; what would have shown it sooner.'),
      section('action-items', 'Action items', ACTION_ITEMS),
      section('lessons-learned', 'Lessons learned', 'What went well, what went wrong, and where we got lucky.'),
      section('timeline', 'Timeline', TIMELINE),
      section('supporting-information', 'Supporting information', APPENDIX, true),
    ]),
  }),
]);

/** The built-in template with this handle, if there is one. */
export function builtInTemplate(handle: string): BuiltInTemplate | undefined {
  return builtInTemplates.find((t) => t.handle === handle);
}

/**
 * The sections a new postmortem starts with: the template's keys, titles and internal flags in its
 * order, with empty bodies (guidance stays in the template, shown as a placeholder).
 */
export function sectionsFromTemplate(template: TemplateLike): { key: string; title: string; body: ''; internal: boolean }[] {
  return template.sections.map((s) => ({ key: s.key, title: s.title, body: '' as const, internal: s.internal ?? false }));
}
