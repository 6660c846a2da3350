import { Agent } from 'node:https';
import { trigger } from '@pagerduty/pdjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationInputSchema, serviceInputSchema } from '../../src/contracts/alerts.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { ManualClock } from '../../src/server/platform/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { selfSignedCertificate, startTlsProxy, type TlsProxy } from '../support/tls-proxy.js';

/**
 * The per-integration intake rate limit (FIREBREAK_INTAKE_RATE_LIMIT, a token bucket per integration
 * per node) under a burst: past the limit each format answers 429 with `Retry-After` in its own error
 * shape and stores nothing, never 5xx; other integrations are not affected; and the integration takes
 * events again once the time in `Retry-After` has passed. The clock is a ManualClock, so the bucket
 * refills only when the test says so and the counts are exact.
 */

const LIMIT = 20;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

describe('intake rate limit per integration', () => {
  let server: TestServer;
  const clock = new ManualClock('2026-11-21T05:00:00Z');
  let keys: { a: string; b: string; am: string };

  const post = async (path: string, body: unknown): Promise<Answer> => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
  };
  const enqueue = (routingKey: string, dedupKey: string) =>
    post('/v2/enqueue', { routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: `Burst ${dedupKey}`, source: 'burst', severity: 'warning' } });
  const amGroup = (groupKey: string) =>
    post(`/integrations/alertmanager/${keys.am}`, {
      version: '4', groupKey, status: 'firing', receiver: 'firebreak', groupLabels: {}, commonLabels: { alertname: 'Burst' }, commonAnnotations: {}, externalURL: 'http://alertmanager.test', truncatedAlerts: 0,
      alerts: [{ status: 'firing', labels: { alertname: 'Burst' }, annotations: {}, startsAt: '2026-11-21T05:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'f0000000000000001' }],
    });
  const storedKeys = async (prefix: string): Promise<string[]> =>
    (await server.firebreak.services.database.db.selectFrom('alerts').select('dedup_key').where('dedup_key', 'like', `${prefix}%`).execute()).map((r) => r.dedup_key);

  beforeAll(async () => {
    server = await startTestServer({ webRoot: null, clock, env: { FIREBREAK_INTAKE_RATE_LIMIT: String(LIMIT) } });
    const { serviceCatalog } = server.firebreak.services;
    const acting = { actor: systemActor('test'), principal: null };
    // Through the contracts' schemas, which fill in the defaults the API would.
    await serviceCatalog.create(acting, serviceInputSchema.parse({ handle: 'checkout', name: 'Checkout API' }));
    const integration = (type: string, name: string) => serviceCatalog.createIntegration(acting, 'checkout', integrationInputSchema.parse({ type, name }));
    const a = await integration('events-v2', 'Noisy');
    const b = await integration('events-v2', 'Quiet');
    const am = await integration('alertmanager', 'Prometheus');
    keys = { a: a.key, b: b.key, am: am.key };
  });

  afterAll(async () => server?.stop());

  it('a concurrent burst past the limit gets exactly the limit accepted and 429 with Retry-After for the rest, storing only what it accepted', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => enqueue(keys.a, `burst-${i}`)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100 - LIMIT);
    const throttled = answers.filter((r) => r.status === 429);
    for (const r of throttled) {
      // LIMIT per minute: one event every 3 s.
      expect(r.retryAfter).toBe('3');
      expect(r.body).toEqual({ status: 'throttle event', message: 'Too many events for this integration; retry after 3 s', errors: [] });
    }
    const accepted = answers.flatMap((r, i) => (r.status === 202 ? [`burst-${i}`] : []));
    expect((await storedKeys('burst-')).sort()).toEqual(accepted.sort());

    // Another integration of the same service has its own bucket.
    expect((await enqueue(keys.b, 'quiet-1')).status).toBe(202);
  });

  it('takes events again once Retry-After has passed, and a full burst again after a minute', async () => {
    const refused = await enqueue(keys.a, 'early');
    expect([refused.status, refused.retryAfter]).toEqual([429, '3']);

    // Each refusal's Retry-After counts from that refusal, rounded up to whole seconds.
    clock.advance(2_999);
    const tooEarly = await enqueue(keys.a, 'too-early');
    expect([tooEarly.status, tooEarly.retryAfter]).toEqual([429, '1']);
    clock.advance(1_000);
    expect((await enqueue(keys.a, 'recovered-1')).status).toBe(202);
    // One token came back, not more.
    expect((await enqueue(keys.a, 'recovered-2')).status).toBe(429);

    clock.advance(60_000);
    const burst = await Promise.all(Array.from({ length: LIMIT }, (_, i) => enqueue(keys.a, `second-burst-${i}`)));
    expect(burst.map((r) => r.status)).toEqual(Array.from({ length: LIMIT }, () => 202));
    expect((await enqueue(keys.a, 'after-second-burst')).status).toBe(429);
    expect(await storedKeys('early')).toEqual([]);
    expect(await storedKeys('too-early')).toEqual([]);
    expect(await storedKeys('recovered-')).toEqual(['recovered-1']);
  });

  it('Alertmanager gets 429 with Retry-After in Firebreak’s error shape (it retries 429s), then recovers', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i <= LIMIT; i++) answers.push(await amGroup(`{}:{burst="${i}"}`));
    expect(answers.slice(0, LIMIT).map((r) => r.status)).toEqual(Array.from({ length: LIMIT }, () => 200));
    const last = answers[LIMIT] as Answer;
    expect(last.status).toBe(429);
    expect(last.retryAfter).toBe('3');
    expect(last.body).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 3 }, errorId: expect.any(String) });
    clock.advance(3_000);
    expect((await amGroup('{}:{burst="recovered"}')).status).toBe(200);
  });

  describe('with the real PagerDuty client', () => {
    let proxy: TlsProxy;
    let agent: Agent;

    beforeAll(async () => {
      const certificate = selfSignedCertificate();
      proxy = await startTlsProxy(server.url, certificate);
      agent = new Agent({ ca: certificate.cert });
    });
    afterAll(async () => {
      agent?.destroy();
      await proxy?.close();
    });

    it('pdjs waits after a 429 and retries, and its retry is accepted once the bucket has refilled', async () => {
      // Use up the bucket so pdjs's first attempt is refused.
      clock.advance(60_000);
      await Promise.all(Array.from({ length: LIMIT }, (_, i) => enqueue(keys.b, `fill-${i}`)));
      expect((await enqueue(keys.b, 'full')).status).toBe(429);

      const before = proxy.requests.length;
      // pdjs retries a 429 after `retryTimeout` ms (20 s by default), up to three times.
      const sent = trigger({ server: proxy.host, agent, retryTimeout: 200, data: { routing_key: keys.b, event_action: 'trigger', dedup_key: 'pdjs-after-429', payload: { summary: 'Retried', source: 'pdjs', severity: 'error' } } } as Parameters<typeof trigger>[0]);
      // Refill the bucket only once the first attempt has been refused, so the retry is what succeeds.
      for (let waited = 0; proxy.requests.slice(before).every((r) => r.status !== 429); waited += 10) {
        if (waited > 10_000) throw new Error(`pdjs's first attempt was not refused: ${JSON.stringify(proxy.requests.slice(before))}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      clock.advance(3_000);
      const response = await sent;
      expect([response.status, response.data]).toEqual([202, { status: 'success', message: 'Event processed', dedup_key: 'pdjs-after-429' }]);
      expect(proxy.requests.slice(before).map((r) => [r.path, r.status])).toEqual([
        ['/v2/enqueue', 429],
        ['/v2/enqueue', 202],
      ]);
      expect(await storedKeys('pdjs-after-429')).toEqual(['pdjs-after-429']);
    });
  });
});
