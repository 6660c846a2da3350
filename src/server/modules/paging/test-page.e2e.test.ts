import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import type { TestPageResult } from './test-page.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';
import { FakeChannel } from '../notify/channels/fake.channel.js';
import { PageDelivery } from './page-delivery.js';
import type { EscalationView } from './paging.service.js';

// "Send me a test page" through the real pipeline: the self-test alert, the page outbox, the delivery
// job and the real SMTP adapter to an SMTP server in this process.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const MIN = 60_000;

describe('test pages', () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  const { call, ok } = requestsAs(() => t);
  const run = () => t.firebreak.runner.runDueJobs();
  const alertOf = async (id: string) => json<Alert>(await ok('GET', `/api/v1/alerts/${id}`, admin));
  const timeline = async (id: string) => json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${id}/timeline`, admin)).items.map((e) => e.summary);

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({ clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' } });
    ({ admin, ana } = await setUpPagingScene(t, sink));
  });
  afterEach(async () => t.close());

  it('sends a page marked [TEST] on a self-test alert, paging nobody else, and resolves the alert once it is acknowledged', async () => {
    const result = json<TestPageResult>(await ok('POST', '/api/v1/me/test-page', ana));
    expect(result.pages).toEqual([{ channel: 'email', address: 'ana@example.com', dueAt: '2026-11-21T09:00:00.000Z' }]);
    await run();
    const pages = sink.messages.filter((m) => m.headers['x-firebreak-kind'] === 'page');
    expect(pages.map((m) => [m.envelope.to, m.subject])).toEqual([[['ana@example.com'], `[TEST] #${result.alertNumber} Test page for @ana`]]);
    expect(pages[0]!.text).toContain('Service: Firebreak self-test');
    expect(pages[0]!.text).toContain('This is a test page, Test ana: nothing is wrong.');
    expect(pages[0]!.text).not.toContain('You are paged as');
    const alert = await alertOf(result.alertId);
    expect(alert).toMatchObject({ serviceHandle: 'firebreak-self-test', status: 'triggered', title: 'Test page for @ana' });
    const view = json<EscalationView>(await ok('GET', `/api/v1/alerts/${result.alertId}/escalation`, admin));
    expect(view.status).toBe('none');
    expect(view.notifications.map((n) => [n.test, n.status])).toEqual([[true, 'sent']]);

    await ok('POST', `/api/v1/alerts/${result.alertId}/acknowledge`, ana, {});
    await run();
    expect((await alertOf(result.alertId)).status).toBe('resolved');
    expect(await timeline(result.alertId)).toEqual(expect.arrayContaining(['Sent @ana a test page by email (test page)']));
  });

  it('resolves a test alert nobody acknowledges after 30 minutes', async () => {
    const result = json<TestPageResult>(await ok('POST', '/api/v1/me/test-page', ana));
    await run();
    t.clock.advance(29 * MIN);
    await run();
    expect((await alertOf(result.alertId)).status).toBe('triggered');
    t.clock.advance(1 * MIN);
    await run();
    expect((await alertOf(result.alertId)).status).toBe('resolved');
  });

  it('hands the channel a page context marked as a test', async () => {
    const result = json<TestPageResult>(await ok('POST', '/api/v1/users/ben/test-page', admin));
    const [row] = json<EscalationView>(await ok('GET', `/api/v1/alerts/${result.alertId}/escalation`, admin)).notifications;
    const email = new FakeChannel('email');
    const s = t.firebreak.services;
    const worker = new PageDelivery({ database: s.database, clock: t.clock, ids: s.ids, jobs: s.jobs, notify: s.notify, catalog: s.catalog, channels: { email }, publicUrl: t.config.publicUrl });
    expect(await worker.deliver({ notificationId: row!.id }, { attempts: 1, maxAttempts: 8 })).toBe('sent');
    const audit = json<{ items: Array<{ actor: { label: string }; target: { id: string } }> }>(await ok('GET', '/api/v1/audit?action=user.test-page', admin)).items;
    expect(audit.map((e) => [e.actor.label, e.target.id])).toEqual([['root-admin (API token)', (await t.firebreak.services.catalog.requireUser(s.database.db, 'ben')).id]]);
    expect(email.sent[0]).toMatchObject({ kind: 'page', subject: `[TEST] #${result.alertNumber} Test page for @ben`, page: { test: true, alertNumber: result.alertNumber } });
  });

  it('lets only admins send someone else a test page, and says when nobody can be reached', async () => {
    expect((await call('POST', '/api/v1/users/ben/test-page', ana)).statusCode).toBe(403);
    const vic = await t.userWithToken('viewer', 'vic');
    const res = await call('POST', '/api/v1/me/test-page', vic);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'RULE_VIOLATION', message: expect.stringContaining('@vic has no verified contact method') });
  });
});
