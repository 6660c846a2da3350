import type { FieldIssue } from '../../../../contracts/errors.js';
import type { WebhookMapping } from '../../../../contracts/alerts.js';
import { AppError } from '../../../../contracts/errors.js';
import { isWebUrl, severities, severityFromLabel, type Link, type Severity } from '../../../../core/alerts/alert.js';
import { evaluatePath, parsePath, type PathSegment } from '../../../../core/alerts/json-path.js';
import { isObject } from './alertmanager.js';
import { WEBHOOK_DEDUP_KEY_MAX, WEBHOOK_DESCRIPTION_MAX, WEBHOOK_TITLE_MAX, type WebhookResult } from './webhook.js';

/**
 * The generic webhook's optional per-integration mapping (docs/alerts.md, "Mapping arbitrary
 * payloads"): each field is a JSON path (`src/core/alerts/json-path.ts`) into the posted body.
 *
 * - `title` (required): text; numbers and booleans are written as text.
 * - `status`: the value is looked up in `statusMap` (exactly, then ignoring case), else must read
 *   `firing` or `resolved` (any case). Absent path or value: firing. Any other value is refused (400):
 *   guessing could resolve a live problem.
 * - `severity`: `severityMap`, then Firebreak's names and the usual synonyms (`page`, `warn`, `high`,
 *   …); anything else is `error` — a page with the wrong severity beats a lost page.
 * - `dedupKey`: text or number; generated and returned when firing without one; required to resolve.
 * - `description`, `source`: text (other JSON is written as JSON). `links`: a URL, a list of URLs, or a
 *   list of `{href|url, text|title|name}`. `labels`: an object whose scalar values become labels.
 * - `details`: any JSON; when not mapped, the whole body is kept as details.
 *
 * Problems name the field in the body: `body.alert.state: "WEIRD" is not in statusMap …`.
 */

const LIST_MAX = 50;

/** Where a path points, as an issue path: `$.items[0].id` → `body.items.0.id`. */
const issuePath = (segments: readonly PathSegment[]): string => ['body', ...segments.map(String)].join('.');

const mappedFields = ['title', 'dedupKey', 'status', 'severity', 'description', 'source', 'links', 'labels', 'details'] as const;

/**
 * Checks a mapping's paths when it is set (create or PATCH of a webhook integration) and returns the
 * stored column value. Throws VALIDATION_FAILED naming `body.mapping.<field>`.
 */
export function mappingColumn(type: string, mapping: WebhookMapping | null | undefined): string | null {
  if (!mapping) return null;
  if (type !== 'webhook') throw new AppError('VALIDATION_FAILED', 'Only webhook integrations read posts through a mapping', { issues: [{ path: 'body.mapping', message: 'is only accepted for type webhook' }] });
  const issues: FieldIssue[] = [];
  for (const field of mappedFields) {
    const path = mapping[field];
    if (path === undefined) continue;
    const parsed = parsePath(path);
    if (!parsed.ok) issues.push({ path: `body.mapping.${field}`, message: `is not a JSON path we can read: ${parsed.error}` });
  }
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid mapping. ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
  return JSON.stringify(mapping);
}

/** The stored mapping of an integration row; null when none. */
export function mappingOf(row: { mapping_json?: string | null }): WebhookMapping | null {
  return row.mapping_json ? (JSON.parse(row.mapping_json) as WebhookMapping) : null;
}

const asText = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
};

const lookup = <T>(map: Record<string, T> | undefined, value: string): T | undefined => {
  if (!map) return undefined;
  if (Object.prototype.hasOwnProperty.call(map, value)) return map[value];
  const lower = value.toLowerCase();
  const key = Object.keys(map).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : map[key];
};

function linksOf(value: unknown): Link[] {
  const items = Array.isArray(value) ? value.slice(0, LIST_MAX) : [value];
  const links: Link[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      if (isWebUrl(item)) links.push({ href: item, text: null });
    } else if (isObject(item)) {
      const href = typeof item.href === 'string' ? item.href : typeof item.url === 'string' ? item.url : null;
      const text = [item.text, item.title, item.name].find((t) => typeof t === 'string') as string | undefined;
      if (href && isWebUrl(href)) links.push({ href, text: text ? text.slice(0, 500) : null });
    }
  }
  return links;
}

/** Reads one post through a mapping into the same result as the documented fields give. */
export function readMapped(body: unknown, mapping: WebhookMapping, newDedupKey: () => string): WebhookResult {
  const issues: FieldIssue[] = [];
  const at = (field: (typeof mappedFields)[number]): { value: unknown; where: string } => {
    const path = mapping[field];
    if (path === undefined) return { value: undefined, where: `mapping.${field}` };
    const parsed = parsePath(path);
    if (!parsed.ok) return { value: undefined, where: `mapping.${field}` };
    return { value: evaluatePath(body, parsed.segments), where: issuePath(parsed.segments) };
  };

  let status: 'firing' | 'resolved' = 'firing';
  const s = at('status');
  const statusText = asText(s.value);
  if (statusText !== null && statusText !== '') {
    const mapped = lookup(mapping.statusMap, statusText);
    const plain = statusText.toLowerCase();
    if (mapped) status = mapped;
    else if (plain === 'firing' || plain === 'resolved') status = plain;
    else issues.push({ path: s.where, message: `${JSON.stringify(statusText.slice(0, 60))} is not in statusMap${mapping.statusMap ? ` (${Object.keys(mapping.statusMap).slice(0, 10).join(', ')})` : ''} and is not "firing" or "resolved"` });
  }

  const d = at('dedupKey');
  let dedupKey = asText(d.value);
  if (dedupKey === '') dedupKey = null;
  if (dedupKey !== null && dedupKey.length > WEBHOOK_DEDUP_KEY_MAX) issues.push({ path: d.where, message: `the dedup key must be at most ${WEBHOOK_DEDUP_KEY_MAX} characters` });

  if (status === 'resolved') {
    if (dedupKey === null && !issues.some((i) => i.path === d.where)) issues.push({ path: d.where, message: 'a dedup key is required to resolve (mapping.dedupKey must name a value present in the body)' });
    if (issues.length > 0 || dedupKey === null) return { ok: false, issues };
    return { ok: true, event: { action: 'resolve', dedupKey }, dedupKeyGenerated: false };
  }

  const t = at('title');
  const title = asText(t.value)?.trim() ?? '';
  if (title === '') issues.push({ path: t.where, message: 'the title is missing or blank (mapping.title must name a non-empty value)' });

  let severity: Severity = 'error';
  const sv = asText(at('severity').value);
  if (sv !== null && sv !== '') {
    const mapped = lookup(mapping.severityMap, sv);
    severity = mapped ?? (severities.includes(sv as Severity) ? (sv as Severity) : (severityFromLabel(sv) ?? 'error'));
  }

  const description = asText(at('description').value) ?? '';
  const source = asText(at('source').value);
  const linksValue = at('links').value;
  const labelsValue = at('labels').value;
  const labels: Record<string, string> = {};
  if (isObject(labelsValue)) {
    for (const [k, v] of Object.entries(labelsValue).slice(0, 100)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') labels[k.slice(0, 100)] = String(v).slice(0, 1000);
    }
  }
  const details = mapping.details === undefined ? body : (at('details').value ?? null);

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    dedupKeyGenerated: dedupKey === null,
    event: {
      action: 'trigger',
      dedupKey: dedupKey ?? newDedupKey(),
      title: title.length > WEBHOOK_TITLE_MAX ? `${title.slice(0, WEBHOOK_TITLE_MAX - 1)}…` : title,
      description: description.length > WEBHOOK_DESCRIPTION_MAX ? `${description.slice(0, WEBHOOK_DESCRIPTION_MAX - 1)}…` : description,
      source: source ? source.slice(0, 1024) : null,
      severity,
      labels,
      details,
      links: linksValue === undefined || linksValue === null ? [] : linksOf(linksValue),
      images: [],
    },
  };
}
