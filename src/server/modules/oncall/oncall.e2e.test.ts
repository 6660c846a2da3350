import ICAL from 'ical.js';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { ManualClock } from '../../platform/clock.js';

type Json = Record<string, unknown>;
interface Entry {
  start: string;
  end: string;
  userId: string;
  source: { kind: string; layerId?: string; overrideId?: string; replaces?: string };
}
interface Person {
  userId: string;
  handle: string;
  token: string;
}

const issuePaths = (res: LightMyRequestResponse) => json<{ details: { issues: Array<{ path: string }> } }>(res).details.issues.map((i) => i.path);

/** A daily rotation in New York handing off at 09:00 local, from Monday 2026-03-02 (09:00 EST = 14:00Z). */
const nyDaily = (participants: string[], extra: Json = {}) => ({
  name: 'Primary',
  participants,
  start: '2026-03-02T14:00:00Z',
  handoffTime: '09:00',
  turn: { unit: 'days', count: 1 },
  ...extra,
});

// The same suite on SQLite and PostgreSQL.
for (const dialect of dialectCases()) describe(`on-call over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  let ben: Person;
  let cho: Person;
  let dev: Person;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-03-02T12:00:00Z') });
    admin = await t.userWithToken('admin', 'root-admin');
    ana = await t.userWithToken('responder', 'ana');
    ben = await t.userWithToken('responder', 'ben');
    cho = await t.userWithToken('responder', 'cho');
    dev = await t.userWithToken('responder', 'dev');
    await call('POST', '/api/v1/teams', admin, { handle: 'platform', name: 'Platform' });
    for (const p of [ana, ben, cho]) await call('PUT', `/api/v1/teams/platform/members/${p.handle}`, admin, { role: 'member' });
  });
  afterEach(async () => t.close());

  function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who: Person | null, payload?: unknown) {
    return t.app.inject({ method, url, headers: who ? bearer(who.token) : {}, ...(payload !== undefined ? { payload: payload as Json } : {}) });
  }

  async function createSchedule(body: Json, who: Person = admin): Promise<Json & { id: string }> {
    const res = await call('POST', '/api/v1/schedules', who, body);
    expect(res.statusCode, res.body).toBe(201);
    return json(res) as Json & { id: string };
  }

  const entries = (res: LightMyRequestResponse) => json<{ entries: Entry[] }>(res).entries.map((e) => [e.start, e.end, e.userId, e.source.kind === 'layer' ? e.source.layerId : `override:${e.source.replaces ?? ''}`]);

  describe('schedules', () => {
    it('creates, reads, changes and deletes a schedule, each change audited', async () => {
      const created = await createSchedule({ handle: 'platform-primary', name: 'Platform primary', team: 'platform', timeZone: 'America/New_York', layers: [nyDaily(['ana', ben.userId, 'cho'])] });
      expect(created).toMatchObject({
        handle: 'platform-primary',
        timeZone: 'America/New_York',
        layers: [{ id: 'layer-1', name: 'Primary', participants: [ana.userId, ben.userId, cho.userId], start: '2026-03-02T14:00:00.000Z', end: null, restrictions: [], advance: 'calendar', shadows: [], timeZone: null }],
      });
      expect((created.users as Json)[ana.userId]).toEqual({ id: ana.userId, handle: 'ana', name: 'Test ana', timeZone: 'Europe/Lisbon' });

      const list = json<{ items: Array<{ handle: string }> }>(await call('GET', '/api/v1/schedules', dev));
      expect(list.items.map((s) => s.handle)).toEqual(['platform-primary']);
      const patched = await call('PATCH', '/api/v1/schedules/platform-primary', admin, { name: 'Platform (primary)', layers: [nyDaily(['cho', 'ana'])] });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(json(patched)).toMatchObject({ name: 'Platform (primary)', layers: [{ id: 'layer-1', participants: [cho.userId, ana.userId] }] });

      expect((await call('DELETE', '/api/v1/schedules/platform-primary', admin)).statusCode).toBe(204);
      expect((await call('GET', '/api/v1/schedules/platform-primary', admin)).statusCode).toBe(404);
      // The handle is free again.
      await createSchedule({ handle: 'platform-primary', name: 'Again', timeZone: 'UTC', layers: [nyDaily(['ana'])] });

      const audit = json<{ items: Array<{ action: string }> }>(await call('GET', '/api/v1/audit?targetType=schedule', admin));
      expect(audit.items.map((a) => a.action)).toEqual(['schedule.create', 'schedule.delete', 'schedule.update', 'schedule.create']);
    });

    it('answers 400 naming each bad field: zone, participants, turn length, restrictions, unknown people', async () => {
      const bad = await call('POST', '/api/v1/schedules', admin, {
        handle: 'bad',
        name: 'Bad',
        timeZone: 'Mars/Olympus',
        layers: [nyDaily([], { turn: { unit: 'days', count: 0 } }), nyDaily(['ana'], { timeZone: 'Atlantis/Capital' })],
      });
      expect(bad.statusCode).toBe(400);
      expect(issuePaths(bad).sort()).toEqual(['body.layers.0.participants', 'body.layers.0.turn.count', 'body.layers.1.timeZone', 'body.timeZone']);

      const never = await call('POST', '/api/v1/schedules', admin, { handle: 'never', name: 'Never', timeZone: 'UTC', layers: [nyDaily(['ana'], { restrictions: [{ kind: 'daily', start: '09:00', end: '09:00' }] })] });
      expect(never.statusCode).toBe(400);
      expect(json(never)).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'body.layers.0.restrictions.0', message: expect.stringMatching(/never matches/) }] } });

      const unknown = await call('POST', '/api/v1/schedules', admin, { handle: 'who', name: 'Who', timeZone: 'UTC', layers: [nyDaily(['ana', 'bob', 'cho'], { shadows: ['nobody'] })] });
      expect(unknown.statusCode).toBe(400);
      expect(json(unknown)).toMatchObject({ details: { issues: [{ path: 'body.layers.0.participants.1', message: 'unknown user `bob`' }, { path: 'body.layers.0.shadows.0' }] } });

      const local = await call('POST', '/api/v1/schedules', admin, { handle: 'local', name: 'Local', timeZone: 'UTC', layers: [nyDaily(['ana'], { start: '2026-03-02T09:00:00', end: '2026-03-01T00:00:00Z' })] });
      expect(issuePaths(local)).toEqual(['body.layers.0.start']);
      const before = await call('POST', '/api/v1/schedules', admin, { handle: 'ends', name: 'Ends', timeZone: 'UTC', layers: [nyDaily(['ana'], { end: '2026-03-01T00:00:00Z' })] });
      expect(issuePaths(before)).toEqual(['body.layers.0.end']);

      await createSchedule({ handle: 'dup', name: 'Dup', timeZone: 'UTC', layers: [nyDaily(['ana'])] });
      const dup = await call('POST', '/api/v1/schedules', admin, { handle: 'dup', name: 'Dup', timeZone: 'UTC', layers: [nyDaily(['ana'])] });
      expect(json(dup)).toMatchObject({ code: 'CONFLICT', details: { field: 'handle' } });
    });

    it('draws the final schedule across the spring-forward change with exact instants (a 23-hour turn)', async () => {
      await createSchedule({ handle: 'ny', name: 'NY', timeZone: 'America/New_York', layers: [nyDaily(['ana', 'ben', 'cho'])] });
      const res = await call('GET', `/api/v1/schedules/ny/final?from=${encodeURIComponent('2026-03-07T00:00:00-05:00')}&to=${encodeURIComponent('2026-03-10T00:00:00-04:00')}`, dev);
      expect(res.statusCode, res.body).toBe(200);
      expect(entries(res)).toEqual([
        ['2026-03-07T05:00:00.000Z', '2026-03-07T14:00:00.000Z', ben.userId, 'layer-1'],
        // Saturday 09:00 EST → Sunday 09:00 EDT: 23 hours.
        ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', cho.userId, 'layer-1'],
        ['2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z', ana.userId, 'layer-1'],
        ['2026-03-09T13:00:00.000Z', '2026-03-10T04:00:00.000Z', ben.userId, 'layer-1'],
      ]);
      expect(json(res)).toMatchObject({ window: { start: '2026-03-07T05:00:00.000Z', end: '2026-03-10T04:00:00.000Z' }, timeZone: 'America/New_York', gaps: [] });
      const tooLong = await call('GET', '/api/v1/schedules/ny/final?from=2026-01-01T00:00:00Z&to=2027-03-01T00:00:00Z', dev);
      expect(issuePaths(tooLong)).toEqual(['query.to']);
      const outOfRange = await call('GET', '/api/v1/schedules/ny/final?from=0001-01-01T00:00:00Z', dev);
      expect(issuePaths(outOfRange)).toEqual(['query.from']);
    });

    it('puts overrides and swaps in the final schedule and in who is on call, and deletes a swap as a pair', async () => {
      await createSchedule({ handle: 'ny', name: 'NY', team: 'platform', timeZone: 'America/New_York', layers: [nyDaily(['ana', 'ben', 'cho'])] });
      // A responder of the team covers part of ana's Sunday.
      const override = await call('POST', '/api/v1/schedules/ny/overrides', ben, { user: 'dev', start: '2026-03-08T15:00:00Z', end: '2026-03-08T18:00:00Z', replaces: 'ana', note: 'dentist' });
      expect(override.statusCode, override.body).toBe(201);
      expect(json(override)).toMatchObject({ userId: dev.userId, replacesUserId: ana.userId, createdBy: ben.userId, note: 'dentist', swapWith: null });
      const backwards = await call('POST', '/api/v1/schedules/ny/overrides', admin, { user: 'dev', start: '2026-03-08T15:00:00Z', end: '2026-03-08T15:00:00Z' });
      expect(issuePaths(backwards)).toEqual(['body.end']);
      expect((await call('POST', '/api/v1/schedules/ny/overrides', dev, { user: 'dev', start: '2026-03-08T15:00:00Z', end: '2026-03-08T16:00:00Z' })).statusCode).toBe(403);

      // cho takes ben's Monday and ben takes cho's Saturday.
      const swap = await call('POST', '/api/v1/schedules/ny/swaps', cho, {
        first: { user: 'cho', start: '2026-03-07T14:00:00Z', end: '2026-03-08T13:00:00Z' },
        second: { user: 'ben', start: '2026-03-09T13:00:00Z', end: '2026-03-10T13:00:00Z' },
      });
      expect(swap.statusCode, swap.body).toBe(201);
      const [a, b] = json<{ items: Array<{ id: string; userId: string; replacesUserId: string; swapWith: string }> }>(swap).items;
      expect([a?.userId, a?.replacesUserId, a?.swapWith]).toEqual([ben.userId, cho.userId, b?.id]);
      expect([b?.userId, b?.replacesUserId, b?.swapWith]).toEqual([cho.userId, ben.userId, a?.id]);

      const final = await call('GET', '/api/v1/schedules/ny/final?from=2026-03-07T14:00:00Z&to=2026-03-10T13:00:00Z', dev);
      expect(entries(final)).toEqual([
        ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', ben.userId, `override:${cho.userId}`],
        ['2026-03-08T13:00:00.000Z', '2026-03-08T15:00:00.000Z', ana.userId, 'layer-1'],
        ['2026-03-08T15:00:00.000Z', '2026-03-08T18:00:00.000Z', dev.userId, `override:${ana.userId}`],
        ['2026-03-08T18:00:00.000Z', '2026-03-09T13:00:00.000Z', ana.userId, 'layer-1'],
        ['2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z', cho.userId, `override:${ben.userId}`],
      ]);
      expect(json<{ overrides: unknown[] }>(final).overrides).toHaveLength(3);

      const during = json(await call('GET', '/api/v1/oncall?schedule=ny&at=2026-03-08T16:00:00Z', dev));
      expect(during).toMatchObject({ at: '2026-03-08T16:00:00.000Z', entries: [{ scheduleHandle: 'ny', level: null, userId: dev.userId, start: '2026-03-08T15:00:00.000Z', end: '2026-03-08T18:00:00.000Z' }] });
      const after = json(await call('GET', '/api/v1/oncall?team=platform&at=2026-03-08T19:00:00Z', dev));
      expect(after).toMatchObject({ entries: [{ userId: ana.userId, start: '2026-03-08T18:00:00.000Z', end: '2026-03-09T13:00:00.000Z' }], users: { [ana.userId]: { handle: 'ana' } } });

      expect((await call('DELETE', `/api/v1/schedules/ny/overrides/${a?.id}`, admin)).statusCode).toBe(204);
      const listed = json<{ items: Array<{ id: string }> }>(await call('GET', '/api/v1/schedules/ny/overrides', dev));
      expect(listed.items.map((o) => o.id)).toEqual([json<{ id: string }>(override).id]);
      const twoAtOnce = await call('GET', '/api/v1/oncall?schedule=ny&team=platform', dev);
      expect(issuePaths(twoAtOnce)).toEqual(['query.team']);
    });

    it('tells a person whether they are on call now, when next, and their shifts for three months', async () => {
      await createSchedule({ handle: 'ny', name: 'NY', timeZone: 'America/New_York', layers: [nyDaily(['ana', 'ben', 'cho'])] });
      t.clock.set('2026-03-03T12:00:00Z');
      const mine = json<{ now: Json[]; next: Json; shifts: Array<{ start: string; end: string }> }>(await call('GET', '/api/v1/me/oncall', ana));
      expect(mine.now).toEqual([{ scheduleId: expect.any(String), scheduleHandle: 'ny', scheduleName: 'NY', start: '2026-03-02T14:00:00.000Z', end: '2026-03-03T14:00:00.000Z' }]);
      expect(mine.next).toMatchObject({ scheduleHandle: 'ny', start: '2026-03-05T14:00:00.000Z', end: '2026-03-06T14:00:00.000Z' });
      // Every third day from 2 March to 31 May (09:00 EDT after 8 March), the last one whole.
      expect(mine.shifts).toHaveLength(31);
      expect(mine.shifts.at(-1)).toEqual(expect.objectContaining({ start: '2026-05-31T13:00:00.000Z', end: '2026-06-01T13:00:00.000Z' }));
      const nobody = json(await call('GET', '/api/v1/me/oncall', dev));
      expect(nobody).toEqual({ now: [], next: null, shifts: [] });
    });

    it('lints gaps, small rotations, people without a verified contact method and the same person primary and secondary', async () => {
      const weekdays = (participants: string[]) => ({
        name: 'Business hours',
        participants,
        start: '2026-03-02T09:00:00Z',
        handoffTime: '09:00',
        turn: { unit: 'days', count: 1 },
        restrictions: [{ kind: 'daily', start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }],
      });
      await createSchedule({ handle: 'primary', name: 'Primary', timeZone: 'UTC', layers: [weekdays(['ana', 'ben'])] });
      await createSchedule({ handle: 'secondary', name: 'Secondary', timeZone: 'UTC', layers: [weekdays(['ana', 'cho'])] });
      await t.firebreak.services.database.db
        .insertInto('contact_methods')
        .values({ id: 'cm-ana', user_id: ana.userId, type: 'email', address: 'ana@example.test', secret: null, label: '', verified_at: t.clock.now(), verification_code_hash: null, verification_sent_at: null, verification_expires_at: null, verification_attempts: 0, verification_error: null, created_at: t.clock.now(), updated_at: t.clock.now() })
        .execute();
      // Reachable for a page means a high-urgency rule uses the verified method; ben's verified method
      // is used only for low urgency, so a page would never try it and he is still flagged.
      await t.firebreak.services.database.db
        .insertInto('contact_methods')
        .values({ id: 'cm-ben', user_id: ben.userId, type: 'email', address: 'ben@example.test', secret: null, label: '', verified_at: t.clock.now(), verification_code_hash: null, verification_sent_at: null, verification_expires_at: null, verification_attempts: 0, verification_error: null, created_at: t.clock.now(), updated_at: t.clock.now() })
        .execute();
      await t.firebreak.services.database.db
        .insertInto('notification_rules')
        .values([
          { id: 'nr-ana', user_id: ana.userId, urgency: 'high', position: 0, delay_minutes: 0, contact_method_id: 'cm-ana' },
          { id: 'nr-ben', user_id: ben.userId, urgency: 'low', position: 0, delay_minutes: 0, contact_method_id: 'cm-ben' },
        ])
        .execute();

      const res = await call('GET', '/api/v1/schedules/primary/lints?secondary=secondary&days=2', dev);
      expect(res.statusCode, res.body).toBe(200);
      const lints = json<{ items: Array<{ code: string; message: string; intervals: Array<{ start: string; end: string }>; localIntervals: string[]; userId: string | null; layerId: string | null }> }>(res).items;
      const gaps = lints.filter((l) => l.code === 'SCHEDULE_GAP');
      expect(gaps[0]).toMatchObject({
        intervals: [
          { start: '2026-03-02T17:00:00.000Z', end: '2026-03-03T09:00:00.000Z' },
          { start: '2026-03-03T17:00:00.000Z', end: '2026-03-04T09:00:00.000Z' },
        ],
        localIntervals: ['2026-03-02 17:00 – 2026-03-03 09:00 UTC', '2026-03-03 17:00 – 2026-03-04 09:00 UTC'],
        message: 'Schedule `primary` has no one on call 2026-03-02 17:00 – 2026-03-03 09:00 and 2026-03-03 17:00 – 2026-03-04 09:00 UTC',
      });
      expect(lints.filter((l) => l.code === 'ROTATION_TOO_SMALL').map((l) => l.layerId)).toEqual(['layer-1', 'layer-1']);
      expect(lints.filter((l) => l.code === 'NO_VERIFIED_CONTACT_METHOD').map((l) => l.userId)).toEqual([ben.userId, cho.userId]);
      const same = lints.filter((l) => l.code === 'SAME_PERSON_PRIMARY_AND_SECONDARY');
      expect(same).toEqual([
        expect.objectContaining({
          userId: ana.userId,
          intervals: [
            { start: '2026-03-02T12:00:00.000Z', end: '2026-03-02T17:00:00.000Z' },
            { start: '2026-03-04T09:00:00.000Z', end: '2026-03-04T12:00:00.000Z' },
          ],
          message: expect.stringMatching(/^`ana` is on call in both schedule `primary` and schedule `secondary` 2026-03-02 12:00–17:00 and 2026-03-04 09:00–12:00 UTC/),
        }),
      ]);
    });
  });

  describe('escalation policies', () => {
    it('previews who is notified at each level and when, skipping a level that resolves to nobody', async () => {
      await createSchedule({ handle: 'ny', name: 'NY', team: 'platform', timeZone: 'America/New_York', layers: [nyDaily(['ana', 'ben', 'cho'])] });
      await createSchedule({
        handle: 'daytime',
        name: 'Daytime',
        team: 'platform',
        timeZone: 'UTC',
        layers: [{ name: 'Day', participants: ['dev'], start: '2026-03-02T00:00:00Z', handoffTime: '00:00', turn: { unit: 'weeks', count: 1 }, restrictions: [{ kind: 'daily', start: '09:00', end: '17:00' }] }],
      });
      const created = await call('POST', '/api/v1/escalation-policies', admin, {
        handle: 'platform',
        name: 'Platform',
        team: 'platform',
        levels: [
          { delayMinutes: 5, targets: [{ type: 'schedule', ref: 'daytime' }] },
          { delayMinutes: 15, targets: [{ type: 'schedule', ref: 'ny' }, { type: 'user', ref: 'dev' }] },
          { delayMinutes: 10, targets: [{ type: 'team', ref: 'platform' }] },
        ],
        repeat: 1,
        fallback: { type: 'user', ref: 'root-admin' },
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(json(created)).toMatchObject({ skipEmptyLevels: true, repeat: 1, levels: [{ delayMinutes: 5, targets: [{ type: 'schedule', handle: 'daytime', name: 'Daytime' }] }, {}, {}], fallback: { type: 'user', handle: 'root-admin' } });

      // 22:00 UTC: nobody in `daytime`; ben holds the NY turn (Tuesday 09:00 EST → Wednesday).
      const preview = await call('GET', '/api/v1/escalation-policies/platform/preview?at=2026-03-03T22:00:00Z', dev);
      expect(preview.statusCode, preview.body).toBe(200);
      const steps = json<{ steps: Array<{ level: number | null; round: number; notifyAt: string; skipped: boolean; users: Array<{ userId: string; via: { type: string } }> }> }>(preview).steps;
      expect(steps.map((s) => [s.level, s.round, s.notifyAt, s.skipped, s.users.map((u) => `${u.userId === ben.userId ? 'ben' : u.userId === dev.userId ? 'dev' : u.userId === ana.userId ? 'ana' : u.userId === cho.userId ? 'cho' : 'admin'} via ${u.via.type}`)])).toEqual([
        [1, 0, '2026-03-03T22:00:00.000Z', true, []],
        [2, 0, '2026-03-03T22:00:00.000Z', false, ['ben via schedule', 'dev via user']],
        [3, 0, '2026-03-03T22:15:00.000Z', false, ['ana via team', 'ben via team', 'cho via team']],
        [1, 1, '2026-03-03T22:25:00.000Z', true, []],
        [2, 1, '2026-03-03T22:25:00.000Z', false, ['ben via schedule', 'dev via user']],
        [3, 1, '2026-03-03T22:40:00.000Z', false, ['ana via team', 'ben via team', 'cho via team']],
        [null, 1, '2026-03-03T22:50:00.000Z', false, ['admin via user']],
      ]);

      const byPolicy = json<{ entries: Array<{ level: number; userId: string; scheduleHandle: string | null; end: string | null }> }>(await call('GET', '/api/v1/oncall?policy=platform&at=2026-03-03T22:00:00Z', dev));
      expect(byPolicy.entries.map((e) => [e.level, e.userId, e.scheduleHandle, e.end])).toEqual([
        [2, ben.userId, 'ny', '2026-03-04T14:00:00.000Z'],
        [2, dev.userId, null, null],
        [3, ana.userId, null, null],
        [3, ben.userId, null, null],
        [3, cho.userId, null, null],
      ]);

      // Every team can read every policy, but only admins and the owning team's admins change it.
      expect((await call('GET', '/api/v1/escalation-policies', dev)).statusCode).toBe(200);
      expect((await call('PATCH', '/api/v1/escalation-policies/platform', ana, { repeat: 0 })).statusCode).toBe(403);
      await call('PUT', '/api/v1/teams/platform/members/ana', admin, { role: 'admin' });
      expect((await call('PATCH', '/api/v1/escalation-policies/platform', ana, { repeat: 0 })).statusCode).toBe(200);

      const unknown = await call('PATCH', '/api/v1/escalation-policies/platform', admin, { levels: [{ delayMinutes: 5, targets: [{ type: 'user', ref: 'ghost' }, { type: 'schedule', ref: 'nope' }] }] });
      expect(issuePaths(unknown)).toEqual(['body.levels.0.targets.0.ref', 'body.levels.0.targets.1.ref']);

      const refused = await call('DELETE', '/api/v1/schedules/daytime', admin);
      expect(refused.statusCode).toBe(409);
      expect(json(refused)).toMatchObject({ code: 'CONFLICT', details: { policies: [{ handle: 'platform', path: 'levels.0.targets.0' }] } });
    });
  });

  describe('calendar feeds', () => {
    it('serves a parseable iCalendar feed with stable UIDs behind a revocable token', async () => {
      await createSchedule({ handle: 'ny', name: 'NY on-call', timeZone: 'America/New_York', layers: [nyDaily(['ana', 'ben', 'cho'])] });
      await call('POST', '/api/v1/schedules/ny/overrides', admin, { user: 'dev', start: '2026-03-05T15:00:00Z', end: '2026-03-05T18:00:00Z' });
      const created = await call('POST', '/api/v1/calendar-feeds', ana, { kind: 'user' });
      expect(created.statusCode, created.body).toBe(201);
      const { feed, url } = json<{ feed: { id: string; kind: string; subjectId: string }; url: string }>(created);
      expect(feed).toMatchObject({ kind: 'user', subjectId: ana.userId });
      expect(url).toMatch(/^http:\/\/.+\/calendar\/fbc_[A-Za-z0-9_-]{43}\.ics$/);
      const path = new URL(url).pathname;

      const first = await call('GET', path, null);
      expect(first.statusCode).toBe(200);
      expect(first.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(first.body).toMatch(/\r\nX-PUBLISHED-TTL:PT1H\r\n/);
      expect(first.body).toMatch(/\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n/);
      const calendar = new ICAL.Component(ICAL.parse(first.body));
      const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      // ana's turns from 23 February to 31 August, every third day, the override cutting one of them in two.
      expect(events[0]?.summary).toBe('On call: NY on-call');
      expect(events.slice(0, 4).map((e) => [e.startDate.toJSDate().toISOString(), e.endDate.toJSDate().toISOString()])).toEqual([
        ['2026-03-02T14:00:00.000Z', '2026-03-03T14:00:00.000Z'],
        ['2026-03-05T14:00:00.000Z', '2026-03-05T15:00:00.000Z'],
        ['2026-03-05T18:00:00.000Z', '2026-03-06T14:00:00.000Z'],
        ['2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z'],
      ]);
      expect(calendar.getAllSubcomponents('vevent')[0]?.getFirstPropertyValue('dtstamp')?.toString()).toBe('2026-03-02T12:00:00Z');
      expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);

      t.clock.advance(3_600_000);
      const second = await call('GET', path, null);
      const uids = (body: string) => new ICAL.Component(ICAL.parse(body)).getAllSubcomponents('vevent').map((v) => v.getFirstPropertyValue('uid'));
      expect(uids(second.body)).toEqual(uids(first.body));

      const scheduleFeed = json<{ url: string }>(await call('POST', '/api/v1/calendar-feeds', dev, { kind: 'schedule', schedule: 'ny' }));
      const scheduleEvents = new ICAL.Component(ICAL.parse((await call('GET', new URL(scheduleFeed.url).pathname, null)).body)).getAllSubcomponents('vevent');
      expect(scheduleEvents.map((v) => v.getFirstPropertyValue('summary')).slice(0, 3)).toEqual(['On call: Test ana', 'On call: Test ben', 'On call: Test cho']);
      expect(issuePaths(await call('POST', '/api/v1/calendar-feeds', dev, { kind: 'schedule' }))).toEqual(['body.schedule']);

      expect(json<{ items: unknown[] }>(await call('GET', '/api/v1/calendar-feeds', ana)).items).toHaveLength(1);
      expect((await call('DELETE', `/api/v1/calendar-feeds/${feed.id}`, ben)).statusCode).toBe(404);
      expect((await call('DELETE', `/api/v1/calendar-feeds/${feed.id}`, ana)).statusCode).toBe(204);
      const revoked = await call('GET', path, null);
      expect(revoked.statusCode).toBe(404);
      expect(json(revoked).code).toBe('NOT_FOUND');
      expect((await call('GET', '/calendar/fbc_nope.ics', null)).statusCode).toBe(404);
    });
  });

  describe('on-call hours report', () => {
    it('splits hours into weekday business, weekday off-hours, weekend and holidays in each person’s zone, as JSON and CSV', async () => {
      await createSchedule({ handle: 'always', name: 'Always', timeZone: 'UTC', layers: [{ name: 'All week', participants: ['ana'], start: '2026-03-02T00:00:00Z', handoffTime: '00:00', turn: { unit: 'weeks', count: 1 } }] });
      // ben (New York) covers Friday 10:00–12:00 UTC, which is 05:00–07:00 for him: off-hours.
      await call('PATCH', '/api/v1/users/ben', admin, { timeZone: 'America/New_York' });
      await call('POST', '/api/v1/schedules/always/overrides', admin, { user: 'ben', start: '2026-03-06T10:00:00Z', end: '2026-03-06T12:00:00Z' });
      const holiday = await call('POST', '/api/v1/holidays', admin, { date: '2026-03-04', name: 'Founders’ day' });
      expect(holiday.statusCode).toBe(201);
      expect((await call('POST', '/api/v1/holidays', admin, { date: '2026-02-30', name: 'Nope' })).statusCode).toBe(400);
      expect((await call('POST', '/api/v1/holidays', ana, { date: '2026-12-25', name: 'Christmas' })).statusCode).toBe(403);

      const query = 'from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z';
      const report = await call('GET', `/api/v1/reports/oncall-hours?${query}`, dev);
      expect(report.statusCode, report.body).toBe(200);
      expect(json(report)).toMatchObject({
        from: '2026-03-02T00:00:00.000Z',
        to: '2026-03-09T00:00:00.000Z',
        rules: { holidays: [{ date: '2026-03-04', name: 'Founders’ day' }] },
        rows: [
          // Lisbon is on UTC in early March: Mon, Tue, Thu, Fri business 8 h each less ben's 2 h; Wednesday is the holiday.
          { handle: 'ana', timeZone: 'Europe/Lisbon', totalHours: 166, weekdayBusinessHours: 30, weekdayOffHours: 64, weekendHours: 48, holidayHours: 24 },
          { handle: 'ben', timeZone: 'America/New_York', totalHours: 2, weekdayBusinessHours: 0, weekdayOffHours: 2, weekendHours: 0, holidayHours: 0 },
        ],
      });

      const csv = await call('GET', `/api/v1/reports/oncall-hours?${query}&format=csv`, dev);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.body).toBe(
        [
          'handle,name,time_zone,from,to,total_hours,weekday_business_hours,weekday_off_hours,weekend_hours,holiday_hours',
          'ana,Test ana,Europe/Lisbon,2026-03-02T00:00:00.000Z,2026-03-09T00:00:00.000Z,166,30,64,48,24',
          'ben,Test ben,America/New_York,2026-03-02T00:00:00.000Z,2026-03-09T00:00:00.000Z,2,0,2,0,0',
          '',
        ].join('\r\n'),
      );
      const teamOnly = json<{ rows: unknown[] }>(await call('GET', `/api/v1/reports/oncall-hours?${query}&team=platform`, dev));
      expect(teamOnly.rows).toEqual([]);
    });
  });

  describe('deactivating people who are on call', () => {
    it('is refused with every reference, and when forced removes them and lists the gaps it creates', async () => {
      await createSchedule({ handle: 'ny', name: 'NY', timeZone: 'America/New_York', layers: [nyDaily(['ana', 'ben', 'cho']), { ...nyDaily(['ana'], { shadows: ['dev'] }), name: 'Weekend', restrictions: [{ kind: 'daily', start: '10:00', end: '12:00', days: [6] }] }] });
      await createSchedule({ handle: 'solo', name: 'Solo', timeZone: 'UTC', layers: [nyDaily(['ana'])] });
      await call('POST', '/api/v1/schedules/ny/overrides', admin, { user: 'ana', start: '2026-03-10T00:00:00Z', end: '2026-03-10T01:00:00Z' });
      await call('POST', '/api/v1/escalation-policies', admin, { handle: 'p', name: 'P', levels: [{ delayMinutes: 5, targets: [{ type: 'user', ref: 'ana' }] }, { delayMinutes: 5, targets: [{ type: 'schedule', ref: 'ny' }, { type: 'user', ref: 'ana' }] }] });

      const refused = await call('POST', '/api/v1/users/ana/deactivate', admin);
      expect(refused.statusCode).toBe(409);
      const refs = json<{ details: { references: Array<{ kind: string; handle: string; path: string }> } }>(refused).details.references;
      expect(refs.map((r) => `${r.kind} ${r.handle} ${r.path}`)).toEqual([
        'schedule ny layers.0.participants.0',
        'schedule ny layers.1.participants.0',
        'schedule solo layers.0.participants.0',
        expect.stringMatching(/^schedule ny overrides\./),
        'policy p levels.0.targets.0',
        'policy p levels.1.targets.1',
      ]);
      expect(json<{ deactivatedAt: string | null }>(await call('GET', '/api/v1/users/ana', admin)).deactivatedAt).toBeNull();

      const forced = await call('POST', '/api/v1/users/ana/deactivate?force=true', admin);
      expect(forced.statusCode, forced.body).toBe(200);
      const result = json<{ deactivatedAt: string; removedReferences: unknown[]; gaps: Array<{ kind: string; handle: string; start: string | null; end: string | null; message: string }> }>(forced);
      expect(result.deactivatedAt).toBe('2026-03-02T12:00:00.000Z');
      expect(result.removedReferences).toHaveLength(6);
      expect(result.gaps.map((g) => [g.kind, g.handle, g.start, g.end])).toEqual([
        ['schedule', 'ny', null, null],
        ['schedule', 'solo', null, null],
        ['schedule', 'solo', '2026-03-02T14:00:00.000Z', '2026-05-31T12:00:00.000Z'],
        ['policy', 'p', null, null],
      ]);
      expect(result.gaps[2]?.message).toBe('Schedule `solo` has no one on call 2026-03-02 14:00 – 2026-05-31 12:00 UTC');
      const ny = json<{ layers: Array<{ participants: string[]; shadows: string[] }> }>(await call('GET', '/api/v1/schedules/ny', admin));
      expect(ny.layers.map((l) => l.participants)).toEqual([[ben.userId, cho.userId]]);
      const policy = json<{ levels: Array<{ targets: Array<{ handle: string }> }> }>(await call('GET', '/api/v1/escalation-policies/p', admin));
      expect(policy.levels.map((l) => l.targets.map((x) => x.handle))).toEqual([['ny']]);
      expect(json<{ items: unknown[] }>(await call('GET', '/api/v1/schedules/ny/overrides', admin)).items).toEqual([]);
      const audit = json<{ items: Array<{ action: string }> }>(await call('GET', '/api/v1/audit?limit=10', admin));
      expect(audit.items.map((a) => a.action).slice(0, 6)).toEqual(['user.deactivate', 'escalation_policy.update', 'schedule.update', 'schedule.override.delete', 'schedule.update', 'escalation_policy.create']);
    });
  });

  describe('who may change schedules', () => {
    it('lets a team admin manage their team’s schedules but not another team’s or an unowned one', async () => {
      await call('PUT', '/api/v1/teams/platform/members/ben', admin, { role: 'admin' });
      await call('POST', '/api/v1/teams', admin, { handle: 'payments', name: 'Payments' });
      const layers = [nyDaily(['ana'])];
      expect((await call('POST', '/api/v1/schedules', ben, { handle: 'mine', name: 'Mine', team: 'platform', timeZone: 'UTC', layers })).statusCode).toBe(201);
      expect((await call('POST', '/api/v1/schedules', ben, { handle: 'theirs', name: 'Theirs', team: 'payments', timeZone: 'UTC', layers })).statusCode).toBe(403);
      expect((await call('POST', '/api/v1/schedules', ben, { handle: 'nobodys', name: 'Nobody’s', timeZone: 'UTC', layers })).statusCode).toBe(403);
      expect((await call('PATCH', '/api/v1/schedules/mine', ben, { team: 'payments' })).statusCode).toBe(403);
      expect((await call('DELETE', '/api/v1/schedules/mine', cho)).statusCode).toBe(403);
      expect((await call('DELETE', '/api/v1/schedules/mine', ben)).statusCode).toBe(204);
    });
  });
});
