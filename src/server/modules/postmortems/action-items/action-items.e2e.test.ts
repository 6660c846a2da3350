import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, type TestApp } from '../../../../../test/support/app.js';
import { apiCalls } from '../../../../../test/support/api.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { startFakeTracker, type FakeTracker } from '../../../../../test/support/fakes/tracker.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import type { ActionItem, Postmortem, PostmortemSummary } from '../../../../contracts/postmortems.js';
import { ManualClock } from '../../../platform/clock.js';
import { OVERDUE_TASK, overdueJobKey, TRACKER_TASK } from './action-items.service.js';


const SECRET = 'tracker-signing-secret-0123456789';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let sink: SmtpSink;
let tracker: FakeTracker;
beforeAll(async () => {
  [sink, tracker] = await Promise.all([startSmtpSink(), startFakeTracker({ secret: SECRET })]);
});
afterAll(async () => {
  await Promise.all([sink.close(), tracker.close()]);
});

for (const dialect of dialectCases()) describe(`action items (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ana: { token: string; userId: string };
  let ben: { token: string; userId: string };
  let viewer: string;

  const { call, ok, fails } = apiCalls(() => t);
  const item = (ref: string) => ok<ActionItem>(viewer, 'GET', `/api/v1/action-items/${ref}`);
  const list = async (query = '') => (await ok<{ items: ActionItem[] }>(viewer, 'GET', `/api/v1/action-items${query}`)).items.map((i) => i.reference);
  const mailTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));
  const pending = (task: string) => t.firebreak.services.database.db.selectFrom('jobs').select(['job_key', 'run_at']).where('task', '=', task).where('failed_at', 'is', null).execute();

  beforeEach(async () => {
    sink.clear();
    tracker.clear();
    t = await buildTestApp({
      database: await dialect.open(),
      // Saturday 21 November 2026, 10:00 in Lisbon (UTC+0 in winter).
      clock: new ManualClock('2026-11-21T10:00:00Z'),
      env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com', FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' },
    });
    admin = (await t.userWithToken('admin', 'root')).token;
    ana = await t.userWithToken('responder', 'ana');
    ben = await t.userWithToken('responder', 'ben');
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    await ok(admin, 'POST', '/api/v1/teams', { handle: 'payments-team', name: 'Payments' });
    await ok(admin, 'POST', '/api/v1/teams', { handle: 'search-team', name: 'Search' });
    await ok<Postmortem>(ben.token, 'POST', '/api/v1/postmortems', { title: 'Checkout errors on 3 November', owner: 'ben' });
    await ok<Postmortem>(ana.token, 'POST', '/api/v1/postmortems', { title: 'Checkout errors again on 19 November', owner: 'ana' });
  });
  afterEach(async () => t.close());

  it('adds, lists, changes and deletes action items, numbered AI-n, each change in the audit log and the postmortem search', async () => {
    const first = await call(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Page on checkout error-rate burn', owner: 'ana', team: 'payments-team', priority: 'high', dueDate: '2026-12-01', trackerUrl: 'https://tracker.example.com/browse/OPS-7' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers.location).toBe('/api/v1/action-items/AI-1');
    expect(first.json<ActionItem>()).toMatchObject({
      reference: 'AI-1',
      number: 1,
      postmortem: { reference: 'PM-1', title: 'Checkout errors on 3 November' },
      title: 'Page on checkout error-rate burn',
      description: '',
      owner: { handle: 'ana', name: 'Test ana' },
      team: { handle: 'payments-team', name: 'Payments' },
      priority: 'high',
      dueDate: '2026-12-01',
      status: 'open',
      trackerUrl: 'https://tracker.example.com/browse/OPS-7',
      overdue: false,
      ageDays: 0,
      completedAt: null,
    });
    const second = await ok<ActionItem>(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Document the payment-provider failover runbook' });
    expect(second).toMatchObject({ reference: 'AI-2', priority: 'medium', owner: null, team: null, dueDate: null });
    expect((await ok<{ items: ActionItem[] }>(viewer, 'GET', '/api/v1/postmortems/PM-1/action-items')).items.map((i) => i.reference)).toEqual(['AI-1', 'AI-2']);
    expect((await ok<{ items: ActionItem[] }>(viewer, 'GET', '/api/v1/postmortems/PM-2/action-items')).items).toEqual([]);

    // The postmortem's search text holds the items' titles.
    const found = async (q: string) => (await ok<{ items: PostmortemSummary[] }>(viewer, 'GET', `/api/v1/postmortems?q=${encodeURIComponent(q)}`)).items.map((p) => p.reference);
    expect(await found('runbook')).toEqual(['PM-1']);

    t.clock.advance(3 * 24 * HOUR);
    const done = await ok<ActionItem>(ana.token, 'PATCH', '/api/v1/action-items/AI-2', { status: 'done', title: 'Write the payment-provider failover playbook' });
    expect(done).toMatchObject({ status: 'done', completedAt: '2026-11-24T10:00:00.000Z', ageDays: 3, title: 'Write the payment-provider failover playbook' });
    expect(await found('runbook')).toEqual([]);
    expect(await found('playbook')).toEqual(['PM-1']);
    t.clock.advance(2 * 24 * HOUR);
    // Age stops at completion; reopening clears it.
    expect((await item('ai-2')).ageDays).toBe(3);
    expect(await ok<ActionItem>(ana.token, 'PATCH', '/api/v1/action-items/AI-2', { status: 'in_progress' })).toMatchObject({ status: 'in_progress', completedAt: null, ageDays: 5 });
    expect(await ok<ActionItem>(ana.token, 'PATCH', '/api/v1/action-items/AI-1', { owner: null, team: null, dueDate: null, trackerUrl: null, priority: 'low', description: 'Alert when 2% of the monthly budget burns in an hour' })).toMatchObject({ owner: null, team: null, dueDate: null, trackerUrl: null, priority: 'low', description: 'Alert when 2% of the monthly budget burns in an hour' });

    await ok(ana.token, 'DELETE', '/api/v1/action-items/AI-2');
    expect((await fails(404, ana.token, 'GET', '/api/v1/action-items/AI-2')).code).toBe('NOT_FOUND');
    expect(await found('playbook')).toEqual([]);
    // Numbers are never reused.
    expect((await ok<ActionItem>(ana.token, 'POST', '/api/v1/postmortems/PM-2/action-items', { title: 'Another' })).reference).toBe('AI-3');

    const audit = await ok<{ items: Array<{ action: string; target: { id: string } }> }>(admin, 'GET', '/api/v1/audit?targetType=action-item');
    expect(audit.items.map((e) => e.action).sort()).toEqual(['action-item.create', 'action-item.create', 'action-item.create', 'action-item.delete', 'action-item.update', 'action-item.update', 'action-item.update']);
  });

  it('refuses bad input naming the field, and viewers cannot write', async () => {
    const bad = async (payload: Record<string, unknown>, path: string, status = 400) => {
      const error = await fails(status, ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', payload);
      expect(error.details?.issues?.map((i) => i.path)).toContain(path);
      return error;
    };
    await bad({ title: 'x', dueDate: '2027-02-30' }, 'body.dueDate');
    await bad({ title: 'x', dueDate: '31/03/2027' }, 'body.dueDate');
    expect((await bad({ title: 'x', owner: 'nobody' }, 'body.owner')).message).toContain('`nobody` does not exist');
    await bad({ title: 'x', team: 'no-such-team' }, 'body.team');
    await bad({ title: 'x', trackerUrl: 'javascript:alert(1)' }, 'body.trackerUrl');
    await bad({ title: '' }, 'body.title');
    expect((await bad({ title: 'x', createInTracker: true }, 'body.createInTracker', 422)).message).toContain('no tracker webhook is configured');
    await bad({ title: 'x', createInTracker: true, trackerUrl: 'https://tracker.example.com/browse/OPS-1' }, 'body.createInTracker', 422);
    expect((await fails(404, ana.token, 'POST', '/api/v1/postmortems/PM-99/action-items', { title: 'x' })).code).toBe('NOT_FOUND');
    expect((await fails(403, viewer, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'x' })).code).toBe('FORBIDDEN');
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'x' });
    expect((await fails(403, viewer, 'PATCH', '/api/v1/action-items/AI-1', { status: 'done' })).code).toBe('FORBIDDEN');
    const error = await fails(400, ana.token, 'PATCH', '/api/v1/action-items/AI-1', { status: 'finished' });
    expect(error.details?.issues?.[0]?.path).toBe('body.status');
    expect((await fails(400, viewer, 'GET', '/api/v1/action-items?status=closed')).details?.issues?.[0]?.path).toBe('status');
    // Nothing was written by the refused calls.
    expect(await list('?status=open,in_progress,done,wont_do')).toEqual(['AI-1']);
  });

  it('lists open items across postmortems by owner, team and overdue, sorted by age, due date or priority', async () => {
    const add = (pm: string, payload: Record<string, unknown>) => ok<ActionItem>(ana.token, 'POST', `/api/v1/postmortems/${pm}/action-items`, payload);
    await add('PM-1', { title: 'Oldest, low, due soon', owner: 'ana', team: 'payments-team', priority: 'low', dueDate: '2026-11-20' });
    t.clock.advance(HOUR);
    await add('PM-2', { title: 'Middle, high, no due date', owner: 'ben', team: 'search-team', priority: 'high' });
    t.clock.advance(HOUR);
    await add('PM-2', { title: 'Newest, medium, due later', owner: 'ana', priority: 'medium', dueDate: '2026-12-15' });
    await add('PM-1', { title: 'Done already', owner: 'ana' });
    await ok(ana.token, 'PATCH', '/api/v1/action-items/AI-4', { status: 'done' });

    expect(await list()).toEqual(['AI-1', 'AI-2', 'AI-3']);
    expect(await list('?sort=due')).toEqual(['AI-1', 'AI-3', 'AI-2']);
    expect(await list('?sort=priority')).toEqual(['AI-2', 'AI-3', 'AI-1']);
    expect(await list('?owner=ana')).toEqual(['AI-1', 'AI-3']);
    expect((await ok<{ items: ActionItem[] }>(ben.token, 'GET', '/api/v1/action-items?owner=me')).items.map((i) => i.reference)).toEqual(['AI-2']);
    expect(await list('?team=search-team')).toEqual(['AI-2']);
    expect(await list('?overdue=true')).toEqual(['AI-1']);
    expect(await list('?overdue=false')).toEqual(['AI-2', 'AI-3']);
    expect(await list('?status=done')).toEqual(['AI-4']);
    expect(await list('?limit=2')).toEqual(['AI-1', 'AI-2']);
    expect((await item('AI-1')).overdue).toBe(true);
    expect((await fails(400, viewer, 'GET', '/api/v1/action-items?owner=nobody')).details?.issues?.[0]?.path).toBe('owner');
  });

  it('finds the same item in other postmortems and links repeats; links survive in both directions and can be undone', async () => {
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Add an alert on the checkout error rate' });
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Rotate the database credentials' });
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-2/action-items', { title: 'Add alert on checkout error rate' });
    const repeat = await item('AI-3');
    expect(repeat.similar).toEqual([expect.objectContaining({ reference: 'AI-1', postmortemReference: 'PM-1', linked: false, status: 'open' })]);

    expect((await fails(422, ana.token, 'POST', '/api/v1/action-items/AI-1/links', { item: 'AI-2' })).details?.issues?.[0]?.path).toBe('body.item');
    expect((await fails(422, ana.token, 'POST', '/api/v1/action-items/AI-1/links', { item: 'AI-1' })).details?.issues?.[0]?.path).toBe('body.item');
    expect((await fails(400, ana.token, 'POST', '/api/v1/action-items/AI-1/links', { item: 'AI-99' })).details?.issues?.[0]?.path).toBe('body.item');

    const linked = await ok<ActionItem>(ana.token, 'POST', '/api/v1/action-items/AI-3/links', { item: 'AI-1' });
    expect(linked.similar).toEqual([expect.objectContaining({ reference: 'AI-1', linked: true })]);
    expect((await item('AI-1')).similar).toEqual([expect.objectContaining({ reference: 'AI-3', linked: true })]);
    // A third postmortem's repeat joins the same group through either member.
    await ok(ben.token, 'POST', '/api/v1/postmortems', { title: 'Checkout errors, third time' });
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-3/action-items', { title: 'Alerting for checkout errors' });
    await ok(ana.token, 'POST', '/api/v1/action-items/AI-4/links', { item: 'AI-3' });
    expect((await item('AI-1')).similar.filter((s) => s.linked).map((s) => s.reference)).toEqual(['AI-3', 'AI-4']);
    expect((await ok<{ items: ActionItem[] }>(viewer, 'GET', '/api/v1/action-items')).items.find((i) => i.reference === 'AI-4')?.similar.map((s) => s.reference)).toEqual(['AI-1', 'AI-3']);

    expect((await ok<ActionItem>(ana.token, 'DELETE', '/api/v1/action-items/AI-4/links')).similar.filter((s) => s.linked)).toEqual([]);
    expect((await item('AI-1')).similar.filter((s) => s.linked).map((s) => s.reference)).toEqual(['AI-3']);
    // Deleting one of a pair dissolves the group.
    await ok(ana.token, 'DELETE', '/api/v1/action-items/AI-3');
    expect((await item('AI-1')).similar.filter((s) => s.linked)).toEqual([]);
  });

  it('reminds the item owner and the postmortem owner by email at 09:00 their time each day while overdue, until done', async () => {
    // ben owns PM-1; ana owns its item, due Wednesday 25 November.
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Page on checkout error-rate burn', owner: 'ana', dueDate: '2026-11-25' });
    // No due date, or already closed: no timer.
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'No due date', owner: 'ana' });
    expect((await pending(OVERDUE_TASK)).map((j) => [j.job_key, Number(j.run_at)])).toEqual([[overdueJobKey((await item('AI-1')).id), Date.parse('2026-11-26T09:00:00Z')]]);

    await t.firebreak.runner.runDueJobs();
    t.clock.set('2026-11-26T08:59:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toEqual([]);
    expect((await item('AI-1')).overdue).toBe(true);

    t.clock.set('2026-11-26T09:00:00Z');
    await t.firebreak.runner.runDueJobs();
    const [toAna] = mailTo('ana@example.test');
    const [toBen] = mailTo('ben@example.test');
    expect(sink.messages).toHaveLength(2);
    expect(toAna?.subject).toBe('Overdue: AI-1 Page on checkout error-rate burn');
    expect(toAna?.text).toContain('was due on 2026-11-25 and is 1 day overdue');
    expect(toAna?.text).toContain('You own this action item.');
    expect(toAna?.text).toContain('https://firebreak.example.com/postmortems/PM-1#AI-1');
    expect(toBen?.text).toContain('You own PM-1, the postmortem it belongs to.');

    // The next day at 09:00 again, not before.
    t.clock.set('2026-11-27T08:00:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(2);
    t.clock.set('2026-11-27T09:00:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(4);
    expect(mailTo('ana@example.test')[1]?.text).toContain('is 2 days overdue');

    // Moving the due date moves the timer; done stops it.
    await ok(ana.token, 'PATCH', '/api/v1/action-items/AI-1', { dueDate: '2026-11-30' });
    expect((await item('AI-1')).overdue).toBe(false);
    t.clock.set('2026-11-28T09:00:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(4);
    await ok(ana.token, 'PATCH', '/api/v1/action-items/AI-1', { status: 'done' });
    expect(await pending(OVERDUE_TASK)).toEqual([]);
    t.clock.set('2026-12-05T09:00:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(4);
  });

  it('reminds once when the item owner also owns the postmortem, at 09:00 in their own time zone', async () => {
    await ok(admin, 'PATCH', `/api/v1/users/${ana.userId}`, { timeZone: 'America/New_York' });
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-2/action-items', { title: 'Cap retries on the payment client', owner: 'ana', dueDate: '2026-11-25' });
    // 09:00 in New York on 26 November is 14:00 UTC.
    t.clock.set('2026-11-26T13:59:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(0);
    t.clock.set('2026-11-26T14:00:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages.map((m) => m.envelope.to)).toEqual([['ana@example.test']]);
  });

  it('skips a deactivated owner and stops reminding once the item is closed as won’t do', async () => {
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Page on checkout error-rate burn', owner: 'ana', dueDate: '2026-11-25' });
    await ok(admin, 'POST', `/api/v1/users/${ana.userId}/deactivate`);
    t.clock.set('2026-11-26T09:00:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages.map((m) => m.envelope.to)).toEqual([['ben@example.test']]);
    await ok(ben.token, 'PATCH', '/api/v1/action-items/AI-1', { status: 'wont_do' });
    expect(await item('AI-1')).toMatchObject({ status: 'wont_do', overdue: false, completedAt: '2026-11-26T09:00:00.000Z' });
    t.clock.set('2026-11-27T09:00:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(1);
  });

  it('creates tracker issues through the signed webhook, retries a tracker that is down, and keeps the URL it answers', async () => {
    expect((await fails(403, ana.token, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: tracker.hookUrl, secret: SECRET })).code).toBe('FORBIDDEN');
    expect(await ok(admin, 'GET', '/api/v1/postmortem-settings/tracker-webhook')).toEqual({ url: null, secretSet: false, updatedAt: null, updatedBy: null });
    const settings = await ok<Record<string, unknown>>(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: tracker.hookUrl, secret: SECRET });
    expect(settings).toMatchObject({ url: tracker.hookUrl, secretSet: true, updatedBy: expect.stringContaining('root') });
    expect(JSON.stringify(settings)).not.toContain(SECRET);
    // Sealed at rest.
    const stored = await t.firebreak.services.database.db.selectFrom('postmortem_policy').select('policy_json').where('id', '=', 'tracker').executeTakeFirstOrThrow();
    expect(stored.policy_json).not.toContain(SECRET);

    const created = await ok<ActionItem>(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Page on checkout error-rate burn', owner: 'ana', team: 'payments-team', dueDate: '2026-12-01', createInTracker: true });
    expect(created.trackerUrl).toBeNull();
    tracker.fail(503, 'maintenance');
    await t.firebreak.runner.runDueJobs();
    expect(tracker.issues).toHaveLength(0);
    expect((await item('AI-1')).trackerUrl).toBeNull();
    t.clock.advance(MINUTE);
    await t.firebreak.runner.runDueJobs();
    expect(tracker.rejected).toEqual([]);
    expect(tracker.issues).toHaveLength(1);
    const issue = tracker.issues[0]!;
    expect(issue.body.actionItem).toMatchObject({ id: created.id, reference: 'AI-1', title: 'Page on checkout error-rate burn', priority: 'medium', dueDate: '2026-12-01', owner: { handle: 'ana', email: 'ana@example.test' }, team: { handle: 'payments-team' }, url: 'https://firebreak.example.com/postmortems/PM-1#AI-1' });
    expect(issue.body.postmortem).toMatchObject({ reference: 'PM-1', title: 'Checkout errors on 3 November', url: 'https://firebreak.example.com/postmortems/PM-1' });
    expect((await item('AI-1')).trackerUrl).toBe('https://tracker.example.com/browse/OPS-1');
    expect(await pending(TRACKER_TASK)).toEqual([]);

    // A receiver that does not know the secret refuses: permanent, recorded, no URL.
    await ok(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: tracker.hookUrl, secret: 'a-different-secret-that-is-wrong' });
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Rotate credentials', createInTracker: true });
    await t.firebreak.runner.runDueJobs();
    expect(tracker.rejected).toEqual(['X-Firebreak-Signature does not match the body']);
    expect((await item('AI-2')).trackerUrl).toBeNull();
    expect(await pending(TRACKER_TASK)).toEqual([]);
    const audit = await ok<{ items: Array<{ action: string; after: { error?: string } }> }>(admin, 'GET', '/api/v1/audit?action=action-item.tracker-issue-failed');
    expect(audit.items[0]?.after.error).toContain('answered 400');

    // Turning it off forgets the secret.
    expect(await ok(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: null })).toMatchObject({ url: null, secretSet: false });
  });

  it('sends unsigned requests without a secret, never sends an item closed first, and refuses an answer without a URL', async () => {
    const open = await startFakeTracker({ secret: null });
    try {
      await ok(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: open.hookUrl });
      await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Cap retries', createInTracker: true });
      await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Closed before the tracker was called', createInTracker: true });
      await ok(ana.token, 'PATCH', '/api/v1/action-items/AI-2', { status: 'done' });
      await t.firebreak.runner.runDueJobs();
      expect(open.rejected).toEqual([]);
      expect(open.issues.map((i) => i.body.actionItem.reference)).toEqual(['AI-1']);
      expect(open.issues[0]?.headers['x-firebreak-signature']).toBeUndefined();
      expect((await item('AI-1')).trackerUrl).toBe('https://tracker.example.com/browse/OPS-1');
      expect((await item('AI-2')).trackerUrl).toBeNull();
    } finally {
      await open.close();
    }
    // A receiver answering 2xx without a usable `url`: final, recorded, no URL kept.
    await ok(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: tracker.hookUrl, secret: SECRET });
    tracker.fail(200, '{"ok": true}');
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Third', createInTracker: true });
    await t.firebreak.runner.runDueJobs();
    expect((await item('AI-3')).trackerUrl).toBeNull();
    expect(await pending(TRACKER_TASK)).toEqual([]);
    const audit = await ok<{ items: Array<{ after: { error?: string } }> }>(admin, 'GET', '/api/v1/audit?action=action-item.tracker-issue-failed');
    expect(audit.items[0]?.after.error).toContain('without an http(s) `url`');
  });

  it('keeps the stored secret when only the URL changes, and refuses a private target without FIREBREAK_ALLOW_PRIVATE_WEBHOOKS', async () => {
    await ok(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: 'https://tracker.invalid/hooks', secret: SECRET });
    await ok(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: tracker.hookUrl });
    await ok(ana.token, 'POST', '/api/v1/postmortems/PM-2/action-items', { title: 'Cap retries', createInTracker: true });
    await t.firebreak.runner.runDueJobs();
    expect(tracker.rejected).toEqual([]);
    expect((await item('AI-1')).trackerUrl).toBe('https://tracker.example.com/browse/OPS-1');

    const strict = await buildTestApp({ database: await dialect.open(), env: { FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' } });
    try {
      const root = (await strict.userWithToken('admin', 'root')).token;
      await strict.app.inject({ method: 'PUT', url: '/api/v1/postmortem-settings/tracker-webhook', headers: bearer(root), payload: { url: tracker.hookUrl } });
      await strict.app.inject({ method: 'POST', url: '/api/v1/postmortems', headers: bearer(root), payload: { title: 'Standalone' } });
      const res = await strict.app.inject({ method: 'POST', url: '/api/v1/postmortems/PM-1/action-items', headers: bearer(root), payload: { title: 'x', createInTracker: true } });
      expect(res.statusCode, res.body).toBe(201);
      const before = tracker.requests;
      await strict.firebreak.runner.runDueJobs();
      expect(tracker.requests).toBe(before);
      const audit = (await strict.app.inject({ method: 'GET', url: '/api/v1/audit?action=action-item.tracker-issue-failed', headers: bearer(root) })).json<{ items: Array<{ after: { error: string } }> }>();
      expect(audit.items[0]?.after.error).toContain('loopback, private or link-local');
    } finally {
      await strict.close();
    }
  });
});
