/**
 * One layer (rotation) on its own: turns, restriction windows, and who of its participants is on duty
 * when. The rules are in `schedule.ts` (3–6); this file is their implementation.
 *
 * Everything is built on two primitives so that drawing a layer over a window and asking about one
 * instant can never disagree:
 *
 * - `boundaryAt(j)`: the instant slot j starts. Non-decreasing in j (rule 6).
 * - `slotAt(t)`: the largest j with `boundaryAt(j) <= t`.
 *
 * The person for slot j is a function of j alone (rule 4), so the person at t is
 * `turnOfSlot(slotAt(t))`, whether t is asked about alone or inside a 90-day drawing.
 */
import type { Interval } from './ranges.js';
import { mergeIntervals } from './ranges.js';
import type { EntrySource, Layer, Restriction, ScheduleEntry, UserId } from './schedule.js';
import type { Instant, WallTime } from './time.js';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  WEEK_MS,
  instantAtWall,
  isSkippedWall,
  localDayAt,
  parseClock,
  startOfLocalDay,
  startOfWallWeek,
  transitionAtOrBefore,
  wallAt,
} from './time.js';

/**
 * Restriction windows near an interval are first picked on the wall clock, between the local dates of
 * its ends, then tested exactly on instants. A window edge skipped by a clock jump resolves later by
 * the jump's length, and the largest jump on record is a whole day (Pacific/Apia skipped 2011-12-30),
 * so candidates are taken this much further either side.
 */
const SLACK_MS = 30 * HOUR_MS;

/** A restriction window on the wall clock of a week: ms after Monday 00:00, `start < end <= start + WEEK`. */
interface WeekWindow {
  start: number;
  end: number;
}

/** Which slots bear duty, for on-duty counting; periodic over one wall-clock week (rule 4). */
interface DutyTable {
  /** Slots per week: 168, 7 or 1. */
  period: number;
  /** `before[r]`: duty-bearing slots among slots 0 … r−1 of a period. */
  before: number[];
  /** Slot offsets (within a period) of the duty-bearing slots, ascending. */
  positions: number[];
  /** Duty-bearing slots per period; at least 1 whenever there are windows. */
  total: number;
}

/**
 * What drawing a layer needs that costs conversions or tables: everything decided by the layer's
 * zone, start, handoff time, unit, advance mode and restrictions (not by its people or count).
 */
export interface LayerCore {
  readonly zone: string;
  readonly start: Instant;
  /** Wall time of slot 0: `handoffTime` on the local date of `start`. */
  readonly origin: WallTime;
  /** Wall-clock length of one slot: an hour, a day or a week. */
  readonly slotMs: number;
  /**
   * Start of slot 0's local date plus the handoff time: `boundaryAt(0)` unless the clocks change
   * between midnight and the handoff, and then within that change. Cheap; used for guesses and bounds.
   */
  readonly approxFirstBoundary: number;
  /** `max(start, boundaryAt(0))`, computed on first use (NaN until then). */
  activeStart: number;
  /** Null: no restrictions (always on duty). */
  readonly windows: readonly WeekWindow[] | null;
  /** Null: calendar counting (also for unrestricted on-duty layers, where the two are the same). */
  readonly duty: DutyTable | null;
}

/** A layer prepared for drawing. */
export interface CompiledLayer {
  readonly layer: Layer;
  readonly core: LayerCore;
  /** First instant without duty again; `Infinity` for a layer without end. */
  readonly activeEnd: number;
  readonly source: EntrySource;
}

const unitMs = { hours: HOUR_MS, days: DAY_MS, weeks: WEEK_MS } as const;

/**
 * Cores, window lists and duty tables by content: asking who is on call for thousands of schedules
 * again and again rebuilds none of them. Keyed by content, never by object, so a definition edited
 * in place can never be answered from a stale entry. Bounded like the zone memo.
 */
const cores = new Map<string, LayerCore>();
const windowLists = new Map<string, WeekWindow[] | null>();
const dutyTables = new Map<string, DutyTable>();
const CORE_LIMIT = 50_000;

function rememberCore<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= CORE_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

/** Forgets every prepared layer (see `clearScheduleMemo`). */
export function clearLayerCores(): void {
  cores.clear();
  windowLists.clear();
  dutyTables.clear();
}

function restrictionsKey(restrictions: readonly Restriction[]): string {
  let key = '';
  for (const r of restrictions) {
    key += r.kind === 'daily' ? `d${r.start}-${r.end}/${r.days === undefined ? '' : r.days.join('')};` : `w${r.startDay}${r.start}-${r.endDay}${r.end};`;
  }
  return key;
}

function layerCore(layer: Layer, zone: string): LayerCore {
  const rkey = restrictionsKey(layer.restrictions);
  const key = `${zone}|${layer.start}|${layer.handoffTime}|${layer.turn.unit}|${layer.advance}|${rkey}`;
  const hit = cores.get(key);
  if (hit !== undefined) return hit;
  const handoff = (parseClock(layer.handoffTime) ?? 0) * MINUTE_MS;
  const day = localDayAt(zone, layer.start);
  const origin = (day * DAY_MS + handoff) as WallTime;
  const slotMs = unitMs[layer.turn.unit];
  const windows = windowLists.get(rkey) ?? rememberCore(windowLists, rkey, weekWindows(layer.restrictions));
  let duty: DutyTable | null = null;
  if (layer.advance === 'on-duty' && windows !== null) {
    const offset = origin - startOfWallWeek(origin);
    const tkey = `${slotMs}|${offset}|${rkey}`;
    duty = dutyTables.get(tkey) ?? rememberCore(dutyTables, tkey, dutyTable(offset, slotMs, windows));
  }
  const core: LayerCore = {
    zone,
    start: layer.start,
    origin,
    slotMs,
    approxFirstBoundary: startOfLocalDay(zone, day) + handoff,
    activeStart: NaN,
    windows,
    duty,
  };
  return rememberCore(cores, key, core);
}

/** `max(start, boundaryAt(0))`: one conversion, which "who is on call now" only needs for young layers. */
function activeStart(core: LayerCore): Instant {
  if (Number.isNaN(core.activeStart)) core.activeStart = Math.max(core.start, boundaryAt(core, 0));
  return core.activeStart as Instant;
}

/** Prepares a valid layer (see `validateSchedule`) for drawing in `scheduleZone` unless it names its own. */
export function compileLayer(layer: Layer, scheduleZone: string): CompiledLayer {
  return {
    layer,
    core: layerCore(layer, layer.timeZone ?? scheduleZone),
    activeEnd: layer.end ?? Infinity,
    source: { kind: 'layer', layerId: layer.id },
  };
}

/**
 * Restrictions as windows on the week's wall clock, merged (rule 5: the union is taken on the wall
 * clock). Null when there are none or they cover the whole week.
 */
function weekWindows(restrictions: readonly Restriction[]): WeekWindow[] | null {
  if (restrictions.length === 0) return null;
  const raw: WeekWindow[] = [];
  for (const r of restrictions) {
    const start = (parseClock(r.start) ?? 0) * MINUTE_MS;
    let end = (parseClock(r.end, true) ?? 0) * MINUTE_MS;
    if (r.kind === 'daily') {
      if (end <= start) end += DAY_MS;
      for (const d of r.days ?? [1, 2, 3, 4, 5, 6, 7]) raw.push({ start: (d - 1) * DAY_MS + start, end: (d - 1) * DAY_MS + end });
    } else {
      const a = (r.startDay - 1) * DAY_MS + start;
      let b = (r.endDay - 1) * DAY_MS + end;
      if (b <= a) b += WEEK_MS;
      raw.push({ start: a, end: b });
    }
  }
  raw.sort((x, y) => x.start - y.start);
  const merged: WeekWindow[] = [];
  for (const w of raw) {
    const last = merged[merged.length - 1];
    if (last !== undefined && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else merged.push({ ...w });
  }
  // A window running past Sunday midnight may reach the first windows of the next week.
  for (;;) {
    const first = merged[0];
    const last = merged[merged.length - 1];
    if (first === undefined || last === undefined || first === last || first.start + WEEK_MS > last.end) break;
    last.end = Math.max(last.end, first.end + WEEK_MS);
    merged.shift();
  }
  if (merged.some((w) => w.end - w.start >= WEEK_MS)) return null;
  return merged;
}

/** Which slots of a week bear duty on the wall clock, for on-duty counting (rule 4). */
function dutyTable(offset: number, slotMs: number, windows: readonly WeekWindow[]): DutyTable {
  const period = WEEK_MS / slotMs;
  const before = [0];
  const positions: number[] = [];
  for (let r = 0; r < period; r++) {
    const s = (offset + r * slotMs) % WEEK_MS;
    const e = s + slotMs;
    let bears = false;
    // Windows and slots both lie within [0, 2 weeks); comparing with shifts of a week covers the wrap.
    for (const w of windows) {
      for (let shift = -WEEK_MS; shift <= WEEK_MS && !bears; shift += WEEK_MS) bears = Math.max(s, w.start + shift) < Math.min(e, w.end + shift);
      if (bears) break;
    }
    if (bears) positions.push(r);
    before.push(positions.length);
  }
  return { period, before, positions, total: positions.length };
}

/**
 * The instant slot j starts (rule 6): its wall time resolved `'compatible'`, except that a slot whose
 * wall time was skipped by a jump longer than a slot starts no later than the first slot after the
 * jump, so boundaries never go backwards.
 */
export function boundaryAt(cl: Pick<LayerCore, 'zone' | 'origin' | 'slotMs'>, j: number): Instant {
  const w = (cl.origin + j * cl.slotMs) as WallTime;
  const t = instantAtWall(cl.zone, w, 'compatible');
  if (!isSkippedWall(cl.zone, w)) return t;
  const jump = transitionAtOrBefore(cl.zone, t);
  if (jump === null) return t;
  const k = Math.ceil((wallAt(cl.zone, jump) - cl.origin) / cl.slotMs);
  if (k <= j) return t;
  return Math.min(t, instantAtWall(cl.zone, (cl.origin + k * cl.slotMs) as WallTime, 'compatible')) as Instant;
}

/**
 * The slot containing t: the largest j with `boundaryAt(j) <= t`. Needs `t >= activeStart`. `guess`
 * only saves work: the answer is the same from any starting slot. The default guess, elapsed time
 * over slot length, is off by about the zone's offset change since slot 0: a slot or two.
 */
export function slotAt(cl: LayerCore, t: Instant, guess = Math.floor((t - cl.approxFirstBoundary) / cl.slotMs)): number {
  let j = Math.max(0, guess);
  while (j > 0 && boundaryAt(cl, j) > t) j--;
  while (boundaryAt(cl, j + 1) <= t) j++;
  return j;
}

/** Who slot j belongs to, and the first slot of the next turn (rule 4). */
export function turnOfSlot(cl: CompiledLayer, j: number): { userId: UserId; nextTurnSlot: number } {
  const { participants, turn: { count } } = cl.layer;
  const table = cl.core.duty;
  let turn: number;
  let nextTurnSlot: number;
  if (table === null) {
    turn = Math.floor(j / count);
    nextTurnSlot = (turn + 1) * count;
  } else {
    const counted = Math.floor(j / table.period) * table.total + (table.before[j % table.period] ?? 0);
    turn = Math.floor(counted / count);
    // The turn ends right after its last duty-bearing slot, the ((turn+1)·count − 1)th (0-based).
    const last = (turn + 1) * count - 1;
    nextTurnSlot = Math.floor(last / table.total) * table.period + (table.positions[last % table.total] ?? 0) + 1;
  }
  return { userId: participants[turn % participants.length] as UserId, nextTurnSlot };
}

/** The layer's restriction windows as instants, clipped to `[from, to)`, merged. */
function windowInstances(cl: LayerCore, windows: readonly WeekWindow[], from: Instant, to: Instant): Interval[] {
  // Local dates bound the wall readings of [from, to]; SLACK_MS covers edges moved by a clock jump.
  const lo = localDayAt(cl.zone, from) * DAY_MS - SLACK_MS;
  const hi = (localDayAt(cl.zone, to) + 1) * DAY_MS + SLACK_MS;
  const out: Interval[] = [];
  for (let week = startOfWallWeek(lo as WallTime) - WEEK_MS; week <= hi; week += WEEK_MS) {
    for (const win of windows) {
      const ws = week + win.start;
      const we = week + win.end;
      if (we < lo || ws > hi) continue;
      const s = Math.max(instantAtWall(cl.zone, ws as WallTime), from);
      const e = Math.min(instantAtWall(cl.zone, we as WallTime), to);
      if (s < e) out.push({ start: s as Instant, end: e as Instant });
    }
  }
  return mergeIntervals(out);
}

/** True when t is inside one of the layer's windows (the one-instant form of `windowInstances`). */
function inWindow(cl: LayerCore, windows: readonly WeekWindow[], t: Instant): boolean {
  const day = localDayAt(cl.zone, t);
  const lo = day * DAY_MS - SLACK_MS;
  const hi = (day + 1) * DAY_MS + SLACK_MS;
  for (let week = startOfWallWeek(lo as WallTime) - WEEK_MS; week <= hi; week += WEEK_MS) {
    for (const win of windows) {
      const ws = week + win.start;
      const we = week + win.end;
      if (we < lo || ws > hi) continue;
      if (instantAtWall(cl.zone, ws as WallTime) <= t && t < instantAtWall(cl.zone, we as WallTime)) return true;
    }
  }
  return false;
}

/**
 * The layer on its own over `[from, to)`: sorted, non-overlapping entries, adjacent turns of the same
 * person merged.
 */
export function renderLayer(cl: CompiledLayer, from: Instant, to: Instant): ScheduleEntry[] {
  const core = cl.core;
  const a = Math.max(from, activeStart(core)) as Instant;
  const b = Math.min(to, cl.activeEnd) as Instant;
  if (a >= b) return [];
  const duty = core.windows === null ? [{ start: a, end: b }] : windowInstances(core, core.windows, a, b);
  const out: ScheduleEntry[] = [];
  for (const d of duty) {
    let t = d.start;
    let guess: number | undefined;
    while (t < d.end) {
      const turn = turnOfSlot(cl, slotAt(core, t, guess));
      // boundaryAt is non-decreasing and slotAt(t) < nextTurnSlot, so the turn ends after t.
      const end = Math.min(boundaryAt(core, turn.nextTurnSlot), d.end) as Instant;
      guess = turn.nextTurnSlot;
      const last = out[out.length - 1];
      if (last !== undefined && last.end === t && last.userId === turn.userId) last.end = end;
      else out.push({ start: t, end, userId: turn.userId, source: cl.source });
      t = end;
    }
  }
  return out;
}

/** Who of this layer is on duty at t, or null: the one-instant form of `renderLayer`. */
export function layerUserAt(cl: CompiledLayer, t: Instant): UserId | null {
  const core = cl.core;
  if (t < core.start || t >= cl.activeEnd) return null;
  // boundaryAt(0) is within a day of approxFirstBoundary, so only young layers need the exact start.
  if (t < core.approxFirstBoundary + 2 * DAY_MS && t < activeStart(core)) return null;
  if (core.windows !== null && !inWindow(core, core.windows, t)) return null;
  return turnOfSlot(cl, slotAt(core, t)).userId;
}
