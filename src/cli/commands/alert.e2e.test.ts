import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import type { ApiClient } from '../api-client.js';
import { serviceInputSchema } from '../../contracts/alerts.js';
import { actOnAlerts, listAlerts, reassignAlert, snoozeAlert, triggerAlert } from './alert.js';

describe('firebreak alert', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeEach(async () => {
    t = await buildTestApp();
    api = clientFor(t, (await t.userWithToken('responder', 'rita')).token);
    await t.firebreak.services.serviceCatalog.create({ actor: systemActor('test'), principal: null }, serviceInputSchema.parse({ handle: 'checkout', name: 'Checkout' }));
  });
  afterEach(async () => t.close());

  it('reassigns to a person and snoozes, refusing ambiguous options before calling the server', async () => {
    await t.userWithToken('responder', 'alice');
    await triggerAlert(api, { service: 'checkout', title: 'Disk full', dedupKey: 'disk' }, capture().out);
    const reassigned = capture();
    await reassignAlert(api, '#1', { user: 'alice', note: 'yours' }, reassigned.out);
    expect(reassigned.text()).toBe('Alert #1 reassigned to @alice (triggered)\n');
    const snoozed = capture();
    await snoozeAlert(api, '1', { minutes: '45' }, snoozed.out);
    expect(snoozed.text()).toBe('Alert #1 snoozed until 2026-11-02T10:45:00.000Z\n');
    await expect(reassignAlert(api, '#1', {}, capture().out)).rejects.toThrow(/exactly one of --user and --policy/);
    await expect(snoozeAlert(api, '#1', { minutes: '5', until: '2026-11-03T00:00:00Z' }, capture().out)).rejects.toThrow(/exactly one of --minutes and --until/);
    await expect(snoozeAlert(api, '#1', { minutes: 'soon' }, capture().out)).rejects.toThrow(/whole number/);
  });

  it('triggers, lists, acknowledges by #number and resolves by id', async () => {
    const first = capture();
    const alert = await triggerAlert(api, { service: 'checkout', title: 'Checkout is slow', severity: 'warning', dedupKey: 'slow' }, first.out);
    expect(first.text()).toBe('Alert #1 triggered (new), dedup key slow\n');
    const again = capture();
    await triggerAlert(api, { service: 'checkout', title: 'Checkout is slow', dedupKey: 'slow' }, again.out);
    expect(again.text()).toBe('Alert #1 triggered (2 events), dedup key slow\n');

    const backlog = capture();
    await listAlerts(api, { service: 'checkout', urgency: 'backlog' }, backlog.out);
    expect(backlog.text()).not.toContain('Checkout is slow');
    const list = capture();
    await listAlerts(api, { service: 'checkout' }, list.out);
    expect(list.text()).toMatch(/^#\s+STATUS\s+SEVERITY/);
    expect(list.text()).toContain('Checkout is slow');

    const ack = capture();
    await actOnAlerts(api, 'acknowledge', ['#1'], 'on it', ack.out);
    expect(ack.text()).toBe('Alert #1 acknowledged\n');
    const resolve = capture();
    await actOnAlerts(api, 'resolve', [alert.id], undefined, resolve.out);
    expect(resolve.text()).toBe('Alert #1 resolved\n');
    await expect(actOnAlerts(api, 'resolve', ['#1'], undefined, capture().out)).rejects.toThrow(/already resolved/);
  });

  it('refuses an unknown severity before calling the server', async () => {
    await expect(triggerAlert(api, { service: 'checkout', title: 'x', severity: 'fatal' }, capture().out)).rejects.toThrow(/--severity must be one of/);
  });
});
