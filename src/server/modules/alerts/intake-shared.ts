import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { IntegrationRow, ServiceCatalog, ServiceRow } from '../services/service.service.js';
import type { AlertService } from './alert.service.js';

/** PagerDuty's limit, kept for every intake format. */
export const INTAKE_BODY_LIMIT = 512 * 1024;

/** Whether a key may send: the integration, or why not. */
export type Admission =
  | { ok: true; integration: IntegrationRow; service: ServiceRow }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'disabled' | 'wrong-type'; integration: IntegrationRow }
  | { ok: false; reason: 'throttled'; integration: IntegrationRow; retryAfterSeconds: number };

/** What the per-format intake files (`intake-*.ts`) share with `intake.routes.ts`. */
export interface IntakeContext {
  alerts: AlertService;
  services: ServiceCatalog;
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  /** Finds the integration of `type` for a key; `throttle: false` for reads that should not use up the rate limit. */
  admitKey(key: string, type: string, options?: { throttle?: boolean }): Promise<Admission>;
}

/**
 * The stored copy of an Events API v2 body: the routing key cut to its first characters (the event log
 * must not become a second copy of it). When the text holds exactly one `"routing_key":"<key>"`, as every
 * sender writes it, that is replaced in place; otherwise the parsed body is written out again.
 */
export function maskRoutingKey(text: string, body: Record<string, unknown>, key: string): string {
  const masked = JSON.stringify(`${key.slice(0, 6)}…`);
  const needle = `"routing_key":${JSON.stringify(key)}`;
  const at = text.indexOf(needle);
  if (at >= 0 && text.indexOf('"routing_key"') === at && text.indexOf('"routing_key"', at + 1) < 0) {
    return `${text.slice(0, at)}"routing_key":${masked}${text.slice(at + needle.length)}`;
  }
  return JSON.stringify({ ...body, routing_key: JSON.parse(masked) as string });
}

/** Sends a body as is (Opsgenie, VictorOps, change events: the vendor's shape, nothing added). */
export function sendAs(reply: FastifyReply, answer: { status: number; body: unknown; headers?: Record<string, string> }): FastifyReply {
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  return reply.status(answer.status).type('application/json; charset=utf-8').send(answer.body);
}

/** Parses the raw body as JSON; null when it is not JSON (or nests too deep, see {@link parseJsonText}). */
export function parseJsonBody(body: unknown): { value: unknown } | null {
  return parseJsonText(Buffer.isBuffer(body) ? body.toString('utf8') : '');
}

/**
 * Deeper JSON is refused: senders never nest this deep, and storing such a value (`JSON.stringify`)
 * would overflow the stack and answer 500 (a 100,000-level array fits in 400 KB).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests arrays or objects deeper than `max` (brackets inside strings do not count). */
export function nestedDeeperThan(text: string, max: number): boolean {
  // Nesting deeper than `max` takes more than `max` opening brackets: most bodies hold a handful, and
  // counting them with indexOf costs far less than reading every character.
  if (fewerThan(text, '{', '[', max + 1)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** Whether `text` holds fewer than `n` of the characters `a` and `b` together. */
function fewerThan(text: string, a: string, b: string, n: number): boolean {
  let count = 0;
  for (const c of [a, b]) {
    for (let at = text.indexOf(c); at >= 0; at = text.indexOf(c, at + 1)) if (++count >= n) return false;
  }
  return true;
}

const withoutNul = (_key: string, value: unknown): unknown => {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD');
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => k.includes('\u0000'))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll('\u0000', '\uFFFD'), v]));
  }
  return value;
};

/** Parses JSON text; null when it is not JSON, or nests deeper than {@link MAX_JSON_DEPTH}. */
export function parseJsonText(text: string): { value: unknown } | null {
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) return null;
  try {
    // PostgreSQL cannot store NUL (U+0000) in text: such characters become U+FFFD (�), so the alert is
    // kept on either database (a refused alert is a lost page). The scan is cheap; the reviver rare.
    return { value: (text.includes('\\u0000') ? JSON.parse(text, withoutNul) : JSON.parse(text)) as unknown };
  } catch {
    return null;
  }
}

/** The body as received, for the event log. */
export function rawOf(request: FastifyRequest): string {
  return Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
}

/** Opsgenie's `took`: seconds spent on the request, to the millisecond. */
export const tookOf = (reply: FastifyReply): number => Math.round(reply.elapsedTime) / 1000;
