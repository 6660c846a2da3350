import type { AlertEvent, Image, Link, Severity } from '../../../../core/alerts/alert.js';
import { isWebUrl, severities } from '../../../../core/alerts/alert.js';

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`), read exactly as the vendor documents it (captured requests in test/fixtures/reference/)
 * describes it. Like PagerDuty, unknown fields are ignored (senders are other vendors' tools, not our
 * own clients), and every problem is reported as one string that starts with the field's path.
 */

export const EVENTS_V2_SUMMARY_MAX = 1024;
export const EVENTS_V2_DEDUP_KEY_MAX = 255;

export type EventsV2Result =
  | { ok: true; routingKey: string; event: AlertEvent; dedupKeyGenerated: boolean }
  | { ok: false; routingKey: string | null; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown): v is string | undefined | null => v === undefined || v === null || typeof v === 'string';

/** Reads one Events API v2 body. `newDedupKey` supplies the key for a trigger that has none. */
export function readEventsV2(body: unknown, newDedupKey: () => string): EventsV2Result {
  if (!isObject(body)) return { ok: false, routingKey: null, errors: ['The event must be a JSON object'] };
  const errors: string[] = [];
  const routingKey = typeof body.routing_key === 'string' && body.routing_key.length > 0 ? body.routing_key : null;
  if (body.routing_key === undefined || body.routing_key === null || body.routing_key === '') errors.push("routing_key: is missing or blank");
  else if (typeof body.routing_key !== 'string') errors.push('routing_key: must be a string');

  const action = body.event_action;
  if (action === undefined || action === null || action === '') errors.push("event_action: is missing or blank; expected 'trigger', 'acknowledge' or 'resolve'");
  else if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') errors.push(`event_action: must be 'trigger', 'acknowledge' or 'resolve', got ${JSON.stringify(action).slice(0, 40)}`);

  let dedupKey: string | null = null;
  if (body.dedup_key !== undefined && body.dedup_key !== null && body.dedup_key !== '') {
    if (typeof body.dedup_key !== 'string') errors.push('dedup_key: must be a string');
    else if (body.dedup_key.length > EVENTS_V2_DEDUP_KEY_MAX) errors.push(`dedup_key: must be at most ${EVENTS_V2_DEDUP_KEY_MAX} characters`);
    else dedupKey = body.dedup_key;
  } else if (action === 'acknowledge' || action === 'resolve') {
    errors.push(`dedup_key: is required for event_action '${action}'`);
  }

  if (action !== 'trigger') {
    if (errors.length > 0 || !routingKey || !dedupKey) return { ok: false, routingKey, errors };
    return { ok: true, routingKey, event: { action: action as 'acknowledge' | 'resolve', dedupKey }, dedupKeyGenerated: false };
  }

  const payload = body.payload;
  let summary = '';
  let source = '';
  let severity: Severity = 'error';
  const details: Record<string, unknown> = {};
  if (!isObject(payload)) {
    errors.push(payload === undefined || payload === null ? 'payload: is required for a trigger' : 'payload: must be an object');
  } else {
    if (typeof payload.summary !== 'string' || payload.summary.trim() === '') errors.push("payload.summary: is missing or blank");
    // Longer summaries are cut rather than refused: dropping a page over its title's length would lose it.
    else summary = payload.summary.length > EVENTS_V2_SUMMARY_MAX ? `${payload.summary.slice(0, EVENTS_V2_SUMMARY_MAX - 1)}…` : payload.summary;
    if (typeof payload.source !== 'string' || payload.source.trim() === '') errors.push("payload.source: is missing or blank");
    else source = payload.source;
    if (payload.severity === undefined || payload.severity === null || payload.severity === '') errors.push("payload.severity: is missing or blank; expected 'critical', 'error', 'warning' or 'info'");
    else if (!severities.includes(payload.severity as Severity)) errors.push(`payload.severity: must be 'critical', 'error', 'warning' or 'info', got ${JSON.stringify(payload.severity).slice(0, 40)}`);
    else severity = payload.severity as Severity;
    if (payload.timestamp !== undefined && payload.timestamp !== null) {
      if (typeof payload.timestamp !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(payload.timestamp) || Number.isNaN(Date.parse(payload.timestamp))) {
        errors.push('payload.timestamp: must be an ISO 8601 date and time, such as 2026-11-21T05:00:00.000Z');
      } else details.timestamp = payload.timestamp;
    }
    for (const field of ['component', 'group', 'class'] as const) {
      if (!optionalString(payload[field])) errors.push(`payload.${field}: must be a string`);
      else if (payload[field]) details[field] = payload[field];
    }
    if (payload.custom_details !== undefined && payload.custom_details !== null) details.custom_details = payload.custom_details;
  }
  for (const field of ['client', 'client_url'] as const) {
    if (!optionalString(body[field])) errors.push(`${field}: must be a string`);
    else if (body[field]) details[field] = body[field];
  }
  const links: Link[] = [];
  if (body.links !== undefined && body.links !== null) {
    if (!Array.isArray(body.links)) errors.push('links: must be an array');
    else
      body.links.forEach((l: unknown, i) => {
        if (!isObject(l) || typeof l.href !== 'string' || l.href === '') errors.push(`links.${i}.href: is missing or blank`);
        else if (!optionalString(l.text)) errors.push(`links.${i}.text: must be a string`);
        else if (isWebUrl(l.href)) links.push({ href: l.href, text: l.text ?? null });
      });
  }
  const images: Image[] = [];
  if (body.images !== undefined && body.images !== null) {
    if (!Array.isArray(body.images)) errors.push('images: must be an array');
    else
      body.images.forEach((m: unknown, i) => {
        if (!isObject(m) || typeof m.src !== 'string' || m.src === '') errors.push(`images.${i}.src: is missing or blank`);
        else if (!optionalString(m.href)) errors.push(`images.${i}.href: must be a string`);
        else if (!optionalString(m.alt)) errors.push(`images.${i}.alt: must be a string`);
        else if (isWebUrl(m.src)) images.push({ src: m.src, href: m.href && isWebUrl(m.href) ? m.href : null, alt: m.alt ?? null });
      });
  }
  if (errors.length > 0 || !routingKey) return { ok: false, routingKey, errors };
  const generated = dedupKey === null;
  const labels: Record<string, string> = {};
  if (typeof details.component === 'string') labels.component = details.component;
  if (typeof details.group === 'string') labels.group = details.group;
  if (typeof details.class === 'string') labels.class = details.class;
  return {
    ok: true,
    routingKey,
    dedupKeyGenerated: generated,
    event: { action: 'trigger', dedupKey: dedupKey ?? newDedupKey(), title: summary, description: '', source, severity, labels, details, links, images },
  };
}
