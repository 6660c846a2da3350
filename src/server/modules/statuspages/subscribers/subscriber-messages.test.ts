import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeSlack, noticeSubject, signWebhook, type Notice } from './subscriber-messages.js';
import { hears } from './subscriber.service.js';

const notice = (over: Partial<Notice> = {}): Notice => ({
  eventId: 'evt1',
  type: 'incident',
  viaIncident: false,
  page: { id: 'p1', name: 'Acme', url: 'https://status.acme.example', timeZone: 'UTC', statusIndicator: 'minor', statusDescription: 'Minor Service Outage' },
  title: 'Checkout errors',
  statusWord: 'Investigating',
  body: 'Looking.',
  componentIds: ['api', 'platform'],
  components: [{ name: 'API', change: null }],
  window: null,
  link: 'https://status.acme.example/incidents/i1',
  at: Date.parse('2026-11-21T09:00:00Z'),
  webhook: {},
  ...over,
});

describe('subscriber messages', () => {
  it('names page, status and incident in the subject, cut to 50 characters', () => {
    expect(noticeSubject(notice())).toBe('[Acme Status] Investigating: Checkout errors');
    const long = noticeSubject(notice({ title: 'A very long incident name that goes on and on and on' }));
    expect(long).toHaveLength(50);
    expect(long.endsWith('…')).toBe(true);
  });

  it('signs "<t>.<body>" with HMAC-SHA256 and the time in Unix seconds', () => {
    const body = '{"a":1}';
    const header = signWebhook('whsec_test', body, Date.parse('2026-11-21T09:00:00.900Z'));
    const t = Math.floor(Date.parse('2026-11-21T09:00:00Z') / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', 'whsec_test').update(`${t}.${body}`).digest('hex')}`);
  });

  it('escapes Slack mrkdwn control characters', () => {
    expect(escapeSlack('<b> & <!channel>')).toBe('&lt;b&gt; &amp; &lt;!channel&gt;');
  });

  it.each([
    ['no components chosen hears everything', notice(), 'email', [], true],
    ['a chosen component the incident affects', notice(), 'email', ['api'], true],
    ['a chosen group of an affected component', notice(), 'email', ['platform'], true],
    ['another component', notice(), 'email', ['web'], false],
    ['an incident naming no public component reaches everyone', notice({ componentIds: [] }), 'email', ['web'], true],
    ['a component change of another component', notice({ type: 'component', componentIds: ['api'] }), 'email', ['web'], false],
    ['a change made by an incident update: not by mail', notice({ type: 'component', viaIncident: true }), 'email', [], false],
    ['a change made by an incident update: to webhooks', notice({ type: 'component', viaIncident: true }), 'webhook', ['api'], true],
  ] as const)('%s', (_name, n, kind, components, expected) => {
    expect(hears(n, kind, components)).toBe(expected);
  });
});
