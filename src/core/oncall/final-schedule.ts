/**
 * The final schedule: layers stacked by priority, overrides on top (rules 1, 7 and 8 in
 * `schedule.ts`). `finalSchedule` draws a window; `whoIsOnCall` and `shadowsAt` answer for one instant
 * with the same primitives in constant work per layer, and the property tests hold them to agreeing.
 */
import { clearLayerCores, compileLayer, layerUserAt, renderLayer, type CompiledLayer } from './layer.js';
import { mergeIntervals, subtractIntervals, unionIntervals, type Interval } from './ranges.js';
import type { EntrySource, FinalSchedule, Layer, OnCall, Override, ScheduleDefinition, ScheduleEntry, ShadowEntry, UserId } from './schedule.js';
import { InvalidScheduleError } from './schedule.js';
import { clearZoneMemo, isInstantInRange, type Instant } from './time.js';
import { validateSchedule } from './validate.js';

/**
 * Forgets every memoized conversion and prepared layer. Results never change because of it (the memo
 * is keyed by content, never by object); benchmarks call it to measure a cold start.
 */
export function clearScheduleMemo(): void {
  clearZoneMemo();
  clearLayerCores();
}

/** A definition checked and prepared for drawing. */
export interface CompiledSchedule {
  readonly definition: ScheduleDefinition;
  readonly layers: readonly CompiledLayer[];
}

/**
 * Checks and prepares a definition. Throws {@link InvalidScheduleError} listing every problem; callers
 * that store definitions run `validateSchedule` first and never get here with a bad one.
 */
export function compileSchedule(def: ScheduleDefinition): CompiledSchedule {
  const issues = validateSchedule(def);
  if (issues.length > 0) throw new InvalidScheduleError(issues);
  return { definition: def, layers: def.layers.map((layer) => compileLayer(layer, def.timeZone)) };
}

function overrideSource(o: Override): EntrySource {
  return o.replaces === undefined ? { kind: 'override', overrideId: o.id } : { kind: 'override', overrideId: o.id, replaces: o.replaces };
}

function sameSource(a: EntrySource, b: EntrySource): boolean {
  if (a.kind === 'layer') return b.kind === 'layer' && a.layerId === b.layerId;
  return b.kind === 'override' && a.overrideId === b.overrideId;
}

function checkInstant(name: string, t: number): void {
  if (!isInstantInRange(t)) throw new RangeError(`${name} must be a whole number of epoch milliseconds between 1900 and 2200, got ${t}`);
}

/**
 * The overrides visible in the window, later overrides winning where they overlap: sorted,
 * non-overlapping entries. A sweep over the override edges; the set of overrides in force at once
 * is small, so picking the winner by scanning it is cheap.
 */
function paintOverrides(overrides: readonly Override[], window: Interval): ScheduleEntry[] {
  interface Clipped {
    index: number;
    start: number;
    end: number;
    userId: UserId;
    source: EntrySource;
  }
  const clipped: Clipped[] = [];
  const edges: number[] = [];
  for (let index = 0; index < overrides.length; index++) {
    const o = overrides[index] as Override;
    const start = Math.max(o.start, window.start);
    const end = Math.min(o.end, window.end);
    if (start >= end) continue;
    clipped.push({ index, start, end, userId: o.userId, source: overrideSource(o) });
    edges.push(start, end);
  }
  if (clipped.length === 0) return [];
  clipped.sort((a, b) => a.start - b.start);
  edges.sort((a, b) => a - b);
  const out: ScheduleEntry[] = [];
  const active: Clipped[] = [];
  let next = 0;
  let lastWinner: Clipped | null = null;
  for (let e = 0; e + 1 < edges.length; e++) {
    const from = edges[e] as number;
    const to = edges[e + 1] as number;
    if (from === to) continue;
    // Drop overrides that ended, add those that start here; then the highest index wins.
    let kept = 0;
    for (const c of active) if (c.end > from) active[kept++] = c;
    active.length = kept;
    while (next < clipped.length && (clipped[next] as Clipped).start <= from) active.push(clipped[next++] as Clipped);
    if (active.length === 0) continue;
    let winner = active[0] as Clipped;
    for (const c of active) if (c.index > winner.index) winner = c;
    const last = out[out.length - 1];
    if (last !== undefined && last.end === from && lastWinner === winner) last.end = to as Instant;
    else out.push({ start: from as Instant, end: to as Instant, userId: winner.userId, source: winner.source });
    lastWinner = winner;
  }
  return out;
}

/**
 * The schedule over `window` (half-open): who is on call (`entries`), each layer on its own
 * (`layers`, for the timeline), who shadows (`shadows`) and where nobody is on call (`gaps`).
 *
 * @example
 * finalSchedule(def, { start: instantFromIso('2026-03-02T00:00Z'), end: instantFromIso('2026-03-09T00:00Z') })
 * // → { entries: [{ start, end, userId: 'ana', source: { kind: 'layer', layerId: 'weekly' } }, …], gaps: [], … }
 */
export function finalSchedule(def: ScheduleDefinition, window: Interval): FinalSchedule {
  checkInstant('window.start', window.start);
  checkInstant('window.end', window.end);
  const compiled = compileSchedule(def);
  const w: Interval = { start: window.start, end: Math.max(window.start, window.end) as Instant };
  const layerEntries = compiled.layers.map((cl) => renderLayer(cl, w.start, w.end));

  // Paint from the top down: overrides, then layers from the last (highest) to the first.
  const pieces = paintOverrides(def.overrides, w);
  let covered = mergeIntervals(pieces);
  const shadows: ShadowEntry[] = [];
  let coveredByLayers: Interval[] = [];
  for (let i = compiled.layers.length - 1; i >= 0; i--) {
    const cl = compiled.layers[i] as CompiledLayer;
    const entries = layerEntries[i] as ScheduleEntry[];
    pieces.push(...subtractIntervals(entries, covered));
    const coverage = mergeIntervals(entries);
    const layerShadows = cl.layer.shadows ?? [];
    if (layerShadows.length > 0) {
      // Rule 8: shadows follow the highest layer on duty, overrides or not.
      for (const part of subtractIntervals(coverage, coveredByLayers)) {
        for (const userId of layerShadows) shadows.push({ start: part.start, end: part.end, userId, layerId: cl.layer.id });
      }
    }
    covered = unionIntervals(covered, coverage);
    coveredByLayers = unionIntervals(coveredByLayers, coverage);
  }

  pieces.sort((a, b) => a.start - b.start);
  const entries: ScheduleEntry[] = [];
  for (const p of pieces) {
    const last = entries[entries.length - 1];
    if (last !== undefined && last.end === p.start && last.userId === p.userId && sameSource(last.source, p.source)) last.end = p.end;
    else entries.push({ ...p });
  }
  shadows.sort((a, b) => a.start - b.start || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));

  return {
    window: w,
    timeZone: def.timeZone,
    entries,
    layers: compiled.layers.map((cl, i) => ({ layerId: cl.layer.id, name: cl.layer.name ?? cl.layer.id, entries: layerEntries[i] as ScheduleEntry[] })),
    shadows,
    gaps: subtractIntervals([w], covered),
  };
}

/**
 * Who is on call at instant `at`, and why; null when nobody is. Always the entry of `finalSchedule`
 * that contains `at`, found without drawing anything: a scan of the overrides and a few memoized
 * conversions per layer.
 */
export function whoIsOnCall(def: ScheduleDefinition, at: Instant): OnCall | null {
  checkInstant('at', at);
  const issues = validateSchedule(def);
  if (issues.length > 0) throw new InvalidScheduleError(issues);
  for (let i = def.overrides.length - 1; i >= 0; i--) {
    const o = def.overrides[i] as Override;
    if (o.start <= at && at < o.end) return { userId: o.userId, source: overrideSource(o) };
  }
  // Layers are prepared lazily from the top: the first one on duty answers.
  for (let i = def.layers.length - 1; i >= 0; i--) {
    const cl = compileLayer(def.layers[i] as Layer, def.timeZone);
    const userId = layerUserAt(cl, at);
    if (userId !== null) return { userId, source: cl.source };
  }
  return null;
}

/**
 * Who shadows at `at` (rule 8): the shadows of the highest layer with someone on duty, whether or not
 * an override is in effect. Empty when no layer is on duty. Agrees with `finalSchedule(...).shadows`.
 */
export function shadowsAt(def: ScheduleDefinition, at: Instant): UserId[] {
  checkInstant('at', at);
  const issues = validateSchedule(def);
  if (issues.length > 0) throw new InvalidScheduleError(issues);
  for (let i = def.layers.length - 1; i >= 0; i--) {
    const layer = def.layers[i] as Layer;
    if (layerUserAt(compileLayer(layer, def.timeZone), at) !== null) return [...(layer.shadows ?? [])];
  }
  return [];
}
