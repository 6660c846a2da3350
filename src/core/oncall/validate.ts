/**
 * Checks a schedule definition before it is stored or rendered. Definitions arrive from JSON (API,
 * config-as-code), so every field is checked at run time even though the types say what it should be.
 * The engine runs this on every call, so it is written as plain loops that allocate nothing for a
 * valid definition.
 */
import type { Layer, Override, Restriction, ScheduleDefinition, ScheduleIssue } from './schedule.js';
import { isInstantInRange, isValidTimeZone, parseClock } from './time.js';

type Add = (path: string, message: string) => void;

const isWeekday = (d: unknown): boolean => typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 7;
const isNonEmptyString = (s: unknown): s is string => typeof s === 'string' && s.length > 0;
const isZone = (z: unknown): boolean => isNonEmptyString(z) && isValidTimeZone(z);
const instantRange = 'must be a whole number of epoch milliseconds between 1900 and 2200';

/**
 * Every problem with a definition, each with a path such as `layers.0.turn.count`; empty when the
 * definition can be rendered.
 *
 * @example validateSchedule({ timeZone: 'Mars/Base', layers: [], overrides: [] })
 * // → [{ path: 'timeZone', message: 'is not a known IANA time zone: Mars/Base' }]
 */
export function validateSchedule(def: ScheduleDefinition): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const add: Add = (path, message) => issues.push({ path, message });

  if (!isZone(def.timeZone)) add('timeZone', `is not a known IANA time zone: ${String(def.timeZone)}`);
  if (!Array.isArray(def.layers)) add('layers', 'must be a list');
  else {
    for (let i = 0; i < def.layers.length; i++) {
      const layer = def.layers[i] as Layer;
      checkLayer(layer, i, add);
      for (let k = 0; k < i; k++) {
        if (isNonEmptyString(layer.id) && (def.layers[k] as Layer).id === layer.id) {
          add(`layers.${i}.id`, `duplicates layers.${k}.id (${layer.id})`);
          break;
        }
      }
    }
  }
  if (!Array.isArray(def.overrides)) add('overrides', 'must be a list');
  else {
    const seen = def.overrides.length > 1 ? new Map<string, number>() : null;
    for (let i = 0; i < def.overrides.length; i++) {
      const o = def.overrides[i] as Override;
      checkOverride(o, i, add);
      if (seen !== null && isNonEmptyString(o.id)) {
        const first = seen.get(o.id);
        if (first !== undefined) add(`overrides.${i}.id`, `duplicates overrides.${first}.id (${o.id})`);
        else seen.set(o.id, i);
      }
    }
  }
  return issues;
}

function checkUserIds(list: unknown, path: string, add: Add, required: boolean): void {
  if (!Array.isArray(list)) {
    add(path, required ? 'must name at least one participant' : 'must be a list of user ids');
    return;
  }
  if (required && list.length === 0) add(path, 'must name at least one participant');
  for (let i = 0; i < list.length; i++) if (!isNonEmptyString(list[i])) add(`${path}.${i}`, 'must be a user id');
}

function checkLayer(layer: Layer, index: number, add: Add): void {
  const at = `layers.${index}`;
  if (typeof layer !== 'object' || layer === null) {
    add(at, 'must be a layer');
    return;
  }
  if (!isNonEmptyString(layer.id)) add(`${at}.id`, 'is required');
  if (layer.timeZone !== undefined && !isZone(layer.timeZone)) add(`${at}.timeZone`, `is not a known IANA time zone: ${String(layer.timeZone)}`);
  checkUserIds(layer.participants, `${at}.participants`, add, true);
  if (layer.shadows !== undefined) checkUserIds(layer.shadows, `${at}.shadows`, add, false);
  if (!isInstantInRange(layer.start)) add(`${at}.start`, instantRange);
  if (layer.end !== undefined) {
    if (!isInstantInRange(layer.end)) add(`${at}.end`, instantRange);
    else if (isInstantInRange(layer.start) && layer.end <= layer.start) add(`${at}.end`, 'must be after start');
  }
  if (parseClock(layer.handoffTime) === null) add(`${at}.handoffTime`, `must be a time of day HH:MM (00:00–23:59), got ${String(layer.handoffTime)}`);
  const turn = layer.turn;
  if (typeof turn !== 'object' || turn === null) add(`${at}.turn`, 'is required');
  else {
    if (turn.unit !== 'hours' && turn.unit !== 'days' && turn.unit !== 'weeks') add(`${at}.turn.unit`, `must be hours, days or weeks, got ${String(turn.unit)}`);
    const count = turn.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10_000) {
      add(`${at}.turn.count`, `must be a whole number from 1 to 10000, got ${String(count)}`);
    }
  }
  if (layer.advance !== 'calendar' && layer.advance !== 'on-duty') add(`${at}.advance`, `must be calendar or on-duty, got ${String(layer.advance)}`);
  if (!Array.isArray(layer.restrictions)) add(`${at}.restrictions`, 'must be a list (empty: always on duty)');
  else for (let i = 0; i < layer.restrictions.length; i++) checkRestriction(layer.restrictions[i] as Restriction, `${at}.restrictions.${i}`, add);
}

function checkRestriction(r: Restriction, at: string, add: Add): void {
  if (typeof r !== 'object' || r === null) {
    add(at, 'must be a daily or weekly window');
    return;
  }
  const start = parseClock(r.start);
  const end = parseClock(r.end, true);
  if (start === null) add(`${at}.start`, `must be a time of day HH:MM (00:00–23:59), got ${String(r.start)}`);
  if (end === null) add(`${at}.end`, `must be a time of day HH:MM (00:00–24:00), got ${String(r.end)}`);
  if (r.kind === 'daily') {
    if (r.days !== undefined) {
      if (!Array.isArray(r.days)) add(`${at}.days`, 'must be a list of ISO weekdays (1 = Monday … 7 = Sunday)');
      else if (r.days.length === 0) add(`${at}.days`, 'is empty, so the window never matches; remove the restriction instead');
      else for (let i = 0; i < r.days.length; i++) if (!isWeekday(r.days[i])) add(`${at}.days.${i}`, `must be an ISO weekday 1–7, got ${String(r.days[i])}`);
    }
    if (start !== null && end !== null && start === end) {
      add(at, `never matches: it starts and ends at ${r.start} (zero length); to be on duty all day, remove the restriction`);
    }
  } else if (r.kind === 'weekly') {
    if (!isWeekday(r.startDay)) add(`${at}.startDay`, `must be an ISO weekday 1–7, got ${String(r.startDay)}`);
    if (!isWeekday(r.endDay)) add(`${at}.endDay`, `must be an ISO weekday 1–7, got ${String(r.endDay)}`);
    if (start !== null && end !== null && isWeekday(r.startDay) && isWeekday(r.endDay) && (r.startDay - 1) * 1440 + start === (r.endDay - 1) * 1440 + end) {
      add(at, 'never matches: it starts and ends at the same moment of the week (zero length); to be on duty all week, remove the restriction');
    }
  } else {
    add(`${at}.kind`, `must be daily or weekly, got ${String((r as { kind?: unknown }).kind)}`);
  }
}

function checkOverride(o: Override, index: number, add: Add): void {
  const at = `overrides.${index}`;
  if (typeof o !== 'object' || o === null) {
    add(at, 'must be an override');
    return;
  }
  if (!isNonEmptyString(o.id)) add(`${at}.id`, 'is required');
  if (!isNonEmptyString(o.userId)) add(`${at}.userId`, 'must be a user id');
  if (o.replaces !== undefined && !isNonEmptyString(o.replaces)) add(`${at}.replaces`, 'must be a user id');
  if (!isInstantInRange(o.start)) add(`${at}.start`, instantRange);
  if (!isInstantInRange(o.end)) add(`${at}.end`, instantRange);
  else if (isInstantInRange(o.start) && o.end <= o.start) add(`${at}.end`, 'must be after start');
}
