import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';
import { hashToken } from '../../platform/crypto.js';
import type { EscalationView } from './paging.service.js';

// Acknowledge and resolve links in page emails, and resolved notices (ADR 0023), through the real SMTP
// adapter to a real SMTP server, with time driven by a ManualClock.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const MIN = 60_000;
const PUBLIC_URL = 'https://firebreak.example.com';

for (const dialect of dialectCases()) describe(`acknowledge and resolve links (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  let ben: Person;

  const { ok } = requestsAs(() => t);
  const mailTo = (address: string, kind: string) => sink.messages.filter((m) => m.envelope.to.includes(address) && m.headers['x-firebreak-kind'] === kind);
  const run = () => t.firebreak.runner.runDueJobs();
  const advance = async (ms: number) => {
    t.clock.advance(ms);
    await run();
  };
  const trigger = async (payload: Record<string, unknown>) => json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', ...payload })).alert;
  const alertOf = async (alert: Alert) => json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin));
  const escalation = async (alert: Alert) => json<EscalationView>(await ok('GET', `/api/v1/alerts/${alert.number}/escalation`, admin));
  const timeline = async (alert: Alert) => json<{ items: Array<{ action: string; summary: string; actor: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
  const linkIn = (mail: ReceivedMail, label: 'Acknowledge' | 'Resolve') => {
    const match = new RegExp(`^${label}: (${PUBLIC_URL.replace(/\./g, '\\.')}/a/([A-Za-z0-9_-]{43}))$`, 'm').exec(mail.text);
    expect(match, `${label} link in:\n${mail.text}`).not.toBeNull();
    return { url: match![1]!, path: new URL(match![1]!).pathname, token: match![2]! };
  };
  // No credentials at all: the link is the credential.
  const get = (path: string) => t.app.inject({ method: 'GET', url: path });
  const post = (path: string) => t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: PUBLIC_URL } });
    ({ admin, ana, ben } = await setUpPagingScene(t, sink));
  });
  afterEach(async () => t.close());

  it('carries single-use links; GET only confirms, POST acknowledges as the recipient and escalation stops', async () => {
    const alert = await trigger({ title: 'Checkout <b>5xx</b> & "errors"', severity: 'critical', dedupKey: '5xx' });
    await run();
    const [page] = mailTo('ana@example.com', 'page');
    expect(page).toBeDefined();
    const ack = linkIn(page!, 'Acknowledge');
    linkIn(page!, 'Resolve');
    // Only the hash is stored, bound to ana, expiring in 24 h.
    const db = t.firebreak.services.database.db;
    const stored = await db.selectFrom('page_action_links').selectAll().where('token_hash', '=', hashToken(ack.token)).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ alert_id: alert.id, user_id: ana.userId, action: 'acknowledge', expires_at: Date.parse('2026-11-22T09:00:00Z'), used_at: null });
    expect(await db.selectFrom('page_action_links').select('token_hash').where('token_hash', '=', ack.token).execute()).toEqual([]);

    // A mail scanner fetching the link changes nothing.
    const shown = await get(ack.path);
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['content-type']).toMatch(/^text\/html/);
    expect(shown.headers['content-security-policy']).toContain("default-src 'none'");
    expect(shown.body).toContain(`<form method="post" action="${ack.path}">`);
    expect(shown.body).toContain('Checkout &lt;b&gt;5xx&lt;/b&gt; &amp; &quot;errors&quot;');
    expect(shown.body).not.toContain('<b>5xx');
    expect(shown.body).not.toMatch(/<script/i);
    expect(shown.body).toContain('@ana');
    expect((await alertOf(alert)).status).toBe('triggered');
    expect((await db.selectFrom('page_action_links').select('used_at').where('token_hash', '=', hashToken(ack.token)).executeTakeFirstOrThrow()).used_at).toBeNull();

    const done = await post(ack.path);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('is now acknowledged, recorded as @ana');
    expect(await alertOf(alert)).toMatchObject({ status: 'acknowledged' });
    expect(await timeline(alert)).toEqual(expect.arrayContaining(['Acknowledged by @ana via email link', 'Escalation stopped: acknowledged']));
    const audit = json<{ items: Array<{ action: string; actor: { type: string; id: string | null; label: string }; target: { id: string | null } }> }>(await ok('GET', '/api/v1/audit?action=alert.acknowledge', admin)).items;
    expect(audit).toMatchObject([{ action: 'alert.acknowledge', actor: { type: 'user', id: ana.userId, label: '@ana via email link' }, target: { id: alert.id } }]);

    // Escalation stopped: level 2 (ben) is never paged.
    await advance(30 * MIN);
    expect(mailTo('ben@example.com', 'page')).toEqual([]);
    expect((await escalation(alert)).status).toBe('acknowledged');

    // Used: 410 and nothing changes.
    const before = await timeline(alert);
    const again = await post(ack.path);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('already used');
    expect((await get(ack.path)).statusCode).toBe(410);
    expect(await timeline(alert)).toEqual(before);
  });

  it('refuses an expired link (410) and a tampered one (404), changing nothing', async () => {
    const alert = await trigger({ title: 'Disk full', severity: 'critical', dedupKey: 'disk' });
    await run();
    const ack = linkIn(mailTo('ana@example.com', 'page')[0]!, 'Acknowledge');
    const tampered = `${ack.path.slice(0, -1)}${ack.path.endsWith('A') ? 'B' : 'A'}`;
    for (const res of [await get(tampered), await post(tampered), await post('/a/nonsense')]) {
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('Link not found');
    }
    // The SPA never answers /a/: an unknown token is this page, not the web app.
    expect((await get('/a/')).statusCode).toBe(404);

    // Links expire 24 h after they were sent.
    t.clock.advance(25 * 60 * MIN);
    const expired = await post(ack.path);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('Link expired');
    expect((await alertOf(alert)).status).toBe('triggered');
    expect(await timeline(alert)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^Acknowledged by/)]));
  });

  it('resolves through the resolve link; each person paged gets one resolved notice', async () => {
    const alert = await trigger({ title: 'Queue backlog', severity: 'critical', dedupKey: 'queue' });
    await run();
    await advance(10 * MIN); // level 2: ben is paged too
    const benPage = mailTo('ben@example.com', 'page')[0]!;
    const resolve = linkIn(benPage, 'Resolve');
    const confirm = await get(resolve.path);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`Resolve alert #${alert.number}`);
    const res = await post(resolve.path);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('is now resolved, recorded as @ben');
    expect(await alertOf(alert)).toMatchObject({ status: 'resolved' });
    expect(await timeline(alert)).toContain('Resolved by @ben via email link');
    await run();
    await run();

    for (const address of ['ana@example.com', 'ben@example.com']) {
      const notices = mailTo(address, 'notification');
      expect(notices).toHaveLength(1);
      expect(notices[0]!.subject).toBe(`Resolved: #${alert.number} Queue backlog`);
      expect(notices[0]!.text).toContain('Resolved by @ben via email link');
    }
    const view = await escalation(alert);
    expect(view.notifications.filter((n) => n.kind === 'resolved').map((n) => [n.userId, n.status]).sort()).toEqual([[ana.userId, 'sent'], [ben.userId, 'sent']].sort());

    // Ana's acknowledge link now says the alert is resolved; nothing changes.
    const anaAck = linkIn(mailTo('ana@example.com', 'page')[0]!, 'Acknowledge');
    const late = await post(anaAck.path);
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('already resolved');
    expect((await get(anaAck.path)).body).toContain('already resolved');

    // Delivery jobs running again later send no second notice.
    await advance(60 * MIN);
    expect(mailTo('ana@example.com', 'notification')).toHaveLength(1);
    expect(mailTo('ben@example.com', 'notification')).toHaveLength(1);
  });

  it('rate-limits the link pages per client', async () => {
    const limited = await buildTestApp({ database: await dialect.open(), env: { FIREBREAK_PUBLIC_RATE_LIMIT: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await limited.app.inject({ method: 'GET', url: '/a/unknown-token' })).statusCode);
      expect(codes).toEqual([404, 404, 404, 429]);
    } finally {
      await limited.close();
    }
  });

  it('sends resolved notices after an acknowledgement too, once, and none to people never reached', async () => {
    const alert = await trigger({ title: 'Login errors', severity: 'critical', dedupKey: 'login' });
    await run();
    await ok('POST', `/api/v1/alerts/${alert.id}/acknowledge`, ana, {});
    await ok('POST', `/api/v1/alerts/${alert.id}/resolve`, ana, {});
    await run();
    await run();
    expect(mailTo('ana@example.com', 'notification')).toHaveLength(1);
    expect(mailTo('ben@example.com', 'notification')).toEqual([]);
    expect(await timeline(alert)).toContain('Sending @ana a resolved notice by email');
  });
});
