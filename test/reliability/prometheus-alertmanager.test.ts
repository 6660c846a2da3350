import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contracts/alerts.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { checkRules, prometheusAvailable, startPrometheusStack, type PrometheusStack } from '../support/prometheus.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The whole path with the real senders: a Prometheus rule fires, Prometheus hands the alert to a real
 * Alertmanager, whose webhook (send_resolved: true) posts it to Firebreak. Switching the rule off
 * resolves it in Prometheus, then in Alertmanager, then in Firebreak.
 */

interface TimelineItem {
  kind: string;
  action: string;
  actor: string;
  summary: string;
}

const available = prometheusAvailable();

describe.skipIf(!available)('real Prometheus and Alertmanager into Firebreak', () => {
  let server: TestServer | null = null;
  let stack: PrometheusStack | null = null;
  let token = '';

  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${server?.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  /** Polls the alert list every 500 ms until `match` finds one, or fails with both senders' logs. */
  const waitForAlert = async (query: string, match: (alert: Alert) => boolean, timeoutMs: number): Promise<Alert> => {
    const deadline = Date.now() + timeoutMs;
    let last: Alert[] = [];
    for (;;) {
      last = (await api<{ items: Alert[] }>(`/api/v1/alerts${query}`)).body.items;
      const found = last.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching alert within ${timeoutMs} ms; alerts: ${JSON.stringify(last)}\n${stack?.logs() ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  beforeAll(async () => {
    server = await startTestServer({ webRoot: null });
    const { catalog, auth, database } = server.firebreak.services;
    const acting = { actor: systemActor('test'), principal: null };
    const user = await catalog.createUser(acting, { handle: 'admin', name: 'Test admin', email: 'admin@example.test', timeZone: 'Europe/Lisbon', role: 'admin' });
    token = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, user.id), 'test', systemActor('test'));
  });

  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
  });

  it('a firing rule opens an alert with its member alert, which resolves when the rule stops firing', { timeout: 90_000 }, async () => {
    const service = await api('/api/v1/services', { method: 'POST', body: JSON.stringify({ handle: 'checkout', name: 'Checkout API' }) });
    expect(service.status, JSON.stringify(service.body)).toBe(201);
    const integration = await api<{ key: string; url: string }>('/api/v1/services/checkout/integrations', { method: 'POST', body: JSON.stringify({ type: 'alertmanager', name: 'Prometheus' }) });
    expect(integration.status, JSON.stringify(integration.body)).toBe(201);
    expect(integration.body.url).toBe(`${server?.url}/integrations/alertmanager/${integration.body.key}`);

    stack = await startPrometheusStack(integration.body.url);
    expect(checkRules(stack.ruleFile)).toContain('SUCCESS');

    const fired = await waitForAlert('', (a) => a.status === 'triggered' && a.members.length === 1, 30_000);
    expect(fired).toMatchObject({ serviceHandle: 'checkout', severity: 'critical', title: 'Firebreak end-to-end test alert' });
    expect(fired.members[0]).toMatchObject({ status: 'firing', labels: { alertname: 'FirebreakE2E', service: 'checkout-api', severity: 'critical' }, endsAt: null });
    expect(fired.members[0]?.generatorUrl).toContain('/graph?g0.expr=vector%281%29');

    await stack.stopFiring();
    expect(checkRules(stack.ruleFile)).toContain('SUCCESS');

    const resolved = await waitForAlert('?status=resolved', (a) => a.id === fired.id, 30_000);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'Prometheus' });
    expect(resolved.members.map((m) => [m.fingerprint, m.status])).toEqual([[fired.members[0]?.fingerprint, 'resolved']]);
    expect(resolved.members[0]?.endsAt).not.toBeNull();

    const timeline = await api<{ items: TimelineItem[] }>(`/api/v1/alerts/${fired.id}/timeline`);
    // The resolved post changes the member (group), and with no member firing resolves the alert.
    expect(timeline.body.items.map((e) => [e.kind, e.action, e.actor, e.summary])).toEqual([
      ['event', 'trigger', 'Prometheus', 'Triggered: Firebreak end-to-end test alert (1 firing)'],
      ['event', 'group', 'Prometheus', 'Members changed: 1 resolved'],
      ['event', 'resolve', 'Prometheus', 'Resolved by Prometheus: every member resolved'],
    ]);
    // Nothing else was opened: one alert in all, and it is resolved.
    expect((await api<{ items: Alert[] }>('/api/v1/alerts?status=triggered,acknowledged,resolved')).body.items.map((a) => a.id)).toEqual([fired.id]);
  });
});
