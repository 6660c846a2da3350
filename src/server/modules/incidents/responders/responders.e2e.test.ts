import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import type { Alert } from '../../../../contracts/alerts.js';
import type { IncidentRespondersView, ResponderRequest } from '../../../../contracts/incident-responders.js';
import type { Incident, IncidentTimelineEntry } from '../../../../contracts/incidents.js';
import { ManualClock } from '../../../platform/clock.js';
import { scheduleEscalationAudit } from '../../paging/auditor.js';
import { stepJobKey } from '../../paging/paging.service.js';

// Responder requests through the HTTP API: the request's alert pages through the real escalation engine,
// the real SMTP adapter sends to an SMTP server in this process, and time moves by a ManualClock.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const MIN = 60_000;

interface ErrorBody {
  code: string;
  message: string;
  details: { issues?: Array<{ path: string; message: string }> } | null;
}

for (const dialect of dialectCases()) describe(`incident responders (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  let ben: Person;

  const { call, ok } = requestsAs(() => t);
  const pagesTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address) && m.headers['x-firebreak-kind'] === 'page');
  const run = () => t.firebreak.runner.runDueJobs();
  const advance = async (ms: number) => {
    t.clock.advance(ms);
    await run();
  };
  const responders = async (ref = 'INC-1') => json<IncidentRespondersView>(await ok('GET', `/api/v1/incidents/${ref}/responders`, admin));
  const timeline = async (ref = 'INC-1') => json<{ items: IncidentTimelineEntry[] }>(await ok('GET', `/api/v1/incidents/${ref}/timeline`, admin)).items.filter((e) => e.kind === 'responder').map((e) => e.summary);
  const request = async (who: Person, target: { type: string; ref: string }, message?: string) => {
    const res = await call('POST', '/api/v1/incidents/INC-1/responders', who, { target, ...(message ? { message } : {}) });
    expect(res.statusCode, res.body).toBe(201);
    return json<ResponderRequest>(res);
  };
  const audit = async (action: string) => json<{ items: Array<{ action: string }> }>(await ok('GET', `/api/v1/audit?action=${action}`, admin)).items;

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({
      database: await dialect.open(),
      clock: new ManualClock('2026-11-21T09:00:00Z'),
      env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' },
    });
    ({ admin, ana, ben } = await setUpPagingScene(t, sink));
    await ok('POST', '/api/v1/incidents', admin, { title: 'Checkout errors', severity: 'SEV1', impactedServices: ['checkout'] });
  });
  afterEach(async () => t.close());

  it('pages a policy into the incident through a request alert: delivered by email as “INC-1 needs you”, escalating to level 2 when nobody acknowledges', async () => {
    const created = await request(admin, { type: 'policy', ref: 'platform' }, 'Need platform eyes on the load balancer');
    expect(created).toMatchObject({ state: 'requested', target: { type: 'policy', handle: 'platform', name: 'Platform' }, policy: { handle: 'platform' }, message: 'Need platform eyes on the load balancer', requestedBy: '@root-admin', escalation: 'active', alert: { status: 'triggered' } });
    // Level 1 (the on-call of `primary`: ana) is paged in the request's own transaction.
    expect(created.paged.map((p) => [p.handle, p.state])).toEqual([['ana', 'paged']]);

    // The request alert is linked to the incident, assigned to the policy, high urgency, on the internal service.
    const incident = json<Incident>(await ok('GET', '/api/v1/incidents/INC-1', admin));
    expect(incident.alertIds).toEqual([created.alert.id]);
    const alert = json<Alert>(await ok('GET', `/api/v1/alerts/${created.alert.id}`, admin));
    expect(alert).toMatchObject({ title: 'INC-1 needs you: Checkout errors', urgency: 'high', status: 'triggered' });

    await run();
    const [page] = pagesTo('ana@example.com');
    expect(page?.subject).toBe('INC-1 needs you: Checkout errors');
    expect(page?.text).toContain('@root-admin asks for policy Platform in INC-1 (SEV1, investigating): Checkout errors');
    expect(page?.text).toContain('Need platform eyes on the load balancer');
    expect(page?.text).toContain('War room: https://firebreak.example.com/incidents/INC-1');
    expect(page?.text).toMatch(/INC-1 needs you, .*: acknowledge this page/);
    expect(page?.text).not.toMatch(/You are paged as level/);
    expect(pagesTo('ben@example.com')).toEqual([]);

    // Nobody acknowledges within level 1's 10 minutes: the engine pages level 2 (ben).
    await advance(10 * MIN);
    expect(pagesTo('ben@example.com').map((m) => m.subject)).toEqual(['INC-1 needs you: Checkout errors']);
    expect((await responders()).requests[0]?.paged.map((p) => p.handle)).toEqual(['ana', 'ben']);

    expect(await timeline()).toEqual([`@root-admin paged policy Platform (alert #${created.alert.number}): Need platform eyes on the load balancer`]);
    expect(await audit('incident.responder-request')).toHaveLength(1);
  });

  it('acknowledging the page acknowledges the request; joining marks it joined; leaving is recorded; each on the timeline and audited', async () => {
    const created = await request(admin, { type: 'policy', ref: 'platform' });
    await run();
    await ok('POST', `/api/v1/alerts/${created.alert.id}/acknowledge`, ana, {});
    let view = await responders();
    expect(view.requests[0]).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'ana (API token)', acknowledgedAt: '2026-11-21T09:00:00.000Z', escalation: 'stopped', alert: { status: 'acknowledged' } });
    expect(view.requests[0]?.paged).toMatchObject([{ handle: 'ana', state: 'acknowledged' }]);
    // Acknowledged: level 2 is never paged.
    await advance(30 * MIN);
    expect(pagesTo('ben@example.com')).toEqual([]);

    view = json<IncidentRespondersView>(await ok('POST', '/api/v1/incidents/INC-1/responders/join', ana, { note: 'On the LB now' }));
    expect(view.requests[0]).toMatchObject({ state: 'joined', joinedBy: { handle: 'ana' }, joinedAt: '2026-11-21T09:30:00.000Z' });
    expect(view.requests[0]?.paged).toMatchObject([{ handle: 'ana', state: 'joined' }]);
    expect(view.participants).toMatchObject([{ handle: 'ana', joinedAt: '2026-11-21T09:30:00.000Z', leftAt: null }]);
    // Joining twice changes nothing.
    await ok('POST', '/api/v1/incidents/INC-1/responders/join', ana, {});

    await advance(5 * MIN);
    view = json<IncidentRespondersView>(await ok('POST', '/api/v1/incidents/INC-1/responders/leave', ana, {}));
    expect(view.participants).toMatchObject([{ handle: 'ana', leftAt: '2026-11-21T09:35:00.000Z' }]);
    const again = await call('POST', '/api/v1/incidents/INC-1/responders/leave', ana, {});
    expect(again.statusCode).toBe(422);
    expect(json<ErrorBody>(again).message).toContain('@ana has not joined INC-1');

    expect(await timeline()).toEqual([
      `@root-admin paged policy Platform (alert #${created.alert.number})`,
      `ana (API token) acknowledged the page for policy Platform (alert #${created.alert.number})`,
      '@ana joined, answering the page for policy Platform: On the LB now',
      '@ana left',
    ]);
    expect((await audit('incident.responder-join')).length).toBe(1);
    expect((await audit('incident.responder-leave')).length).toBe(1);
  });

  it('joining while the page still rings acknowledges it as the person, so the escalation stops', async () => {
    const created = await request(admin, { type: 'user', ref: 'ben' });
    await run();
    expect(pagesTo('ben@example.com')).toHaveLength(1);
    const view = json<IncidentRespondersView>(await ok('POST', '/api/v1/incidents/INC-1/responders/join', ben, {}));
    expect(view.requests[0]).toMatchObject({ state: 'joined', target: { type: 'user', handle: 'ben' }, policy: null, alert: { status: 'acknowledged' }, escalation: 'stopped', acknowledgedBy: 'ben (API token)' });
    expect(json<Alert>(await ok('GET', `/api/v1/alerts/${created.alert.id}`, admin)).status).toBe('acknowledged');
    // A later acknowledgement does not write a second "acknowledged" entry for a joined request.
    expect(await timeline()).toEqual([`@root-admin paged @ben (alert #${created.alert.number})`, '@ben joined, answering the page for @ben']);
  });

  it('an acknowledgement that times out pages again: the request is back to requested, and the timeline says so', async () => {
    await ok('PUT', '/api/v1/escalation-policies/platform/paging-settings', admin, { ackTimeoutMinutes: 20 });
    const created = await request(admin, { type: 'policy', ref: 'platform' });
    await run();
    await ok('POST', `/api/v1/alerts/${created.alert.id}/acknowledge`, ana, {});
    expect((await responders()).requests[0]?.state).toBe('acknowledged');
    await advance(20 * MIN);
    expect((await responders()).requests[0]).toMatchObject({ state: 'requested', acknowledgedBy: null, escalation: 'active', alert: { status: 'triggered' } });
    expect(pagesTo('ana@example.com')).toHaveLength(2);
    expect((await timeline()).slice(-1)).toEqual([`Paging policy Platform again: alert #${created.alert.number} triggered again`]);
  });

  it('two joins at once by one person record one join', async () => {
    await request(admin, { type: 'user', ref: 'ben' });
    const answers = await Promise.all([call('POST', '/api/v1/incidents/INC-1/responders/join', ben, {}), call('POST', '/api/v1/incidents/INC-1/responders/join', ben, {})]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    expect((await timeline()).filter((e) => e.startsWith('@ben joined'))).toHaveLength(1);
    expect((await responders()).participants).toHaveLength(1);
  });

  it('declining moves a policy request to its next level at once; a person asked by name declining closes the request as declined', async () => {
    const policy = await request(admin, { type: 'policy', ref: 'platform' });
    await run();
    // Only someone the request paged may decline it.
    const notYours = await call('POST', `/api/v1/incidents/INC-1/responders/${policy.id}/decline`, ben, {});
    expect(notYours.statusCode).toBe(422);
    expect(json<ErrorBody>(notYours).message).toContain('@ben was not paged by this request');

    await advance(2 * MIN);
    const declined = await call('POST', `/api/v1/incidents/INC-1/responders/${policy.id}/decline`, ana, { note: 'On a plane' });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(json<ResponderRequest>(declined)).toMatchObject({ state: 'requested', escalation: 'active' });
    expect(json<ResponderRequest>(declined).paged.map((p) => p.handle)).toEqual(['ana', 'ben']);
    await run();
    expect(pagesTo('ben@example.com').map((m) => m.subject)).toEqual(['INC-1 needs you: Checkout errors']);
    expect(await audit('alert.escalate')).toHaveLength(1);

    const person = await request(admin, { type: 'user', ref: 'ben' });
    await run();
    const closed = json<ResponderRequest>(await ok('POST', `/api/v1/incidents/INC-1/responders/${person.id}/decline`, ben, {}));
    expect(closed).toMatchObject({ state: 'declined', closedAt: '2026-11-21T09:02:00.000Z', alert: { status: 'resolved' } });
    // Declined is final: no second decline, and the resolve did not turn it into "cancelled".
    expect((await call('POST', `/api/v1/incidents/INC-1/responders/${person.id}/decline`, ben, {})).statusCode).toBe(422);
    expect((await call('POST', '/api/v1/incidents/INC-1/responders/nope/decline', ben, {})).statusCode).toBe(404);
    expect((await timeline()).slice(1)).toEqual([
      '@ana declined the page for policy Platform: On a plane; paging level 2',
      `@root-admin paged @ben (alert #${person.alert.number})`,
      '@ben declined the page for @ben; nobody is left to page',
    ]);
    expect(await audit('incident.responder-decline')).toHaveLength(2);
  });

  it('pages a team through its escalation policy', async () => {
    await ok('POST', '/api/v1/teams', admin, { handle: 'storage', name: 'Storage' });
    await ok('POST', '/api/v1/escalation-policies', admin, { handle: 'storage-oncall', name: 'Storage on-call', team: 'storage', levels: [{ delayMinutes: 5, targets: [{ type: 'user', ref: 'ben' }] }] });
    const created = await request(ana, { type: 'team', ref: 'storage' });
    expect(created).toMatchObject({ target: { type: 'team', handle: 'storage', name: 'Storage' }, policy: { handle: 'storage-oncall' }, requestedBy: '@ana' });
    await run();
    expect(pagesTo('ben@example.com').map((m) => m.subject)).toEqual(['INC-1 needs you: Checkout errors']);
    expect(await timeline()).toEqual([`@ana paged team Storage (policy Storage on-call) (alert #${created.alert.number})`]);
  });

  it('resolving the incident closes its open requests: their alerts resolve, unanswered requests read cancelled; no requests after that (422)', async () => {
    const open = await request(admin, { type: 'user', ref: 'ben' });
    const answered = await request(admin, { type: 'user', ref: 'ana' });
    await ok('POST', `/api/v1/alerts/${answered.alert.id}/acknowledge`, ana, {});
    await ok('POST', '/api/v1/incidents/INC-1/status', admin, { status: 'resolved', summary: 'LB config rolled back' });
    await run();
    const view = await responders();
    expect(view.requests.map((r) => [r.target.handle, r.state, r.alert.status, r.closedAt])).toEqual([
      ['ben', 'cancelled', 'resolved', '2026-11-21T09:00:00.000Z'],
      ['ana', 'acknowledged', 'resolved', '2026-11-21T09:00:00.000Z'],
    ]);
    expect(await timeline()).toContain(`The page for @ben was closed before anyone acknowledged it (alert #${open.alert.number} resolved by Firebreak)`);

    const refused = await call('POST', '/api/v1/incidents/INC-1/responders', admin, { target: { type: 'user', ref: 'ben' } });
    expect(refused.statusCode).toBe(422);
    expect(json<ErrorBody>(refused)).toMatchObject({ code: 'RULE_VIOLATION', details: { issues: [{ path: 'params.incident' }] } });
    expect((await call('POST', '/api/v1/incidents/INC-1/responders/join', ben, {})).statusCode).toBe(422);
  });

  it('is covered by the escalation auditor like any page: a request whose step timer was lost still reaches level 2', async () => {
    const created = await request(admin, { type: 'policy', ref: 'platform' });
    await run();
    const db = t.firebreak.services.database.db;
    const deleted = await db.deleteFrom('jobs').where('job_key', '=', stepJobKey(created.alert.id)).executeTakeFirst();
    expect(Number(deleted.numDeletedRows)).toBe(1);
    await advance(12 * MIN);
    expect(pagesTo('ben@example.com')).toEqual([]);
    await scheduleEscalationAudit(t.firebreak.runner, db, t.clock.now());
    await run();
    await run();
    expect(pagesTo('ben@example.com').map((m) => m.subject)).toEqual(['INC-1 needs you: Checkout errors']);
    expect((await responders()).requests[0]?.paged.map((p) => p.handle)).toEqual(['ana', 'ben']);
  });

  it('words a page to a person added to an alert as a responder as such, not as a level (paging fix)', async () => {
    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx', severity: 'critical', dedupKey: '5xx' })).alert;
    await ok('POST', `/api/v1/alerts/${alert.number}/responders`, admin, { targets: [{ type: 'user', id: 'ben' }] });
    await run();
    const [page] = pagesTo('ben@example.com');
    expect(page?.subject).toBe(`#${alert.number} Checkout 5xx`);
    expect(page?.text).toContain('You were added as a responder to this alert');
    expect(page?.text).not.toMatch(/You are paged as|level \d/);
    // The escalation's own page to ana still names its level.
    expect(pagesTo('ana@example.com')[0]?.text).toContain('You are paged as level 1 of the escalation');
  });

  it('refuses bad input naming the field, unknown incidents, and viewers', async () => {
    const bad = async (payload: Record<string, unknown>, path: string, message: RegExp) => {
      const res = await call('POST', '/api/v1/incidents/INC-1/responders', admin, payload);
      expect(res.statusCode, res.body).toBe(400);
      const body = json<ErrorBody>(res);
      expect(body.details?.issues?.map((i) => i.path)).toContain(path);
      expect(body.message).toMatch(message);
    };
    await bad({ target: { type: 'user', ref: 'nobody' } }, 'body.target.ref', /no active user `nobody`/);
    await bad({ target: { type: 'policy', ref: 'nope' } }, 'body.target.ref', /no escalation policy `nope`/);
    await bad({ target: { type: 'team', ref: 'nope' } }, 'body.target.ref', /no active team `nope`/);
    await ok('POST', '/api/v1/teams', admin, { handle: 'empty', name: 'Empty' });
    await bad({ target: { type: 'team', ref: 'empty' } }, 'body.target.ref', /owns no escalation policy/);
    await ok('POST', '/api/v1/teams', admin, { handle: 'two', name: 'Two' });
    for (const handle of ['two-a', 'two-b']) await ok('POST', '/api/v1/escalation-policies', admin, { handle, name: handle, team: 'two', levels: [{ delayMinutes: 5, targets: [{ type: 'user', ref: 'ben' }] }] });
    await bad({ target: { type: 'team', ref: 'two' } }, 'body.target.ref', /several escalation policies \(two-a, two-b\)/);
    await bad({ target: { type: 'schedule', ref: 'primary' } }, 'body.target.type', /./);
    await bad({ target: { type: 'user' } }, 'body.target.ref', /./);
    await bad({ target: { type: 'user', ref: 'ben' }, message: '' }, 'body.message', /./);
    await bad({ target: { type: 'user', ref: 'ben' }, extra: 1 }, 'body', /./);

    expect((await call('POST', '/api/v1/incidents/INC-9/responders', admin, { target: { type: 'user', ref: 'ben' } })).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/incidents/INC-9/responders', admin)).statusCode).toBe(404);
    const viewer = await t.userWithToken('viewer', 'vic');
    expect((await call('POST', '/api/v1/incidents/INC-1/responders', viewer, { target: { type: 'user', ref: 'ben' } })).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/incidents/INC-1/responders/join', viewer, {})).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/incidents/INC-1/responders', viewer)).statusCode).toBe(200);
    // Nothing was paged and nothing recorded by the refusals.
    expect((await responders()).requests).toEqual([]);
    expect(json<{ items: Alert[] }>(await ok('GET', '/api/v1/alerts?service=firebreak-incidents&status=triggered,acknowledged,resolved', admin)).items).toEqual([]);
    expect(await timeline()).toEqual([]);
  });
});
