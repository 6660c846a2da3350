import { describe, expect, it } from 'vitest';
import { finalSchedule, shadowsAt, whoIsOnCall } from './final-schedule.js';
import { swapShifts } from './overrides.js';
import type { Layer, Override, ScheduleDefinition, ScheduleEntry } from './schedule.js';
import { instantFromIso, isoFromInstant, type Instant } from './time.js';

const at = instantFromIso;
const window = (from: string, to: string) => ({ start: at(from), end: at(to) });

/** Daily UTC layer from Monday 2026-03-02 00:00. */
function daily(id: string, participants: string[], over: Partial<Layer> = {}): Layer {
  return { id, participants, start: at('2026-03-02T00:00Z'), handoffTime: '00:00', turn: { unit: 'days', count: 1 }, restrictions: [], advance: 'calendar', ...over };
}
function override(id: string, userId: string, from: string, to: string, over: Partial<Override> = {}): Override {
  return { id, userId, start: at(from), end: at(to), ...over };
}
const show = (entries: readonly ScheduleEntry[]) =>
  entries.map((e) => [isoFromInstant(e.start), isoFromInstant(e.end), e.userId, e.source.kind === 'layer' ? e.source.layerId : e.source.overrideId]);

describe('layers by priority (rule 1)', () => {
  const def: ScheduleDefinition = {
    timeZone: 'UTC',
    layers: [daily('base', ['ana', 'ben', 'cho']), daily('daytime', ['dev'], { restrictions: [{ kind: 'daily', start: '09:00', end: '17:00' }] })],
    overrides: [],
  };

  it('lets a later layer override an earlier one only where it has someone on duty', () => {
    expect(show(finalSchedule(def, window('2026-03-02T00:00Z', '2026-03-03T00:00Z')).entries)).toEqual([
      ['2026-03-02T00:00:00Z', '2026-03-02T09:00:00Z', 'ana', 'base'],
      ['2026-03-02T09:00:00Z', '2026-03-02T17:00:00Z', 'dev', 'daytime'],
      ['2026-03-02T17:00:00Z', '2026-03-03T00:00:00Z', 'ana', 'base'],
    ]);
  });

  it('draws each layer on its own for the timeline', () => {
    const { layers } = finalSchedule(def, window('2026-03-02T00:00Z', '2026-03-03T00:00Z'));
    expect(layers.map((l) => [l.layerId, show(l.entries)])).toEqual([
      ['base', [['2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z', 'ana', 'base']]],
      ['daytime', [['2026-03-02T09:00:00Z', '2026-03-02T17:00:00Z', 'dev', 'daytime']]],
    ]);
  });

  it('reports where nobody is on call', () => {
    const restricted: ScheduleDefinition = { ...def, layers: [def.layers[1] as Layer] };
    const { gaps } = finalSchedule(restricted, window('2026-03-02T00:00Z', '2026-03-03T00:00Z'));
    expect(gaps.map((g) => [isoFromInstant(g.start), isoFromInstant(g.end)])).toEqual([
      ['2026-03-02T00:00:00Z', '2026-03-02T09:00:00Z'],
      ['2026-03-02T17:00:00Z', '2026-03-03T00:00:00Z'],
    ]);
  });
});

describe('overrides (rules 1 and 9)', () => {
  const base: ScheduleDefinition = { timeZone: 'UTC', layers: [daily('base', ['ana', 'ben', 'cho'])], overrides: [] };

  it('beat every layer for exactly their interval, partial shifts included', () => {
    const def = { ...base, overrides: [override('o1', 'eli', '2026-03-02T10:00Z', '2026-03-02T12:30Z', { replaces: 'ana' })] };
    const drawn = finalSchedule(def, window('2026-03-02T00:00Z', '2026-03-03T00:00Z'));
    expect(show(drawn.entries)).toEqual([
      ['2026-03-02T00:00:00Z', '2026-03-02T10:00:00Z', 'ana', 'base'],
      ['2026-03-02T10:00:00Z', '2026-03-02T12:30:00Z', 'eli', 'o1'],
      ['2026-03-02T12:30:00Z', '2026-03-03T00:00:00Z', 'ana', 'base'],
    ]);
    expect(drawn.entries[1]?.source).toEqual({ kind: 'override', overrideId: 'o1', replaces: 'ana' });
  });

  it('where they overlap, the later override in the list wins', () => {
    const def = {
      ...base,
      overrides: [override('o1', 'eli', '2026-03-02T10:00Z', '2026-03-02T14:00Z'), override('o2', 'fay', '2026-03-02T12:00Z', '2026-03-02T13:00Z')],
    };
    expect(show(finalSchedule(def, window('2026-03-02T09:00Z', '2026-03-02T15:00Z')).entries)).toEqual([
      ['2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z', 'ana', 'base'],
      ['2026-03-02T10:00:00Z', '2026-03-02T12:00:00Z', 'eli', 'o1'],
      ['2026-03-02T12:00:00Z', '2026-03-02T13:00:00Z', 'fay', 'o2'],
      ['2026-03-02T13:00:00Z', '2026-03-02T14:00:00Z', 'eli', 'o1'],
      ['2026-03-02T14:00:00Z', '2026-03-02T15:00:00Z', 'ana', 'base'],
    ]);
    expect(whoIsOnCall(def, at('2026-03-02T12:30Z'))).toEqual({ userId: 'fay', source: { kind: 'override', overrideId: 'o2' } });
  });

  it('fill gaps too: an override needs no layer beneath it', () => {
    const def: ScheduleDefinition = { timeZone: 'UTC', layers: [], overrides: [override('o1', 'eli', '2026-03-02T10:00Z', '2026-03-02T11:00Z')] };
    const drawn = finalSchedule(def, window('2026-03-02T09:00Z', '2026-03-02T12:00Z'));
    expect(show(drawn.entries)).toEqual([['2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z', 'eli', 'o1']]);
    expect(drawn.gaps).toHaveLength(2);
  });

  it('keep the person’s own turn as a separate entry next to their override', () => {
    // ana covers the hour before her own turn: two entries, two sources.
    const def = { ...base, overrides: [override('o1', 'ana', '2026-03-01T23:00Z', '2026-03-02T00:00Z')] };
    expect(show(finalSchedule(def, window('2026-03-01T23:00Z', '2026-03-02T02:00Z')).entries)).toEqual([
      ['2026-03-01T23:00:00Z', '2026-03-02T00:00:00Z', 'ana', 'o1'],
      ['2026-03-02T00:00:00Z', '2026-03-02T02:00:00Z', 'ana', 'base'],
    ]);
  });

  it('record a shift swap as two overrides that carry both names', () => {
    // ana has Monday, ben has Tuesday; they swap.
    const [o1, o2] = swapShifts({
      ids: ['swap-1', 'swap-2'],
      first: { userId: 'ana', start: at('2026-03-02T00:00Z'), end: at('2026-03-03T00:00Z') },
      second: { userId: 'ben', start: at('2026-03-03T00:00Z'), end: at('2026-03-04T00:00Z') },
    });
    expect(o1).toEqual({ id: 'swap-1', userId: 'ben', start: at('2026-03-02T00:00Z'), end: at('2026-03-03T00:00Z'), replaces: 'ana', swapWith: 'swap-2', note: 'Shift swap between ana and ben' });
    expect(o2).toMatchObject({ id: 'swap-2', userId: 'ana', replaces: 'ben', swapWith: 'swap-1' });
    const def = { ...base, overrides: [o1, o2] };
    const drawn = finalSchedule(def, window('2026-03-02T00:00Z', '2026-03-05T00:00Z'));
    expect(drawn.entries.map((e) => [e.userId, e.source])).toEqual([
      ['ben', { kind: 'override', overrideId: 'swap-1', replaces: 'ana' }],
      ['ana', { kind: 'override', overrideId: 'swap-2', replaces: 'ben' }],
      ['cho', { kind: 'layer', layerId: 'base' }],
    ]);
  });
});

describe('shadows (rule 8)', () => {
  const def: ScheduleDefinition = {
    timeZone: 'UTC',
    layers: [
      daily('base', ['ana', 'ben', 'cho'], { shadows: ['new-hire'] }),
      daily('daytime', ['dev'], { restrictions: [{ kind: 'daily', start: '09:00', end: '17:00' }], shadows: ['intern'] }),
    ],
    overrides: [override('o1', 'eli', '2026-03-02T03:00Z', '2026-03-02T04:00Z')],
  };

  it('receive copies from the highest layer on duty, overrides or not, and are never on call', () => {
    const drawn = finalSchedule(def, window('2026-03-02T00:00Z', '2026-03-03T00:00Z'));
    expect(drawn.shadows.map((s) => [isoFromInstant(s.start), isoFromInstant(s.end), s.userId, s.layerId])).toEqual([
      ['2026-03-02T00:00:00Z', '2026-03-02T09:00:00Z', 'new-hire', 'base'],
      ['2026-03-02T09:00:00Z', '2026-03-02T17:00:00Z', 'intern', 'daytime'],
      ['2026-03-02T17:00:00Z', '2026-03-03T00:00:00Z', 'new-hire', 'base'],
    ]);
    expect(drawn.entries.some((e) => e.userId === 'new-hire' || e.userId === 'intern')).toBe(false);
    expect(shadowsAt(def, at('2026-03-02T03:30Z'))).toEqual(['new-hire']); // eli's override is in effect
    expect(whoIsOnCall(def, at('2026-03-02T03:30Z'))?.userId).toBe('eli');
    expect(shadowsAt(def, at('2026-03-02T10:00Z'))).toEqual(['intern']);
  });

  it('are nobody when no layer is on duty', () => {
    const onlyDaytime = { ...def, layers: [def.layers[1] as Layer] };
    expect(shadowsAt(onlyDaytime, at('2026-03-02T20:00Z'))).toEqual([]);
  });
});

describe('one function of the definition and the window (rule 7)', () => {
  const def: ScheduleDefinition = {
    timeZone: 'America/New_York',
    layers: [
      { id: 'weekly', participants: ['ana', 'ben', 'cho'], start: at('2026-03-02T14:00Z'), handoffTime: '09:00', turn: { unit: 'weeks', count: 1 }, restrictions: [], advance: 'calendar' },
      daily('nights', ['dev', 'eli', 'fay'], { timeZone: 'America/New_York', restrictions: [{ kind: 'daily', start: '22:00', end: '06:00' }] }),
    ],
    overrides: [override('o1', 'gus', '2026-03-07T12:00Z', '2026-03-08T12:00Z')],
  };

  it('gives the same entries when a window is cut in two and drawn in pieces', () => {
    const whole = finalSchedule(def, window('2026-03-01T00:00Z', '2026-03-20T00:00Z')).entries;
    const cut = at('2026-03-08T07:00Z');
    const left = finalSchedule(def, { start: at('2026-03-01T00:00Z'), end: cut }).entries;
    const right = finalSchedule(def, { start: cut, end: at('2026-03-20T00:00Z') }).entries;
    const joined = [...left, ...right].reduce<ScheduleEntry[]>((acc, e) => {
      const last = acc[acc.length - 1];
      if (last && last.end === e.start && last.userId === e.userId && JSON.stringify(last.source) === JSON.stringify(e.source)) last.end = e.end;
      else acc.push({ ...e });
      return acc;
    }, []);
    expect(joined).toEqual(whole);
  });

  it('answers who is on call at any instant with the entry that contains it', () => {
    const drawn = finalSchedule(def, window('2026-03-01T00:00Z', '2026-03-20T00:00Z'));
    for (const e of drawn.entries) {
      for (const t of [e.start, Math.floor((e.start + e.end) / 2), e.end - 1]) {
        expect(whoIsOnCall(def, t as Instant)).toEqual({ userId: e.userId, source: e.source });
      }
    }
  });

  it('is empty for an empty window and refuses instants outside 1900–2200', () => {
    expect(finalSchedule(def, window('2026-03-02T00:00Z', '2026-03-02T00:00Z')).entries).toEqual([]);
    expect(() => whoIsOnCall(def, 1e16 as Instant)).toThrow(RangeError);
  });
});
