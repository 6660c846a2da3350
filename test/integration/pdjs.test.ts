import { Agent } from 'node:https';
import { acknowledge, change, event, resolve, trigger } from '@pagerduty/pdjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contracts/alerts.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { ManualClock } from '../../src/server/platform/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { selfSignedCertificate, startTlsProxy, type TlsProxy } from '../support/tls-proxy.js';

/**
 * The real PagerDuty client, `@pagerduty/pdjs` v2, pointed at Firebreak by changing nothing but its
 * `server` option. pdjs always builds `https://${server}/v2/enqueue`, so Firebreak sits behind a local
 * TLS-terminating proxy with a throwaway self-signed certificate, which pdjs trusts through the
 * `agent` option it hands to its fetch (node-fetch, through cross-fetch). Its parsed answers must be
 * PagerDuty's documented bodies, so code written against PagerDuty keeps working.
 */

/** pdjs's own types, which its index does not re-export. */
type EventParameters = Parameters<typeof trigger>[0];
type EventResponse = Awaited<ReturnType<typeof trigger>>;

interface TimelineItem {
  kind: string;
  action: string;
  actor: string | null;
}

describe('@pagerduty/pdjs against Firebreak over HTTPS', () => {
  let server: TestServer;
  let proxy: TlsProxy;
  let agent: Agent;
  let token = '';
  let routingKey = '';
  const clock = new ManualClock('2026-11-21T05:00:00Z');

  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    return { status: response.status, body: (await response.json()) as T };
  };
  const alertByKey = async (dedupKey: string): Promise<Alert | undefined> =>
    (await api<{ items: Alert[] }>(`/api/v1/alerts?status=triggered,acknowledged,resolved&limit=500`)).body.items.find((a) => a.dedupKey === dedupKey);
  /** What pdjs callers pass: the host, and (for a private CA) the agent its fetch uses. */
  const via = () => ({ server: proxy.host, agent }) as Partial<EventParameters>;
  /** pdjs's answer as its callers read it: the HTTP status and the parsed body on `data`. */
  const seen = (response: EventResponse) => ({ status: response.status, ok: response.ok, data: response.data as unknown });

  beforeAll(async () => {
    server = await startTestServer({ webRoot: null, clock });
    const { catalog, auth, database } = server.firebreak.services;
    const acting = { actor: systemActor('test'), principal: null };
    const user = await catalog.createUser(acting, { handle: 'admin', name: 'Test admin', email: 'admin@example.test', timeZone: 'UTC', role: 'admin' });
    token = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, user.id), 'test', systemActor('test'));
    expect((await api('/api/v1/services', { method: 'POST', body: JSON.stringify({ handle: 'checkout', name: 'Checkout API' }) })).status).toBe(201);
    const integration = await api<{ key: string }>('/api/v1/services/checkout/integrations', { method: 'POST', body: JSON.stringify({ type: 'events-v2', name: 'Incident platform' }) });
    expect(integration.status).toBe(201);
    routingKey = integration.body.key;

    const certificate = selfSignedCertificate();
    proxy = await startTlsProxy(server.url, certificate);
    agent = new Agent({ ca: certificate.cert });
  });

  afterAll(async () => {
    agent?.destroy();
    await proxy?.close();
    await server?.stop();
  });

  it('trigger, acknowledge and resolve open, acknowledge and resolve one alert, answered with PagerDuty’s bodies', async () => {
    const triggered = await trigger({
      ...via(),
      data: {
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: 'INC-42',
        payload: {
          summary: '[SEV1] checkout-api error rate > 5%',
          source: 'incident-platform',
          severity: 'critical',
          timestamp: '2026-11-21T05:00:00.000Z',
          component: 'checkout-api',
          group: 'payments',
          class: 'error_rate',
          custom_details: { incident_id: 'INC-42' },
        },
        links: [{ href: 'https://status.example.com/incidents/INC-42', text: 'Incident INC-42' }],
        images: [{ src: 'https://grafana.example.com/render/panel.png', href: 'https://grafana.example.com/d/abc', alt: 'Error rate' }],
      },
    });
    expect(seen(triggered)).toEqual({ status: 202, ok: true, data: { status: 'success', message: 'Event processed', dedup_key: 'INC-42' } });
    // It really went over TLS, as pdjs sends it: its own user agent, to the root path.
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v2/enqueue', headers: { 'user-agent': expect.stringMatching(/^pdjs\/2\./) } });

    let alert = await alertByKey('INC-42');
    expect(alert).toMatchObject({
      status: 'triggered',
      title: '[SEV1] checkout-api error rate > 5%',
      source: 'incident-platform',
      severity: 'critical',
      urgency: 'high',
      serviceHandle: 'checkout',
      eventCount: 1,
      labels: expect.objectContaining({ component: 'checkout-api' }),
      links: [{ href: 'https://status.example.com/incidents/INC-42', text: 'Incident INC-42' }],
      images: [{ src: 'https://grafana.example.com/render/panel.png', href: 'https://grafana.example.com/d/abc', alt: 'Error rate' }],
    });

    // pdjs users acknowledge and resolve with only the routing and dedup keys.
    clock.advance(60_000);
    const acked = await acknowledge({ ...via(), data: { routing_key: routingKey, dedup_key: 'INC-42' } } as EventParameters);
    expect(seen(acked)).toEqual({ status: 202, ok: true, data: { status: 'success', message: 'Event processed', dedup_key: 'INC-42' } });
    alert = await alertByKey('INC-42');
    expect(alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Incident platform', acknowledgedAt: '2026-11-21T05:01:00.000Z' });

    clock.advance(60_000);
    const resolved = await resolve({ ...via(), data: { routing_key: routingKey, dedup_key: 'INC-42' } } as EventParameters);
    expect(seen(resolved)).toEqual({ status: 202, ok: true, data: { status: 'success', message: 'Event processed', dedup_key: 'INC-42' } });
    alert = await alertByKey('INC-42');
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'Incident platform', resolvedAt: '2026-11-21T05:02:00.000Z', eventCount: 3 });

    const timeline = await api<{ items: TimelineItem[] }>(`/api/v1/alerts/${alert?.id}/timeline`);
    expect(timeline.body.items.map((e) => [e.kind, e.action, e.actor])).toEqual([
      ['event', 'trigger', 'Incident platform'],
      ['event', 'acknowledge', 'Incident platform'],
      ['event', 'resolve', 'Incident platform'],
    ]);
  });

  it('the listener is real TLS: without the agent that trusts the test certificate, pdjs refuses it', async () => {
    const before = proxy.requests.length;
    await expect(trigger({ server: proxy.host, data: { routing_key: routingKey, event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'info' } } })).rejects.toThrow(/self[- ]signed certificate/);
    expect(proxy.requests.length).toBe(before);
  });

  it('a trigger without a dedup key gets one generated and returned, which pdjs can then resolve', async () => {
    const triggered = await trigger({ ...via(), data: { routing_key: routingKey, event_action: 'trigger', payload: { summary: 'Queue depth high', source: 'worker-3', severity: 'warning' } } });
    expect(triggered.status).toBe(202);
    const data = triggered.data as { status: string; message: string; dedup_key: string };
    expect(data).toEqual({ status: 'success', message: 'Event processed', dedup_key: expect.any(String) });
    expect(data.dedup_key.length).toBeGreaterThan(0);
    expect(await alertByKey(data.dedup_key)).toMatchObject({ status: 'triggered', title: 'Queue depth high', severity: 'warning' });

    const resolved = await resolve({ ...via(), data: { routing_key: routingKey, dedup_key: data.dedup_key } } as EventParameters);
    expect(seen(resolved).data).toEqual({ status: 'success', message: 'Event processed', dedup_key: data.dedup_key });
    expect(await alertByKey(data.dedup_key)).toMatchObject({ status: 'resolved' });
  });

  it('a change event goes to /v2/change/enqueue, is recorded on the service and opens no alert', async () => {
    const before = (await api<{ items: Alert[] }>('/api/v1/alerts?status=triggered,acknowledged,resolved&limit=500')).body.items.length;
    const sent = await change({
      ...via(),
      data: {
        routing_key: routingKey,
        payload: { summary: 'Deployed checkout v1.4.2', source: 'github-actions', timestamp: '2026-11-21T04:58:00.000Z', custom_details: { build: 1423 } },
        links: [{ href: 'https://github.com/acme/checkout/pull/42', text: 'PR #42' }],
      },
    } as unknown as EventParameters);
    expect(seen(sent)).toEqual({ status: 202, ok: true, data: { status: 'success', message: 'Change event processed' } });
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v2/change/enqueue', status: 202 });
    const changes = await api<{ items: Array<Record<string, unknown>> }>('/api/v1/services/checkout/changes');
    expect(changes.status).toBe(200);
    expect(changes.body.items[0]).toMatchObject({
      summary: 'Deployed checkout v1.4.2',
      source: 'github-actions',
      timestamp: '2026-11-21T04:58:00.000Z',
      links: [{ href: 'https://github.com/acme/checkout/pull/42', text: 'PR #42' }],
    });
    expect((await api<{ items: Alert[] }>('/api/v1/alerts?status=triggered,acknowledged,resolved&limit=500')).body.items).toHaveLength(before);
  });

  it('an invalid event and an unknown routing key get PagerDuty’s error body, which pdjs returns without throwing', async () => {
    const invalid = await event({ ...via(), data: { routing_key: routingKey, event_action: 'trigger', payload: { source: 'worker-3', severity: 'fatal' } } } as unknown as EventParameters);
    expect(invalid.status).toBe(400);
    expect(invalid.ok).toBe(false);
    const body = invalid.data as { status: string; message: string; errors: string[] };
    expect(body).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: expect.any(Array) });
    // Each error names its field, as PagerDuty's do.
    expect(body.errors.some((e) => e.startsWith('payload.summary'))).toBe(true);
    expect(body.errors.some((e) => e.startsWith('payload.severity'))).toBe(true);

    const unknown = await trigger({ ...via(), data: { routing_key: '0'.repeat(32), event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'info' } } });
    expect(unknown.status).toBe(404);
    expect(unknown.data).toMatchObject({ status: 'invalid event', message: 'Invalid routing key', errors: [expect.stringMatching(/^routing_key/)] });
  });
});
