/**
 * On-call schedules: the pure engine. `finalSchedule` is the one function behind the UI, the API,
 * calendar feeds, reports and paging; `whoIsOnCall` and `shadowsAt` are it asked about one instant.
 * The rules are documented in `schedule.ts`.
 */
export type {
  AdvanceMode,
  DailyRestriction,
  EntrySource,
  FinalSchedule,
  IsoWeekday,
  Layer,
  LayerTimeline,
  OnCall,
  Override,
  Restriction,
  ScheduleDefinition,
  ScheduleEntry,
  ScheduleIssue,
  ShadowEntry,
  TurnUnit,
  UserId,
  WeeklyRestriction,
} from './schedule.js';
export { InvalidScheduleError } from './schedule.js';
export { clearScheduleMemo, compileSchedule, finalSchedule, shadowsAt, whoIsOnCall, type CompiledSchedule } from './final-schedule.js';
export { validateSchedule } from './validate.js';
export { lintSchedules, MIN_ROTATION_SIZE, type Lint, type LintCode, type LintOptions, type ScheduleRole } from './lint.js';
export { swapShifts, type SwappedShift } from './overrides.js';
export {
  clipIntervals,
  containsInstant,
  intersectIntervals,
  interval,
  mergeIntervals,
  subtractIntervals,
  totalLength,
  unionIntervals,
  type Interval,
} from './ranges.js';
export {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  WEEK_MS,
  durationMs,
  formatLocal,
  formatLocalRange,
  instant,
  instantFromIso,
  isoFromInstant,
  type DurationMs,
  type Instant,
} from './time.js';
