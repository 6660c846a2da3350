import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import type { Incident, IncidentTimelineEntry } from '../../../contracts/incidents.js';
import { ManualClock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/http/errors.js';
import { incidentRepo } from './incident.repo.js';

interface ErrorBody {
  code: string;
  message: string;
  details: { issues?: Array<{ path: string; message: string }>; holder?: { handle: string } | null } | null;
}

for (const dialect of dialectCases()) describe(`incidents over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let ana: string;
  let ben: string;
  let cho: string;

  const call = (token: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const declare = async (token: string, payload: Record<string, unknown>) => {
    const res = await call(token, 'POST', '/api/v1/incidents', payload);
    expect(res.statusCode, res.body).toBe(201);
    return json<Incident>(res);
  };
  const timeline = async (ref: string) => json<{ items: IncidentTimelineEntry[] }>(await call(ana, 'GET', `/api/v1/incidents/${ref}/timeline`)).items;
  const commander = (incident: Incident) => incident.roles.find((r) => r.role === 'incident_commander')?.userHandle ?? null;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    ana = (await t.userWithToken('admin', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    cho = (await t.userWithToken('responder', 'cho')).token;
    for (const handle of ['checkout', 'payments']) expect((await call(ana, 'POST', '/api/v1/services', { handle, name: handle })).statusCode).toBe(201);
  });
  afterEach(async () => t.close());

  it('declares from scratch: INC-1, investigating, the declarer in command, milestones on the timeline, audited', async () => {
    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2', impactedServices: ['checkout'], customerImpact: 'Some card payments fail', links: [{ href: 'https://grafana.example.test/d/1', text: 'dashboard' }] });
    expect(incident).toMatchObject({
      number: 1, reference: 'INC-1', title: 'Checkout errors', severity: 'SEV2', status: 'investigating', mitigated: false, declaredBy: 'ben (API token)',
      impactedServices: [{ handle: 'checkout' }], links: [{ href: 'https://grafana.example.test/d/1', text: 'dashboard' }], alertIds: [],
      times: { detectedAt: '2026-11-21T09:00:00.000Z', declaredAt: '2026-11-21T09:00:00.000Z', acknowledgedAt: '2026-11-21T09:00:00.000Z', mitigatedAt: null, resolvedAt: null },
    });
    expect(incident.roles).toMatchObject([{ role: 'incident_commander', userHandle: 'ben', assignedBy: 'ben (API token)' }]);
    for (const ref of ['INC-1', 'inc-1', '1', incident.id]) expect(json<Incident>(await call(cho, 'GET', `/api/v1/incidents/${ref}`)).id).toBe(incident.id);
    expect((await call(cho, 'GET', '/api/v1/incidents/INC-2')).statusCode).toBe(404);
    expect((await timeline('INC-1')).map((e) => [e.kind, e.summary])).toEqual([
      ['milestone', 'INC-1 declared (SEV2) by ben (API token): Checkout errors'],
      ['role', '@ben is now the incident commander'],
    ]);
    const audit = json<{ items: Array<{ action: string }> }>(await call(ana, 'GET', `/api/v1/audit?targetId=${incident.id}`));
    expect(audit.items.map((a) => a.action)).toEqual(['incident.declare']);
    expect((await declare(cho, { title: 'Second', severity: 'SEV4' })).reference).toBe('INC-2');
  });

  it('declares from alerts: links them, takes their services, detection and acknowledgement times', async () => {
    const first = json<{ alert: Alert }>(await call(ana, 'POST', '/api/v1/alerts', { service: 'payments', title: 'Card auth failing', dedupKey: 'auth' })).alert;
    t.clock.advance(5 * 60_000);
    expect((await call(ben, 'POST', `/api/v1/alerts/${first.id}/acknowledge`, {})).statusCode).toBe(200);
    t.clock.advance(5 * 60_000);
    const incident = await declare(ben, { title: 'Payments down', severity: 'SEV1', alertIds: ['#1', first.id] });
    expect(incident).toMatchObject({ alertIds: [first.id], impactedServices: [{ handle: 'payments' }], times: { detectedAt: '2026-11-21T09:00:00.000Z', acknowledgedAt: '2026-11-21T09:05:00.000Z', declaredAt: '2026-11-21T09:10:00.000Z' } });
    expect((await timeline(incident.reference)).map((e) => e.summary)).toContain('Declared from alert #1');
  });

  it('links more alerts later, skipping linked ones; detection moves earlier; refused once resolved', async () => {
    const early = json<{ alert: Alert }>(await call(ana, 'POST', '/api/v1/alerts', { service: 'payments', title: 'Card auth failing', dedupKey: 'auth' })).alert;
    t.clock.advance(20 * 60_000);
    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2', impactedServices: ['checkout'] });
    const linked = await call(ben, 'POST', '/api/v1/incidents/INC-1/alerts', { alertIds: ['#1'] });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(json<Incident>(linked)).toMatchObject({ alertIds: [early.id], times: { detectedAt: '2026-11-21T09:00:00.000Z', declaredAt: '2026-11-21T09:20:00.000Z' } });
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/alerts', { alertIds: [early.id] })).statusCode).toBe(200);
    expect((await timeline('INC-1')).filter((e) => e.kind === 'alert').map((e) => e.summary)).toEqual(['Linked alert #1 (detection moved earlier)']);
    expect(json<ErrorBody>(await call(ben, 'POST', '/api/v1/incidents/INC-1/alerts', { alertIds: ['#5'] })).details?.issues?.[0]?.path).toBe('body.alertIds.0');
    // Resolving with the resolution summary in the same change.
    const resolved = await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved', summary: 'Card processor outage' });
    expect(json<Incident>(resolved)).toMatchObject({ status: 'resolved', summary: 'Card processor outage' });
    // Resolving's own milestones, then what the incident's parts add: the postmortem verdict and the all-clear update.
    expect((await timeline('INC-1')).slice(-5).map((e) => e.summary)).toEqual([
      'Summary updated',
      'Mitigated (recorded at resolution)',
      'Resolved by ben (API token) (was investigating)',
      'A postmortem is required: SEV2',
      'All clear: INC-1 (Checkout errors) is resolved. Card processor outage',
    ]);
    expect((await call(ana, 'POST', '/api/v1/alerts', { service: 'checkout', title: 'Later' })).statusCode).toBe(200);
    expect((await call(ben, 'POST', `/api/v1/incidents/${incident.id}/alerts`, { alertIds: ['#2'] })).statusCode).toBe(422);
  });

  it('refuses unknown severities, services, alerts and users with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: 'x', severity: 'SEV9' }, 'body.severity'],
      [{ title: 'x', severity: 'SEV1', impactedServices: ['checkout', 'nope'] }, 'body.impactedServices.1'],
      [{ title: 'x', severity: 'SEV1', alertIds: ['#99'] }, 'body.alertIds.0'],
      [{ title: 'x', severity: 'SEV1', commander: 'nobody' }, 'body.commander'],
    ];
    for (const [payload, path] of cases) {
      const res = await call(ben, 'POST', '/api/v1/incidents', payload);
      expect(res.statusCode, path).toBe(400);
      expect(json<ErrorBody>(res).details?.issues?.[0]?.path).toBe(path);
    }
    await declare(ben, { title: 'ok', severity: 'SEV3' });
    const patch = await call(ben, 'PATCH', '/api/v1/incidents/INC-1', { severity: 'P1' });
    expect(json<ErrorBody>(patch)).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'body.severity' }] } });
    expect(json<ErrorBody>(await call(ben, 'GET', '/api/v1/incidents?severity=SEV7')).details?.issues?.[0]?.path).toBe('query.severity');
    expect(json<ErrorBody>(await call(ben, 'GET', '/api/v1/incidents?service=nope')).details?.issues?.[0]?.path).toBe('query.service');
    expect(json<ErrorBody>(await call(ben, 'PUT', '/api/v1/incidents/INC-1/roles/boss', { user: 'cho' })).details?.issues?.[0]?.path).toBe('params.role');
    // A viewer reads but does not declare.
    const viewer = (await t.userWithToken('viewer', 'vic')).token;
    expect((await call(viewer, 'GET', '/api/v1/incidents/INC-1')).statusCode).toBe(200);
    expect((await call(viewer, 'POST', '/api/v1/incidents', { title: 'x', severity: 'SEV1' })).statusCode).toBe(403);
  });

  it('walks the status lifecycle with mitigation as its own moment; once resolved only the summary and notes change', async () => {
    await declare(ben, { title: 'Checkout errors', severity: 'SEV2' });
    t.clock.advance(10 * 60_000);
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'identified', note: 'Bad deploy v1.42' })).statusCode).toBe(200);
    t.clock.advance(5 * 60_000);
    const mitigated = json<Incident>(await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'monitoring', mitigated: true }));
    expect(mitigated).toMatchObject({ status: 'monitoring', mitigated: true, times: { mitigatedAt: '2026-11-21T09:15:00.000Z', resolvedAt: null } });
    t.clock.advance(60 * 60_000);
    const resolved = json<Incident>(await call(cho, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved' }));
    expect(resolved).toMatchObject({ status: 'resolved', times: { mitigatedAt: '2026-11-21T09:15:00.000Z', resolvedAt: '2026-11-21T10:15:00.000Z' } });
    expect((await timeline('INC-1')).filter((e) => e.kind === 'milestone' || e.kind === 'note').map((e) => e.summary)).toEqual([
      'INC-1 declared (SEV2) by ben (API token): Checkout errors',
      'Status: investigating → identified',
      'Bad deploy v1.42',
      'Status: identified → monitoring',
      'Mitigated: customer impact ended',
      'Resolved by cho (API token) (was monitoring)',
      'A postmortem is required: SEV2',
    ]);

    const refused = await call(ben, 'PATCH', '/api/v1/incidents/INC-1', { title: 'Renamed', severity: 'SEV1', summary: 'Rolled back v1.42' });
    expect(refused.statusCode).toBe(422);
    expect(json<ErrorBody>(refused)).toMatchObject({ code: 'RULE_VIOLATION', message: 'INC-1 is resolved: only `summary` and timeline annotations may change, not `title`, `severity`' });
    expect(json<ErrorBody>(refused).details?.issues?.map((i) => i.path)).toEqual(['body.title', 'body.severity']);
    expect(json<Incident>(await call(ben, 'GET', '/api/v1/incidents/INC-1')).summary).toBe('');
    const summary = await call(ben, 'PATCH', '/api/v1/incidents/INC-1', { summary: 'Rolled back v1.42' });
    expect(summary.statusCode, summary.body).toBe(200);
    expect(json<Incident>(summary).summary).toBe('Rolled back v1.42');
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/timeline', { note: 'Postmortem scheduled' })).statusCode).toBe(201);
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'investigating' })).statusCode).toBe(422);
    expect((await call(ben, 'PUT', '/api/v1/incidents/INC-1/roles/scribe', { user: 'cho' })).statusCode).toBe(422);
    const audit = json<{ items: Array<{ action: string }> }>(await call(ana, 'GET', `/api/v1/audit?targetId=${resolved.id}`));
    expect(audit.items.map((a) => a.action).reverse()).toEqual(['incident.declare', 'incident.status', 'incident.status', 'incident.resolve', 'incident.update', 'incident.note']);
  });

  it('hands over roles explicitly: without naming the holder it is 409 naming them; a stale expectation is 409 too', async () => {
    await declare(ana, { title: 'Checkout errors', severity: 'SEV2' });
    const implicit = await call(ben, 'PUT', '/api/v1/incidents/INC-1/roles/incident_commander', { user: 'ben' });
    expect(implicit.statusCode).toBe(409);
    expect(json<ErrorBody>(implicit)).toMatchObject({ code: 'CONFLICT', details: { holder: { handle: 'ana' } } });
    expect(json<ErrorBody>(implicit).message).toContain('@ana is the incident commander');
    const handover = await call(ben, 'PUT', '/api/v1/incidents/INC-1/roles/incident_commander', { user: 'ben', expectedHolder: 'ana', note: 'Taking command, Ana is on comms' });
    expect(handover.statusCode, handover.body).toBe(200);
    expect(commander(json<Incident>(handover))).toBe('ben');
    expect((await call(ben, 'PUT', '/api/v1/incidents/INC-1/roles/communications_lead', { user: 'ana', expectedHolder: null })).statusCode).toBe(200);
    expect((await call(ben, 'PUT', '/api/v1/incidents/INC-1/roles/custom:db-liaison', { user: 'cho' })).statusCode).toBe(200);
    const stale = await call(cho, 'PUT', '/api/v1/incidents/INC-1/roles/incident_commander', { user: 'cho', expectedHolder: 'ana' });
    expect(stale.statusCode).toBe(409);
    expect(json<ErrorBody>(stale).message).toBe('INC-1: The incident commander role is held by @ben, not by @ana as the request expected (someone changed it meanwhile)');
    const incident = json<Incident>(await call(ana, 'GET', '/api/v1/incidents/INC-1'));
    expect(incident.roles.map((r) => [r.role, r.userHandle])).toEqual([['incident_commander', 'ben'], ['communications_lead', 'ana'], ['custom:db-liaison', 'cho']]);
    expect((await timeline('INC-1')).filter((e) => e.kind === 'role').map((e) => e.summary)).toEqual([
      '@ana is now the incident commander',
      '@ben is now the incident commander (handed over from @ana)',
      '@ana is now the communications lead',
      '@cho is now the db-liaison',
    ]);
  });

  it('releases a role only from the holder named, never command; the timeline says so', async () => {
    await declare(ana, { title: 'Checkout errors', severity: 'SEV2' });
    expect((await call(ana, 'PUT', '/api/v1/incidents/INC-1/roles/scribe', { user: 'cho' })).statusCode).toBe(200);
    const wrong = await call(ben, 'DELETE', '/api/v1/incidents/INC-1/roles/scribe?holder=ben');
    expect(wrong.statusCode).toBe(409);
    expect(json<ErrorBody>(wrong)).toMatchObject({ message: 'INC-1: the scribe role is held by @cho, not by @ben', details: { holder: { handle: 'cho' } } });
    const released = await call(cho, 'DELETE', '/api/v1/incidents/INC-1/roles/scribe?holder=cho');
    expect(released.statusCode, released.body).toBe(200);
    expect(json<Incident>(released).roles.map((r) => r.role)).toEqual(['incident_commander']);
    expect((await call(cho, 'DELETE', '/api/v1/incidents/INC-1/roles/scribe?holder=cho')).statusCode).toBe(409);
    expect((await call(ana, 'DELETE', '/api/v1/incidents/INC-1/roles/incident_commander?holder=ana')).statusCode).toBe(422);
    expect((await timeline('INC-1')).at(-1)?.summary).toBe('@cho is no longer the scribe');
  });

  it('of two people taking command at once, one wins and the other gets 409 naming the winner', async () => {
    await declare(ana, { title: 'Checkout errors', severity: 'SEV2' });
    const take = (token: string, user: string) => call(token, 'PUT', '/api/v1/incidents/INC-1/roles/incident_commander', { user, expectedHolder: 'ana' });
    const [b, c] = await Promise.all([take(ben, 'ben'), take(cho, 'cho')]);
    expect([b.statusCode, c.statusCode].sort()).toEqual([200, 409]);
    const [winner, loser] = b.statusCode === 200 ? (['ben', c] as const) : (['cho', b] as const);
    expect(json<ErrorBody>(loser).message).toContain(`held by @${winner}`);
    expect(json<ErrorBody>(loser).details?.holder?.handle).toBe(winner);
    expect(commander(json<Incident>(await call(ana, 'GET', '/api/v1/incidents/INC-1')))).toBe(winner);
    expect((await timeline('INC-1')).filter((e) => e.action === 'handover')).toHaveLength(1);
  });

  it('nobody commands two open incidents; once one is resolved its commander may command another', async () => {
    await declare(ben, { title: 'First', severity: 'SEV2' });
    // Declaring is never blocked: the role stays vacant and the timeline says why.
    const second = await declare(ben, { title: 'Second', severity: 'SEV3' });
    expect(second.roles).toEqual([]);
    expect((await timeline('INC-2')).at(-1)?.summary).toBe('@ben already commands INC-1, so the incident commander role is vacant: someone should take it');
    const explicit = await call(ana, 'POST', '/api/v1/incidents', { title: 'Third', severity: 'SEV3', commander: 'ben' });
    expect(explicit.statusCode).toBe(422);
    expect(json<ErrorBody>(explicit).details?.issues?.[0]?.path).toBe('body.commander');
    const take = await call(ben, 'PUT', '/api/v1/incidents/INC-2/roles/incident_commander', { user: 'ben' });
    expect(take.statusCode).toBe(422);
    expect(json<ErrorBody>(take).message).toBe('INC-2: @ben already commands INC-1; nobody holds two commander roles (hand that one over first)');
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved' })).statusCode).toBe(200);
    const now = await call(ben, 'PUT', '/api/v1/incidents/INC-2/roles/incident_commander', { user: 'ben', expectedHolder: null });
    expect(now.statusCode, now.body).toBe(200);
    expect(commander(json<Incident>(now))).toBe('ben');
  });

  it('two declarations by one person at once: both declared, the person commands exactly one of them', async () => {
    const answers = await Promise.all([1, 2].map((n) => call(ben, 'POST', '/api/v1/incidents', { title: `Incident ${n}`, severity: 'SEV2' })));
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
    const commanders = answers.map((a) => commander(json<Incident>(a)));
    expect(commanders.filter((c) => c === 'ben')).toHaveLength(1);
    expect(commanders.filter((c) => c === null)).toHaveLength(1);
  });

  it('the database itself refuses a second open command (the unique index behind the rule)', async () => {
    const first = await declare(ben, { title: 'First', severity: 'SEV2' });
    const second = await declare(ana, { title: 'Second', severity: 'SEV2' });
    const benId = first.roles[0]?.userId as string;
    const { database } = t.firebreak.services;
    await expect(
      database.db.insertInto('incident_roles').values({ incident_id: second.id, role: 'custom:shadow', user_id: benId, open_commander_user_id: benId, assigned_at: 0, assigned_by: 'test' }).execute(),
    ).rejects.toSatisfy(isUniqueViolation);
  });

  it('the role compare-and-set writes only over the holder it expects, and never a second holder', async () => {
    const incident = await declare(ana, { title: 'First', severity: 'SEV2' });
    const anaId = incident.roles[0]?.userId as string;
    const benId = json<{ id: string }>(await call(ana, 'GET', '/api/v1/users/ben')).id;
    const { db } = t.firebreak.services.database;
    const to = { userId: benId, open: true, at: 1, by: 'test' };
    expect(await incidentRepo.handOver(db, incident.id, 'incident_commander', benId, to)).toBe(false);
    expect(await incidentRepo.insertRole(db, { incident_id: incident.id, role: 'incident_commander', user_id: benId, open_commander_user_id: benId, assigned_at: 1, assigned_by: 'test' })).toBe(false);
    expect((await incidentRepo.role(db, incident.id, 'incident_commander'))?.user_id).toBe(anaId);
    expect(await incidentRepo.handOver(db, incident.id, 'incident_commander', anaId, to)).toBe(true);
    expect(await incidentRepo.role(db, incident.id, 'incident_commander')).toMatchObject({ user_id: benId, open_commander_user_id: benId });
  });

  it('numbers concurrent declarations uniquely', async () => {
    const tokens = [ana, ben, cho];
    const answers = await Promise.all(tokens.map((token, i) => call(token, 'POST', '/api/v1/incidents', { title: `Incident ${i}`, severity: 'SEV3' })));
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    expect(answers.map((a) => json<Incident>(a).number).sort()).toEqual([1, 2, 3]);
  });

  it('keeps manual notes, pins and edits with their history; Firebreak’s own entries can be pinned, not reworded', async () => {
    await declare(ben, { title: 'Checkout errors', severity: 'SEV2' });
    const note = json<IncidentTimelineEntry>(await call(ben, 'POST', '/api/v1/incidents/INC-1/timeline', { note: 'Rollbakc started' }));
    expect(note).toMatchObject({ kind: 'note', actor: 'ben (API token)', pinned: false, history: [] });
    t.clock.advance(60_000);
    const edited = json<IncidentTimelineEntry>(await call(cho, 'PATCH', `/api/v1/incidents/INC-1/timeline/${note.id}`, { summary: 'Rollback started', pinned: true }));
    expect(edited).toMatchObject({ summary: 'Rollback started', pinned: true, editedAt: '2026-11-21T09:01:00.000Z' });
    expect(edited.history).toEqual([
      { at: '2026-11-21T09:01:00.000Z', by: 'cho (API token)', change: 'text', previousSummary: 'Rollbakc started' },
      { at: '2026-11-21T09:01:00.000Z', by: 'cho (API token)', change: 'pin', previousSummary: null },
    ]);
    const declared = (await timeline('INC-1'))[0] as IncidentTimelineEntry;
    expect(json<IncidentTimelineEntry>(await call(ben, 'PATCH', `/api/v1/incidents/INC-1/timeline/${declared.id}`, { pinned: true })).pinned).toBe(true);
    const reword = await call(ben, 'PATCH', `/api/v1/incidents/INC-1/timeline/${declared.id}`, { summary: 'Nothing happened' });
    expect(reword.statusCode).toBe(422);
    expect((await call(ben, 'PATCH', '/api/v1/incidents/INC-1/timeline/nope', { pinned: true })).statusCode).toBe(404);
    expect((await timeline('INC-1')).filter((e) => e.pinned).map((e) => e.summary)).toEqual(['INC-1 declared (SEV2) by ben (API token): Checkout errors', 'Rollback started']);
  });

  it('pages the timeline oldest first, and `after` returns only newer entries', async () => {
    await declare(ben, { title: 'Checkout errors', severity: 'SEV2' });
    for (const note of ['one', 'two', 'three']) expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/timeline', { note })).statusCode).toBe(201);
    const first = json<{ items: IncidentTimelineEntry[]; nextAfter: string | null }>(await call(cho, 'GET', '/api/v1/incidents/INC-1/timeline?limit=3'));
    expect(first.items.map((e) => e.summary)).toEqual(['INC-1 declared (SEV2) by ben (API token): Checkout errors', '@ben is now the incident commander', 'one']);
    expect(first.nextAfter).toBe(first.items[2]?.id);
    const rest = json<{ items: IncidentTimelineEntry[]; nextAfter: string | null }>(await call(cho, 'GET', `/api/v1/incidents/INC-1/timeline?after=${first.nextAfter}`));
    expect(rest).toMatchObject({ items: [{ summary: 'two' }, { summary: 'three' }], nextAfter: null });
  });

  it('records stakeholder updates on the timeline and shows when the last one was posted', async () => {
    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2' });
    expect(incident.lastUpdateAt).toBeNull();
    t.clock.advance(12 * 60_000);
    const posted = await call(ana, 'POST', '/api/v1/incidents/INC-1/updates', { message: 'Card payments fail for some customers; rolling back. Next update 09:45 UTC.' });
    expect(posted.statusCode, posted.body).toBe(201);
    expect(json<IncidentTimelineEntry>(posted)).toMatchObject({ kind: 'update', action: 'stakeholder-update', actor: 'ana (API token)' });
    expect(json<Incident>(await call(cho, 'GET', '/api/v1/incidents/INC-1')).lastUpdateAt).toBe('2026-11-21T09:12:00.000Z');
    t.clock.advance(30 * 60_000);
    expect((await call(ana, 'POST', '/api/v1/incidents/INC-1/updates', { message: 'No change; still rolling back.' })).statusCode).toBe(201);
    expect(json<{ items: Incident[] }>(await call(cho, 'GET', '/api/v1/incidents')).items[0]?.lastUpdateAt).toBe('2026-11-21T09:42:00.000Z');
    expect((await call(ana, 'POST', '/api/v1/incidents/INC-1/updates', { message: '' })).statusCode).toBe(400);
  });

  it('writes every kind of change to the audit log, with who did it', async () => {
    const incident = await declare(ana, { title: 'Checkout errors', severity: 'SEV2' });
    expect((await call(ana, 'POST', '/api/v1/alerts', { service: 'checkout', title: 'Errors' })).statusCode).toBe(200);
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/alerts', { alertIds: ['#1'] })).statusCode).toBe(200);
    expect((await call(ben, 'PATCH', '/api/v1/incidents/INC-1', { severity: 'SEV1' })).statusCode).toBe(200);
    expect((await call(ben, 'PUT', '/api/v1/incidents/INC-1/roles/scribe', { user: 'cho' })).statusCode).toBe(200);
    expect((await call(cho, 'DELETE', '/api/v1/incidents/INC-1/roles/scribe?holder=cho')).statusCode).toBe(200);
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/updates', { message: 'Investigating' })).statusCode).toBe(201);
    const note = json<IncidentTimelineEntry>(await call(ben, 'POST', '/api/v1/incidents/INC-1/timeline', { note: 'Looking at deploys' }));
    expect((await call(ben, 'PATCH', `/api/v1/incidents/INC-1/timeline/${note.id}`, { pinned: true })).statusCode).toBe(200);
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'identified' })).statusCode).toBe(200);
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved' })).statusCode).toBe(200);
    const audit = json<{ items: Array<{ action: string; actor: { label: string } }> }>(await call(ana, 'GET', `/api/v1/audit?targetId=${incident.id}&limit=50`));
    expect(audit.items.map((a) => a.action).reverse()).toEqual([
      'incident.declare', 'incident.link-alerts', 'incident.update', 'incident.role', 'incident.role', 'incident.stakeholder-update', 'incident.note', 'incident.timeline.edit', 'incident.status', 'incident.resolve',
    ]);
    expect(audit.items.at(-2)?.actor.label).toBe('ben (API token)');
  });

  it('lists with filters: status (open), severity and impacted service', async () => {
    await declare(ana, { title: 'A', severity: 'SEV1', impactedServices: ['checkout'] });
    await declare(ben, { title: 'B', severity: 'SEV3', impactedServices: ['payments'] });
    await declare(cho, { title: 'C', severity: 'SEV3', impactedServices: ['checkout', 'payments'] });
    expect((await call(ana, 'POST', '/api/v1/incidents/INC-3/status', { status: 'resolved' })).statusCode).toBe(200);
    const titles = async (query: string) => json<{ items: Incident[] }>(await call(ana, 'GET', `/api/v1/incidents${query}`)).items.map((i) => i.title);
    expect(await titles('')).toEqual(['C', 'B', 'A']);
    expect(await titles('?status=open')).toEqual(['B', 'A']);
    expect(await titles('?status=resolved')).toEqual(['C']);
    expect(await titles('?severity=SEV3')).toEqual(['C', 'B']);
    expect(await titles('?service=checkout')).toEqual(['C', 'A']);
    expect(await titles('?service=payments&status=open')).toEqual(['B']);
    const severities = json<{ items: Array<{ key: string }> }>(await call(ana, 'GET', '/api/v1/incident-severities')).items;
    expect(severities.map((s) => s.key)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
  });
});

/**
 * The compare-and-set behind role handovers, with two transactions really overlapping on PostgreSQL:
 * the second waits on the first's row lock, then finds the holder changed and writes nothing. (SQLite
 * has a single writer, so its transactions never overlap; the sequential behaviour is covered in
 * the tests above on both databases.)
 */
for (const dialect of dialectCases().filter((d) => d.name === 'postgres')) describe(`role handover race (${dialect.name})`, () => {
  let database: FirebreakDatabase;

  beforeEach(async () => {
    database = await dialect.open();
    const db = database.db;
    for (const handle of ['ana', 'ben', 'cho']) {
      await db.insertInto('users').values({ id: `u-${handle}`, handle, email: `${handle}@example.test`, name: handle, time_zone: 'UTC', role: 'responder', password_hash: null, totp_secret: null, totp_enabled: 0, deactivated_at: null, created_at: 0, updated_at: 0 }).execute();
    }
    for (const [id, number] of [['i-1', 1], ['i-2', 2]] as const) {
      await db
        .insertInto('incidents')
        .values({ id, number, title: 't', severity: 'SEV2', status: 'investigating', summary: '', customer_impact: '', links_json: '[]', declared_by: 'ana', declared_by_user_id: 'u-ana', detected_at: 0, declared_at: 0, acknowledged_at: 0, mitigated_at: null, resolved_at: null, revision: 1, created_at: 0, updated_at: 0 })
        .execute();
    }
    await db.insertInto('incident_roles').values({ incident_id: 'i-1', role: 'incident_commander', user_id: 'u-ana', open_commander_user_id: 'u-ana', assigned_at: 0, assigned_by: 'ana' }).execute();
  });
  afterEach(async () => database.close());

  /** Waits until some other session of this database waits on a lock (the overlapping writer). */
  async function someoneWaitsOnALock(): Promise<void> {
    for (;;) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
      if (Number(rows[0]?.n ?? 0) > 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('of two handovers from the same holder at the same time, exactly one writes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstWrote!: () => void;
    const wrote = new Promise<void>((resolve) => (firstWrote = resolve));
    const first = database.transaction(async (tx) => {
      const ok = await incidentRepo.handOver(tx.db, 'i-1', 'incident_commander', 'u-ana', { userId: 'u-ben', open: true, at: 1, by: 'ben' });
      firstWrote();
      await gate;
      return ok;
    });
    await wrote;
    const second = database.transaction(async (tx) => incidentRepo.handOver(tx.db, 'i-1', 'incident_commander', 'u-ana', { userId: 'u-cho', open: true, at: 2, by: 'cho' }));
    await someoneWaitsOnALock();
    release();
    expect(await first).toBe(true);
    expect(await second).toBe(false);
    expect(await incidentRepo.role(database.db, 'i-1', 'incident_commander')).toMatchObject({ user_id: 'u-ben', open_commander_user_id: 'u-ben', assigned_by: 'ben' });
  });

  it('of two people taking the same person into command of two incidents at once, the unique index refuses the second', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstWrote!: () => void;
    const wrote = new Promise<void>((resolve) => (firstWrote = resolve));
    // ben takes command of INC-1 (from ana) while someone makes him commander of INC-2.
    const first = database.transaction(async (tx) => {
      const ok = await incidentRepo.handOver(tx.db, 'i-1', 'incident_commander', 'u-ana', { userId: 'u-ben', open: true, at: 1, by: 'ben' });
      firstWrote();
      await gate;
      return ok;
    });
    await wrote;
    const second = database
      .transaction(async (tx) => incidentRepo.insertRole(tx.db, { incident_id: 'i-2', role: 'incident_commander', user_id: 'u-ben', open_commander_user_id: 'u-ben', assigned_at: 2, assigned_by: 'cho' }))
      .then(
        () => 'inserted',
        (error: unknown) => (isUniqueViolation(error) ? 'unique violation' : Promise.reject(error)),
      );
    await someoneWaitsOnALock();
    release();
    expect(await first).toBe(true);
    // The service retries on this and then answers 422 naming INC-1.
    expect(await second).toBe('unique violation');
    expect(await incidentRepo.role(database.db, 'i-2', 'incident_commander')).toBeUndefined();
  });
});
