import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../../../test/support/app.js';
import { apiCalls } from '../../../../../test/support/api.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { startFakeTracker, type FakeTracker } from '../../../../../test/support/fakes/tracker.js';
import type { ActionItem } from '../../../../contracts/postmortems.js';
import { ManualClock } from '../../../platform/clock.js';
import { TRACKER_TASK } from './action-items.service.js';


const SECRET = 'tracker-signing-secret-0123456789';
let tracker: FakeTracker;
beforeAll(async () => {
  tracker = await startFakeTracker({ secret: SECRET });
});
afterAll(async () => {
  await tracker.close();
});

for (const dialect of dialectCases()) describe(`creating an action item's tracker issue later (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ana: string;
  let viewer: string;

  const { call, ok, fails } = apiCalls(() => t);
  const item = (ref: string) => ok<ActionItem>(viewer, 'GET', `/api/v1/action-items/${ref}`);
  const pending = () => t.firebreak.services.database.db.selectFrom('jobs').select('job_key').where('task', '=', TRACKER_TASK).where('failed_at', 'is', null).execute();

  beforeEach(async () => {
    tracker.clear();
    t = await buildTestApp({
      database: await dialect.open(),
      clock: new ManualClock('2026-11-21T10:00:00Z'),
      env: { FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com', FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' },
    });
    admin = (await t.userWithToken('admin', 'root')).token;
    ana = (await t.userWithToken('responder', 'ana')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    await ok(ana, 'POST', '/api/v1/postmortems', { title: 'Checkout errors on 3 November' });
    await ok(ana, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Alert on pool saturation' });
  });
  afterEach(async () => t.close());

  it('creates the issue through the webhook, stores its link, and answers 409 once the item has one', async () => {
    // No webhook configured: refused, naming what is missing; nothing queued.
    const off = await fails(422, ana, 'POST', '/api/v1/action-items/AI-1/tracker-issue');
    expect(off.details?.issues?.map((i) => i.path)).toEqual(['trackerWebhook']);
    expect(await pending()).toEqual([]);
    await ok(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: tracker.hookUrl, secret: SECRET });

    // Viewers read, they do not ask; unknown items are 404.
    expect((await fails(403, viewer, 'POST', '/api/v1/action-items/AI-1/tracker-issue')).code).toBe('FORBIDDEN');
    expect((await fails(404, ana, 'POST', '/api/v1/action-items/AI-99/tracker-issue')).code).toBe('NOT_FOUND');

    // Asked twice before the job ran: one request to the tracker.
    const accepted = await call(ana, 'POST', '/api/v1/action-items/AI-1/tracker-issue');
    expect(accepted.statusCode, accepted.body).toBe(202);
    expect(accepted.json<ActionItem>()).toMatchObject({ reference: 'AI-1', trackerUrl: null });
    await ok(ana, 'POST', '/api/v1/action-items/AI-1/tracker-issue');
    expect(await pending()).toHaveLength(1);
    await t.firebreak.runner.runDueJobs();
    expect(tracker.rejected).toEqual([]);
    expect(tracker.issues.map((i) => i.body.actionItem.reference)).toEqual(['AI-1']);
    expect(tracker.issues[0]?.deliveryId).toBe((await item('AI-1')).id);
    expect((await item('AI-1')).trackerUrl).toBe('https://tracker.example.com/browse/OPS-1');

    // It has one now: 409 naming it, nothing sent.
    const again = await fails(409, ana, 'POST', '/api/v1/action-items/AI-1/tracker-issue');
    expect(again.code).toBe('CONFLICT');
    expect(again.details?.trackerUrl).toBe('https://tracker.example.com/browse/OPS-1');
    await t.firebreak.runner.runDueJobs();
    expect(tracker.requests).toBe(1);

    const audit = await ok<{ items: Array<{ action: string }> }>(admin, 'GET', '/api/v1/audit?limit=100');
    expect(audit.items.filter((a) => a.action === 'action-item.tracker-issue-request')).toHaveLength(2);
    expect(audit.items.map((a) => a.action)).toContain('action-item.tracker-issue');
  });

  it('retries a tracker that is down, and refuses closed items', async () => {
    await ok(admin, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: tracker.hookUrl, secret: SECRET });
    tracker.fail(503, 'maintenance');
    await ok(ana, 'POST', '/api/v1/action-items/AI-1/tracker-issue');
    await t.firebreak.runner.runDueJobs();
    expect((await item('AI-1')).trackerUrl).toBeNull();
    expect(await pending()).toHaveLength(1);
    t.clock.advance(60_000);
    await t.firebreak.runner.runDueJobs();
    expect((await item('AI-1')).trackerUrl).toBe('https://tracker.example.com/browse/OPS-1');

    await ok(ana, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Closed one' });
    await ok(ana, 'PATCH', '/api/v1/action-items/AI-2', { status: 'done' });
    expect((await fails(422, ana, 'POST', '/api/v1/action-items/AI-2/tracker-issue')).details?.issues?.map((i) => i.path)).toEqual(['params.item']);
  });
});
