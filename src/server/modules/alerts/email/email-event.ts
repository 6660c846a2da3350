import type { AlertEvent, Severity } from '../../../../core/alerts/alert.js';

/**
 * How one email becomes one event (ADR 0017), as pure functions of the parsed message and the
 * integration's rules: subject → title, text body → description, keyword rules → resolve or
 * acknowledge, subject keywords → severity, and a dedup key that is the same for "Disk full on db-1"
 * and "RESOLVED: Disk full on db-1", so the second resolves the first.
 */

export interface KeywordPlaces {
  subject: string[];
  body: string[];
}

export interface EmailSettings {
  /** Matched against the subject: its first capture group (or the whole match) is the dedup key. */
  dedupKeyPattern: string | null;
  resolve: KeywordPlaces;
  acknowledge: KeywordPlaces;
  /** Subject keywords per severity, checked from critical down to info. */
  severity: Record<Severity, string[]>;
  defaultSeverity: Severity;
}

export interface EmailSettingsInput {
  dedupKeyPattern?: string | null | undefined;
  resolve?: Partial<KeywordPlaces> | undefined;
  acknowledge?: Partial<KeywordPlaces> | undefined;
  severity?: Partial<Record<Severity, string[] | undefined>> | undefined;
  defaultSeverity?: Severity | undefined;
}

export const DEFAULT_EMAIL_SETTINGS: EmailSettings = Object.freeze({
  dedupKeyPattern: null,
  resolve: { subject: ['RESOLVED', '[OK]', 'RECOVERY', 'Recovered'], body: [] },
  acknowledge: { subject: [], body: [] },
  severity: { critical: ['CRITICAL'], error: [], warning: ['WARNING'], info: [] },
  defaultSeverity: 'error',
});

/** The parts of a parsed message the rules read (postal-mime's `Email`, mapped at the edge). */
export interface Mail {
  subject: string;
  text: string;
  from: string | null;
  messageId: string | null;
  date: string | null;
}

/** RFC 5322 lines are at most 998 characters: a longer subject is not worth matching (and bounds regex cost). */
const SUBJECT_LIMIT = 998;
const severityOrder: Severity[] = ['critical', 'error', 'warning', 'info'];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A keyword as a case-insensitive pattern, whole-word where it starts or ends with a letter or digit:
 * `OK` matches "[OK] disk" and "ok:", never "broken"; `[OK]` matches wherever it appears.
 */
function keywordPattern(keyword: string): string {
  const head = /^[\p{L}\p{N}]/u.test(keyword) ? '(?<![\\p{L}\\p{N}])' : '';
  const tail = /[\p{L}\p{N}]$/u.test(keyword) ? '(?![\\p{L}\\p{N}])' : '';
  return `${head}${escape(keyword)}${tail}`;
}

export function containsKeyword(text: string, keywords: readonly string[]): boolean {
  return keywords.some((k) => new RegExp(keywordPattern(k), 'iu').test(text));
}

/**
 * The default dedup key: the subject without reply/forward prefixes and without the resolve,
 * acknowledge and severity keywords, lower-cased, punctuation at the ends and repeated spaces removed.
 */
export function normalizedSubject(subject: string, settings: EmailSettings): string {
  let s = subject.slice(0, SUBJECT_LIMIT);
  const keywords = [...settings.resolve.subject, ...settings.acknowledge.subject, ...severityOrder.flatMap((sev) => settings.severity[sev])];
  // Longest first, so `[OK]` goes before a plain `OK` that would leave the brackets behind.
  for (const k of [...keywords].sort((a, b) => b.length - a.length)) s = s.replace(new RegExp(keywordPattern(k), 'giu'), ' ');
  s = s.replace(/^\s*((re|fwd?|aw|wg|sv)\s*:\s*)+/i, '');
  s = s.replace(/[[({]\s*[\])}]/g, ' ');
  s = s.replace(/\s+/g, ' ').trim().replace(/^[\s:\-–—|,;.]+|[\s:\-–—|,;.]+$/g, '').toLowerCase();
  return s.slice(0, 255) || '(no subject)';
}

export function dedupKeyOf(subject: string, settings: EmailSettings): string {
  if (settings.dedupKeyPattern) {
    const match = new RegExp(settings.dedupKeyPattern, 'u').exec(subject.slice(0, SUBJECT_LIMIT));
    const key = (match?.[1] ?? match?.[0])?.trim();
    if (key) return key.slice(0, 255);
  }
  return normalizedSubject(subject, settings);
}

/** The event a message carries. */
export function readEmail(mail: Mail, settings: EmailSettings): AlertEvent {
  const subject = mail.subject.replace(/\s+/g, ' ').trim();
  const dedupKey = dedupKeyOf(subject, settings);
  const body = mail.text.slice(0, 100_000);
  const matches = (rules: KeywordPlaces) => containsKeyword(subject.slice(0, SUBJECT_LIMIT), rules.subject) || containsKeyword(body, rules.body);
  if (matches(settings.resolve)) return { action: 'resolve', dedupKey };
  if (matches(settings.acknowledge)) return { action: 'acknowledge', dedupKey };
  const severity = severityOrder.find((sev) => containsKeyword(subject.slice(0, SUBJECT_LIMIT), settings.severity[sev])) ?? settings.defaultSeverity;
  return {
    action: 'trigger',
    dedupKey,
    title: (subject || '(no subject)').slice(0, 1024),
    description: mail.text.trim().slice(0, 20_000),
    source: mail.from,
    severity,
    labels: mail.from ? { from: mail.from.slice(0, 200) } : {},
    details: { from: mail.from, messageId: mail.messageId, date: mail.date },
    links: [],
    images: [],
  };
}

export interface SettingsIssue {
  path: string;
  message: string;
}

/** Validates and merges settings over `base` (the current ones on an update). */
export function checkEmailSettings(input: EmailSettingsInput, base: EmailSettings = DEFAULT_EMAIL_SETTINGS): { ok: true; settings: EmailSettings } | { ok: false; issues: SettingsIssue[] } {
  const settings: EmailSettings = {
    dedupKeyPattern: input.dedupKeyPattern === undefined ? base.dedupKeyPattern : input.dedupKeyPattern || null,
    resolve: { subject: input.resolve?.subject ?? base.resolve.subject, body: input.resolve?.body ?? base.resolve.body },
    acknowledge: { subject: input.acknowledge?.subject ?? base.acknowledge.subject, body: input.acknowledge?.body ?? base.acknowledge.body },
    severity: Object.fromEntries(severityOrder.map((sev) => [sev, input.severity?.[sev] ?? base.severity[sev]])) as Record<Severity, string[]>,
    defaultSeverity: input.defaultSeverity ?? base.defaultSeverity,
  };
  const issues: SettingsIssue[] = [];
  if (settings.dedupKeyPattern !== null) {
    try {
      new RegExp(settings.dedupKeyPattern, 'u');
    } catch (error) {
      issues.push({ path: 'dedupKeyPattern', message: `is not a regular expression: ${(error as Error).message}` });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, settings };
}
