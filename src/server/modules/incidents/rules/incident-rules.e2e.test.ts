import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls, type ErrorBody } from '../../../../../test/support/api.js';
import { buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import type { Alert } from '../../../../contracts/alerts.js';
import type { IncidentRule, IncidentSeverityView } from '../../../../contracts/incident-rules.js';
import type { Incident, IncidentTimelineEntry } from '../../../../contracts/incidents.js';
import { ManualClock } from '../../../platform/clock.js';

const MIN = 60_000;

for (const dialect of dialectCases()) describe(`severities, auto-declare rules and the postmortem policy (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ben: string;
  let viewer: string;

  const { call } = apiCalls(() => t);
  // Unlike the shared `ok`, this one reads a response already made and expects one exact status.
  const ok = async <T>(res: Awaited<ReturnType<typeof call>>, status = 200): Promise<T> => {
    expect(res.statusCode, res.body).toBe(status);
    return json<T>(res);
  };
  const issues = (res: Awaited<ReturnType<typeof call>>) => {
    expect(res.statusCode, res.body).toBe(400);
    return json<ErrorBody>(res).details?.issues?.map((i) => i.path);
  };
  const incidents = async () => (await ok<{ items: Incident[] }>(await call(admin, 'GET', '/api/v1/incidents'))).items;
  const timeline = async (ref: string) => (await ok<{ items: IncidentTimelineEntry[] }>(await call(admin, 'GET', `/api/v1/incidents/${ref}/timeline`))).items;
  const trigger = async (payload: Record<string, unknown>) => ok<{ outcome: string; alert: Alert }>(await call(admin, 'POST', '/api/v1/alerts', payload));
  const runJobs = () => t.firebreak.runner.runDueJobs();

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    admin = (await t.userWithToken('admin', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    for (const handle of ['checkout', 'payments']) expect((await call(admin, 'POST', '/api/v1/services', { handle, name: handle })).statusCode).toBe(201);
  });
  afterEach(async () => t.close());

  it('severities: the defaults until the first change stores them; add, edit, reorder, refuse bad input and deleting one in use', async () => {
    const initial = await ok<{ items: IncidentSeverityView[] }>(await call(viewer, 'GET', '/api/v1/incident-severities/settings'));
    expect(initial.items.map((s) => [s.key, s.stored, s.updateCadenceMinutes])).toEqual([['SEV1', false, 30], ['SEV2', false, 30], ['SEV3', false, 60], ['SEV4', false, 120]]);
    expect((await call(ben, 'POST', '/api/v1/incident-severities', { key: 'SEV0', name: 'Catastrophic' })).statusCode).toBe(403);

    const sev0 = await ok<IncidentSeverityView>(await call(admin, 'POST', '/api/v1/incident-severities', { key: 'SEV0', name: 'Catastrophic', description: 'Everything is down', response: 'All hands', updateCadenceMinutes: 15, position: 0 }), 201);
    expect(sev0).toMatchObject({ key: 'SEV0', position: 0, stored: true, updateCadenceMinutes: 15 });
    const edited = await ok<IncidentSeverityView>(await call(admin, 'PATCH', '/api/v1/incident-severities/sev2', { name: 'Serious', updateCadenceMinutes: 20, position: 4 }));
    expect(edited).toMatchObject({ key: 'SEV2', name: 'Serious', updateCadenceMinutes: 20, position: 4 });
    const listed = await ok<{ items: Array<{ key: string; name: string; updateCadenceMinutes: number | null }> }>(await call(viewer, 'GET', '/api/v1/incident-severities'));
    expect(listed.items.map((s) => s.key)).toEqual(['SEV0', 'SEV1', 'SEV3', 'SEV4', 'SEV2']);
    expect(t.firebreak.services.incidents.severities().find((s) => s.key === 'SEV2')?.updateCadenceMinutes).toBe(20);

    // Bad input: 400 naming the field; a duplicate in any case: 409; unknown: 404.
    expect(issues(await call(admin, 'POST', '/api/v1/incident-severities', { key: 'SEV 9', name: 'x' }))).toEqual(['body.key']);
    expect(issues(await call(admin, 'POST', '/api/v1/incident-severities', { key: 'SEV9', name: 'x', updateCadenceMinutes: 0 }))).toEqual(['body.updateCadenceMinutes']);
    expect((await call(admin, 'POST', '/api/v1/incident-severities', { key: 'sev0', name: 'again' })).statusCode).toBe(409);
    expect((await call(admin, 'PATCH', '/api/v1/incident-severities/SEV9', { name: 'x' })).statusCode).toBe(404);

    // The new severity is usable at once; deleting it while an open incident has it: 422 naming the incident.
    const incident = await ok<Incident>(await call(ben, 'POST', '/api/v1/incidents', { title: 'All down', severity: 'SEV0' }), 201);
    const refused = await call(admin, 'DELETE', '/api/v1/incident-severities/SEV0');
    expect(refused.statusCode, refused.body).toBe(422);
    expect(json<ErrorBody>(refused).message).toContain(`Severity SEV0 is in use by open incident ${incident.reference}`);
    await ok(await call(ben, 'POST', `/api/v1/incidents/${incident.reference}/status`, { status: 'resolved' }));
    expect((await call(admin, 'DELETE', '/api/v1/incident-severities/SEV0')).statusCode).toBe(204);
    expect(issues(await call(ben, 'POST', '/api/v1/incidents', { title: 'x', severity: 'SEV0' }))).toEqual(['body.severity']);
  });

  it('an alert matching a rule declares an incident once, links later alerts of the same rule and service, and its first acknowledger takes command', async () => {
    // Bad rules: 400 naming each field.
    expect(issues(await call(admin, 'POST', '/api/v1/incident-rules', { name: 'bad', conditions: { services: ['nope'] }, action: { severity: 'SEV9', title: '{alert.titel}', commander: 'nobody' } }))).toEqual([
      'body.conditions.services.0',
      'body.action.severity',
      'body.action.title',
      'body.action.commander',
    ]);
    expect(issues(await call(admin, 'POST', '/api/v1/incident-rules', { name: 'Bad Name', action: { severity: 'SEV2' } }))).toEqual(['body.name']);
    expect((await call(ben, 'POST', '/api/v1/incident-rules', { name: 'x', action: { severity: 'SEV2' } })).statusCode).toBe(403);

    const rule = await ok<IncidentRule>(
      await call(admin, 'POST', '/api/v1/incident-rules', { name: 'checkout-critical', conditions: { services: ['checkout'], alertSeverities: ['critical'] }, action: { severity: 'SEV2', title: '{service}: {alert.title}' } }),
      201,
    );
    expect(rule).toMatchObject({ name: 'checkout-critical', enabled: true, conditions: { services: [{ handle: 'checkout' }], alertSeverities: ['critical'], urgency: null }, action: { severity: 'SEV2', commander: null } });
    expect((await call(admin, 'POST', '/api/v1/incident-rules', { name: 'checkout-critical', action: { severity: 'SEV2' } })).statusCode).toBe(409);

    // Not matching: another service, or a lower severity.
    await trigger({ service: 'payments', title: 'Card auth failing', severity: 'critical', dedupKey: 'p' });
    await trigger({ service: 'checkout', title: 'Slow pages', severity: 'warning', dedupKey: 'slow' });
    await runJobs();
    expect(await incidents()).toEqual([]);

    const first = (await trigger({ service: 'checkout', title: 'Checkout 500s', severity: 'critical', dedupKey: 'errors' })).alert;
    // The same alert again (one dedup burst), before and after the job ran: still one incident.
    await trigger({ service: 'checkout', title: 'Checkout 500s', severity: 'critical', dedupKey: 'errors' });
    await runJobs();
    await trigger({ service: 'checkout', title: 'Checkout 500s', severity: 'critical', dedupKey: 'errors' });
    await runJobs();
    let list = await incidents();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ reference: 'INC-1', title: 'checkout: Checkout 500s', severity: 'SEV2', alertIds: [first.id], impactedServices: [{ handle: 'checkout' }], roles: [] });
    expect((await timeline('INC-1')).map((e) => e.summary)).toContain(`Declared automatically by incident rule checkout-critical for alert #${first.number}; the first person to acknowledge the alert takes command`);

    // Another alert of the same rule and service joins the open incident instead of declaring again.
    const second = (await trigger({ service: 'checkout', title: 'Checkout timeouts', severity: 'critical', dedupKey: 'timeouts' })).alert;
    await runJobs();
    list = await incidents();
    expect(list).toHaveLength(1);
    expect(list[0]?.alertIds).toEqual([first.id, second.id]);

    // The first person to acknowledge the alert takes command.
    await ok(await call(ben, 'POST', `/api/v1/alerts/${first.id}/acknowledge`, {}));
    await runJobs();
    expect((await ok<Incident>(await call(admin, 'GET', '/api/v1/incidents/INC-1'))).roles).toMatchObject([{ role: 'incident_commander', userHandle: 'ben' }]);

    // The severity the rule uses cannot be deleted; naming the rule.
    const refused = await call(admin, 'DELETE', '/api/v1/incident-severities/SEV2');
    expect(refused.statusCode).toBe(422);
    expect(json<ErrorBody>(refused).message).toContain('incident rule checkout-critical');

    // Once resolved, the next matching alert declares a new incident; an acknowledged alert already has its acknowledger in command.
    await ok(await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved' }));
    const third = (await trigger({ service: 'checkout', title: 'Checkout down', severity: 'critical', dedupKey: 'down' })).alert;
    await ok(await call(ben, 'POST', `/api/v1/alerts/${third.id}/acknowledge`, {}));
    await runJobs();
    list = await incidents();
    expect(list.map((i) => i.reference)).toEqual(['INC-2', 'INC-1']);
    expect(list[0]).toMatchObject({ alertIds: [third.id], roles: [{ role: 'incident_commander', userHandle: 'ben' }] });

    // Disabled rules declare nothing; rules are managed by id or name.
    await ok(await call(admin, 'PATCH', '/api/v1/incident-rules/checkout-critical', { enabled: false }));
    await trigger({ service: 'checkout', title: 'Another', severity: 'critical', dedupKey: 'another' });
    await runJobs();
    expect(await incidents()).toHaveLength(2);
    expect(issues(await call(admin, 'PATCH', `/api/v1/incident-rules/${rule.id}`, { action: { severity: 'NOPE' } }))).toEqual(['body.action.severity']);
    expect((await call(admin, 'DELETE', `/api/v1/incident-rules/${rule.id}`)).statusCode).toBe(204);
    expect((await call(admin, 'GET', '/api/v1/incident-rules/checkout-critical')).statusCode).toBe(404);
  });

  it('the postmortem policy is evaluated on resolve, stored on the incident, and on the timeline; anyone may ask for one', async () => {
    expect(await ok(await call(viewer, 'GET', '/api/v1/postmortem-policy'))).toEqual({ severities: ['SEV1', 'SEV2'], customerImpactMinutes: 30, repeatWithinDays: 3, dueDays: 5, updatedAt: null, updatedBy: null });
    expect(issues(await call(admin, 'PUT', '/api/v1/postmortem-policy', { severities: ['SEV1', 'SEV7'], customerImpactMinutes: 30, repeatWithinDays: 3 }))).toEqual(['body.severities.1']);
    expect(issues(await call(admin, 'PUT', '/api/v1/postmortem-policy', { severities: [], customerImpactMinutes: -1, repeatWithinDays: 3 }))).toEqual(['body.customerImpactMinutes']);
    expect((await call(ben, 'PUT', '/api/v1/postmortem-policy', { severities: [], customerImpactMinutes: null, repeatWithinDays: null })).statusCode).toBe(403);

    // SEV1 with 47 minutes of customer impact.
    const sev1 = await ok<Incident>(await call(ben, 'POST', '/api/v1/incidents', { title: 'Payments down', severity: 'SEV1', impactedServices: ['payments'] }), 201);
    expect(sev1.postmortem).toBeNull();
    t.clock.advance(47 * MIN + 20_000);
    await ok(await call(ben, 'POST', `/api/v1/incidents/${sev1.reference}/status`, { status: 'monitoring', mitigated: true }));
    t.clock.advance(60 * MIN);
    const resolved = await ok<Incident>(await call(ben, 'POST', `/api/v1/incidents/${sev1.reference}/status`, { status: 'resolved', summary: 'Rolled back' }));
    expect(resolved.postmortem).toEqual({ required: true, reasons: ['SEV1', 'customer impact 47 min'], requested: false });
    const entries = await timeline(sev1.reference);
    const at = entries.findIndex((e) => e.summary === 'A postmortem is required: SEV1; customer impact 47 min');
    expect(at).toBeGreaterThan(entries.findIndex((e) => e.kind === 'milestone' && /resolved/i.test(e.summary)));

    // A short SEV3 on the same service a day later: the repeat rule.
    t.clock.advance(24 * 60 * MIN);
    const again = await ok<Incident>(await call(ben, 'POST', '/api/v1/incidents', { title: 'Payments slow', severity: 'SEV3', impactedServices: ['payments'] }), 201);
    t.clock.advance(5 * MIN);
    expect((await ok<Incident>(await call(ben, 'POST', `/api/v1/incidents/${again.reference}/status`, { status: 'resolved' }))).postmortem).toEqual({ required: true, reasons: [`payments had another incident within 3 days (${sev1.reference})`], requested: false });

    // Turning reasons off: a short SEV3 needs none, until someone asks, before or after resolution.
    await ok(await call(admin, 'PUT', '/api/v1/postmortem-policy', { severities: ['sev1'], customerImpactMinutes: 30, repeatWithinDays: null }));
    expect((await ok<{ severities: string[] }>(await call(viewer, 'GET', '/api/v1/postmortem-policy'))).severities).toEqual(['SEV1']);
    const small = await ok<Incident>(await call(ben, 'POST', '/api/v1/incidents', { title: 'Typo on a page', severity: 'SEV3', impactedServices: ['payments'] }), 201);
    const none = await ok<Incident>(await call(ben, 'POST', `/api/v1/incidents/${small.reference}/status`, { status: 'resolved' }));
    expect(none.postmortem).toEqual({ required: false, reasons: [], requested: false });
    expect((await timeline(small.reference)).map((e) => e.summary)).toContain('No postmortem is required by the policy');
    const asked = await ok<Incident>(await call(ben, 'POST', `/api/v1/incidents/${small.reference}/postmortem-request`, { reason: 'customers noticed' }));
    expect(asked.postmortem).toEqual({ required: true, reasons: ['requested by ben'], requested: true });
    expect((await timeline(small.reference)).map((e) => e.summary)).toContain('ben asked for a postmortem: customers noticed');
    expect((await call(viewer, 'POST', `/api/v1/incidents/${small.reference}/postmortem-request`, {})).statusCode).toBe(403);
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-99/postmortem-request', {})).statusCode).toBe(404);

    const open = await ok<Incident>(await call(ben, 'POST', '/api/v1/incidents', { title: 'Open one', severity: 'SEV4' }), 201);
    expect((await ok<Incident>(await call(admin, 'POST', `/api/v1/incidents/${open.reference}/postmortem-request`, {}))).postmortem).toEqual({ required: true, reasons: ['requested by ana'], requested: true });
    expect((await ok<Incident>(await call(ben, 'POST', `/api/v1/incidents/${open.reference}/status`, { status: 'resolved' }))).postmortem).toEqual({ required: true, reasons: ['requested by ana'], requested: true });

    // The policy's severities cannot be deleted while it names them.
    const refused = await call(admin, 'DELETE', '/api/v1/incident-severities/SEV1');
    expect(refused.statusCode).toBe(422);
    expect(json<ErrorBody>(refused).message).toContain('the postmortem policy');
  });
});
