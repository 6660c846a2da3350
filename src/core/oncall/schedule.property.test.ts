/**
 * Property tests over random definitions in six zones, with fixed seeds and bounded runs. What the
 * on-call issue asks for: no overlaps in the final schedule, coverage equals the union of layer
 * coverage (and overrides), overrides win, handoffs fall at local wall time; plus `whoIsOnCall` and
 * `shadowsAt` agreeing with `finalSchedule`, and a window drawn in pieces giving the same schedule.
 * That results do not depend on the process's TZ is checked in test/unit/oncall-tz.test.ts, which
 * runs the engine in child processes under different TZ settings.
 */
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { finalSchedule, shadowsAt, whoIsOnCall } from './final-schedule.js';
import { intersectIntervals, mergeIntervals, unionIntervals, type Interval } from './ranges.js';
import type { IsoWeekday, Layer, Override, Restriction, ScheduleDefinition, ScheduleEntry } from './schedule.js';
import { DAY_MS, MINUTE_MS, instantFromIso, type Instant } from './time.js';
import { validateSchedule } from './validate.js';

const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'] as const;
const people = ['ana', 'ben', 'cho', 'dev', 'eli'];
const RUNS = { numRuns: 300 };

// 2026–2027, quarter hours so boundaries often coincide. Half the cases aim at a clock change of the
// schedule's zone: the window starts in the week before it, and handoff and window times are drawn
// from the wall times around it (the skipped or repeated hour and the half hour either side).
const FROM = instantFromIso('2026-01-01T00:00Z');
const TO = instantFromIso('2027-12-01T00:00Z');
const QUARTER = 15 * MINUTE_MS;
const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

interface Hotspot {
  instant: number;
  /** Quarter-hour wall times around the change, e.g. 01:30 … 03:30 for New York's 02:00 → 03:00. */
  times: string[];
}

/** Every clock change of a zone in the period, with the wall times around it. */
function hotspots(zone: string): Hotspot[] {
  const found: Hotspot[] = [];
  let next = Temporal.Instant.fromEpochMilliseconds(FROM).toZonedDateTimeISO(zone).getTimeZoneTransition('next');
  while (next !== null && next.epochMilliseconds < TO) {
    const before = next.subtract({ milliseconds: 1 }).toPlainTime().add({ milliseconds: 1 });
    const after = next.toPlainTime();
    const minutes = [before, after].map((t) => t.hour * 60 + t.minute);
    const times: string[] = [];
    for (let m = Math.min(...minutes) - 30; m <= Math.max(...minutes) + 30; m += 15) times.push(clock((m + 1440) % 1440));
    found.push({ instant: next.epochMilliseconds, times });
    next = next.getTimeZoneTransition('next');
  }
  return found;
}
const hotspotsByZone = new Map<string, Hotspot[]>(zones.map((z) => [z, hotspots(z)]));

const anyQuarterHour = fc.integer({ min: 0, max: 95 }).map((q) => clock(q * 15));
const weekday = fc.integer({ min: 1, max: 7 }) as fc.Arbitrary<IsoWeekday>;

function restrictionArb(time: fc.Arbitrary<string>): fc.Arbitrary<Restriction> {
  return fc.oneof(
    fc
      .record({ start: time, end: time, days: fc.option(fc.uniqueArray(weekday, { minLength: 1, maxLength: 7 }), { nil: undefined }) })
      .filter((r) => r.start !== r.end)
      .map((r) => (r.days === undefined ? { kind: 'daily' as const, start: r.start, end: r.end } : { kind: 'daily' as const, ...r })),
    fc
      .record({ startDay: weekday, start: time, endDay: weekday, end: time })
      .filter((r) => r.startDay !== r.endDay || r.start !== r.end)
      .map((r) => ({ kind: 'weekly' as const, ...r })),
  );
}

const turn = fc.oneof(
  { arbitrary: fc.record({ unit: fc.constant('hours' as const), count: fc.integer({ min: 1, max: 12 }) }), weight: 2 },
  { arbitrary: fc.record({ unit: fc.constant('days' as const), count: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ unit: fc.constant('weeks' as const), count: fc.integer({ min: 1, max: 2 }) }), weight: 1 },
);

function layerArb(windowStart: number, index: number, time: fc.Arbitrary<string>): fc.Arbitrary<Layer> {
  return fc
    .record({
      participants: fc.oneof(fc.array(fc.constantFrom(...people), { minLength: 1, maxLength: 4 }), fc.shuffledSubarray(people, { minLength: 2 })),
      startBefore: fc.integer({ min: -3 * 96, max: 40 * 96 }),
      length: fc.option(fc.integer({ min: 1, max: 60 * 96 }), { nil: undefined }),
      handoffTime: time,
      turn,
      restrictions: fc.oneof(fc.constant([]), fc.array(restrictionArb(time), { minLength: 1, maxLength: 2 })),
      advance: fc.constantFrom('calendar' as const, 'on-duty' as const),
      shadows: fc.option(fc.constantFrom(['shadow-1'], ['shadow-1', 'shadow-2']), { nil: undefined }),
      timeZone: fc.option(fc.constantFrom(...zones), { nil: undefined, freq: 5 }),
    })
    .map(({ startBefore, length, ...rest }) => {
      const start = (windowStart - startBefore * QUARTER) as Instant;
      const layer: Layer = { id: `layer-${index}`, ...rest, start };
      if (length !== undefined) layer.end = (start + length * QUARTER) as Instant;
      if (rest.shadows === undefined) delete layer.shadows;
      if (rest.timeZone === undefined) delete layer.timeZone;
      return layer;
    });
}

interface Case {
  def: ScheduleDefinition;
  window: Interval;
}

/** A window start (and the wall times worth using) for a zone: anywhere, or just before a clock change. */
function placementArb(zone: string): fc.Arbitrary<{ windowStart: number; time: fc.Arbitrary<string> }> {
  const anywhere = fc
    .integer({ min: FROM / QUARTER, max: TO / QUARTER })
    .map((q) => ({ windowStart: q * QUARTER, time: anyQuarterHour }));
  const spots = hotspotsByZone.get(zone) ?? [];
  if (spots.length === 0) return anywhere;
  const nearChange = fc
    .tuple(fc.constantFrom(...spots), fc.integer({ min: -7 * 96, max: 0 }))
    .map(([spot, q]) => ({
      windowStart: (Math.floor(spot.instant / QUARTER) + q) * QUARTER,
      time: fc.oneof({ arbitrary: fc.constantFrom(...spot.times), weight: 3 }, { arbitrary: anyQuarterHour, weight: 1 }),
    }));
  return fc.oneof({ arbitrary: anywhere, weight: 1 }, { arbitrary: nearChange, weight: 2 });
}

const caseArb: fc.Arbitrary<Case> = fc
  .constantFrom(...zones)
  .chain((zone) => placementArb(zone).map((placement) => ({ zone, ...placement })))
  .chain(({ zone, windowStart, time }) =>
    fc
      .record({
        windowDays: fc.integer({ min: 1, max: 21 }),
        layerCount: fc.integer({ min: 1, max: 3 }),
      })
      .chain(({ windowDays, layerCount }) =>
        fc
          .record({
            layers: fc.tuple(...Array.from({ length: layerCount }, (_, i) => layerArb(windowStart, i, time))),
            overrides: fc.array(
              fc.record({ offset: fc.integer({ min: -96, max: windowDays * 96 }), length: fc.integer({ min: 1, max: 2 * 96 }), userId: fc.constantFrom(...people) }),
              { maxLength: 5 },
            ),
          })
          .map(({ layers, overrides }): Case => ({
            def: {
              timeZone: zone,
              layers,
              overrides: overrides.map((o, i): Override => {
                const start = windowStart + o.offset * QUARTER;
                return { id: `override-${i}`, userId: o.userId, start: start as Instant, end: (start + o.length * QUARTER) as Instant };
              }),
            },
            window: { start: windowStart as Instant, end: (windowStart + windowDays * DAY_MS) as Instant },
          })),
      ),
  );

const sameSource = (a: ScheduleEntry['source'], b: ScheduleEntry['source']) => JSON.stringify(a) === JSON.stringify(b);
const entryAt = (entries: readonly ScheduleEntry[], t: number) => entries.find((e) => e.start <= t && t < e.end);

function expectSortedDisjoint(entries: readonly Interval[], window: Interval): void {
  entries.forEach((e, i) => {
    expect(e.start).toBeLessThan(e.end);
    expect(e.start).toBeGreaterThanOrEqual(window.start);
    expect(e.end).toBeLessThanOrEqual(window.end);
    if (i > 0) expect((entries[i - 1] as Interval).end).toBeLessThanOrEqual(e.start);
  });
}

/** What the overrides cover inside the window. */
const overrideCoverage = (def: ScheduleDefinition, window: Interval) => mergeIntervals(def.overrides.flatMap((o) => intersectIntervals([o], [window])));

describe('final schedule properties (fast-check, fixed seeds)', () => {
  it('generates valid definitions', () => {
    fc.assert(
      fc.property(caseArb, ({ def }) => {
        expect(validateSchedule(def)).toEqual([]);
      }),
      { seed: 1, numRuns: 50 },
    );
  });

  it('never has two entries at the same moment, in the final schedule or in any layer', () => {
    fc.assert(
      fc.property(caseArb, ({ def, window }) => {
        const drawn = finalSchedule(def, window);
        expectSortedDisjoint(drawn.entries, window);
        for (const layer of drawn.layers) expectSortedDisjoint(layer.entries, window);
        // adjacent entries of the same person and source are merged
        drawn.entries.forEach((e, i) => {
          const prev = drawn.entries[i - 1];
          if (prev && prev.end === e.start) expect(prev.userId === e.userId && sameSource(prev.source, e.source)).toBe(false);
        });
      }),
      { seed: 2, ...RUNS },
    );
  });

  it('covers exactly the union of the layers’ coverage and the overrides, and reports the rest as gaps', () => {
    fc.assert(
      fc.property(caseArb, ({ def, window }) => {
        const drawn = finalSchedule(def, window);
        const layers = drawn.layers.reduce<Interval[]>((acc, l) => unionIntervals(acc, mergeIntervals(l.entries)), []);
        const expected = unionIntervals(layers, overrideCoverage(def, window));
        expect(mergeIntervals(drawn.entries)).toEqual(expected);
        expect(mergeIntervals([...drawn.entries, ...drawn.gaps])).toEqual(window.end > window.start ? [window] : []);
        expect(intersectIntervals(mergeIntervals(drawn.gaps), expected)).toEqual([]);
      }),
      { seed: 3, ...RUNS },
    );
  });

  it('lets overrides win: inside an override the latest one covering the moment is on call', () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), ({ def, window }, fractions) => {
        const drawn = finalSchedule(def, window);
        for (const o of def.overrides) {
          for (const f of fractions) {
            const t = Math.floor(o.start + f * (o.end - o.start - 1));
            if (t < window.start || t >= window.end) continue;
            const winner = [...def.overrides].reverse().find((x) => x.start <= t && t < x.end) as Override;
            const expected = { userId: winner.userId, source: { kind: 'override', overrideId: winner.id } };
            expect(whoIsOnCall(def, t as Instant)).toEqual(expected);
            const entry = entryAt(drawn.entries, t);
            expect(entry && { userId: entry.userId, source: entry.source }).toEqual(expected);
          }
        }
      }),
      { seed: 4, ...RUNS },
    );
  });

  it('hands off only at the local wall time of a turn boundary (or where Temporal’s compatible rule moved it)', () => {
    fc.assert(
      fc.property(caseArb, ({ def, window }) => {
        const drawn = finalSchedule(def, window);
        drawn.layers.forEach((timeline, i) => {
          const layer = def.layers[i] as Layer;
          timeline.entries.forEach((e, k) => {
            const prev = timeline.entries[k - 1];
            // A boundary with duty on both sides and a change of person is a handoff, not a window edge.
            if (prev && prev.end === e.start && prev.userId !== e.userId) {
              expect(isHandoff(layer, layer.timeZone ?? def.timeZone, e.start), `${layer.id} at ${Temporal.Instant.fromEpochMilliseconds(e.start)}`).toBe(true);
            }
          });
        });
      }),
      { seed: 5, numRuns: 1000 },
    );
  });

  it('hands off every day at each wall time around every 2026–2027 clock change exactly where Temporal’s compatible rule puts it', () => {
    for (const zone of zones) {
      for (const spot of hotspotsByZone.get(zone) ?? []) {
        for (const handoffTime of spot.times) {
          const layer: Layer = {
            id: 'daily',
            participants: ['ana', 'ben'],
            start: (spot.instant - 3 * DAY_MS) as Instant,
            handoffTime,
            turn: { unit: 'days', count: 1 },
            restrictions: [],
            advance: 'calendar',
          };
          const def: ScheduleDefinition = { timeZone: zone, layers: [layer], overrides: [] };
          const entries = finalSchedule(def, { start: (spot.instant - 2 * DAY_MS) as Instant, end: (spot.instant + 2 * DAY_MS) as Instant }).entries;
          const handoffs = entries.slice(1).map((e) => e.start);
          // Expected: handoffTime on each local date, resolved by Temporal itself.
          const [hour, minute] = handoffTime.split(':').map(Number) as [number, number];
          const expected: number[] = [];
          let date = Temporal.Instant.fromEpochMilliseconds(spot.instant - 3 * DAY_MS).toZonedDateTimeISO(zone).toPlainDate();
          for (let d = 0; d < 6; d++, date = date.add({ days: 1 })) {
            const t = date.toPlainDateTime({ hour, minute }).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
            if (t > spot.instant - 2 * DAY_MS && t < spot.instant + 2 * DAY_MS) expected.push(t);
          }
          expect(handoffs, `${zone} ${handoffTime} around ${Temporal.Instant.fromEpochMilliseconds(spot.instant)}`).toEqual(expected);
        }
      }
    }
  });

  it('answers whoIsOnCall and shadowsAt exactly as the drawn schedule says, at entry edges, gaps and random moments', () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }), ({ def, window }, fractions) => {
        const drawn = finalSchedule(def, window);
        const moments = new Set<number>(fractions.map((f) => Math.floor(window.start + f * (window.end - window.start - 1))));
        for (const e of [...drawn.entries, ...drawn.gaps]) {
          moments.add(e.start);
          moments.add(e.end - 1);
        }
        for (const t of moments) {
          const entry = entryAt(drawn.entries, t);
          expect(whoIsOnCall(def, t as Instant)).toEqual(entry ? { userId: entry.userId, source: entry.source } : null);
          const shadows = drawn.shadows.filter((s) => s.start <= t && t < s.end).map((s) => s.userId);
          expect([...shadowsAt(def, t as Instant)].sort()).toEqual(shadows.sort());
        }
      }),
      { seed: 6, ...RUNS },
    );
  });

  it('draws the same schedule when the window is cut in two', () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0, max: 1, noNaN: true }), ({ def, window }, f) => {
        const cut = Math.floor(window.start + f * (window.end - window.start)) as Instant;
        const whole = finalSchedule(def, window).entries;
        const pieces = [...finalSchedule(def, { start: window.start, end: cut }).entries, ...finalSchedule(def, { start: cut, end: window.end }).entries];
        const joined: ScheduleEntry[] = [];
        for (const p of pieces) {
          const last = joined[joined.length - 1];
          if (last && last.end === p.start && last.userId === p.userId && sameSource(last.source, p.source)) last.end = p.end;
          else joined.push({ ...p });
        }
        expect(joined).toEqual(whole);
      }),
      { seed: 7, ...RUNS },
    );
  });
});

/**
 * True when instant b is a turn boundary of the layer by the rules, checked with Temporal alone: some
 * wall time w = origin + k·step (k ≥ 0) with `w` resolved 'compatible' equal to b, where the origin is
 * `handoffTime` on the local date of the layer's start and the step is the turn (calendar) or one unit
 * (on-duty). w is b's own wall time, or up to an hour earlier when the clocks jumped over it.
 */
function isHandoff(layer: Layer, zone: string, b: number): boolean {
  const [hh, mm] = layer.handoffTime.split(':').map(Number) as [number, number];
  const origin = Temporal.Instant.fromEpochMilliseconds(layer.start).toZonedDateTimeISO(zone).toPlainDate().toPlainDateTime({ hour: hh, minute: mm });
  const local = Temporal.Instant.fromEpochMilliseconds(b).toZonedDateTimeISO(zone).toPlainDateTime();
  const step = layer.advance === 'calendar' ? layer.turn.count : 1;
  return [0, 15, 30, 45, 60].some((back) => {
    const w = local.subtract({ minutes: back });
    if (Temporal.PlainDateTime.compare(w, origin) < 0) return false;
    if (w.toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds !== b) return false;
    if (layer.turn.unit === 'hours') {
      const minutes = origin.until(w, { largestUnit: 'minutes' }).minutes;
      return minutes % (60 * step) === 0;
    }
    if (w.hour !== hh || w.minute !== mm) return false;
    const daysApart = origin.toPlainDate().until(w.toPlainDate(), { largestUnit: 'days' }).days;
    return daysApart % ((layer.turn.unit === 'weeks' ? 7 : 1) * step) === 0;
  });
}
