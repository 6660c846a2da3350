/**
 * On-call schedules: the definition types and the rules the engine follows.
 *
 * The final schedule is one pure function of a definition and a time window
 * ({@link import('./final-schedule.js').finalSchedule}); the UI, the API, calendar feeds, reports and
 * the paging engine all call it, and `whoIsOnCall` is the same function asked about one instant.
 *
 * RULES (the ADR; each is tested by name in the `*.test.ts` files beside this one)
 *
 * 1. Priority. `layers` are in priority order: a later layer overrides an earlier one wherever the
 *    later one has someone on duty. Overrides beat every layer; where overrides overlap, the later one
 *    in `overrides` wins.
 *
 * 2. Zone. A layer's wall times (handoff, restrictions) are read in `layer.timeZone`, or the
 *    schedule's `timeZone` when absent. A site of a follow-the-sun schedule can so keep its daytime
 *    in its own zone while the schedule (gap messages, the UI) speaks in the team's zone.
 *
 * 3. Slots and turns. The rotation origin O is the wall time `handoffTime` on the local date of
 *    `start`. Slot j is the wall-clock span [O + j·u, O + (j+1)·u) with u one hour, one day or one
 *    week (`turn.unit`). All three units follow the wall clock: a daily 09:00 handoff stays at 09:00
 *    across DST (that turn lasts 23 or 25 hours), and 12-hour turns from 08:00 stay at 08:00 and 20:00
 *    (the night turn lasts 11 or 13 hours). Weekly turns hand off on the weekday of `start`'s date.
 *    The layer is on duty from `start` (or from O if that is later) until `end` (exclusive, if set).
 *
 * 4. Advancing. `advance: 'calendar'`: turn k is slots [k·count, (k+1)·count) and belongs to
 *    `participants[k mod n]`; turns keep advancing through restricted (off-duty) time, so the person
 *    whose turn falls entirely in off-duty time has no duty that time round.
 *    `advance: 'on-duty'`: only slots that bear duty count. A slot bears duty when its wall-clock span
 *    overlaps a restriction window on the wall clock; each person gets `count` such slots in order.
 *    With weekday business hours and one-day turns: A Mon, B Tue, C Wed, A Thu, B Fri, C Mon: nobody
 *    is skipped over the weekend. Slots without duty belong to the next person's turn. A weekly turn
 *    counts one week slot, i.e. the five business days it contains. For an unrestricted layer the two
 *    modes are identical. Counting on the wall clock means DST never changes who is next.
 *
 * 5. Restrictions. Empty `restrictions` means always on duty; otherwise the layer is on duty only
 *    inside the union of its windows, taken on the wall clock before resolving to instants (so two
 *    windows that meet at 17:00 make one continuous window). `daily` windows repeat every day (or only
 *    on `days`, the ISO weekdays on which the window starts); `weekly` windows run from
 *    (`startDay`, `start`) to (`endDay`, `end`). An end at or before the start wraps past midnight (or
 *    the week); an end equal to the start is rejected as a window that never matches. `24:00` may be
 *    used as an end.
 *
 * 6. Wall time to instant. Handoffs and window edges are wall times resolved with Temporal's
 *    `'compatible'` disambiguation (as RFC 5545 does): a time skipped by spring-forward moves forward
 *    by the jump (New York 2026-03-08 02:30 → 03:30 EDT, London 2026-03-29 01:30 → 02:30 BST); a time
 *    that happens twice at fall-back means the first one (New York 2026-11-01 01:30 → 01:30 EDT). A
 *    window whose resolved end is not after its resolved start is empty that day. Handoffs never move
 *    backwards: if the clocks skip more than one whole slot (hourly turns across a two-hour jump), the
 *    handoffs inside the skipped span all happen at the first handoff after it and those turns are
 *    empty.
 *
 * 7. Final schedule. Entries are half-open `[start, end)`, sorted, never overlap, are clipped to the
 *    window, and name one person and the source that put them there. Adjacent entries of the same
 *    person and the same source are merged; a change of source is a new entry (the timeline shows
 *    "ana, covering ben" separately from "ana's own turn"). `gaps` is the window minus all entries.
 *    Rendering [a, c) and cutting at b gives exactly what rendering [a, b) and [b, c) gives.
 *
 * 8. Shadows. A layer's `shadows` learn from the pages of that layer: at any moment the shadows of
 *    the highest layer with someone on duty receive copies, whether or not an override is in effect.
 *    Shadows are never responsible: they never appear in `entries`.
 *
 * 9. Swaps. A swap between two people is two overrides that name each other (`swapWith`), each
 *    carrying the person covering (`userId`) and the person covered (`replaces`), so the history
 *    shows both names. `replaces` is a record, not a condition: an override always applies for its
 *    whole interval.
 */
import type { Instant } from './time.js';
import type { Interval } from './ranges.js';

/** An opaque user id. */
export type UserId = string;

/** ISO weekday: Monday 1 … Sunday 7. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type TurnUnit = 'hours' | 'days' | 'weeks';

export type AdvanceMode = 'calendar' | 'on-duty';

/** A window of the day, every day or on some weekdays: `{ kind: 'daily', start: '09:00', end: '17:00' }`. */
export interface DailyRestriction {
  kind: 'daily';
  /** `HH:MM` local. */
  start: string;
  /** `HH:MM` local (or `24:00`); at or before `start` means the window ends the next day. */
  end: string;
  /** ISO weekdays on which the window starts; all seven when absent. */
  days?: readonly IsoWeekday[];
}

/** A window of the week: `{ kind: 'weekly', startDay: 1, start: '09:00', endDay: 5, end: '17:00' }`. */
export interface WeeklyRestriction {
  kind: 'weekly';
  startDay: IsoWeekday;
  start: string;
  endDay: IsoWeekday;
  /** At or before (`startDay`, `start`) means the window ends in the following week. */
  end: string;
}

export type Restriction = DailyRestriction | WeeklyRestriction;

/** One rotation of a schedule. */
export interface Layer {
  id: string;
  name?: string;
  /** Who takes turns, in order. A person may appear more than once. */
  participants: readonly UserId[];
  /** Rotation anchor: participant 0's first turn starts at `handoffTime` on this instant's local date. */
  start: Instant;
  /** The layer has no duty from this instant on. */
  end?: Instant;
  /** `HH:MM`, local wall time of every handoff. */
  handoffTime: string;
  turn: { unit: TurnUnit; count: number };
  /** Empty: always on duty. Otherwise on duty only inside these windows (their union). */
  restrictions: readonly Restriction[];
  advance: AdvanceMode;
  /** People who receive copies of this layer's pages for learning; never responsible. */
  shadows?: readonly UserId[];
  /** Zone of this layer's wall times; the schedule's zone when absent. */
  timeZone?: string;
}

/** A person covering an interval, above every layer. */
export interface Override {
  id: string;
  userId: UserId;
  start: Instant;
  end: Instant;
  /** The person being covered, for the history (swaps, holidays). */
  replaces?: UserId;
  /** The other override of a shift swap. */
  swapWith?: string;
  note?: string;
}

export interface ScheduleDefinition {
  /** Shown in lint messages; `Schedule` when absent. */
  name?: string;
  /** IANA zone of the schedule; layers use it unless they name their own. */
  timeZone: string;
  /** In priority order: later layers override earlier ones. */
  layers: readonly Layer[];
  /** Beat every layer; later overrides beat earlier ones. */
  overrides: readonly Override[];
}

export type EntrySource = { kind: 'layer'; layerId: string } | { kind: 'override'; overrideId: string; replaces?: UserId };

/** One person on call for `[start, end)`. */
export interface ScheduleEntry extends Interval {
  userId: UserId;
  source: EntrySource;
}

/** A shadow learning from `layerId` for `[start, end)`. */
export interface ShadowEntry extends Interval {
  userId: UserId;
  layerId: string;
}

/** One layer drawn on its own, before higher layers and overrides: the rows of the UI timeline. */
export interface LayerTimeline {
  layerId: string;
  name: string;
  entries: ScheduleEntry[];
}

export interface FinalSchedule {
  window: Interval;
  timeZone: string;
  /** Who is responsible, sorted and non-overlapping. */
  entries: ScheduleEntry[];
  /** Each layer on its own, in the definition's order. */
  layers: LayerTimeline[];
  /** Who shadows whom, sorted by start then user. */
  shadows: ShadowEntry[];
  /** Parts of the window where nobody is on call. */
  gaps: Interval[];
}

/** The person on call at one instant and why. */
export interface OnCall {
  userId: UserId;
  source: EntrySource;
}

/** One problem with a definition, by path (`layers.0.turn.count`). */
export interface ScheduleIssue {
  path: string;
  message: string;
}

/** Thrown by the engine when asked to render an invalid definition; run `validateSchedule` on write. */
export class InvalidScheduleError extends Error {
  constructor(readonly issues: readonly ScheduleIssue[]) {
    super(`Invalid schedule: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
    this.name = 'InvalidScheduleError';
  }
}
