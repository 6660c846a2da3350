import { createHash } from 'node:crypto';
import { isWebUrl, severityFromLabel, type AlertEvent, type Link, type Member, type Severity } from '../../../../core/alerts/alert.js';
import type { FieldIssue } from '../../../../contracts/errors.js';

/**
 * Prometheus Alertmanager webhook (`version: "4"`), as WIRE-FORMATS.md describes it. The group key
 * is the alert's dedup key (hashed when longer than 255 characters); members are keyed by
 * `fingerprint` (older Alertmanagers send none: a hash of the sorted labels stands in). Unknown fields
 * are ignored so newer Alertmanagers keep working. Problems name the field: `body.alerts.0.status`.
 */

export type AlertmanagerResult = { ok: true; event: AlertEvent & { action: 'group' } } | { ok: false; issues: FieldIssue[] };

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Alertmanager writes `0001-01-01T00:00:00Z` for "not set". */
const ZERO_TIME = /^0001-01-01T00:00:00/;

export function stringMap(value: unknown, path: string, issues: FieldIssue[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    issues.push({ path, message: 'must be an object of strings' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v;
    else issues.push({ path: `${path}.${k}`, message: 'must be a string' });
  }
  return out;
}

function instant(value: unknown, path: string, issues: FieldIssue[]): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    issues.push({ path, message: 'must be an RFC 3339 time' });
    return null;
  }
  if (ZERO_TIME.test(value)) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    issues.push({ path, message: 'must be an RFC 3339 time' });
    return null;
  }
  return ms;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * How a sender that uses Alertmanager's shape differs from it (Grafana: `version: "1"`, more fields on
 * the body and on each alert). The grouping itself — group key as dedup key, members by fingerprint,
 * severity from labels — is the same for all of them and lives here only.
 */
export interface AlertGroupFormat {
  /** The `version` the sender writes; another value is refused. */
  version: string;
  /** What the body is, for the error when it is not an object. */
  describe: string;
  /** Link text for `externalURL`. */
  externalUrlText: string;
  /** Extra member fields read from one alert (problems go to `issues`). */
  member?: (alert: Record<string, unknown>, path: string, issues: FieldIssue[]) => Pick<Member, 'links' | 'images' | 'details'>;
  /** Adjusts the event built from the body (title fallback, extra details, alert-level links). */
  event?: (event: AlertEvent & { action: 'group' }, body: Record<string, unknown>, issues: FieldIssue[]) => AlertEvent & { action: 'group' };
}

/** Severity from a `severity` label (`critical`, `warning`, …; aliases as severityFromLabel reads them), else `error`. */
export const severityOf = (labels: Record<string, string>): Severity => severityFromLabel(labels.severity) ?? 'error';

/** Reads an Alertmanager-shaped group notification (Alertmanager itself, Grafana). */
export function readAlertGroup(body: unknown, format: AlertGroupFormat): AlertmanagerResult {
  if (!isObject(body)) return { ok: false, issues: [{ path: 'body', message: `must be a JSON object (${format.describe})` }] };
  const issues: FieldIssue[] = [];
  if (body.version !== undefined && body.version !== format.version) issues.push({ path: 'body.version', message: `must be "${format.version}", got ${JSON.stringify(body.version).slice(0, 20)}` });
  if (typeof body.groupKey !== 'string' || body.groupKey === '') issues.push({ path: 'body.groupKey', message: 'is required (a non-empty string)' });
  if (body.status !== 'firing' && body.status !== 'resolved') issues.push({ path: 'body.status', message: 'must be "firing" or "resolved"' });
  if (!Array.isArray(body.alerts)) issues.push({ path: 'body.alerts', message: 'is required (an array of alerts)' });
  const commonLabels = stringMap(body.commonLabels, 'body.commonLabels', issues);
  const commonAnnotations = stringMap(body.commonAnnotations, 'body.commonAnnotations', issues);
  const groupLabels = stringMap(body.groupLabels, 'body.groupLabels', issues);
  const members: Member[] = [];
  (Array.isArray(body.alerts) ? body.alerts : []).forEach((a: unknown, i) => {
    const path = `body.alerts.${i}`;
    if (!isObject(a)) {
      issues.push({ path, message: 'must be an object' });
      return;
    }
    if (a.status !== 'firing' && a.status !== 'resolved') issues.push({ path: `${path}.status`, message: 'must be "firing" or "resolved"' });
    const labels = stringMap(a.labels, `${path}.labels`, issues);
    const annotations = stringMap(a.annotations, `${path}.annotations`, issues);
    if (a.fingerprint !== undefined && (typeof a.fingerprint !== 'string' || a.fingerprint === '')) issues.push({ path: `${path}.fingerprint`, message: 'must be a non-empty string' });
    if (a.generatorURL !== undefined && a.generatorURL !== null && typeof a.generatorURL !== 'string') issues.push({ path: `${path}.generatorURL`, message: 'must be a string' });
    const fingerprint =
      typeof a.fingerprint === 'string' && a.fingerprint !== ''
        ? a.fingerprint
        : sha256(JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]))).slice(0, 16);
    members.push({
      fingerprint,
      status: a.status === 'resolved' ? 'resolved' : 'firing',
      labels,
      annotations,
      startsAt: instant(a.startsAt, `${path}.startsAt`, issues),
      endsAt: instant(a.endsAt, `${path}.endsAt`, issues),
      generatorUrl: typeof a.generatorURL === 'string' && isWebUrl(a.generatorURL) ? a.generatorURL : null,
      ...(format.member ? format.member(a, path, issues) : {}),
    });
  });
  if (issues.length > 0) return { ok: false, issues };
  const groupKey = body.groupKey as string;
  const firstAnnotations = members[0]?.annotations ?? {};
  const title = commonAnnotations.summary ?? commonLabels.alertname ?? firstAnnotations.summary ?? (Object.entries(groupLabels).map(([k, v]) => `${k}=${v}`).join(', ') || groupKey);
  const links: Link[] = [];
  const runbook = commonAnnotations.runbook_url;
  if (runbook && isWebUrl(runbook)) links.push({ href: runbook, text: 'Runbook' });
  if (typeof body.externalURL === 'string' && isWebUrl(body.externalURL)) links.push({ href: body.externalURL, text: format.externalUrlText });
  const event: AlertEvent & { action: 'group' } = {
    action: 'group',
    dedupKey: groupKey.length <= 255 ? groupKey : `sha256:${sha256(groupKey)}`,
    title: title.slice(0, 1024),
    description: commonAnnotations.description ?? '',
    source: typeof body.externalURL === 'string' && body.externalURL !== '' ? body.externalURL : null,
    severity: severityOf(commonLabels),
    labels: commonLabels,
    details: { receiver: body.receiver ?? null, groupKey, groupLabels, commonAnnotations, truncatedAlerts: body.truncatedAlerts ?? 0 },
    links,
    images: [],
    members,
  };
  const adjusted = format.event ? format.event(event, body, issues) : event;
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, event: adjusted };
}

export function readAlertmanager(body: unknown): AlertmanagerResult {
  return readAlertGroup(body, { version: '4', describe: 'an Alertmanager webhook notification', externalUrlText: 'Alertmanager' });
}
