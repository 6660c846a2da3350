/**
 * Support hours: when a service's low-urgency alerts are delivered (docs/alerts.md, "Routing rules
 * and urgency"; ADR 0018). Pure: every function takes `now`; all zone arithmetic goes through Temporal,
 * so daylight-saving changes move the window with the wall clock (09:00 stays 09:00 local).
 *
 * A window is one local day's `start`–`end` on each listed weekday (end after start; `24:00` means
 * midnight at the end of that day). When `start` falls in a spring-forward gap the window opens at
 * the first valid local time after it (Temporal's `compatible` disambiguation); in a fall-back
 * overlap it opens at the first of the two.
 */

import { Temporal } from 'temporal-polyfill';
import type { Instant, Urgency } from './alert.js';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

export interface SupportHours {
  /** IANA time zone, such as Europe/Lisbon. */
  timeZone: string;
  days: Weekday[];
  /** Local time `HH:MM`. */
  start: string;
  /** Local time `HH:MM`, after `start`; `24:00` for the end of the day. */
  end: string;
}

/** `HH:MM` between 00:00 and 24:00. */
export function isLocalTime(value: string): boolean {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) return false;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return (h < 24 && min < 60) || (h === 24 && min === 0);
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Problems with a support-hours definition (beyond its time zone, which the contract checks), as messages by field. */
export function supportHoursIssues(hours: SupportHours): Array<{ path: 'start' | 'end' | 'days'; message: string }> {
  const issues: Array<{ path: 'start' | 'end' | 'days'; message: string }> = [];
  if (!isLocalTime(hours.start) || hours.start === '24:00') issues.push({ path: 'start', message: 'must be a local time HH:MM from 00:00 to 23:59' });
  if (!isLocalTime(hours.end)) issues.push({ path: 'end', message: 'must be a local time HH:MM from 00:01 to 24:00' });
  else if (isLocalTime(hours.start) && minutesOf(hours.end) <= minutesOf(hours.start)) issues.push({ path: 'end', message: `must be after start (${hours.start}); windows do not cross midnight` });
  if (new Set(hours.days).size !== hours.days.length) issues.push({ path: 'days', message: 'lists a day twice' });
  if (hours.days.length === 0) issues.push({ path: 'days', message: 'needs at least one day' });
  return issues;
}

interface Window {
  start: Instant;
  end: Instant;
}

/** The window on one local date, or null when that weekday has none. */
function windowOn(hours: SupportHours, date: Temporal.PlainDate): Window | null {
  if (!hours.days.includes(weekdays[date.dayOfWeek - 1] as Weekday)) return null;
  const at = (hhmm: string): Instant => {
    const minutes = minutesOf(hhmm);
    const day = minutes === 24 * 60 ? date.add({ days: 1 }) : date;
    const time = new Temporal.PlainTime(Math.floor(minutes / 60) % 24, minutes % 60);
    return day.toZonedDateTime({ timeZone: hours.timeZone, plainTime: time }).epochMilliseconds;
  };
  const w = { start: at(hours.start), end: at(hours.end) };
  // A window squeezed to nothing by a DST gap (02:00–03:00 on spring-forward day in New York: both ends read 03:00) has no time in it.
  return w.end > w.start ? w : null;
}

/** Windows on the local dates around `now`, from one day before to eight after, in order. */
function windowsAround(hours: SupportHours, now: Instant): Window[] {
  const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(hours.timeZone).toPlainDate();
  const windows: Window[] = [];
  for (let d = -1; d <= 8; d++) {
    const w = windowOn(hours, today.add({ days: d }));
    if (w) windows.push(w);
  }
  return windows;
}

/** True when `now` falls inside a support window (start inclusive, end exclusive). */
export function isWithinSupportHours(hours: SupportHours, now: Instant): boolean {
  return windowsAround(hours, now).some((w) => w.start <= now && now < w.end);
}

/**
 * The start of the first support window that opens strictly after `now` (inside a window: the next
 * one, not the current one). Null only when no listed day has a window (a definition squeezed away by
 * a DST gap every week cannot happen: gaps are yearly).
 *
 * @example
 *   nextSupportWindowStart({ timeZone: 'Europe/Lisbon', days: ['mon'], start: '09:00', end: '17:00' }, Date.parse('2026-11-20T18:00:00Z'));
 *   // → Date.parse('2026-11-23T09:00:00Z')
 */
export function nextSupportWindowStart(hours: SupportHours, now: Instant): Instant | null {
  return windowsAround(hours, now).find((w) => w.start > now)?.start ?? null;
}

/** When an alert is delivered: null now, an instant when deferred to a support window, `never` for the backlog. */
export type DeliverAt = Instant | 'never' | null;

/**
 * The delivery decision for an alert after an event or an urgency change.
 *
 * - high urgency: now (null).
 * - backlog: never; nobody is notified.
 * - low urgency: now within support hours or when the service has none; else the start of the next
 *   support window. An alert that was already low keeps its earlier decision, so repeats of an event
 *   do not push its delivery later.
 */
export function decideDelivery(input: { urgency: Urgency; previous: { urgency: Urgency; deliverAt: DeliverAt } | null; hours: SupportHours | null; now: Instant }): DeliverAt {
  if (input.urgency === 'high') return null;
  if (input.urgency === 'backlog') return 'never';
  if (input.previous?.urgency === 'low') return input.previous.deliverAt;
  if (!input.hours || isWithinSupportHours(input.hours, input.now)) return null;
  return nextSupportWindowStart(input.hours, input.now);
}
