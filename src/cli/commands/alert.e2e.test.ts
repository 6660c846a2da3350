import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import { ApiClient } from '../api-client.js';
import { actOnAlerts, listAlerts, triggerAlert } from './alert.js';

/** An ApiClient whose requests (with their bodies) go to the in-process app. */
function clientFor(t: TestApp, token: string): ApiClient {
  const fetchViaInject = (async (url: string | URL, init?: RequestInit) => {
    const u = new URL(String(url));
    const res = await t.app.inject({ method: (init?.method ?? 'GET') as 'GET', url: u.pathname + u.search, headers: init?.headers as Record<string, string>, ...(init?.body ? { payload: String(init.body) } : {}) });
    return new Response(res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type'] ?? '') } });
  }) as typeof fetch;
  return new ApiClient({ baseUrl: 'http://firebreak.test', token, fetch: fetchViaInject });
}

function capture(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { out, text: () => text };
}

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
