import type { AlertEvent, Severity } from '../../../../core/alerts/alert.js';
import { isObject } from './alertmanager.js';

/**
 * Opsgenie Alert API v2 (`POST /v2/alerts`, `Authorization: GenieKey <key>`), read as Opsgenie
 * documents it (docs.opsgenie.com/docs/alert-api; ADR 0016 lists the sources). Opsgenie reports
 * validation problems as `422 {"message":"Request body is not processable. Please check the errors.",
 * "errors":{"<field>":"<problem>"},"took":…,"requestId":…}`: `errors` maps the field to the problem.
 *
 * Limits are Opsgenie's: `message` 130, `alias` 512, `description` 15000 characters, 20 tags of 50,
 * details keys 8000 characters in all. Like Opsgenie, values over a limit are cut rather than refused
 * (a lost page costs more than a cut title) — except `alias`, which is the dedup key: cutting it could
 * merge two different problems, so an over-long alias is refused.
 */

export const OPSGENIE_MESSAGE_MAX = 130;
export const OPSGENIE_ALIAS_MAX = 512;
export const OPSGENIE_DESCRIPTION_MAX = 15_000;
export const OPSGENIE_TAGS_MAX = 20;
export const OPSGENIE_TAG_MAX = 50;
export const OPSGENIE_NOTE_MAX = 25_000;

/** Opsgenie priority → Firebreak severity (P3, the default, is a warning: low urgency unless the service says otherwise). */
export const priorityToSeverity: Record<string, Severity> = { P1: 'critical', P2: 'error', P3: 'warning', P4: 'info', P5: 'info' };

export type OpsgenieErrors = Record<string, string>;
export type OpsgenieCreate = { ok: true; event: AlertEvent & { action: 'trigger' }; alias: string; aliasGenerated: boolean } | { ok: false; errors: OpsgenieErrors };

const cut = (value: string, max: number): string => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

function optionalString(body: Record<string, unknown>, field: string, errors: OpsgenieErrors): string | null {
  const v = body[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') {
    errors[field] = 'should be a string';
    return null;
  }
  return v;
}

/** Opsgenie `details` are a string map; numbers and booleans are written as text, nested values as JSON. */
function detailsOf(value: unknown, errors: OpsgenieErrors): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    errors.details = 'should be a map of key-value pairs';
    return {};
  }
  const out: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    size += k.length + text.length;
    if (size > 8000) break;
    out[k] = text;
  }
  return out;
}

/**
 * Reads a create-alert body. `newAlias` supplies the dedup key when there is no alias (Opsgenie then
 * opens a new alert every time).
 *
 * Mapping: `message` → title, `alias` → dedup key, `description`, `priority` P1–P5 → severity
 * critical/error/warning/info/info, `source`, `tags` → labels (`key:value` tags become `key=value`,
 * plain tags a label with an empty value), `details` → labels (and details), `entity` → label
 * `entity`. `responders`, `visibleTo`, `actions` and `user` are accepted and kept in details only:
 * routing is Firebreak's job.
 */
export function readOpsgenieCreate(body: unknown, newAlias: () => string): OpsgenieCreate {
  if (!isObject(body)) return { ok: false, errors: { body: 'should be a JSON object' } };
  const errors: OpsgenieErrors = {};
  let message: string | null = null;
  if (typeof body.message !== 'string' || body.message.trim() === '') errors.message = body.message === undefined || body.message === null || body.message === '' ? 'Message can not be empty.' : 'should be a string';
  else message = cut(body.message.trim(), OPSGENIE_MESSAGE_MAX);
  const alias = optionalString(body, 'alias', errors);
  if (alias !== null && alias.length > OPSGENIE_ALIAS_MAX) errors.alias = `should be at most ${OPSGENIE_ALIAS_MAX} characters`;
  const description = optionalString(body, 'description', errors);
  const source = optionalString(body, 'source', errors);
  const entity = optionalString(body, 'entity', errors);
  const user = optionalString(body, 'user', errors);
  const note = optionalString(body, 'note', errors);
  let severity: Severity = 'warning';
  let priority = 'P3';
  if (body.priority !== undefined && body.priority !== null && body.priority !== '') {
    const p = body.priority;
    if (typeof p !== 'string' || !(p in priorityToSeverity)) errors.priority = 'should be one of [ P1, P2, P3, P4, P5 ]';
    else {
      priority = p;
      severity = priorityToSeverity[p] as Severity;
    }
  }
  for (const field of ['responders', 'visibleTo', 'actions'] as const) {
    const v = body[field];
    if (v !== undefined && v !== null && !Array.isArray(v)) errors[field] = 'should be an array';
  }
  if (Array.isArray(body.responders)) {
    body.responders.forEach((r: unknown, i) => {
      if (!isObject(r) || (r.id === undefined && r.name === undefined && r.username === undefined)) errors[`responders[${i}]`] = 'id, name or username should be provided';
    });
  }
  const labels: Record<string, string> = {};
  if (body.tags !== undefined && body.tags !== null) {
    if (!Array.isArray(body.tags)) errors.tags = 'should be an array of strings';
    else
      body.tags.slice(0, OPSGENIE_TAGS_MAX).forEach((t: unknown, i) => {
        if (typeof t !== 'string') errors[`tags[${i}]`] = 'should be a string';
        else if (t.trim() !== '') {
          const tag = t.trim().slice(0, OPSGENIE_TAG_MAX);
          const colon = tag.indexOf(':');
          if (colon > 0) labels[tag.slice(0, colon).trim()] = tag.slice(colon + 1).trim();
          else labels[tag] = '';
        }
      });
  }
  const details = detailsOf(body.details, errors);
  if (Object.keys(errors).length > 0 || message === null) return { ok: false, errors };
  for (const [k, v] of Object.entries(details)) labels[k] = v.slice(0, 1000);
  if (entity) labels.entity = entity.slice(0, 512);
  const kept: Record<string, unknown> = { priority };
  if (Object.keys(details).length > 0) kept.details = details;
  if (entity) kept.entity = entity;
  if (user) kept.user = user;
  if (note) kept.note = cut(note, OPSGENIE_NOTE_MAX);
  for (const field of ['responders', 'visibleTo', 'actions'] as const) if (Array.isArray(body[field]) && (body[field] as unknown[]).length > 0) kept[field] = body[field];
  const dedupKey = alias ?? newAlias();
  return {
    ok: true,
    alias: dedupKey,
    aliasGenerated: alias === null,
    event: { action: 'trigger', dedupKey, title: message, description: description ? cut(description, OPSGENIE_DESCRIPTION_MAX) : '', source: source ?? 'opsgenie', severity, labels, details: kept, links: [], images: [] },
  };
}

export type IdentifierType = 'id' | 'alias' | 'tiny';
export type OpsgenieAction = { ok: true; identifierType: IdentifierType; note: string | null; user: string | null } | { ok: false; errors: OpsgenieErrors };

/**
 * Reads acknowledge/close: `identifierType` from the query (`id` by default), an optional body
 * `{user, source, note}` (an empty body is fine: Opsgenie's clients often send none).
 */
export function readOpsgenieAction(identifierType: unknown, body: unknown): OpsgenieAction {
  const errors: OpsgenieErrors = {};
  const type = identifierType === undefined || identifierType === '' ? 'id' : identifierType;
  if (type !== 'id' && type !== 'alias' && type !== 'tiny') errors.identifierType = 'should be one of [ id, alias, tiny ]';
  let note: string | null = null;
  let user: string | null = null;
  if (body !== undefined && body !== null) {
    if (!isObject(body)) errors.body = 'should be a JSON object';
    else {
      note = optionalString(body, 'note', errors);
      user = optionalString(body, 'user', errors);
      optionalString(body, 'source', errors);
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, identifierType: type as IdentifierType, note: note ? cut(note, OPSGENIE_NOTE_MAX) : null, user: user ? user.slice(0, 100) : null };
}

/** Opsgenie's answers: `{message|result, took, requestId}` (+ `errors` for 422). */
export const opsgenieAnswers = {
  accepted: (took: number, requestId: string) => ({ status: 202, body: { result: 'Request will be processed', took, requestId } }),
  invalid: (errors: OpsgenieErrors, took: number, requestId: string) => ({ status: 422, body: { message: 'Request body is not processable. Please check the errors.', errors, took, requestId } }),
  malformedJson: (took: number, requestId: string) => ({ status: 400, body: { message: 'Invalid JSON body: the request body could not be parsed as JSON', took, requestId } }),
  keyFormat: (took: number, requestId: string) => ({ status: 422, body: { message: 'Key format is not valid!', took, requestId } }),
  unauthenticated: (took: number, requestId: string) => ({ status: 401, body: { message: 'Could not authenticate', took, requestId } }),
  disabled: (took: number, requestId: string) => ({ status: 403, body: { message: 'Integration is disabled', took, requestId } }),
  wrongType: (type: string, took: number, requestId: string) => ({ status: 403, body: { message: `To perform this action, use the key of an Opsgenie integration (this key belongs to a ${type} integration)`, took, requestId } }),
  throttled: (seconds: number, took: number, requestId: string) => ({ status: 429, body: { message: `Too many requests for this integration; retry after ${seconds} s`, took, requestId }, headers: { 'retry-after': String(seconds) } }),
  tooLarge: (limitKb: number, took: number, requestId: string) => ({ status: 413, body: { message: `Request body is larger than ${limitKb} KB`, took, requestId } }),
  noSuchOperation: (took: number, requestId: string) => ({ status: 404, body: { message: 'No such Alert API operation: Firebreak serves create, acknowledge, close and request status', took, requestId } }),
  requestNotFound: (took: number, requestId: string) => ({ status: 404, body: { message: 'Request not found. It might not be processed, yet.', took, requestId } }),
  fault: (took: number, requestId: string) => ({ status: 500, body: { message: 'Internal server error; retry later', took, requestId } }),
};

/**
 * Opsgenie API keys are UUIDs; Firebreak keys are 32 hexadecimal characters. Both are accepted (a
 * key kept from Opsgenie can be imported); anything else is "Key format is not valid!" as in Opsgenie.
 */
export function isGenieKeyFormat(key: string): boolean {
  return /^[0-9a-f]{32}$/i.test(key) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key);
}

/** The key from `Authorization: GenieKey <key>`; null when the header is missing or has another scheme. */
export function genieKeyOf(header: string | undefined): string | null {
  const match = /^GenieKey\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? (match[1] as string) : null;
}
