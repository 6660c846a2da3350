import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { serviceInputSchema } from '../../contracts/alerts.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import type { ApiClient } from '../api-client.js';
import { listHeartbeats, parseDuration, setHeartbeat } from './heartbeat.js';

describe('firebreak heartbeat', () => {
  let t: TestApp;
  let api: ApiClient;
  const acting = { actor: systemActor('test'), principal: null };

  beforeEach(async () => {
    t = await buildTestApp();
    api = clientFor(t, (await t.userWithToken('admin', 'ana')).token);
    await t.firebreak.services.serviceCatalog.create(acting, serviceInputSchema.parse({ handle: 'backups', name: 'Backups' }));
  });
  afterEach(async () => t.close());

  it('set changes the schedule by name; list shows status, last ping and deadline', async () => {
    const { key } = await t.firebreak.services.serviceCatalog.createIntegration(acting, 'backups', { type: 'heartbeat', name: 'nightly' });
    const set = capture();
    await setHeartbeat(api, 'backups', 'nightly', { cron: '30 2 * * *', tz: 'Europe/Berlin', grace: '30m', maxRun: '2h' }, set.out);
    expect(set.text()).toBe('Heartbeat nightly: cron "30 2 * * *" in Europe/Berlin, grace 1800 s; status new\n');
    expect((await t.app.inject({ url: `/integrations/heartbeat/${key}` })).statusCode).toBe(200);
    const list = capture();
    const found = await listHeartbeats(api, {}, list.out);
    expect(found).toHaveLength(1);
    // 10:00Z on 2026-11-02 is 11:00 in Berlin: next 02:30 is 01:30Z tomorrow, plus 30 minutes of grace.
    expect(list.text()).toContain('up');
    expect(list.text()).toContain('2026-11-02T10:00Z');
    expect(list.text()).toContain('2026-11-03T02:00Z');
    expect(list.text()).toContain('cron 30 2 * * * Europe/Berlin +1800s grace');
  });

  it('refuses bad input with the server’s reason or a usage error', async () => {
    await t.firebreak.services.serviceCatalog.createIntegration(acting, 'backups', { type: 'heartbeat', name: 'nightly' });
    await expect(setHeartbeat(api, 'backups', 'nightly', { cron: '30 2 * * *', tz: 'Mars/Olympus' }, capture().out)).rejects.toThrow(/timeZone/);
    await expect(setHeartbeat(api, 'backups', 'nightly', {}, capture().out)).rejects.toThrow(/nothing to change/);
    await expect(setHeartbeat(api, 'backups', 'weekly', { every: '1d' }, capture().out)).rejects.toThrow(/no heartbeat integration/);
    expect(() => parseDuration('soon', '--grace')).toThrow(/not a duration/);
    expect(parseDuration('90', '--grace')).toBe(90);
    expect(parseDuration('2h', '--grace')).toBe(7200);
  });
});
