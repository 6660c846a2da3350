import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { requestsAs, type Person } from '../../../test/support/people.js';
import type { ApiClient } from '../api-client.js';
import { addResponders, escalateAlert, triggerAlert } from './alert.js';

// `firebreak alert escalate` and `firebreak alert add-responder` against the real app. Nobody here has a
// verified contact method, so the pages cannot be sent; what the commands print and the escalation do
// not depend on that.
describe('firebreak alert escalate / add-responder', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: Person;

  beforeEach(async () => {
    t = await buildTestApp();
    admin = await t.userWithToken('admin', 'root');
    api = clientFor(t, (await t.userWithToken('responder', 'rita')).token);
    await t.userWithToken('responder', 'ben');
    await t.userWithToken('responder', 'cho');
    const { ok } = requestsAs(() => t);
    await ok('POST', '/api/v1/escalation-policies', admin, { handle: 'platform', name: 'Platform', levels: [{ delayMinutes: 10, targets: [{ type: 'user', ref: 'rita' }] }, { delayMinutes: 15, targets: [{ type: 'user', ref: 'ben' }] }], repeat: 0 });
    await ok('POST', '/api/v1/escalation-policies', admin, { handle: 'db', name: 'Databases', levels: [{ delayMinutes: 5, targets: [{ type: 'user', ref: 'cho' }] }], repeat: 0 });
    await ok('POST', '/api/v1/services', admin, { handle: 'checkout', name: 'Checkout', escalationPolicy: 'platform' });
  });
  afterEach(async () => t.close());

  it('escalates to the next level and says who is paged and when the next step is', async () => {
    await triggerAlert(api, { service: 'checkout', title: 'Disk full', severity: 'critical', dedupKey: 'disk' }, capture().out);
    const first = capture();
    await escalateAlert(api, '#1', first.out);
    expect(first.text()).toBe('Alert #1 escalated to level 2: paging @ben; next step 2026-11-02T10:15:00.000Z\n');
    const second = capture();
    await escalateAlert(api, '#1', second.out);
    expect(second.text()).toBe('Alert #1 escalated past its last level (escalation exhausted)\n');
    await expect(escalateAlert(api, '#1', capture().out)).rejects.toThrow(/escalation is exhausted/);
  });

  it('adds users and policies as responders, refusing a call without targets before calling the server', async () => {
    await triggerAlert(api, { service: 'checkout', title: 'Disk full', severity: 'critical', dedupKey: 'disk' }, capture().out);
    const added = capture();
    await addResponders(api, '1', { user: ['ben'], policy: ['db'], message: 'help' }, added.out);
    expect(added.text()).toBe('Added to alert 1: @ben, @cho (policy Databases)\n');
    await expect(addResponders(api, '1', {}, capture().out)).rejects.toThrow(/at least one --user or --policy/);
    await expect(addResponders(api, '1', { user: ['nobody'] }, capture().out)).rejects.toThrow(/no active user `nobody`/);
  });
});
