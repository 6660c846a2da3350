import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contracts/alerts.js';
import type { ContactMethod } from '../../src/contracts/notify.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { codeIn } from '../support/people.js';
import { checkRules, prometheusAvailable, startPrometheusStack, type PrometheusStack } from '../support/prometheus.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

/**
 * Paging end to end with the real senders (like prometheus-alertmanager.test.ts): a Prometheus rule
 * fires, a real Alertmanager posts it to Firebreak, and the person on call in the service's schedule is
 * paged by email through a real SMTP relay (the sink). She acknowledges with the link in that email
 * the way a browser does — opening it shows a confirmation (GET changes nothing), the button POSTs an
 * empty form — and when the rule stops firing the alert resolves and she gets one "Resolved" email.
 * The server runs on the wall clock (level 1 pages at once; nothing here waits for a delay).
 */

interface TimelineItem {
  summary: string;
}

const available = prometheusAvailable();

describe.skipIf(!available)('real Prometheus and Alertmanager paging the on-call person by email', () => {
  let server: TestServer | null = null;
  let stack: PrometheusStack | null = null;
  let sink: SmtpSink;
  const tokens: Record<string, string> = {};

  const api = async <T>(who: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const response = await fetch(`${server?.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${tokens[who]}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    expect(response.status, `${init.method ?? 'GET'} ${path}: ${text}`).toBeLessThan(300);
    return (text ? JSON.parse(text) : null) as T;
  };
  const logs = () => stack?.logs() ?? '';

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({ webRoot: null, env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_JOB_POLL_MS: '200' } });
    const { catalog, auth, database } = server.firebreak.services;
    const acting = { actor: systemActor('test'), principal: null };
    for (const [handle, role] of [['admin', 'admin'], ['ana', 'responder']] as const) {
      const user = await catalog.createUser(acting, { handle, name: handle === 'ana' ? 'Ana' : 'Test admin', email: `${handle}@example.test`, timeZone: 'UTC', role });
      tokens[handle] = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, user.id), 'test', systemActor('test'));
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    await sink?.close();
  });

  it('pages ana (on call) by email, she acknowledges with its link, and the resolved notice follows the rule', { timeout: 120_000 }, async () => {
    // Ana verifies her email with the code the relay received, and is on call in `primary`.
    const method = await api<ContactMethod>('ana', '/api/v1/me/contact-methods', { method: 'POST', body: { type: 'email', address: 'ana@example.com' } });
    await api('ana', `/api/v1/me/contact-methods/${method.id}/verification`, { method: 'POST' });
    const code = codeIn(await sink.waitFor((m) => m.envelope.to.includes('ana@example.com'), 20_000));
    await api('ana', `/api/v1/me/contact-methods/${method.id}/verify`, { method: 'POST', body: { code } });
    await api('admin', '/api/v1/schedules', {
      method: 'POST',
      body: { handle: 'primary', name: 'Checkout primary', timeZone: 'UTC', layers: [{ name: 'Primary', participants: ['ana'], start: new Date(Date.now() - 7 * 86_400_000).toISOString(), handoffTime: '00:00', turn: { unit: 'weeks', count: 52 } }] },
    });
    await api('admin', '/api/v1/escalation-policies', { method: 'POST', body: { handle: 'checkout', name: 'Checkout', levels: [{ delayMinutes: 10, targets: [{ type: 'schedule', ref: 'primary' }] }], repeat: 0 } });
    await api('admin', '/api/v1/services', { method: 'POST', body: { handle: 'checkout', name: 'Checkout API', escalationPolicy: 'checkout' } });
    const integration = await api<{ url: string }>('admin', '/api/v1/services/checkout/integrations', { method: 'POST', body: { type: 'alertmanager', name: 'Prometheus' } });
    sink.clear();

    stack = await startPrometheusStack(integration.url);
    expect(checkRules(stack.ruleFile)).toContain('SUCCESS');

    // The page: to ana, naming the alert, with an Acknowledge link.
    const page = await sink.waitFor((m) => m.headers['x-firebreak-kind'] === 'page', 45_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs()}`);
    });
    expect(page.envelope.to).toEqual(['ana@example.com']);
    const number = Number(/^#(\d+) Firebreak end-to-end test alert$/.exec(page.subject)?.[1]);
    expect(number, page.subject).toBeGreaterThan(0);
    const alert = await api<Alert>('admin', `/api/v1/alerts/${number}`);
    expect(alert).toMatchObject({ status: 'triggered', serviceHandle: 'checkout', severity: 'critical' });
    const ackLink = /^Acknowledge: (\S+)$/m.exec(page.text)?.[1] ?? '';
    expect(ackLink, page.text).toMatch(new RegExp(`^${server!.url.replace(/[.]/g, '\\.')}/a/[A-Za-z0-9_-]+$`));

    // Opening the link (a mail scanner or the browser) only asks; the alert is still triggered.
    const opened = await fetch(ackLink);
    const confirmation = await opened.text();
    expect(opened.status).toBe(200);
    expect(confirmation).toContain(`Acknowledge alert #${number}`);
    expect(confirmation).toContain('<form method="post"');
    expect((await api<Alert>('admin', `/api/v1/alerts/${number}`)).status).toBe('triggered');

    // The button: an empty urlencoded form POSTed to the form's action (the same path).
    const action = /<form method="post" action="([^"]+)"/.exec(confirmation)?.[1] ?? '';
    expect(`${server!.url}${action}`).toBe(ackLink);
    const pressed = await fetch(`${server!.url}${action}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server!.url }, body: '' });
    expect(pressed.status, await pressed.clone().text()).toBe(200);
    expect(await pressed.text()).toContain('recorded as @ana');
    expect((await api<Alert>('admin', `/api/v1/alerts/${number}`)).status).toBe('acknowledged');
    // Used once: the same link changes nothing more.
    expect((await fetch(ackLink, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status).toBe(410);

    // The rule stops firing: Alertmanager resolves, Firebreak resolves, ana hears it once.
    await stack.stopFiring();
    const notice = await sink.waitFor((m) => m.subject === `Resolved: #${number} Firebreak end-to-end test alert`, 45_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs()}`);
    });
    expect(notice.envelope.to).toEqual(['ana@example.com']);
    expect(notice.text).toContain('Prometheus');
    expect((await api<Alert>('admin', `/api/v1/alerts/${number}`))).toMatchObject({ status: 'resolved', resolvedBy: 'Prometheus' });

    const timeline = (await api<{ items: TimelineItem[] }>('admin', `/api/v1/alerts/${alert.id}/timeline`)).items.map((e) => e.summary);
    expect(timeline).toEqual(expect.arrayContaining([expect.stringMatching(/^Paged @ana by email \(level 1\)$/), expect.stringMatching(/Acknowledged by @ana via email link/)]));
    // One page and one resolved notice, nothing else, to anyone.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sink.messages.map((m) => [m.envelope.to, m.subject])).toEqual([
      [['ana@example.com'], page.subject],
      [['ana@example.com'], notice.subject],
    ]);
  });
});
