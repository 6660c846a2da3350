import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import type { ApiClient } from '../api-client.js';
import { actOnAlerts, listAlerts, triggerAlert } from './alert.js';

describe('firebreak alert', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeEach(async () => {
    t = await buildTestApp();
    api = clientFor(t, (await t.userWithToken('responder', 'rita')).token);
    await t.firebreak.services.serviceCatalog.create({ actor: systemActor('test'), principal: null }, { handle: 'checkout', name: 'Checkout', description: '', urgency: { critical: 'high', error: 'high', warning: 'low', info: 'low' } });
  });
  afterEach(async () => t.close());

  it('triggers, lists, acknowledges by #number and resolves by id', async () => {
    const first = capture();
    const alert = await triggerAlert(api, { service: 'checkout', title: 'Checkout is slow', severity: 'warning', dedupKey: 'slow' }, first.out);
    expect(first.text()).toBe('Alert #1 triggered (new), dedup key slow\n');
    const again = capture();
    await triggerAlert(api, { service: 'checkout', title: 'Checkout is slow', dedupKey: 'slow' }, again.out);
    expect(again.text()).toBe('Alert #1 triggered (2 events), dedup key slow\n');

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
