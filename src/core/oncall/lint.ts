/**
 * Schedule lints: problems worth a warning before they wake the wrong person (or nobody). Pure: the
 * caller passes the window (say, the next 90 days from `now`) and what it knows about contact methods.
 * Every time-based lint carries the exact intervals and the same intervals as local text in the
 * schedule's zone.
 */
import { finalSchedule } from './final-schedule.js';
import { intersectIntervals, mergeIntervals, type Interval } from './ranges.js';
import type { ScheduleDefinition, ScheduleEntry, UserId } from './schedule.js';
import { formatLocalRange } from './time.js';
import { validateSchedule } from './validate.js';

export type LintCode =
  | 'INVALID_SCHEDULE'
  | 'ROTATION_TOO_SMALL'
  | 'NO_VERIFIED_CONTACT_METHOD'
  | 'SCHEDULE_GAP'
  | 'SAME_PERSON_PRIMARY_AND_SECONDARY';

export type ScheduleRole = 'primary' | 'secondary';

export interface Lint {
  code: LintCode;
  severity: 'error' | 'warning';
  /** The schedule the lint is about (for SAME_PERSON_PRIMARY_AND_SECONDARY, the primary). */
  schedule: ScheduleRole;
  message: string;
  /** Exact intervals, for lints about time; empty otherwise. */
  intervals: Interval[];
  /** `intervals` as local text in the schedule's zone, e.g. `2027-03-14 02:00–03:00 America/New_York`. */
  localIntervals: string[];
  userId?: UserId;
  layerId?: string;
  /** For INVALID_SCHEDULE: the field, e.g. `layers.0.turn.count`. */
  path?: string;
}

export interface LintOptions {
  /** True when the person has at least one verified contact method for high-urgency pages. */
  hasVerifiedHighUrgencyMethod: (userId: UserId) => boolean;
}

/** A rotation of fewer distinct people than this is reported (ROTATION_TOO_SMALL). */
export const MIN_ROTATION_SIZE = 3;

const MAX_LISTED = 3;

/** `schedule \`platform-primary\`` or, for a schedule without a name, `the primary schedule`. */
function named(def: ScheduleDefinition, role: ScheduleRole): string {
  return def.name !== undefined && def.name.length > 0 ? `schedule \`${def.name}\`` : `the ${role} schedule`;
}

/** The same at the start of a sentence. */
function label(def: ScheduleDefinition, role: ScheduleRole): string {
  const text = named(def, role);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `A zone`, `A, B and C zone`, or `A, B, C zone and 4 more times`. */
function describeIntervals(zone: string, intervals: readonly Interval[]): string {
  const listed = intervals.slice(0, MAX_LISTED).map((i) => formatLocalRange(zone, i.start, i.end, false));
  const more = intervals.length - listed.length;
  const list = listed.length > 1 && more === 0 ? `${listed.slice(0, -1).join(', ')} and ${listed[listed.length - 1]}` : listed.join(', ');
  return `${list} ${zone}${more > 0 ? ` and ${more} more times` : ''}`;
}

function overlapsWindow(start: number, end: number | undefined, window: Interval): boolean {
  return start < window.end && (end === undefined || end > window.start);
}

/** Each person's entries, merged, in the order they first appear. */
function coverageByUser(entries: readonly ScheduleEntry[]): Map<UserId, Interval[]> {
  const byUser = new Map<UserId, Interval[]>();
  for (const e of entries) {
    const list = byUser.get(e.userId);
    if (list === undefined) byUser.set(e.userId, [{ start: e.start, end: e.end }]);
    else list.push({ start: e.start, end: e.end });
  }
  for (const [user, list] of byUser) byUser.set(user, mergeIntervals(list));
  return byUser;
}

/**
 * Lints for a primary schedule and optionally its secondary over `window`.
 *
 * - INVALID_SCHEDULE (error): one per `validateSchedule` issue; an invalid schedule gets no other lints.
 * - ROTATION_TOO_SMALL: a layer active in the window with fewer than three distinct participants.
 * - NO_VERIFIED_CONTACT_METHOD: a participant of an active layer, or the person of an override in the
 *   window, with no verified high-urgency contact method.
 * - SCHEDULE_GAP: the exact intervals where nobody is on call.
 * - SAME_PERSON_PRIMARY_AND_SECONDARY: the exact intervals where one person is on call in both.
 *
 * @example lintSchedules({ primary, secondary }, { start: now, end: now + 90 * DAY_MS }, { hasVerifiedHighUrgencyMethod: (id) => verified.has(id) })
 */
export function lintSchedules(
  schedules: { primary: ScheduleDefinition; secondary?: ScheduleDefinition },
  window: Interval,
  options: LintOptions,
): Lint[] {
  const lints: Lint[] = [];
  const roles: Array<[ScheduleRole, ScheduleDefinition]> = [['primary', schedules.primary]];
  if (schedules.secondary !== undefined) roles.push(['secondary', schedules.secondary]);
  const finals = new Map<ScheduleRole, ScheduleEntry[]>();

  for (const [role, def] of roles) {
    const issues = validateSchedule(def);
    if (issues.length > 0) {
      for (const issue of issues) {
        lints.push({
          code: 'INVALID_SCHEDULE',
          severity: 'error',
          schedule: role,
          message: `${label(def, role)} is invalid: ${issue.path} ${issue.message}`,
          intervals: [],
          localIntervals: [],
          path: issue.path,
        });
      }
      continue;
    }

    const activeLayers = def.layers.filter((l) => overlapsWindow(l.start, l.end, window));
    for (const layer of activeLayers) {
      const people = [...new Set(layer.participants)];
      if (people.length < MIN_ROTATION_SIZE) {
        lints.push({
          code: 'ROTATION_TOO_SMALL',
          severity: 'warning',
          schedule: role,
          message: `Layer \`${layer.name ?? layer.id}\` of ${named(def, role)} rotates between only ${people.length} ${people.length === 1 ? 'person' : 'people'} (${people.join(', ')}); with fewer than ${MIN_ROTATION_SIZE} each is on call at least half the time`,
          intervals: [],
          localIntervals: [],
          layerId: layer.id,
        });
      }
    }

    const responsible = new Set<UserId>();
    for (const layer of activeLayers) for (const p of layer.participants) responsible.add(p);
    for (const o of def.overrides) if (overlapsWindow(o.start, o.end, window) && o.end > o.start) responsible.add(o.userId);
    for (const userId of responsible) {
      if (!options.hasVerifiedHighUrgencyMethod(userId)) {
        lints.push({
          code: 'NO_VERIFIED_CONTACT_METHOD',
          severity: 'warning',
          schedule: role,
          message: `\`${userId}\` is on ${named(def, role)} but has no verified high-urgency contact method, so a page to them cannot be delivered`,
          intervals: [],
          localIntervals: [],
          userId,
        });
      }
    }

    const final = finalSchedule(def, window);
    finals.set(role, final.entries);
    if (final.gaps.length > 0) {
      lints.push({
        code: 'SCHEDULE_GAP',
        severity: 'warning',
        schedule: role,
        message: `${label(def, role)} has no one on call ${describeIntervals(def.timeZone, final.gaps)}`,
        intervals: final.gaps,
        localIntervals: final.gaps.map((g) => formatLocalRange(def.timeZone, g.start, g.end)),
      });
    }
  }

  const primaryEntries = finals.get('primary');
  const secondaryEntries = finals.get('secondary');
  if (primaryEntries !== undefined && secondaryEntries !== undefined && schedules.secondary !== undefined) {
    const secondaryByUser = coverageByUser(secondaryEntries);
    const zone = schedules.primary.timeZone;
    const clashes: Array<{ userId: UserId; intervals: Interval[] }> = [];
    for (const [userId, intervals] of coverageByUser(primaryEntries)) {
      const both = intersectIntervals(intervals, secondaryByUser.get(userId) ?? []);
      if (both.length > 0) clashes.push({ userId, intervals: both });
    }
    clashes.sort((a, b) => (a.intervals[0]?.start ?? 0) - (b.intervals[0]?.start ?? 0) || (a.userId < b.userId ? -1 : 1));
    for (const { userId, intervals } of clashes) {
      lints.push({
        code: 'SAME_PERSON_PRIMARY_AND_SECONDARY',
        severity: 'warning',
        schedule: 'primary',
        message: `\`${userId}\` is on call in both ${named(schedules.primary, 'primary')} and ${named(schedules.secondary, 'secondary')} ${describeIntervals(zone, intervals)}, so escalating to the secondary pages the same person`,
        intervals,
        localIntervals: intervals.map((i) => formatLocalRange(zone, i.start, i.end)),
        userId,
      });
    }
  }
  return lints;
}
