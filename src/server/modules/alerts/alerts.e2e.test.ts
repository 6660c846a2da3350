import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../audit/audit.repo.js';

const reference = (name: string) => readFileSync(new URL(`../../../../test/fixtures/reference/${name}`, import.meta.url), 'utf8');
const pdjsSample = JSON.parse(reference('pdjs_event_sample.json')) as { body: Record<string, unknown>; rawBody: string };
const amFiring = reference('alertmanager_webhook_sample.json');
const amResolved = reference('alertmanager_webhook_resolved_sample.json');

interface Page {
  items: Alert[];
  nextBefore: string | null;
}

for (const dialect of dialectCases()) describe(`alert intake and actions over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let responder: string;
  let eventsKey: string;
  let amKey: string;
  let eventsId: string;

  const enqueue = (payload: unknown) => t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: payload as Record<string, unknown> });
  const trigger = (dedup_key?: string, over: Record<string, unknown> = {}) =>
    enqueue({ routing_key: eventsKey, event_action: 'trigger', ...(dedup_key ? { dedup_key } : {}), payload: { summary: 'Disk full on db-1', source: 'db-1', severity: 'critical' }, ...over });
  const alerts = async (query = '') => json<Page>(await t.app.inject({ url: `/api/v1/alerts${query}`, headers: bearer(admin) }));

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T05:00:00Z') });
    admin = (await t.userWithToken('admin')).token;
    responder = (await t.userWithToken('responder', 'rita')).token;
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout API' } });
    expect(created.statusCode, created.body).toBe(201);
    const ev = await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'events-v2', name: 'Nagios' } });
    expect(ev.statusCode, ev.body).toBe(201);
    eventsKey = json<{ key: string; id: string }>(ev).key;
    eventsId = json<{ key: string; id: string }>(ev).id;
    const am = await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'alertmanager', name: 'Prometheus' } });
    amKey = json<{ key: string }>(am).key;
  });
  afterEach(async () => t.close());

  it('creates integrations with a 32-character key, a URL and a copy-paste snippet', async () => {
    expect(eventsKey).toMatch(/^[0-9a-f]{32}$/);
    const am = await t.app.inject({ url: `/api/v1/services/checkout`, headers: bearer(admin) });
    const service = json<{ integrations: Array<{ id: string; type: string }> }>(am);
    const amId = service.integrations.find((i) => i.type === 'alertmanager')?.id as string;
    const withKey = json<{ url: string; snippet: string; key: string }>(await t.app.inject({ url: `/api/v1/services/checkout/integrations/${amId}`, headers: bearer(admin) }));
    expect(withKey.url).toBe(`${t.config.publicUrl}/integrations/alertmanager/${amKey}`);
    expect(withKey.snippet).toContain('webhook_configs:');
    expect(withKey.snippet).toContain('send_resolved: true');
    // A viewer who is not in the owning team reads the service, but not the key.
    const viewer = (await t.userWithToken('viewer')).token;
    expect((await t.app.inject({ url: `/api/v1/services/checkout`, headers: bearer(viewer) })).body).not.toContain(eventsKey);
    expect((await t.app.inject({ url: `/api/v1/services/checkout/integrations/${eventsId}`, headers: bearer(viewer) })).statusCode).toBe(403);
  });

  it('Events API v2: trigger, dedup, acknowledge and resolve with the exact response bodies', async () => {
    const first = await trigger('disk-db-1');
    expect(first.statusCode).toBe(202);
    expect(json(first)).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'disk-db-1' });
    t.clock.advance(60_000);
    expect(json(await trigger('disk-db-1'))).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'disk-db-1' });
    let [alert] = (await alerts()).items;
    expect(alert).toMatchObject({ number: 1, dedupKey: 'disk-db-1', status: 'triggered', severity: 'critical', urgency: 'high', eventCount: 2, firstSeenAt: '2026-11-21T05:00:00.000Z', lastSeenAt: '2026-11-21T05:01:00.000Z', source: 'db-1', serviceHandle: 'checkout' });

    const ack = await enqueue({ routing_key: eventsKey, event_action: 'acknowledge', dedup_key: 'disk-db-1' });
    expect([ack.statusCode, json(ack)]).toEqual([202, { status: 'success', message: 'Event processed', dedup_key: 'disk-db-1' }]);
    const resolve = await enqueue({ routing_key: eventsKey, event_action: 'resolve', dedup_key: 'disk-db-1' });
    expect(resolve.statusCode).toBe(202);
    [alert] = (await alerts('?status=resolved')).items;
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'Nagios', acknowledgedBy: 'Nagios', eventCount: 4 });
    const timeline = json<{ items: Array<{ action: string; kind: string }> }>(await t.app.inject({ url: `/api/v1/alerts/${alert?.id}/timeline`, headers: bearer(admin) }));
    expect(timeline.items.map((e) => e.action)).toEqual(['trigger', 'trigger', 'acknowledge', 'resolve']);

    // Acknowledge/resolve of a resolved or unknown key: still 202, nothing changes.
    expect((await enqueue({ routing_key: eventsKey, event_action: 'acknowledge', dedup_key: 'disk-db-1' })).statusCode).toBe(202);
    expect((await enqueue({ routing_key: eventsKey, event_action: 'resolve', dedup_key: 'never-seen' })).statusCode).toBe(202);
    // A trigger after resolve opens a new alert.
    await trigger('disk-db-1');
    const open = (await alerts()).items;
    expect(open.map((a) => [a.number, a.status])).toEqual([[2, 'triggered']]);
    const log = await t.firebreak.services.database.db.selectFrom('alert_events').select(['outcome']).orderBy('id').execute();
    expect(log.map((r) => r.outcome)).toEqual(['created', 'updated', 'acknowledged', 'resolved', 'ignored', 'ignored', 'created']);
    const stored = await t.firebreak.services.database.db.selectFrom('alert_events').select('payload_json').execute();
    expect(stored.some((r) => r.payload_json.includes(eventsKey))).toBe(false);
    expect(JSON.parse(stored[0]?.payload_json ?? '{}')).toMatchObject({ routing_key: `${eventsKey.slice(0, 6)}…`, dedup_key: 'disk-db-1' });
  });

  it('drops links and images that are not http(s) URLs', async () => {
    await trigger('links', { links: [{ href: 'javascript:alert(1)', text: 'x' }, { href: 'https://grafana.example.com/d/1', text: 'Dashboard' }], images: [{ src: 'data:image/png;base64,AAAA' }] });
    const [alert] = (await alerts()).items;
    expect([alert?.links, alert?.images]).toEqual([[{ href: 'https://grafana.example.com/d/1', text: 'Dashboard' }], []]);
  });

  it('generates a dedup key for a trigger without one and returns it', async () => {
    const answer = json<{ dedup_key: string }>(await trigger());
    expect(answer.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect((await alerts()).items[0]?.dedupKey).toBe(answer.dedup_key);
  });

  it('answers invalid events with 400 in the Events API shape naming each field', async () => {
    const bad = await enqueue({ routing_key: eventsKey, event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'fatal' } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad)).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: ["payload.severity: must be 'critical', 'error', 'warning' or 'info', got \"fatal\""] });
    const missing = json<{ errors: string[] }>(await enqueue({ routing_key: eventsKey, event_action: 'trigger', payload: {} }));
    expect(missing.errors.map((e) => e.split(':')[0])).toEqual(['payload.summary', 'payload.source', 'payload.severity']);
    const ackWithoutKey = json<{ errors: string[] }>(await enqueue({ routing_key: eventsKey, event_action: 'acknowledge' }));
    expect(ackWithoutKey.errors).toEqual(["dedup_key: is required for event_action 'acknowledge'"]);
    const malformed = await t.app.inject({ method: 'POST', url: '/v2/enqueue', headers: { 'content-type': 'application/json' }, payload: '{"routing_key":' });
    expect([malformed.statusCode, json<{ status: string }>(malformed).status]).toEqual([400, 'invalid event']);
    const noType = await t.app.inject({ method: 'POST', url: '/v2/enqueue', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ routing_key: eventsKey, event_action: 'resolve', dedup_key: 'x' }) });
    expect(noType.statusCode).toBe(202);
    expect((await alerts()).items).toEqual([]);
  });

  it('answers 404 for an unknown key, 403 for a disabled integration and 413 over 512 KB', async () => {
    const unknown = await enqueue({ routing_key: 'f'.repeat(32), event_action: 'trigger', payload: { summary: 's', source: 's', severity: 'info' } });
    expect([unknown.statusCode, json(unknown)]).toEqual([404, { status: 'invalid event', message: 'Invalid routing key', errors: ['routing_key: no integration has this key'] }]);
    const am404 = await t.app.inject({ method: 'POST', url: `/integrations/alertmanager/${'0'.repeat(32)}`, payload: amFiring, headers: { 'content-type': 'application/json' } });
    expect([am404.statusCode, json<{ code: string }>(am404).code]).toEqual([404, 'NOT_FOUND']);

    const disabled = await t.app.inject({ method: 'PATCH', url: `/api/v1/services/checkout/integrations/${eventsId}`, headers: bearer(admin), payload: { disabled: true } });
    expect(disabled.statusCode, disabled.body).toBe(200);
    const refused = await trigger('x');
    expect([refused.statusCode, json<{ message: string }>(refused).message]).toEqual([403, 'Integration is disabled']);

    const huge = await t.app.inject({ method: 'POST', url: '/v2/enqueue', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ routing_key: eventsKey, event_action: 'trigger', payload: { summary: 'x'.repeat(600 * 1024), source: 's', severity: 'info' } }) });
    expect([huge.statusCode, json<{ status: string }>(huge).status]).toEqual([413, 'invalid event']);
    const amHuge = await t.app.inject({ method: 'POST', url: `/integrations/alertmanager/${amKey}`, headers: { 'content-type': 'application/json' }, payload: 'x'.repeat(513 * 1024) });
    expect([amHuge.statusCode, json<{ code: string }>(amHuge).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('accepts the captured pdjs request verbatim', async () => {
    const acting = { actor: systemActor('test'), principal: null };
    await t.firebreak.services.serviceCatalog.createIntegration(acting, 'checkout', { type: 'events-v2', name: 'pdjs' }, { key: 'R0UT1NGKEY0000000000000000000000' });
    const answer = await t.app.inject({ method: 'POST', url: '/v2/enqueue', headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'pdjs/2.0.0 (v20.20.2/linux)' }, payload: pdjsSample.rawBody });
    expect([answer.statusCode, json(answer)]).toEqual([202, { status: 'success', message: 'Event processed', dedup_key: 'INC-42' }]);
    const [alert] = (await alerts()).items;
    expect(alert).toMatchObject({ title: '[SEV1] checkout-api error rate > 5%', severity: 'critical', source: 'incident-platform', links: [{ href: 'http://127.0.0.1/incidents/INC-42', text: 'Incident INC-42' }] });
    expect(alert?.details).toMatchObject({ component: 'checkout-api', custom_details: { incident_id: 'INC-42' } });
  });

  it('Alertmanager: the captured firing then resolved posts give one alert whose member resolves; duplicates change nothing', async () => {
    const post = (body: string) => t.app.inject({ method: 'POST', url: `/integrations/alertmanager/${amKey}`, headers: { 'content-type': 'application/json' }, payload: body });
    const first = await post(amFiring);
    expect(first.statusCode, first.body).toBe(200);
    expect(json(first)).toMatchObject({ status: 'success', outcome: 'created' });
    t.clock.advance(30_000);
    expect(json(await post(amFiring))).toMatchObject({ outcome: 'duplicate' });
    let [alert] = (await alerts()).items;
    expect(alert).toMatchObject({ title: 'Always-firing test alert', severity: 'critical', status: 'triggered', eventCount: 1, dedupKey: '{}:{alertname="AlwaysFiring", service="checkout-api"}', lastSeenAt: '2026-11-21T05:00:30.000Z' });
    expect(alert?.members).toEqual([
      { fingerprint: '49d3f4075480dfea', status: 'firing', labels: { alertname: 'AlwaysFiring', service: 'checkout-api', severity: 'critical' }, annotations: { description: 'vector(1) is always 1', runbook_url: 'http://127.0.0.1/runbooks/always-firing', summary: 'Always-firing test alert' }, startsAt: '2026-11-21T05:01:16.941Z', endsAt: null, generatorUrl: 'http://vm:19090/graph?g0.expr=vector%281%29&g0.tab=1' },
    ]);
    expect(json(await post(amResolved))).toMatchObject({ outcome: 'resolved' });
    expect(json(await post(amResolved))).toMatchObject({ outcome: 'ignored' });
    // An HA replica's late firing post for the same member (same start) does not reopen the group.
    expect(json(await post(amFiring))).toMatchObject({ outcome: 'ignored' });
    [alert] = (await alerts('?status=resolved')).items;
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'Prometheus', eventCount: 2 });
    expect(alert?.members.map((m) => m.status)).toEqual(['resolved']);
    expect((await alerts('?status=triggered,acknowledged,resolved')).items).toHaveLength(1);
  });

  it('Alertmanager: invalid posts are 400 naming the field', async () => {
    const body = JSON.parse(amFiring) as { alerts: Array<Record<string, unknown>> };
    (body.alerts[0] as Record<string, unknown>).status = 'burning';
    const answer = await t.app.inject({ method: 'POST', url: `/integrations/alertmanager/${amKey}`, payload: body });
    expect(answer.statusCode).toBe(400);
    expect(json<{ details: { issues: unknown[] } }>(answer).details.issues).toEqual([{ path: 'body.alerts.0.status', message: 'must be "firing" or "resolved"' }]);
    const malformed = await t.app.inject({ method: 'POST', url: `/integrations/alertmanager/${amKey}`, headers: { 'content-type': 'application/json' }, payload: '{"alerts": [' });
    expect([malformed.statusCode, json<{ code: string }>(malformed).code]).toEqual([400, 'MALFORMED_REQUEST']);
  });

  it('keeps the old key working during the rotation grace, then answers 404', async () => {
    const rotated = await t.app.inject({ method: 'POST', url: `/api/v1/services/checkout/integrations/${eventsId}/rotate`, headers: bearer(admin), payload: { graceMinutes: 10 } });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const next = json<{ key: string; previousKeyValidUntil: string }>(rotated);
    expect(next.key).not.toBe(eventsKey);
    expect(next.previousKeyValidUntil).toBe('2026-11-21T05:10:00.000Z');
    t.clock.advance(9 * 60_000);
    expect((await trigger('a')).statusCode).toBe(202);
    t.clock.advance(60_000);
    expect((await trigger('a')).statusCode).toBe(404);
    eventsKey = next.key;
    expect((await trigger('a')).statusCode).toBe(202);
    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').select('action').where('action', '=', 'integration.rotate_key').execute();
    expect(audit).toHaveLength(1);
  });

  it('answers 429 with Retry-After when one integration floods past FIREBREAK_INTAKE_RATE_LIMIT', async () => {
    await t.close();
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T05:00:00Z'), env: { FIREBREAK_INTAKE_RATE_LIMIT: '120' } });
    admin = (await t.userWithToken('admin')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout API' } })).statusCode).toBe(201);
    eventsKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'events-v2', name: 'Nagios' } })).key;
    let accepted = 0;
    let last = null;
    for (let i = 0; i < 200; i++) {
      last = await enqueue({ routing_key: eventsKey, event_action: 'resolve', dedup_key: 'nothing' });
      if (last.statusCode !== 202) break;
      accepted++;
    }
    // A burst of 120 (the limit per minute), then refused until the bucket refills: 2 a second.
    expect(accepted).toBe(120);
    expect(last?.statusCode).toBe(429);
    expect(last?.headers['retry-after']).toBe('1');
    t.clock.advance(1000);
    expect((await enqueue({ routing_key: eventsKey, event_action: 'resolve', dedup_key: 'nothing' })).statusCode).toBe(202);
    expect(json<{ status: string }>(last!).status).toBe('throttle event');
  });

  it('people acknowledge, resolve and annotate; each action is on the timeline and in the audit log', async () => {
    await trigger('a');
    await trigger('b');
    const [b, a] = (await alerts()).items as [Alert, Alert];
    const ack = await t.app.inject({ method: 'POST', url: `/api/v1/alerts/%23${a.number}/acknowledge`, headers: bearer(responder), payload: {} });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(json(ack)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'rita (API token)' });
    const note = await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/notes`, headers: bearer(responder), payload: { note: 'Looking at the disk' } });
    expect(note.statusCode, note.body).toBe(201);
    const viewer = (await t.userWithToken('viewer')).token;
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/resolve`, headers: bearer(viewer), payload: {} })).statusCode).toBe(403);
    const bulk = await t.app.inject({ method: 'POST', url: '/api/v1/alerts/bulk', headers: bearer(responder), payload: { ids: [a.id, b.id, 'nope'], action: 'resolve' } });
    expect(json(bulk)).toEqual({
      items: [
        { id: a.id, ok: true, status: 'resolved', error: null },
        { id: b.id, ok: true, status: 'resolved', error: null },
        { id: 'nope', ok: false, status: null, error: 'Alert `nope` does not exist' },
      ],
    });
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/resolve`, headers: bearer(responder), payload: {} });
    expect([again.statusCode, json<{ code: string }>(again).code]).toEqual([422, 'RULE_VIOLATION']);
    const timeline = json<{ items: Array<{ kind: string; action: string; actor: string; summary: string }> }>(await t.app.inject({ url: `/api/v1/alerts/${a.id}/timeline`, headers: bearer(viewer) }));
    expect(timeline.items.map((e) => [e.kind, e.action, e.actor])).toEqual([
      ['event', 'trigger', 'Nagios'],
      ['action', 'acknowledge', 'rita (API token)'],
      ['note', 'note', 'rita (API token)'],
      ['action', 'resolve', 'rita (API token)'],
    ]);
    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('target_type', '=', 'alert').orderBy('id').execute();
    expect(audit.map((r) => r.action)).toEqual(['alert.acknowledge', 'alert.note', 'alert.resolve', 'alert.resolve']);
  });

  it('triggers by API with a token, deduplicated like any event', async () => {
    const body = { service: 'checkout', title: 'Manual page', severity: 'warning', dedupKey: 'manual-1' };
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/alerts', headers: bearer(responder), payload: body });
    expect(first.statusCode, first.body).toBe(200);
    expect(json(first)).toMatchObject({ outcome: 'created', dedupKey: 'manual-1', alert: { title: 'Manual page', urgency: 'low', eventCount: 1, integrationId: null, source: 'api' } });
    expect(json(await t.app.inject({ method: 'POST', url: '/api/v1/alerts', headers: bearer(responder), payload: body }))).toMatchObject({ outcome: 'updated', alert: { eventCount: 2 } });
  });

  it('numbers 200 alerts created at once 1 to 200, each once, and answers every sender 202', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => trigger(`burst-${i}`)));
    expect(answers.filter((a) => a.statusCode !== 202).map((a) => a.body)).toEqual([]);
    const rows = await t.firebreak.services.database.db.selectFrom('alerts').select('number').execute();
    expect(rows.map((r) => Number(r.number)).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('a storm of 10,000 triggers over 100 dedup keys ends with exactly 100 open alerts', async () => {
    const batch = 500;
    for (let start = 0; start < 10_000; start += batch) {
      const answers = await Promise.all(
        Array.from({ length: batch }, (_, i) => trigger(`storm-${(start + i) % 100}`)),
      );
      expect(answers.every((a) => a.statusCode === 202)).toBe(true);
      // Stay under the per-integration rate limit: refill the bucket between batches.
      t.clock.advance(60_000);
    }
    const db = t.firebreak.services.database.db;
    const open = await db.selectFrom('alerts').select((eb) => eb.fn.countAll<number>().as('n')).where('open_dedup_key', 'is not', null).executeTakeFirstOrThrow();
    expect(Number(open.n)).toBe(100);
    const counts = await db.selectFrom('alerts').select((eb) => eb.fn.sum<number>('event_count').as('n')).executeTakeFirstOrThrow();
    expect(Number(counts.n)).toBe(10_000);
  }, 120_000);
});
