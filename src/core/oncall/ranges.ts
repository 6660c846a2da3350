/**
 * Range algebra over half-open intervals of instants, `[start, end)`.
 *
 * A *normalized* list is sorted by start, has no empty intervals, and no two of its intervals overlap
 * or touch. `merge` makes one; `intersect` and `subtract` take normalized second arguments and run
 * in linear time. `subtract` keeps whatever else the pieces of its first argument carry (a user id, a
 * source), so schedule entries can be cut by higher-priority coverage without losing who they are.
 */
import type { Instant } from './time.js';

/** `[start, end)`: includes `start`, excludes `end`. Empty when `end <= start`. */
export interface Interval {
  start: Instant;
  end: Instant;
}

export function interval(start: number, end: number): Interval {
  return { start: start as Instant, end: end as Instant };
}

export function isEmptyInterval(i: Interval): boolean {
  return i.end <= i.start;
}

export function containsInstant(i: Interval, t: number): boolean {
  return i.start <= t && t < i.end;
}

/** Sorted, non-empty, non-overlapping, non-touching union of the given intervals. */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && i.start <= last.end) {
      if (i.end > last.end) last.end = i.end;
    } else {
      out.push({ start: i.start, end: i.end });
    }
  }
  return out;
}

/** Union of two normalized lists, normalized; linear. */
export function unionIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const ai = a[i];
    const bj = b[j];
    let next: Interval;
    if (bj === undefined || (ai !== undefined && ai.start <= bj.start)) {
      next = ai as Interval;
      i++;
    } else {
      next = bj;
      j++;
    }
    const last = out[out.length - 1];
    if (last !== undefined && next.start <= last.end) {
      if (next.end > last.end) last.end = next.end;
    } else {
      out.push({ start: next.start, end: next.end });
    }
  }
  return out;
}

/** The parts of normalized `a` that are also in normalized `b`; linear. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start < end) out.push({ start: start as Instant, end: end as Instant });
    if (x.end <= y.end) i++;
    else j++;
  }
  return out;
}

/**
 * The parts of each item of `a` not covered by normalized `cut`, each piece a copy of its item with a
 * new `start` and `end`. `a` must be sorted by start and non-overlapping (pieces may touch); the
 * result keeps that order. Linear in `a.length + cut.length`.
 */
export function subtractIntervals<T extends Interval>(a: readonly T[], cut: readonly Interval[]): T[] {
  const out: T[] = [];
  let j = 0;
  for (const item of a) {
    let start: number = item.start;
    const end: number = item.end;
    // Cut intervals that end at or before this item starts can be forgotten for later items too,
    // because items are sorted and do not overlap.
    while (j < cut.length && (cut[j] as Interval).end <= start) j++;
    let k = j;
    while (start < end) {
      const c = cut[k];
      if (c === undefined || c.start >= end) {
        out.push({ ...item, start: start as Instant, end: end as Instant });
        break;
      }
      if (c.start > start) out.push({ ...item, start: start as Instant, end: c.start });
      start = Math.max(start, c.end);
      k++;
    }
  }
  return out;
}

/** The items of `a` clipped to `window`, empty pieces dropped. */
export function clipIntervals<T extends Interval>(a: readonly T[], window: Interval): T[] {
  const out: T[] = [];
  for (const item of a) {
    const start = Math.max(item.start, window.start);
    const end = Math.min(item.end, window.end);
    if (start < end) out.push(start === item.start && end === item.end ? item : { ...item, start: start as Instant, end: end as Instant });
  }
  return out;
}

/** Total length of a normalized list, in milliseconds. */
export function totalLength(list: readonly Interval[]): number {
  let sum = 0;
  for (const i of list) sum += i.end - i.start;
  return sum;
}
