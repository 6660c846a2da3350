import type { MessageText } from '../notify/messages.js';
import { MAX_SUBJECT_LENGTH } from '../notify/channels/channel.js';

/**
 * The label an incident's responder request puts on its paging alert (`incidents/responders`), with
 * the incident's reference (`INC-42`) as its value: such a page is worded as the request it is.
 */
export const INCIDENT_REQUEST_LABEL = 'firebreak.incident';

/**
 * Why this person is paged, which decides the closing words: a level of the alert's escalation (the
 * default), added to the alert as a responder (`responder:` pages, outside the levels), or asked into
 * an incident (a responder request's alert: "INC-42 needs you").
 */
export type PagePurpose = { kind: 'escalation' } | { kind: 'responder' } | { kind: 'incident'; incident: string; warRoomUrl: string };

export interface PageMessageInput {
  number: number;
  title: string;
  description: string;
  serviceName: string;
  severity: string;
  urgency: string;
  status: string;
  eventCount: number;
  /** ISO 8601. */
  firstSeenAt: string;
  /** 1-based level; null for the fallback. */
  level: number | null;
  round: number;
  personName: string;
  runbookUrl: string | null;
  dashboardUrl: string | null;
  links: ReadonlyArray<{ href: string; text: string | null }>;
  /** `<public URL>/alerts/<number>`. */
  alertUrl: string;
  /** Single-use acknowledge and resolve links for this person (email pages; ADR 0023). */
  actionLinks?: { acknowledge: string; resolve: string; expiresAt: number } | null;
  /** Default: a level of the escalation. */
  purpose?: PagePurpose;
}

/**
 * A page's words. The subject says what is wrong in at most 50 characters (phone calls and SMS previews
 * show only it): `#12 Checkout 5xx above 2%`, cut with an ellipsis. The body gives the details, the
 * runbook and dashboard, how many times the alert fired and the link to the alert page. Pure.
 */
export function pageMessage(input: PageMessageInput): MessageText {
  const purpose = input.purpose ?? { kind: 'escalation' };
  if (purpose.kind === 'incident') return incidentRequestMessage(input, purpose);
  const subject = fit(`#${input.number} ${input.title.replace(/\s+/g, ' ').trim()}`, MAX_SUBJECT_LENGTH);
  const step = input.level === null ? 'the fallback of the escalation' : `level ${input.level}${input.round > 0 ? ` (repeat ${input.round})` : ''} of the escalation`;
  const lines = [
    `${input.title}`,
    '',
    `Service: ${input.serviceName}`,
    `Severity: ${input.severity} · urgency: ${input.urgency} · status: ${input.status}`,
    `Fired ${input.eventCount} ${input.eventCount === 1 ? 'time' : 'times'} since ${input.firstSeenAt.slice(0, 16).replace('T', ' ')} UTC`,
  ];
  if (input.description.trim() !== '') lines.push('', input.description.trim().slice(0, 4000));
  const links: string[] = [];
  if (input.runbookUrl) links.push(`Runbook: ${input.runbookUrl}`);
  if (input.dashboardUrl) links.push(`Dashboard: ${input.dashboardUrl}`);
  for (const link of input.links.slice(0, 10)) links.push(`${link.text ?? 'Link'}: ${link.href}`);
  if (links.length > 0) lines.push('', ...links);
  if (input.actionLinks) {
    const until = new Date(input.actionLinks.expiresAt).toISOString().slice(0, 16).replace('T', ' ');
    lines.push('', `Acknowledge: ${input.actionLinks.acknowledge}`, `Resolve: ${input.actionLinks.resolve}`, `(Each link works once, for you only, until ${until} UTC; no login needed.)`);
  }
  const role =
    purpose.kind === 'responder'
      ? `You were added as a responder to this alert, ${input.personName}. Acknowledge it to say you are on it; the alert's own escalation goes on as it was.`
      : `You are paged as ${step}, ${input.personName}. If nobody acknowledges, the next level is paged.`;
  lines.push('', `Acknowledge or resolve it in Firebreak: ${input.alertUrl}`, '', role);
  return { subject, text: lines.join('\n') };
}

/**
 * A responder request's page: the subject is the request (`INC-42 needs you: Checkout errors`, no
 * alert number: the incident is what matters), the body who asks and why (the alert's description),
 * the one-click acknowledge link and the war room. Acknowledging says "I am coming"; the request's
 * escalation pages its next level when nobody does.
 */
function incidentRequestMessage(input: PageMessageInput, purpose: { incident: string; warRoomUrl: string }): MessageText {
  const subject = fit(input.title.replace(/\s+/g, ' ').trim(), MAX_SUBJECT_LENGTH);
  const lines = [input.title];
  if (input.description.trim() !== '') lines.push('', input.description.trim().slice(0, 4000));
  if (input.actionLinks) {
    const until = new Date(input.actionLinks.expiresAt).toISOString().slice(0, 16).replace('T', ' ');
    lines.push('', `Acknowledge: ${input.actionLinks.acknowledge}`, `(Works once, for you only, until ${until} UTC; no login needed.)`);
  }
  lines.push(
    '',
    `War room: ${purpose.warRoomUrl}`,
    `The page in Firebreak: ${input.alertUrl}`,
    '',
    `${purpose.incident} needs you, ${input.personName}: acknowledge this page to say you are coming, then join the war room. If nobody acknowledges, the request's escalation pages the next level.`,
  );
  return { subject, text: lines.join('\n') };
}

export interface ResolvedMessageInput {
  number: number;
  title: string;
  serviceName: string;
  /** Who resolved it, as the alert records it; null when unknown. */
  resolvedBy: string | null;
  /** ISO 8601. */
  resolvedAt: string;
  personName: string;
  alertUrl: string;
}

/** The notice sent to each person paged once the alert resolves: `Resolved: #12 Checkout 5xx above 2%`. Pure. */
export function resolvedMessage(input: ResolvedMessageInput): MessageText {
  const subject = fit(`Resolved: #${input.number} ${input.title.replace(/\s+/g, ' ').trim()}`, MAX_SUBJECT_LENGTH);
  const by = input.resolvedBy ? ` by ${input.resolvedBy}` : '';
  const lines = [
    `Resolved: ${input.title}`,
    '',
    `Service: ${input.serviceName}`,
    `Resolved${by} at ${input.resolvedAt.slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `You were paged for this alert, ${input.personName}; nothing more needs doing. The alert: ${input.alertUrl}`,
  ];
  return { subject, text: lines.join('\n') };
}

function fit(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}
