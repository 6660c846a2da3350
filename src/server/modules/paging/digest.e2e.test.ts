import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';

// Throttling: a burst of pages to one person through one contact method is collapsed into a digest.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

for (const dialect of dialectCases()) describe(`page digests (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  const { ok } = requestsAs(() => t);
  const run = () => t.firebreak.runner.runDueJobs();
  const pages = () => sink.messages.filter((m) => m.envelope.to.includes('ana@example.com') && m.headers['x-firebreak-kind'] === 'page');
  const trigger = async (title: string) => json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title, severity: 'critical', dedupKey: title })).alert;
  const timeline = async (alert: Alert) => json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' } });
    ({ admin, ana } = await setUpPagingScene(t, sink));
  });
  afterEach(async () => t.close());

  it('sends the first three pages of a burst one by one, then one digest a minute later listing the alerts still triggered', async () => {
    const alerts: Alert[] = [];
    for (const title of ['Disk full on db-1', 'Disk full on db-2', 'Disk full on db-3', 'Disk full on db-4', 'Disk full on db-5', 'Disk full on db-6']) {
      alerts.push(await trigger(title));
      await run();
    }
    expect(pages().map((m) => m.subject)).toEqual(alerts.slice(0, 3).map((a) => `#${a.number} ${a.title}`));
    expect(await timeline(alerts[3]!)).toContain('Email page to ana@example.com held for a digest: 3 or more pages went there in the last 5 min');
    // One of the held alerts is acknowledged before the digest goes: it is left out.
    await ok('POST', `/api/v1/alerts/${alerts[4]!.id}/acknowledge`, ana, {});
    t.clock.advance(60_000);
    await run();
    const all = pages();
    expect(all).toHaveLength(4);
    const digest = all[3]!;
    expect(digest.subject).toBe('2 more alerts for you');
    expect(digest.text).toContain(`#${alerts[3]!.number} Disk full on db-4 (critical)`);
    expect(digest.text).toContain(`#${alerts[5]!.number} Disk full on db-6 (critical)`);
    expect(digest.text).not.toContain('db-5');
    expect(await timeline(alerts[5]!)).toEqual(expect.arrayContaining([expect.stringMatching(/^Email digest to ana@example\.com delivered, with 2 alerts/)]));
    const rows = await t.firebreak.services.database.db.selectFrom('page_notifications').select(['alert_id', 'status']).where('user_id', '=', ana.userId).execute();
    expect(rows.find((r) => r.alert_id === alerts[4]!.id)!.status).toBe('cancelled');
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(5);

    // Ana's notification history shows each page, newest first, digest members included; admins see it too.
    const history = json<{ items: Array<{ alert: { number: number }; channel: string; status: string; provider: string | null }> }>(await ok('GET', '/api/v1/me/notifications', ana));
    expect(history.items.map((i) => [i.alert.number, i.status])).toEqual([...alerts].reverse().map((a) => [a.number, a.id === alerts[4]!.id ? 'cancelled' : 'sent']));
    expect(history.items[0]).toMatchObject({ channel: 'email', provider: 'smtp-environment' });
    const byAdmin = json<{ items: unknown[] }>(await ok('GET', '/api/v1/users/ana/notifications?limit=2', admin));
    expect(byAdmin.items).toHaveLength(2);
  });
});
