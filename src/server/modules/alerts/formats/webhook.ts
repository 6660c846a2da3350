import { isWebUrl, severities, type AlertEvent, type Image, type Link, type Severity } from '../../../../core/alerts/alert.js';
import type { FieldIssue } from '../../../../contracts/errors.js';
import { isObject, stringMap } from './alertmanager.js';

/**
 * Firebreak's generic JSON webhook (`POST /integrations/webhook/{key}`), for tools that can post JSON
 * but speak none of the other formats. Documented fields (docs/alerts.md):
 *
 * - `title` (string ≤1024, required when firing), `status` (`firing` | `resolved`, default `firing`),
 * - `dedupKey` (string ≤255; optional when firing — one is generated and returned; required when resolved),
 * - `severity` (`critical` | `error` | `warning` | `info`, default `error`), `description` (≤20000),
 * - `source` (string), `links[] {href, text?}`, `images[] {src, href?, alt?}`, `labels` (string map),
 *   `details` (any JSON object).
 *
 * `firing` behaves as an Events API v2 trigger (same key: one alert, event count rises), `resolved`
 * as a resolve. Unknown fields are ignored. Problems name the field: `body.severity`.
 */

export const WEBHOOK_TITLE_MAX = 1024;
export const WEBHOOK_DEDUP_KEY_MAX = 255;
export const WEBHOOK_DESCRIPTION_MAX = 20_000;
const LIST_MAX = 50;

export type WebhookResult = { ok: true; event: AlertEvent; dedupKeyGenerated: boolean } | { ok: false; issues: FieldIssue[] };

const optionalString = (body: Record<string, unknown>, field: string, max: number, issues: FieldIssue[]): string | null => {
  const v = body[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') {
    issues.push({ path: `body.${field}`, message: 'must be a string' });
    return null;
  }
  if (v.length > max) {
    issues.push({ path: `body.${field}`, message: `must be at most ${max} characters` });
    return null;
  }
  return v;
};

export function readWebhook(body: unknown, newDedupKey: () => string): WebhookResult {
  if (!isObject(body)) return { ok: false, issues: [{ path: 'body', message: 'must be a JSON object ({title, status, dedupKey, severity, description, links, details})' }] };
  const issues: FieldIssue[] = [];
  const status = body.status === undefined || body.status === null ? 'firing' : body.status;
  if (status !== 'firing' && status !== 'resolved') issues.push({ path: 'body.status', message: 'must be "firing" or "resolved"' });
  const dedupKey = optionalString(body, 'dedupKey', WEBHOOK_DEDUP_KEY_MAX, issues);
  if (status === 'resolved') {
    if (!dedupKey && !issues.some((i) => i.path === 'body.dedupKey')) issues.push({ path: 'body.dedupKey', message: 'is required when status is "resolved"' });
    if (issues.length > 0 || !dedupKey) return { ok: false, issues };
    return { ok: true, event: { action: 'resolve', dedupKey }, dedupKeyGenerated: false };
  }
  const title = optionalString(body, 'title', Number.MAX_SAFE_INTEGER, issues);
  if (title === null && !issues.some((i) => i.path === 'body.title')) issues.push({ path: 'body.title', message: 'is required (a non-empty string)' });
  let severity: Severity = 'error';
  if (body.severity !== undefined && body.severity !== null) {
    if (!severities.includes(body.severity as Severity)) issues.push({ path: 'body.severity', message: 'must be "critical", "error", "warning" or "info"' });
    else severity = body.severity as Severity;
  }
  const description = optionalString(body, 'description', WEBHOOK_DESCRIPTION_MAX, issues) ?? '';
  const source = optionalString(body, 'source', 1024, issues);
  const labels = stringMap(body.labels, 'body.labels', issues);
  let details: Record<string, unknown> | null = null;
  if (body.details !== undefined && body.details !== null) {
    if (!isObject(body.details)) issues.push({ path: 'body.details', message: 'must be an object' });
    else details = body.details;
  }
  const links: Link[] = [];
  if (body.links !== undefined && body.links !== null) {
    if (!Array.isArray(body.links) || body.links.length > LIST_MAX) issues.push({ path: 'body.links', message: `must be an array of at most ${LIST_MAX} links` });
    else
      body.links.forEach((l: unknown, i) => {
        if (!isObject(l) || typeof l.href !== 'string' || l.href === '') issues.push({ path: `body.links.${i}.href`, message: 'is required (a string)' });
        else if (l.text !== undefined && l.text !== null && typeof l.text !== 'string') issues.push({ path: `body.links.${i}.text`, message: 'must be a string' });
        else if (isWebUrl(l.href)) links.push({ href: l.href, text: typeof l.text === 'string' ? l.text.slice(0, 500) : null });
      });
  }
  const images: Image[] = [];
  if (body.images !== undefined && body.images !== null) {
    if (!Array.isArray(body.images) || body.images.length > LIST_MAX) issues.push({ path: 'body.images', message: `must be an array of at most ${LIST_MAX} images` });
    else
      body.images.forEach((m: unknown, i) => {
        if (!isObject(m) || typeof m.src !== 'string' || m.src === '') issues.push({ path: `body.images.${i}.src`, message: 'is required (a string)' });
        else if (m.href !== undefined && m.href !== null && typeof m.href !== 'string') issues.push({ path: `body.images.${i}.href`, message: 'must be a string' });
        else if (m.alt !== undefined && m.alt !== null && typeof m.alt !== 'string') issues.push({ path: `body.images.${i}.alt`, message: 'must be a string' });
        else if (isWebUrl(m.src)) images.push({ src: m.src, href: typeof m.href === 'string' && isWebUrl(m.href) ? m.href : null, alt: typeof m.alt === 'string' ? m.alt.slice(0, 500) : null });
      });
  }
  if (issues.length > 0 || title === null) return { ok: false, issues };
  return {
    ok: true,
    dedupKeyGenerated: dedupKey === null,
    event: {
      action: 'trigger',
      dedupKey: dedupKey ?? newDedupKey(),
      // Longer titles are cut rather than refused, as for Events API v2: losing a page over its title's length is worse.
      title: title.length > WEBHOOK_TITLE_MAX ? `${title.slice(0, WEBHOOK_TITLE_MAX - 1)}…` : title,
      description,
      source,
      severity,
      labels,
      details,
      links,
      images,
    },
  };
}
