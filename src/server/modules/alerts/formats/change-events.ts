import { isWebUrl, type Link } from '../../../../core/alerts/alert.js';
import { isObject } from './alertmanager.js';

/**
 * PagerDuty change events (`POST /v2/change/enqueue`): deploys and configuration changes recorded on a
 * service, sent with an Events API v2 integration's routing key as in PagerDuty. They never open
 * alerts and never notify anyone.
 *
 * Body: `routing_key` (required), `payload.summary` (required, ≤1024; longer is cut),
 * `payload.timestamp` (ISO 8601; the receive time when absent), `payload.source`,
 * `payload.custom_details` (object), `links[] {href, text}`. Unknown fields are ignored, as PagerDuty
 * does. Problems are strings that start with the field's path, in the Events API's 400 body.
 */

export const CHANGE_SUMMARY_MAX = 1024;
const LINKS_MAX = 50;

export interface ChangeEvent {
  summary: string;
  source: string | null;
  /** Epoch ms from `payload.timestamp`; null when absent. */
  timestamp: number | null;
  links: Link[];
  details: Record<string, unknown> | null;
}

export type ChangeEventResult = { ok: true; routingKey: string; change: ChangeEvent } | { ok: false; routingKey: string | null; errors: string[] };

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function readChangeEvent(body: unknown): ChangeEventResult {
  if (!isObject(body)) return { ok: false, routingKey: null, errors: ['The event must be a JSON object'] };
  const errors: string[] = [];
  const routingKey = typeof body.routing_key === 'string' && body.routing_key.length > 0 ? body.routing_key : null;
  if (body.routing_key === undefined || body.routing_key === null || body.routing_key === '') errors.push('routing_key: is missing or blank');
  else if (typeof body.routing_key !== 'string') errors.push('routing_key: must be a string');
  let summary = '';
  let source: string | null = null;
  let timestamp: number | null = null;
  let details: Record<string, unknown> | null = null;
  const payload = body.payload;
  if (!isObject(payload)) {
    errors.push(payload === undefined || payload === null ? 'payload: is required' : 'payload: must be an object');
  } else {
    if (typeof payload.summary !== 'string' || payload.summary.trim() === '') errors.push('payload.summary: is missing or blank');
    else summary = payload.summary.length > CHANGE_SUMMARY_MAX ? `${payload.summary.slice(0, CHANGE_SUMMARY_MAX - 1)}…` : payload.summary;
    if (payload.source !== undefined && payload.source !== null) {
      if (typeof payload.source !== 'string') errors.push('payload.source: must be a string');
      else if (payload.source !== '') source = payload.source.slice(0, 1024);
    }
    if (payload.timestamp !== undefined && payload.timestamp !== null) {
      const parsed = typeof payload.timestamp === 'string' && ISO_8601.test(payload.timestamp) ? Date.parse(payload.timestamp) : Number.NaN;
      if (Number.isNaN(parsed)) errors.push('payload.timestamp: must be an ISO 8601 date and time, such as 2026-11-21T05:00:00.000Z');
      else timestamp = parsed;
    }
    if (payload.custom_details !== undefined && payload.custom_details !== null) {
      if (!isObject(payload.custom_details)) errors.push('payload.custom_details: must be an object');
      else details = payload.custom_details;
    }
  }
  const links: Link[] = [];
  if (body.links !== undefined && body.links !== null) {
    if (!Array.isArray(body.links)) errors.push('links: must be an array');
    else
      body.links.slice(0, LINKS_MAX).forEach((l: unknown, i) => {
        if (!isObject(l) || typeof l.href !== 'string' || l.href === '') errors.push(`links.${i}.href: is missing or blank`);
        else if (l.text !== undefined && l.text !== null && typeof l.text !== 'string') errors.push(`links.${i}.text: must be a string`);
        else if (isWebUrl(l.href)) links.push({ href: l.href, text: typeof l.text === 'string' ? l.text.slice(0, 500) : null });
      });
  }
  if (errors.length > 0 || !routingKey) return { ok: false, routingKey, errors };
  return { ok: true, routingKey, change: { summary, source, timestamp, links, details } };
}
