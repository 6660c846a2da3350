/**
 * On-call speed, against the targets:
 *
 * - the final schedule over 90 days of a schedule with 3 restricted layers and 200 overrides (< 5 ms);
 * - "who is on call now" for 10,000 schedules (< 200 ms in total);
 * - one person's iCalendar feed for a year (< 20 ms): database reads, the final schedule of each of
 *   their schedules and the ical.js rendering, through the same service the public feed route uses.
 *
 * The engine figures use the engine author's reference schedules (test/unit/oncall-speed.ts). Warm
 * figures are what a running server sees; "cold" empties the engine's conversion memo first.
 *
 *   node --import tsx bench/oncall.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DAY_MS, clearScheduleMemo, finalSchedule, instantFromIso, whoIsOnCall, type Instant } from '../src/core/oncall/index.js';
import { systemActor } from '../src/server/modules/audit/audit.repo.js';
import { ManualClock } from '../src/server/platform/clock.js';
import { loadConfig } from '../src/server/platform/config.js';
import { openDatabase } from '../src/server/platform/db/database.js';
import { createServices } from '../src/server/services.js';
import { manySchedules, referenceSchedule } from '../test/unit/oncall-speed.js';
import { isMain, median, printResult, type BenchResult } from './lib/report.js';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};
const time = (work: () => unknown) => {
  const t0 = performance.now();
  work();
  return performance.now() - t0;
};
const round = (ms: number) => Math.round(ms * 1000) / 1000;

function finalScheduleFigures() {
  const from = instantFromIso('2026-02-02T05:00Z');
  const window = { start: from, end: (from + 90 * DAY_MS) as Instant };
  const def = referenceSchedule(from);
  // Warm the JIT on the year before, so the figures are the schedule's cost, not compilation.
  for (let i = 0; i < 50; i++) finalSchedule(def, { start: (window.start - 364 * DAY_MS) as Instant, end: (window.end - 364 * DAY_MS) as Instant });
  clearScheduleMemo();
  const cold = time(() => finalSchedule(def, window));
  const runs = Array.from({ length: 500 }, () => time(() => finalSchedule(def, window)));
  return { cold, p50: percentile(runs, 50), p99: percentile(runs, 99), entries: finalSchedule(def, window).entries.length };
}

function whoIsOnCallFigures() {
  const now = instantFromIso('2026-03-08T06:30Z');
  const schedules = manySchedules(10_000, now);
  const before = (now - 364 * DAY_MS) as Instant;
  for (const s of manySchedules(10_000, before)) whoIsOnCall(s, before);
  clearScheduleMemo();
  const cold = time(() => schedules.forEach((s) => whoIsOnCall(s, now)));
  const passes = Array.from({ length: 7 }, () => time(() => schedules.forEach((s) => whoIsOnCall(s, now))));
  return { cold, warm: median(passes) };
}

/** One person in two schedules (the 3-layer reference schedule and a daily rotation), a year of feed. */
async function calendarFigures() {
  const clock = new ManualClock('2026-02-02T12:00:00Z');
  const database = openDatabase({ sqlitePath: ':memory:' });
  await database.migrate();
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', FIREBREAK_DATA_DIR: '/nonexistent' }), fastPasswordHashing: true };
  const services = createServices({ config, database, clock, secretKey: randomBytes(32) });
  const acting = { actor: systemActor('bench'), principal: null };
  try {
    for (const handle of ['ana', 'ben', 'cho', 'dev', 'eli', 'fay', 'gus', 'hal']) {
      await services.catalog.createUser(acting, { handle, name: handle, email: `${handle}@example.test`, timeZone: 'UTC', role: 'responder' });
    }
    const reference = referenceSchedule(clock.now() as Instant);
    const iso = (ms: number) => new Date(ms).toISOString();
    await services.oncall.schedules.create(acting, {
      handle: 'reference',
      name: 'Reference',
      description: '',
      timeZone: reference.timeZone,
      layers: reference.layers.map((l) => ({
        name: l.id,
        participants: [...l.participants],
        start: iso(l.start),
        handoffTime: l.handoffTime,
        turn: l.turn,
        restrictions: l.restrictions as never,
        advance: l.advance,
        shadows: [],
      })),
    });
    await services.oncall.schedules.create(acting, {
      handle: 'daily',
      name: 'Daily',
      description: '',
      timeZone: 'Europe/London',
      layers: [{ name: 'Daily', participants: ['ana', 'ben', 'cho'], start: '2026-01-05T09:00:00Z', handoffTime: '09:00', turn: { unit: 'days', count: 1 }, restrictions: [], advance: 'calendar', shadows: [] }],
    });
    for (const o of reference.overrides) await services.oncall.schedules.createOverride(acting, 'reference', { user: o.userId, start: iso(o.start), end: iso(o.end) });
    const ana = await services.catalog.requireUser(database.db, 'ana');
    const window = { start: clock.now(), end: clock.now() + 365 * DAY_MS };
    const render = () => services.oncall.feeds.userCalendar(database.db, ana.id, ana.name, window, clock.now());
    for (let i = 0; i < 10; i++) await render();
    const runs: number[] = [];
    let events = 0;
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      const text = await render();
      runs.push(performance.now() - t0);
      events = text.split('BEGIN:VEVENT').length - 1;
    }
    return { p50: percentile(runs, 50), p99: percentile(runs, 99), events };
  } finally {
    await database.close();
  }
}

/**
 * The same question through the service behind `GET /api/v1/oncall` (no filter) with 10,000 stored
 * schedules: reading and parsing them from SQLite, whoIsOnCall, and each shift's start and end.
 */
async function storedOnCallFigures() {
  const clock = new ManualClock('2026-03-08T06:30:00Z');
  const database = openDatabase({ sqlitePath: ':memory:' });
  await database.migrate();
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', FIREBREAK_DATA_DIR: '/nonexistent' }), fastPasswordHashing: true };
  const services = createServices({ config, database, clock, secretKey: randomBytes(32) });
  const acting = { actor: systemActor('bench'), principal: null };
  try {
    const ids = new Map<string, string>();
    for (const handle of ['ana', 'ben', 'cho', 'dev', 'eli', 'fay', 'gus', 'hal']) {
      ids.set(handle, (await services.catalog.createUser(acting, { handle, name: handle, email: `${handle}@example.test`, timeZone: 'UTC', role: 'responder' })).id);
    }
    const now = clock.now();
    const defs = manySchedules(10_000, now as Instant);
    // Written directly: 10,000 audited API calls would only slow the set-up down.
    await database.transaction(async (tx) => {
      for (const [i, d] of defs.entries()) {
        const layers = d.layers.map((l) => ({ ...l, participants: l.participants.map((p) => ids.get(p) as string) }));
        await tx.db.insertInto('schedules').values({ id: `s${String(i).padStart(6, '0')}`, handle: `s-${i}`, name: `S ${i}`, description: '', team_id: null, time_zone: d.timeZone, layers_json: JSON.stringify(layers), version: 1, created_at: now, updated_at: now, deleted_at: null }).execute();
      }
    });
    await services.oncall.schedules.onCall({}, now);
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await services.oncall.schedules.onCall({}, now);
      runs.push(performance.now() - t0);
    }
    return { median: median(runs) };
  } finally {
    await database.close();
  }
}

export async function runOncallBenchmark(): Promise<BenchResult> {
  const final = finalScheduleFigures();
  const who = whoIsOnCallFigures();
  const feed = await calendarFigures();
  const stored = await storedOnCallFigures();
  return {
    benchmark: 'on-call',
    metrics: [
      { name: 'final schedule, 90 days, 3 layers, 200 overrides (p50)', value: round(final.p50), unit: 'ms', target: { op: '<=', value: 5 }, detail: `p99 ${round(final.p99)} ms; cold memo ${round(final.cold)} ms; ${final.entries} entries; 500 runs` },
      { name: 'final schedule, 90 days, 3 layers, 200 overrides (p99)', value: round(final.p99), unit: 'ms', target: { op: '<=', value: 5 } },
      { name: 'whoIsOnCall for 10,000 schedules (total, warm)', value: round(who.warm), unit: 'ms', target: { op: '<=', value: 200 }, detail: `cold memo ${round(who.cold)} ms; median of 7 passes` },
      { name: 'who is on call in 10,000 stored schedules, via the service with shift bounds (median)', value: Math.round(stored.median), unit: 'ms', detail: 'ScheduleService.onCall({}) as GET /api/v1/oncall answers it: SQLite read + JSON parse + whoIsOnCall + each shift’s start and end; 5 runs' },
      { name: 'one user’s iCalendar feed for a year (p50)', value: round(feed.p50), unit: 'ms', target: { op: '<=', value: 20 }, detail: `p99 ${round(feed.p99)} ms; ${feed.events} events from 2 schedules (one with 3 layers and 200 overrides); SQLite in memory; 50 runs` },
    ],
    notes: ['engine figures: src/core/oncall; feed: CalendarFeedService.userCalendar (queries, final schedules, ical.js)'],
  };
}

if (isMain(import.meta.url)) printResult(await runOncallBenchmark());
