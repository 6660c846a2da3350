import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';

interface HeartbeatView {
  status: string;
  downReason: string | null;
  running: boolean;
  lastPingAt: string | null;
  lastPingKind: string | null;
  lastExitCode: number | null;
  nextDueAt: string | null;
  nextDeadlineAt: string | null;
  cron: string | null;
  timeZone: string;
  periodSeconds: number | null;
  graceSeconds: number;
}

const MIN = 60_000;

for (const dialect of dialectCases()) describe(`heartbeats (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;

  const alerts = async () => json<{ items: Alert[] }>(await t.app.inject({ url: '/api/v1/alerts?service=backups&status=triggered,acknowledged,resolved', headers: bearer(admin) })).items;
  const create = async (payload: Record<string, unknown>) => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/services/backups/integrations', headers: bearer(admin), payload: { type: 'heartbeat', name: 'Nightly backup', ...payload } });
    expect(r.statusCode, r.body).toBe(201);
    return json<{ id: string; key: string; url: string; snippet: string; heartbeat: HeartbeatView }>(r);
  };
  const view = async (id: string) => json<{ heartbeat: HeartbeatView; disabled: boolean }>(await t.app.inject({ url: `/api/v1/services/backups/integrations/${id}`, headers: bearer(admin) })).heartbeat;
  const ping = (key: string, suffix = '', method: 'GET' | 'POST' | 'HEAD' = 'GET', payload?: string) => t.app.inject({ method, url: `/integrations/heartbeat/${key}${suffix}`, ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'text/plain' } }) });
  const events = (integrationId: string) => t.firebreak.services.database.db.selectFrom('alert_events').selectAll().where('integration_id', '=', integrationId).orderBy('id').execute();
  const pendingJobs = (integrationId: string) => t.firebreak.services.database.db.selectFrom('jobs').selectAll().where('job_key', '=', `heartbeat-deadline:${integrationId}`).execute();
  const runTimers = () => t.firebreak.runner.runDueJobs();

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T05:00:00Z') });
    admin = (await t.userWithToken('admin')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'backups', name: 'Backups' } })).statusCode).toBe(201);
  });
  afterEach(async () => t.close());

  it('is new until the first ping, late after the period, alerts "missed" after the grace and resolves on the next ping', async () => {
    const hb = await create({ heartbeat: { periodSeconds: 3600, graceSeconds: 600 } });
    expect(hb.url).toBe(`${t.config.publicUrl}/integrations/heartbeat/${hb.key}`);
    expect(hb.snippet).toContain(`curl -fsS -m 10 --retry 3 -o /dev/null '${hb.url}/start'`);
    expect(hb.snippet).toMatch(/^0 3 \* \* \* .* && curl -fsS/m);
    expect(hb.heartbeat).toMatchObject({ status: 'new', lastPingAt: null, nextDeadlineAt: null, periodSeconds: 3600, graceSeconds: 600 });
    // New: no timer, however long nothing arrives.
    t.clock.advance(48 * 60 * MIN);
    await runTimers();
    expect(await alerts()).toEqual([]);

    const first = await ping(hb.key);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.body).toBe('OK\n');
    const pingedAt = t.clock.now();
    expect(await view(hb.id)).toMatchObject({ status: 'up', lastPingKind: 'success', lastPingAt: new Date(pingedAt).toISOString(), nextDueAt: new Date(pingedAt + 60 * MIN).toISOString(), nextDeadlineAt: new Date(pingedAt + 70 * MIN).toISOString() });
    expect(await pendingJobs(hb.id)).toHaveLength(1);

    t.clock.advance(65 * MIN);
    expect((await view(hb.id)).status).toBe('late');
    await runTimers();
    expect(await alerts()).toEqual([]);

    t.clock.advance(5 * MIN);
    await runTimers();
    const [missed] = await alerts();
    expect(missed).toMatchObject({ title: 'Heartbeat Nightly backup missed', status: 'triggered', severity: 'error', source: 'heartbeat', labels: { heartbeat: 'Nightly backup', reason: 'missed' } });
    expect(missed?.description).toContain(`Expected a ping by ${new Date(pingedAt + 60 * MIN).toISOString()}`);
    expect(await view(hb.id)).toMatchObject({ status: 'down', downReason: 'missed', nextDeadlineAt: null });
    // The timer ran once; running timers again changes nothing.
    await runTimers();
    expect((await alerts())[0]?.eventCount).toBe(1);

    t.clock.advance(10 * MIN);
    expect((await ping(hb.key, '', 'POST', 'backup finished: 12 GB')).statusCode).toBe(200);
    const [resolved] = await alerts();
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'Nightly backup' });
    expect((await view(hb.id)).status).toBe('up');

    // Every ping and the timer's trigger are in the event log, the POST body with them.
    const log = await events(hb.id);
    expect(log.map((e) => [e.format, e.action, e.outcome])).toEqual([
      ['heartbeat', 'resolve', 'ignored'],
      ['heartbeat', 'trigger', 'created'],
      ['heartbeat', 'resolve', 'resolved'],
    ]);
    expect(JSON.parse(log[2]?.payload_json ?? '{}')).toMatchObject({ ping: 'success', method: 'POST', body: 'backup finished: 12 GB' });
    expect(log[2]?.payload_json).not.toContain(hb.key);
  });

  it('/fail and non-zero exit codes alert at once, exit code 0 resolves, HEAD counts as a ping', async () => {
    const hb = await create({ heartbeat: { periodSeconds: 86_400, graceSeconds: 3600, severity: 'critical' } });
    expect((await ping(hb.key, '/3')).statusCode).toBe(200);
    let [alert] = await alerts();
    expect(alert).toMatchObject({ title: 'Heartbeat Nightly backup failed (exit code 3)', severity: 'critical', urgency: 'high', status: 'triggered' });
    expect(await view(hb.id)).toMatchObject({ status: 'down', downReason: 'failed', lastExitCode: 3 });

    expect((await ping(hb.key, '/0', 'HEAD')).statusCode).toBe(200);
    [alert] = await alerts();
    expect(alert?.status).toBe('resolved');
    expect(await view(hb.id)).toMatchObject({ status: 'up', lastExitCode: 0 });

    expect((await ping(hb.key, '/fail', 'POST')).statusCode).toBe(200);
    const open = (await alerts()).filter((a) => a.status === 'triggered');
    expect(open.map((a) => a.title)).toEqual(['Heartbeat Nightly backup failed']);
  });

  it('a run that starts and neither succeeds nor fails within maxRunSeconds alerts', async () => {
    const hb = await create({ heartbeat: { periodSeconds: 86_400, graceSeconds: 3600, maxRunSeconds: 900 } });
    expect((await ping(hb.key, '/start')).statusCode).toBe(200);
    expect(await view(hb.id)).toMatchObject({ status: 'new', running: true, nextDeadlineAt: new Date(t.clock.now() + 15 * MIN).toISOString() });
    // The start is in the event log, though it changes no alert.
    expect((await events(hb.id)).map((e) => [e.action, e.outcome])).toEqual([['start', 'recorded']]);
    t.clock.advance(15 * MIN);
    await runTimers();
    const [alert] = await alerts();
    expect(alert).toMatchObject({ title: 'Heartbeat Nightly backup started but never finished', status: 'triggered' });
    expect(await view(hb.id)).toMatchObject({ status: 'down', downReason: 'run-timeout', running: false });

    // A run that finishes in time raises nothing.
    expect((await ping(hb.key)).statusCode).toBe(200);
    expect((await ping(hb.key, '/start')).statusCode).toBe(200);
    t.clock.advance(10 * MIN);
    expect((await ping(hb.key, '/0')).statusCode).toBe(200);
    t.clock.advance(10 * MIN);
    await runTimers();
    expect((await alerts()).filter((a) => a.status !== 'resolved')).toEqual([]);
  });

  it('a ping moves the one pending timer; a stale timer changes nothing', async () => {
    const hb = await create({ heartbeat: { periodSeconds: 3600, graceSeconds: 0 } });
    await ping(hb.key);
    const [before] = await pendingJobs(hb.id);
    t.clock.advance(50 * MIN);
    await ping(hb.key);
    const jobs = await pendingJobs(hb.id);
    expect(jobs).toHaveLength(1);
    expect(Number(jobs[0]?.run_at)).toBe(t.clock.now() + 60 * MIN);
    expect(Number(jobs[0]?.run_at)).toBeGreaterThan(Number(before?.run_at));
    // Past the first deadline, before the second: nothing is due, nothing alerts.
    t.clock.advance(20 * MIN);
    await runTimers();
    expect(await alerts()).toEqual([]);
    expect((await view(hb.id)).status).toBe('up');
    // A timer for an older revision (as a crashed worker might leave) is a no-op.
    await t.firebreak.services.heartbeats.wake({ integrationId: hb.id, revision: 1 });
    expect(await alerts()).toEqual([]);
  });

  it('cron schedules in a time zone: due at the next occurrence, settings changed through the API', async () => {
    const hb = await create({ heartbeat: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', graceSeconds: 900 } });
    // 05:00Z is 06:00 in Berlin: the next 03:00 is tomorrow, 02:00Z.
    await ping(hb.key);
    expect(await view(hb.id)).toMatchObject({ status: 'up', cron: '0 3 * * *', timeZone: 'Europe/Berlin', nextDueAt: '2026-11-22T02:00:00.000Z', nextDeadlineAt: '2026-11-22T02:15:00.000Z' });
    // In New York 05:00Z is midnight: the next 03:00 is today, 08:00Z.
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/services/backups/integrations/${hb.id}`, headers: bearer(admin), payload: { heartbeat: { timeZone: 'America/New_York' } } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(json<{ heartbeat: HeartbeatView }>(patched).heartbeat).toMatchObject({ timeZone: 'America/New_York', nextDueAt: '2026-11-21T08:00:00.000Z' });
    const jobs = await pendingJobs(hb.id);
    expect(Number(jobs[0]?.run_at)).toBe(Date.parse('2026-11-21T08:15:00Z'));
    const toPeriod = await t.app.inject({ method: 'PATCH', url: `/api/v1/services/backups/integrations/${hb.id}`, headers: bearer(admin), payload: { heartbeat: { periodSeconds: 600 } } });
    expect(json<{ heartbeat: HeartbeatView }>(toPeriod).heartbeat).toMatchObject({ cron: null, periodSeconds: 600, timeZone: 'UTC' });
  });

  it('refuses bad settings naming the field, and heartbeat settings on other integration types', async () => {
    const bad = async (payload: Record<string, unknown>, path: string) => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/services/backups/integrations', headers: bearer(admin), payload });
      expect(r.statusCode, r.body).toBe(400);
      expect(json<{ details: { issues: Array<{ path: string }> } }>(r).details.issues.map((i) => i.path)).toContain(path);
    };
    await bad({ type: 'heartbeat', name: 'x', heartbeat: { cron: '0 3 * * *', timeZone: 'Europe/Atlantis' } }, 'body.heartbeat.timeZone');
    await bad({ type: 'heartbeat', name: 'x', heartbeat: { cron: 'at three' } }, 'body.heartbeat.cron');
    await bad({ type: 'heartbeat', name: 'x', heartbeat: { cron: '0 3 * * *', periodSeconds: 600 } }, 'body.heartbeat.cron');
    await bad({ type: 'heartbeat', name: 'x', heartbeat: { periodSeconds: 5 } }, 'body.heartbeat.periodSeconds');
    await bad({ type: 'webhook', name: 'x', heartbeat: { periodSeconds: 600 } }, 'body.heartbeat');
    // Nothing was half-created.
    const service = json<{ integrations: unknown[] }>(await t.app.inject({ url: '/api/v1/services/backups', headers: bearer(admin) }));
    expect(service.integrations).toEqual([]);
  });

  it('unknown keys are 404, disabled heartbeats 403 (and re-enabled ones start as new), other keys 400', async () => {
    const hb = await create({});
    expect(hb.heartbeat).toMatchObject({ periodSeconds: 86_400, graceSeconds: 3600, status: 'new' });
    expect((await ping('0'.repeat(32))).statusCode).toBe(404);
    expect((await ping(hb.key, '/256')).statusCode).toBe(404);
    expect((await ping(hb.key, '/restart')).statusCode).toBe(404);
    await ping(hb.key);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/services/backups/integrations/${hb.id}`, headers: bearer(admin), payload: { disabled: true } })).statusCode).toBe(200);
    const refused = await ping(hb.key);
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await pendingJobs(hb.id)).toEqual([]);
    t.clock.advance(3 * 86_400_000);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/services/backups/integrations/${hb.id}`, headers: bearer(admin), payload: { disabled: false } })).statusCode).toBe(200);
    expect((await view(hb.id)).status).toBe('new');
    await runTimers();
    expect(await alerts()).toEqual([]);
    const webhook = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/backups/integrations', headers: bearer(admin), payload: { type: 'webhook', name: 'hook' } }));
    expect((await ping(webhook.key)).statusCode).toBe(400);
  });

  it('concurrent pings for one heartbeat are all applied', async () => {
    const hb = await create({ heartbeat: { periodSeconds: 3600, graceSeconds: 60 } });
    const suffixes = ['/start', '/fail', '', '/2', '', '/start', '/0', '/start', '/fail', ''];
    const answers = await Promise.all([...suffixes, ...suffixes].map((suffix) => ping(hb.key, suffix)));
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
    expect(await events(hb.id)).toHaveLength(20);
    expect(await pendingJobs(hb.id)).toHaveLength((await view(hb.id)).nextDeadlineAt === null ? 0 : 1);
  });

  it('random paths, methods and bodies get 2xx or 4xx, never 5xx; floods get 429 with Retry-After; 512 KB bodies 413', async () => {
    const hb = await create({ heartbeat: { periodSeconds: 3600, graceSeconds: 60 } });
    const segment = fc.oneof(fc.constantFrom('start', 'fail', '0', '1', '255', '256', '-1', '..', '%00', '%2F', 'ſtart'), fc.string({ maxLength: 20 }).map(encodeURIComponent));
    const key = fc.oneof(fc.constant(hb.key), fc.constant(hb.key.toUpperCase()), fc.string({ minLength: 1, maxLength: 200 }).map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(key, fc.option(segment, { nil: undefined }), fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE') as fc.Arbitrary<'GET' | 'POST' | 'HEAD' | 'PUT' | 'DELETE'>, fc.string({ maxLength: 200 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'), async (k, what, method, body, type) => {
        const r = await t.app.inject({ method, url: `/integrations/heartbeat/${k}${what === undefined ? '' : `/${what}`}`, ...(method === 'GET' || method === 'HEAD' ? {} : { payload: body, headers: { 'content-type': type } }) });
        expect(r.statusCode, `${method} ${k}/${what}: ${r.body}`).toBeLessThan(500);
      }),
      { numRuns: 150, seed: 4 },
    );
    const big = await t.app.inject({ method: 'POST', url: `/integrations/heartbeat/${hb.key}`, payload: 'x'.repeat(513 * 1024), headers: { 'content-type': 'text/plain' } });
    expect(big.statusCode).toBe(413);
    expect(json(big)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    let last = await ping(hb.key);
    for (let i = 0; i < 700 && last.statusCode !== 429; i++) last = await ping(hb.key);
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });
});
