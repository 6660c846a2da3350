import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import { ManualClock } from '../../server/platform/clock.js';
import { showOnCall } from './oncall.js';

describe('firebreak oncall', () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ clock: new ManualClock('2026-03-08T16:00:00Z') });
    token = (await t.userWithToken('viewer', 'watcher')).token;
    const acting = { actor: systemActor('test'), principal: null };
    for (const handle of ['ana', 'ben']) await t.userWithToken('responder', handle);
    await t.firebreak.services.oncall.schedules.create(acting, {
      handle: 'ny',
      name: 'NY',
      description: '',
      timeZone: 'America/New_York',
      layers: [{ name: 'Daily', participants: ['ana', 'ben'], start: '2026-03-02T14:00:00Z', handoffTime: '09:00', turn: { unit: 'days', count: 1 }, restrictions: [], advance: 'calendar', shadows: [] }],
    });
  });
  afterEach(async () => t.close());

  it('prints who is on call and until when, in the schedule’s zone and in UTC', async () => {
    const { out, text } = capture();
    await showOnCall(clientFor(t, token), { schedule: 'ny' }, out);
    expect(text()).toBe(
      [
        'On call at 2026-03-08T16:00:00.000Z',
        'SCHEDULE  WHO             SINCE                              UNTIL                              UNTIL (UTC)',
        'ny        ana (Test ana)  2026-03-08 09:00 America/New_York  2026-03-09 09:00 America/New_York  2026-03-09T13:00Z',
        '',
      ].join('\n'),
    );
  });

  it('asks about another instant and refuses two subjects at once', async () => {
    const { out, text } = capture();
    await showOnCall(clientFor(t, token), { at: '2026-03-09T14:00:00Z' }, out);
    expect(text()).toMatch(/ben \(Test ben\)/);
    await expect(showOnCall(clientFor(t, token), { schedule: 'ny', team: 'x' })).rejects.toThrow(/at most one of --schedule, --team or --policy/);
  });
});
