import { Temporal } from 'temporal-polyfill';
import type { FieldIssue } from '../../../contracts/errors.js';
import { DAY_MS, isInstantInRange } from '../../../core/oncall/time.js';
import { validationError } from '../../platform/http/errors.js';
import type { Window } from './oncall.repo.js';

/**
 * Collects field problems so one answer names every bad field (`body.layers.0.participants.2`), as
 * the zod validation of the HTTP layer does.
 */
export class Issues {
  readonly list: FieldIssue[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  /** Throws VALIDATION_FAILED listing every problem, if there is any. */
  throwIfAny(): void {
    if (this.list.length > 0) throw validationError(this.list);
  }
}

/**
 * Epoch milliseconds from an ISO 8601 instant. The offset (or `Z`) is required: a bare local time
 * would silently depend on the server's own zone. Adds an issue and returns null when it is not
 * usable (no offset, or outside 1900–2200, which the schedule engine refuses).
 */
export function readInstant(value: string, path: string, issues: Issues): number | null {
  let ms: number;
  try {
    ms = Temporal.Instant.from(value).epochMilliseconds;
  } catch {
    issues.add(path, 'must be an ISO 8601 instant with an offset or Z, such as 2026-11-23T09:00:00Z');
    return null;
  }
  if (!isInstantInRange(ms)) {
    issues.add(path, 'must be between the years 1900 and 2200');
    return null;
  }
  return ms;
}

/** {@link readInstant} for one field: throws VALIDATION_FAILED naming `path` when unusable. */
export function parseInstant(value: string, path: string): number {
  const issues = new Issues();
  const ms = readInstant(value, path, issues);
  issues.throwIfAny();
  return ms as number;
}

/**
 * A window `[from, to)` from optional query instants: `from` defaults to now, `to` to `from` plus
 * `defaultDays`; `to` must be after `from` and at most `maxDays` later.
 */
export function parseWindow(query: { from?: string | undefined; to?: string | undefined }, now: number, options: { defaultDays: number; maxDays: number }): Window {
  const issues = new Issues();
  const start = query.from === undefined ? now : readInstant(query.from, 'query.from', issues);
  const end = query.to === undefined ? (start === null ? null : start + options.defaultDays * DAY_MS) : readInstant(query.to, 'query.to', issues);
  issues.throwIfAny();
  if ((end as number) <= (start as number)) issues.add('query.to', 'must be after from');
  else if ((end as number) - (start as number) > options.maxDays * DAY_MS) issues.add('query.to', `must be at most ${options.maxDays} days after from`);
  issues.throwIfAny();
  return { start: start as number, end: end as number };
}
