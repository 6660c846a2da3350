import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import type { ServiceRouting } from '../../../contracts/routing.js';
import { ManualClock } from '../../platform/clock.js';

interface Page {
  items: Alert[];
}
interface Issues {
  code: string;
  details: { issues: Array<{ path: string; message: string }> };
}
interface Preview {
  items: Array<{ title: string | null; action: string; matched: string[]; result: string; severity: string | null; urgency: string | null; routeTo: string | null; summary: string; storedOutcome: string }>;
}

// Friday 2026-11-20 19:00 in Lisbon (UTC+0 in winter): after support hours.
const FRIDAY_EVENING = '2026-11-20T19:00:00Z';
const lisbonWeekdays = { timeZone: 'Europe/Lisbon', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' };

for (const dialect of dialectCases()) describe(`routing rules, urgency by time of day and the backlog over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let eventsKey: string;
  let amKey: string;

  const api = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, token = admin) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const enqueue = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: eventsKey, ...payload } });
  /** `extra`: Events v2 payload fields; component, group and class become labels. */
  const trigger = (dedup_key: string, summary: string, severity = 'error', extra: Record<string, unknown> = {}) =>
    enqueue({ event_action: 'trigger', dedup_key, payload: { summary, source: 'db-1', severity, ...extra } });
  const alerts = async (query: string) => json<Page>(await api('GET', `/api/v1/alerts${query}`)).items;
  const timeline = async (id: string) => json<{ items: Array<{ action: string; summary: string }> }>(await api('GET', `/api/v1/alerts/${id}/timeline`)).items;
  const putRules = (rules: unknown[], service = 'checkout') => api('PUT', `/api/v1/services/${service}/rules`, { rules });

  async function start(env: Record<string, string> = {}, at = '2026-11-02T10:00:00Z') {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock(at), env });
    admin = (await t.userWithToken('admin')).token;
    for (const [handle, name] of [['checkout', 'Checkout API'], ['databases', 'Databases']]) {
      expect((await api('POST', '/api/v1/services', { handle, name })).statusCode).toBe(201);
    }
    eventsKey = json<{ key: string }>(await api('POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })).key;
    amKey = json<{ key: string }>(await api('POST', '/api/v1/services/checkout/integrations', { type: 'alertmanager', name: 'Prometheus' })).key;
  }
  afterEach(async () => t?.close());

  describe('rules', () => {
    beforeEach(async () => start());

    it('refuses invalid rules with 400 naming the field', async () => {
      const badRegex = await putRules([{ name: 'r', conditions: [{ field: 'title', op: 'regex', value: '(a+' }], actions: { suppress: true } }]);
      expect(badRegex.statusCode).toBe(400);
      expect(json<Issues>(badRegex).details.issues).toEqual([{ path: 'body.rules.0.conditions.0.value', message: expect.stringContaining('not a valid regular expression: missing `)`') }]);
      const lookaround = await putRules([{ name: 'r', conditions: [{ field: 'labels.env', op: 'regex', value: '(?=prod)' }], actions: { suppress: true } }]);
      expect(json<Issues>(lookaround).details.issues[0]).toMatchObject({ path: 'body.rules.0.conditions.0.value', message: expect.stringContaining('lookaround') });
      const long = await putRules([{ name: 'r', conditions: [{ field: 'title', op: 'regex', value: 'a'.repeat(600) }], actions: { suppress: true } }]);
      expect(long.statusCode).toBe(400);
      const field = await putRules([{ name: 'r', conditions: [{ field: 'nope', op: 'exists' }], actions: { suppress: true } }]);
      expect(json<Issues>(field).details.issues[0]?.path).toBe('body.rules.0.conditions.0.field');
      const noAction = await putRules([{ name: 'r', conditions: [], actions: {} }]);
      expect(json<Issues>(noAction).details.issues[0]?.path).toBe('body.rules.0.actions');
      const missing = await putRules([{ name: 'r', conditions: [], actions: { routeTo: 'nowhere' } }]);
      expect([missing.statusCode, json<Issues>(missing).details.issues]).toEqual([400, [{ path: 'body.rules.0.actions.routeTo', message: 'service `nowhere` does not exist' }]]);
      const self = await putRules([{ name: 'r', conditions: [], actions: { routeTo: 'checkout' } }]);
      expect(json<Issues>(self).details.issues[0]?.message).toBe('cannot route a service to itself');
      const viewer = (await t.userWithToken('viewer')).token;
      expect((await api('PUT', '/api/v1/services/checkout/rules', { rules: [] }, viewer)).statusCode).toBe(403);
      expect((await api('GET', '/api/v1/services/checkout/routing', undefined, viewer)).statusCode).toBe(200);
    });

    it('routes, sets severity and urgency, suppresses and drops, first match first', async () => {
      const saved = await putRules([
        { name: 'drop heartbeats', conditions: [{ field: 'title', op: 'regex', value: '(?i)^heartbeat' }], actions: { drop: true } },
        { name: 'db to databases', conditions: [{ field: 'labels.component', op: 'in', values: ['postgres', 'mysql'] }], actions: { routeTo: 'databases', severity: 'critical' } },
        { name: 'staging is quiet', conditions: [{ field: 'labels.group', op: 'equals', value: 'staging' }], actions: { suppress: true } },
        { name: 'info to backlog', conditions: [{ field: 'severity', op: 'equals', value: 'info' }], actions: { urgency: 'backlog' } },
      ]);
      expect(saved.statusCode, saved.body).toBe(200);
      expect(json<ServiceRouting>(saved).rules.map((r) => r.name)).toHaveLength(4);

      const dropped = await trigger('hb', 'Heartbeat OK');
      expect([dropped.statusCode, json<{ status: string }>(dropped).status]).toEqual([202, 'success']);
      expect(await alerts('?q=heartbeat')).toEqual([]);
      // Only the event log keeps it, with outcome `dropped`.
      const log = json<Preview>(await api('POST', '/api/v1/services/checkout/rules/preview', { limit: 1 })).items;
      expect(log.map((i) => [i.title, i.storedOutcome, i.result])).toEqual([['Heartbeat OK', 'dropped', 'drop']]);
      // The API answers `dropped` too.
      const viaApi = await api('POST', '/api/v1/alerts', { service: 'checkout', title: 'Heartbeat from cron', severity: 'info' });
      expect([viaApi.statusCode, json<{ outcome: string; alert: unknown }>(viaApi)]).toMatchObject([expect.any(Number), { outcome: 'dropped', alert: null }]);

      expect((await trigger('pg-1', 'Replication lag', 'warning', { component: 'postgres' })).statusCode).toBe(202);
      const [routed] = await alerts('?service=databases');
      expect(routed).toMatchObject({ serviceHandle: 'databases', severity: 'critical', urgency: 'high', deliverAt: null, title: 'Replication lag' });
      expect((await timeline(routed?.id as string)).map((e) => e.summary)).toContain('Routed from service `checkout` by rule `db to databases`');
      // The resolve carries no labels: it follows its alert to the service the rules routed it to.
      expect((await enqueue({ event_action: 'resolve', dedup_key: 'pg-1' })).statusCode).toBe(202);
      expect(await alerts('?service=databases')).toEqual([]);

      await trigger('stg', 'Slow page', 'error', { group: 'staging' });
      const [quiet] = await alerts('?q=slow');
      expect(quiet?.serviceHandle).toBe('checkout');
      // The alert says why nobody hears of it, like a maintenance window or a silence would.
      expect(quiet?.suppressedBy).toEqual({ kind: 'rule', id: 'staging is quiet', name: 'staging is quiet', until: null });
      expect((await timeline(quiet?.id as string)).map((e) => e.summary)).toContain('Suppressed by routing rule `staging is quiet`: nobody is notified');

      await trigger('cert', 'Certificate expires in 25 days', 'info');
      const backlog = await alerts('?urgency=backlog');
      expect(backlog.map((a) => [a.title, a.urgency, a.deliverAt])).toEqual([['Certificate expires in 25 days', 'backlog', 'never']]);
    });

    it('routes Alertmanager groups by a firing member’s labels', async () => {
      // The members say critical; the rule says info, which the databases service delivers at low urgency.
      expect((await putRules([{ name: 'db', conditions: [{ field: 'labels.job', op: 'equals', value: 'postgres' }], actions: { routeTo: 'databases', severity: 'info' } }])).statusCode).toBe(200);
      const post = (status: 'firing' | 'resolved') =>
        t.app.inject({
          method: 'POST', url: `/integrations/alertmanager/${amKey}`,
          payload: { version: '4', groupKey: '{}:{alertname="Down"}', status, receiver: 'firebreak', groupLabels: { alertname: 'Down' }, commonLabels: { alertname: 'Down' }, commonAnnotations: {}, externalURL: 'http://am', truncatedAlerts: 0,
            alerts: [
              { status, labels: { alertname: 'Down', job: 'node' }, annotations: {}, startsAt: '2026-11-02T09:59:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom', fingerprint: 'a1' },
              { status, labels: { alertname: 'Down', job: 'postgres', severity: 'critical' }, annotations: {}, startsAt: '2026-11-02T09:59:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom', fingerprint: 'b2' },
            ] },
        });
      expect((await post('firing')).statusCode).toBe(200);
      expect((await alerts('?service=databases')).map((a) => [a.members.length, a.severity, a.urgency])).toEqual([[2, 'info', 'low']]);
      // A later post that changes a member keeps the rule's severity.
      const changed = await t.app.inject({
        method: 'POST', url: `/integrations/alertmanager/${amKey}`,
        payload: { version: '4', groupKey: '{}:{alertname="Down"}', status: 'firing', receiver: 'firebreak', groupLabels: { alertname: 'Down' }, commonLabels: { alertname: 'Down' }, commonAnnotations: {}, externalURL: 'http://am', truncatedAlerts: 0,
          alerts: [{ status: 'firing', labels: { alertname: 'Down', job: 'postgres', severity: 'critical', instance: 'db-9' }, annotations: {}, startsAt: '2026-11-02T09:59:30Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom', fingerprint: 'c3' }] },
      });
      expect(changed.statusCode).toBe(200);
      expect((await alerts('?service=databases')).map((a) => [a.members.length, a.severity, a.urgency])).toEqual([[3, 'info', 'low']]);
      expect((await post('resolved')).statusCode).toBe(200);
      // c3 still fires: the group stays open until every member has resolved.
      expect((await alerts('?service=databases')).map((a) => a.members.filter((m) => m.status === 'firing').length)).toEqual([1]);
    });

    it('previews rules against the latest stored events without changing anything', async () => {
      await trigger('a', 'Disk full on db-1', 'critical', { component: 'postgres' });
      await trigger('b', 'Heartbeat OK', 'info');
      await enqueue({ event_action: 'resolve', dedup_key: 'a' });
      await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: eventsKey, event_action: 'bogus' } });
      const rules = [
        { name: 'drop heartbeats', conditions: [{ field: 'title', op: 'regex', value: '^Heartbeat' }], actions: { drop: true } },
        { name: 'db', conditions: [{ field: 'labels.component', op: 'equals', value: 'postgres' }], actions: { routeTo: 'databases', urgency: 'low' } },
      ];
      const preview = await api('POST', '/api/v1/services/checkout/rules/preview', { rules, limit: 10 });
      expect(preview.statusCode, preview.body).toBe(200);
      const items = json<Preview>(preview).items;
      expect(items.map((i) => [i.action, i.result, i.matched])).toEqual([
        ['bogus', 'not-an-event', []],
        ['resolve', 'deliver', []],
        ['trigger', 'drop', ['drop heartbeats']],
        ['trigger', 'route', ['db']],
      ]);
      expect(items[3]).toMatchObject({ title: 'Disk full on db-1', severity: 'critical', urgency: 'low', routeTo: 'databases', storedOutcome: 'created' });
      expect(items[3]?.summary).toBe('Routed to `databases`, critical, low urgency (rule `db`)');
      expect(json<Preview>(await api('POST', '/api/v1/services/checkout/rules/preview', { rules, limit: 1 })).items).toHaveLength(1);
      // Nothing was saved or changed.
      expect(json<ServiceRouting>(await api('GET', '/api/v1/services/checkout/routing')).rules).toEqual([]);
      const bad = await api('POST', '/api/v1/services/checkout/rules/preview', { rules: [{ name: 'x', conditions: [{ field: 'title', op: 'regex', value: '\\1' }], actions: { drop: true } }] });
      expect(json<Issues>(bad).details.issues[0]?.path).toBe('body.rules.0.conditions.0.value');
      expect((await api('POST', '/api/v1/services/checkout/rules/preview', { limit: 501 })).statusCode).toBe(400);
    });
  });

  describe('support hours', () => {
    it('validates support hours and the backlog webhook URL by field', async () => {
      await start();
      const put = (body: unknown) => api('PUT', '/api/v1/services/checkout/support-hours', body);
      expect(json<Issues>(await put({ supportHours: { ...lisbonWeekdays, timeZone: 'Mars/Olympus' } })).details.issues[0]?.path).toBe('body.supportHours.timeZone');
      expect(json<Issues>(await put({ supportHours: { ...lisbonWeekdays, start: '18:00', end: '09:00' } })).details.issues[0]).toEqual({ path: 'body.supportHours.end', message: 'must be after start (18:00); windows do not cross midnight' });
      expect(json<Issues>(await put({ backlogWebhookUrl: 'ftp://tickets.example.com/' })).details.issues[0]?.path).toBe('body.backlogWebhookUrl');
      expect(json<Issues>(await put({ raiseAtSupportStart: true })).details.issues[0]?.path).toBe('body.raiseAtSupportStart');
      const ok = await put({ supportHours: lisbonWeekdays, raiseAtSupportStart: true, backlogWebhookUrl: 'https://tickets.example.com/hook' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(json<ServiceRouting>(ok)).toMatchObject({ supportHours: lisbonWeekdays, raiseAtSupportStart: true, withinSupportHours: true, nextSupportWindowAt: '2026-11-03T09:00:00.000Z' });
    });

    it('defers low urgency to the next support window and raises it to high when the window opens', async () => {
      await start({}, FRIDAY_EVENING);
      expect((await api('PUT', '/api/v1/services/checkout/support-hours', { supportHours: lisbonWeekdays, raiseAtSupportStart: true })).statusCode).toBe(200);
      await trigger('disk', 'Disk 80% on db-1', 'warning');
      await trigger('down', 'Checkout down', 'critical');
      await trigger('cert', 'Certificate renewal failed', 'info');
      const [cert, low] = await alerts('?urgency=low');
      expect(low).toMatchObject({ title: 'Disk 80% on db-1', deliverAt: '2026-11-23T09:00:00.000Z' });
      // Someone already on it: an acknowledged low alert is not raised.
      expect((await api('POST', `/api/v1/alerts/${cert?.id}/acknowledge`, {})).statusCode).toBe(200);
      expect((await timeline(low?.id as string)).map((e) => e.summary)).toContain('Low urgency outside support hours: delivery deferred to 2026-11-23T09:00:00.000Z');
      expect((await alerts('?urgency=high')).map((a) => a.deliverAt)).toEqual([null]);
      // A repeat on Saturday keeps the decision.
      t.clock.set('2026-11-21T12:00:00Z');
      await trigger('disk', 'Disk 81% on db-1', 'warning');
      expect((await alerts('?urgency=low')).map((a) => a.deliverAt)).toEqual(['2026-11-23T09:00:00.000Z', '2026-11-23T09:00:00.000Z']);
      // Nothing is due before Monday 09:00 Lisbon.
      expect(await t.firebreak.runner.runDueJobs()).toEqual([]);
      t.clock.set('2026-11-23T09:00:05Z');
      const ran = await t.firebreak.runner.runDueJobs();
      expect(ran.map((r) => [r.task, r.outcome])).toEqual([['raise-urgency-at-support-start', 'success']]);
      const [raised] = await alerts('?q=disk');
      expect(raised).toMatchObject({ urgency: 'high', deliverAt: null });
      expect((await timeline(raised?.id as string)).at(-1)?.summary).toBe('Urgency raised to high: support hours began');
      expect((await alerts('?q=certificate'))[0]).toMatchObject({ urgency: 'low', status: 'acknowledged' });
      // The next raise is scheduled for Tuesday's window.
      const next = await t.firebreak.services.database.db.selectFrom('jobs').select(['task', 'run_at']).where('task', '=', 'raise-urgency-at-support-start').execute();
      expect(next.map((j) => Number(j.run_at))).toEqual([Date.parse('2026-11-24T09:00:00Z')]);
    });
  });

  describe('backlog webhook', () => {
    let server: Server;
    let received: Array<{ body: Record<string, unknown>; key: string | undefined }>;
    let status: number;

    beforeEach(async () => {
      received = [];
      status = 201;
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ body: JSON.parse(body) as Record<string, unknown>, key: req.headers['idempotency-key'] as string | undefined });
          res.writeHead(status).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => new Promise<void>((resolve) => server.close(() => resolve())));

    const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/tickets`;

    it('posts backlog alerts as JSON through a durable job, retrying failures', async () => {
      await start({ FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' });
      expect((await api('PUT', '/api/v1/services/checkout/support-hours', { backlogWebhookUrl: url() })).statusCode).toBe(200);
      await t.app.inject({ method: 'PATCH', url: '/api/v1/services/checkout', headers: bearer(admin), payload: { urgency: { critical: 'high', error: 'high', warning: 'low', info: 'backlog' } } });
      status = 503;
      await trigger('cert', 'Certificate expires in 25 days', 'info');
      const [alert] = await alerts('?urgency=backlog');
      expect(alert?.deliverAt).toBe('never');
      expect((await t.firebreak.runner.runDueJobs()).map((r) => r.outcome)).toEqual(['retry']);
      status = 201;
      t.clock.advance(10 * 60_000);
      expect((await t.firebreak.runner.runDueJobs()).map((r) => r.outcome)).toEqual(['success']);
      expect(received).toHaveLength(2);
      expect(received[1]).toMatchObject({ key: alert?.id, body: { event: 'alert.backlog', alert: { id: alert?.id, title: 'Certificate expires in 25 days', urgency: 'backlog' } } });
      expect((await timeline(alert?.id as string)).at(-1)?.summary).toBe('Sent to the backlog webhook (HTTP 201)');
      // Repeats of the alert do not post again.
      await trigger('cert', 'Certificate expires in 24 days', 'info');
      expect(await t.firebreak.runner.runDueJobs()).toEqual([]);
    });

    it('refuses private addresses unless the operator allows them', async () => {
      await start();
      await t.app.inject({ method: 'PATCH', url: '/api/v1/services/checkout', headers: bearer(admin), payload: { urgency: { critical: 'high', error: 'high', warning: 'low', info: 'backlog' } } });
      expect((await api('PUT', '/api/v1/services/checkout/support-hours', { backlogWebhookUrl: url() })).statusCode).toBe(200);
      await trigger('cert', 'Certificate expires in 25 days', 'info');
      expect((await t.firebreak.runner.runDueJobs()).map((r) => r.outcome)).toEqual(['success']);
      expect(received).toEqual([]);
      const [alert] = await alerts('?urgency=backlog');
      expect((await timeline(alert?.id as string)).at(-1)?.summary).toMatch(/^Backlog webhook refused: 127\.0\.0\.1 is a loopback, private or link-local address/);
    });
  });
});
