import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { requestsAs, type Person } from '../../../test/support/people.js';
import { ManualClock } from '../../server/platform/clock.js';
import { showDrills, startDrill } from './drill.js';

// `firebreak drill start|show` against the real app; rita has no contact method, so the drill's pages
// cannot be sent, which changes nothing in what the report says about the steps.
describe('firebreak drill', () => {
  let t: TestApp;
  let admin: Person;

  beforeEach(async () => {
    t = await buildTestApp({ clock: new ManualClock('2026-11-21T09:00:00Z') });
    admin = await t.userWithToken('admin', 'root');
    await t.userWithToken('responder', 'rita');
    await t.userWithToken('responder', 'ben');
    const { ok } = requestsAs(() => t);
    await ok('POST', '/api/v1/escalation-policies', admin, { handle: 'platform', name: 'Platform', levels: [{ delayMinutes: 10, targets: [{ type: 'user', ref: 'rita' }] }, { delayMinutes: 15, targets: [{ type: 'user', ref: 'ben' }] }], repeat: 0 });
  });
  afterEach(async () => t.close());

  it('starts a drill and reports each step, then the acknowledgement', async () => {
    const api = clientFor(t, admin.token);
    const started = capture();
    const drill = await startDrill(api, 'platform', started.out);
    expect(started.text()).toBe(`Drill #${drill.alertNumber} started: acknowledge it as you would an alert; \`firebreak drill show platform ${drill.alertNumber}\` reports each step\n`);
    await t.firebreak.runner.runDueJobs();
    t.clock.advance(10 * 60_000);
    await t.firebreak.runner.runDueJobs();
    t.clock.advance(60_000);
    await requestsAs(() => t).ok('POST', `/api/v1/alerts/${drill.alertId}/acknowledge`, admin, {});
    const shown = capture();
    await showDrills(api, 'platform', String(drill.alertNumber), shown.out);
    const lines = shown.text().split('\n');
    expect(lines[0]).toBe(`Drill #${drill.alertNumber} of platform: acknowledged; acknowledged by root (API token) after 660 s`);
    expect(lines.slice(1).join('\n')).toMatch(/level 1\s+2026-11-21T09:00:00.000Z\s+@rita\s+escalated\s+600/);
    expect(lines.slice(1).join('\n')).toMatch(/level 2\s+2026-11-21T09:10:00.000Z\s+@ben\s+acknowledged\s+60/);
  });

  it('says when a policy has no drills, and fails naming an unknown policy', async () => {
    const api = clientFor(t, admin.token);
    const shown = capture();
    await showDrills(api, 'platform', undefined, shown.out);
    expect(shown.text()).toBe('No drills of platform yet\n');
    await expect(startDrill(api, 'nope', capture().out)).rejects.toThrow(/Escalation policy `nope` does not exist/);
  });
});
