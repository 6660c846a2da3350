/**
 * Speed of the schedule engine, as numbers (not pass/fail): bench/ can import `measureScheduleSpeed`.
 * Targets from the on-call issue: the final schedule over 90 days with 3 restricted layers and 200
 * overrides under 5 ms; "who is on call now" for 10,000 schedules under 200 ms in total.
 *
 * Run alone: node --import tsx -e "import('./test/unit/oncall-speed.ts').then(async (m) => console.log(m.measureScheduleSpeed()))"
 */
import { performance } from 'node:perf_hooks';
import {
  DAY_MS,
  clearScheduleMemo,
  finalSchedule,
  instantFromIso,
  whoIsOnCall,
  type Instant,
  type Layer,
  type Override,
  type ScheduleDefinition,
} from '../../src/core/oncall/index.js';

/** A small deterministic generator (mulberry32) so every run measures the same schedules. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'];
const people = ['ana', 'ben', 'cho', 'dev', 'eli', 'fay', 'gus', 'hal'];

/** The reference schedule: 3 layers with restrictions and 200 overrides spread over 90 days. */
export function referenceSchedule(from: Instant): ScheduleDefinition {
  const rnd = random(42);
  const overrides: Override[] = [];
  for (let i = 0; i < 200; i++) {
    const start = from + Math.floor(rnd() * 90 * 96) * 15 * 60_000;
    overrides.push({ id: `o${i}`, userId: people[i % people.length] as string, start: start as Instant, end: (start + (1 + Math.floor(rnd() * 16)) * 30 * 60_000) as Instant });
  }
  return {
    name: 'reference',
    timeZone: 'America/New_York',
    layers: [
      { id: 'base', participants: ['ana', 'ben', 'cho', 'dev'], start: instantFromIso('2026-01-05T14:00Z'), handoffTime: '09:00', turn: { unit: 'weeks', count: 1 }, restrictions: [], advance: 'calendar' },
      {
        id: 'business-hours',
        participants: ['eli', 'fay', 'gus'],
        start: instantFromIso('2026-01-05T14:00Z'),
        handoffTime: '09:00',
        turn: { unit: 'days', count: 1 },
        restrictions: [{ kind: 'daily', start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }],
        advance: 'on-duty',
      },
      {
        id: 'nights',
        participants: ['hal', 'ana', 'ben'],
        start: instantFromIso('2026-01-05T14:00Z'),
        handoffTime: '22:00',
        turn: { unit: 'days', count: 2 },
        restrictions: [{ kind: 'daily', start: '22:00', end: '06:00' }, { kind: 'weekly', startDay: 6, start: '10:00', endDay: 6, end: '14:00' }],
        advance: 'calendar',
      },
    ],
    overrides,
  };
}

/** 10,000 varied schedules: six zones, one to three layers, restrictions, a few overrides each. */
export function manySchedules(count: number, around: Instant): ScheduleDefinition[] {
  const rnd = random(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const out: ScheduleDefinition[] = [];
  for (let s = 0; s < count; s++) {
    const layers: Layer[] = [];
    const layerCount = 1 + Math.floor(rnd() * 3);
    for (let l = 0; l < layerCount; l++) {
      const restricted = rnd() < 0.5;
      layers.push({
        id: `l${l}`,
        participants: people.slice(0, 3 + Math.floor(rnd() * 5)),
        start: (around - Math.floor(rnd() * 365) * DAY_MS - Math.floor(rnd() * 24) * 3_600_000) as Instant,
        handoffTime: `${String(Math.floor(rnd() * 24)).padStart(2, '0')}:${pick(['00', '30'])}`,
        turn: { unit: pick(['hours', 'days', 'days', 'weeks'] as const), count: 1 + Math.floor(rnd() * 3) },
        restrictions: restricted ? [pick([{ kind: 'daily', start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }, { kind: 'daily', start: '18:00', end: '08:00' }, { kind: 'weekly', startDay: 5, start: '17:00', endDay: 1, end: '09:00' }] as const)] : [],
        advance: pick(['calendar', 'on-duty'] as const),
      });
    }
    const overrides: Override[] = [];
    for (let o = 0; o < Math.floor(rnd() * 5); o++) {
      const start = around + Math.floor((rnd() - 0.5) * 20) * 3_600_000;
      overrides.push({ id: `o${o}`, userId: pick(people), start: start as Instant, end: (start + 3_600_000 * (1 + Math.floor(rnd() * 8))) as Instant });
    }
    out.push({ name: `s${s}`, timeZone: pick(zones), layers, overrides });
  }
  return out;
}

export interface ScheduleSpeed {
  /**
   * `finalSchedule` over 90 days of the reference schedule with the memo emptied first, median of 25
   * (ms). The code is warmed up on other dates beforehand, as in a running server: this is the cost of
   * an empty memo, not of the JIT.
   */
  finalSchedule90dColdMs: number;
  /** Median of 50 repeated `finalSchedule` calls over the same 90 days (ms). */
  finalSchedule90dMedianMs: number;
  /** Entries in that final schedule. */
  finalScheduleEntries: number;
  /** `whoIsOnCall` at one instant for each of 10,000 schedules, memo emptied first, median of 3 (ms, total; JIT warmed as above). */
  whoIsOnCall10kColdMs: number;
  /** The same again (memo warm), median of 5 passes (ms, total). */
  whoIsOnCall10kWarmMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export function measureScheduleSpeed(): ScheduleSpeed {
  const from = instantFromIso('2026-02-02T05:00Z');
  const window = { start: from, end: (from + 90 * DAY_MS) as Instant };
  const def = referenceSchedule(from);

  // Warm the JIT (and the polyfill's zone data) on another year, cold memo included, then measure.
  const yearBefore = { start: (window.start - 364 * DAY_MS) as Instant, end: (window.end - 364 * DAY_MS) as Instant };
  for (let i = 0; i < 20; i++) {
    clearScheduleMemo();
    finalSchedule(def, yearBefore);
  }
  const cold: number[] = [];
  let t0 = 0;
  for (let i = 0; i < 25; i++) {
    clearScheduleMemo();
    t0 = performance.now();
    finalSchedule(def, window);
    cold.push(performance.now() - t0);
  }
  const first = finalSchedule(def, window);
  const runs: number[] = [];
  for (let i = 0; i < 50; i++) {
    t0 = performance.now();
    finalSchedule(def, window);
    runs.push(performance.now() - t0);
  }

  const now = instantFromIso('2026-03-08T06:30Z');
  const schedules = manySchedules(10_000, now);
  for (const s of manySchedules(10_000, (now - 364 * DAY_MS) as Instant)) whoIsOnCall(s, (now - 364 * DAY_MS) as Instant);
  const coldPasses: number[] = [];
  for (let p = 0; p < 3; p++) {
    clearScheduleMemo();
    t0 = performance.now();
    for (const s of schedules) whoIsOnCall(s, now);
    coldPasses.push(performance.now() - t0);
  }
  const passes: number[] = [];
  for (let p = 0; p < 5; p++) {
    t0 = performance.now();
    for (const s of schedules) whoIsOnCall(s, now);
    passes.push(performance.now() - t0);
  }

  return {
    finalSchedule90dColdMs: median(cold),
    finalSchedule90dMedianMs: median(runs),
    finalScheduleEntries: first.entries.length,
    whoIsOnCall10kColdMs: median(coldPasses),
    whoIsOnCall10kWarmMs: median(passes),
  };
}
