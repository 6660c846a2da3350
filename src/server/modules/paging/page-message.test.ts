import { describe, expect, it } from 'vitest';
import { pageMessage, resolvedMessage, type PageMessageInput } from './page-message.js';

const input: PageMessageInput = {
  number: 12,
  title: 'Checkout 5xx rate above 2% for 5 minutes on every region in the EU cluster',
  description: 'p99 latency also up',
  serviceName: 'Checkout',
  severity: 'critical',
  urgency: 'high',
  status: 'triggered',
  eventCount: 3,
  firstSeenAt: '2026-11-02T10:00:00.000Z',
  level: 1,
  round: 0,
  personName: 'Ana',
  runbookUrl: 'https://runbooks.example.com/checkout',
  dashboardUrl: null,
  links: [{ href: 'https://grafana.example.com/d/1', text: 'Grafana' }],
  alertUrl: 'https://firebreak.example.com/alerts/12',
};

describe('page message', () => {
  it('says what is wrong in a subject of at most 50 characters, cut with an ellipsis', () => {
    const { subject } = pageMessage(input);
    expect(subject.length).toBeLessThanOrEqual(50);
    expect(subject).toBe('#12 Checkout 5xx rate above 2% for 5 minutes on e…');
    expect(pageMessage({ ...input, title: 'Disk full' }).subject).toBe('#12 Disk full');
  });

  it('gives details, links, the event count and the alert page in the body', () => {
    const { text } = pageMessage(input);
    expect(text).toContain('Service: Checkout');
    expect(text).toContain('Fired 3 times since 2026-11-02 10:00 UTC');
    expect(text).toContain('Runbook: https://runbooks.example.com/checkout');
    expect(text).toContain('Grafana: https://grafana.example.com/d/1');
    expect(text).toContain('https://firebreak.example.com/alerts/12');
    expect(text).toContain('level 1 of the escalation');
  });

  it('lists the acknowledge and resolve links with their lifetime when given', () => {
    const { text } = pageMessage({ ...input, actionLinks: { acknowledge: 'https://firebreak.example.com/a/ack', resolve: 'https://firebreak.example.com/a/res', expiresAt: Date.parse('2026-11-03T10:00:00Z') } });
    expect(text).toContain('Acknowledge: https://firebreak.example.com/a/ack\nResolve: https://firebreak.example.com/a/res');
    expect(text).toContain('until 2026-11-03 10:00 UTC');
    expect(pageMessage(input).text).not.toContain('/a/');
  });

  it('words the resolved notice with a fitted subject', () => {
    const notice = resolvedMessage({ number: 12, title: input.title, serviceName: 'Checkout', resolvedBy: '@ana via email link', resolvedAt: '2026-11-02T10:30:00.000Z', personName: 'Ana', alertUrl: input.alertUrl });
    expect(notice.subject).toBe('Resolved: #12 Checkout 5xx rate above 2% for 5 mi…');
    expect(notice.subject.length).toBeLessThanOrEqual(50);
    expect(notice.text).toContain('Resolved by @ana via email link at 2026-11-02 10:30 UTC.');
  });

  it('words a page to an added responder as such, not as a level of the escalation', () => {
    const { subject, text } = pageMessage({ ...input, level: null, purpose: { kind: 'responder' } });
    expect(subject).toBe('#12 Checkout 5xx rate above 2% for 5 minutes on e…');
    expect(text).toContain('You were added as a responder to this alert, Ana.');
    expect(text).not.toMatch(/level \d|fallback|You are paged as/);
  });

  it('words an incident responder request as “INC-42 needs you”, with the war room and the acknowledge link', () => {
    const { subject, text } = pageMessage({
      ...input,
      title: 'INC-42 needs you: Checkout errors in every EU region',
      description: '@ben asks for policy Databases in INC-42 (SEV1, investigating): Checkout errors\n\nReplication lag on the primary',
      purpose: { kind: 'incident', incident: 'INC-42', warRoomUrl: 'https://firebreak.example.com/incidents/INC-42' },
      actionLinks: { acknowledge: 'https://firebreak.example.com/a/ack', resolve: 'https://firebreak.example.com/a/res', expiresAt: Date.parse('2026-11-03T10:00:00Z') },
    });
    expect(subject).toBe('INC-42 needs you: Checkout errors in every EU reg…');
    expect(text).toContain('Replication lag on the primary');
    expect(text).toContain('Acknowledge: https://firebreak.example.com/a/ack');
    expect(text).not.toContain('https://firebreak.example.com/a/res');
    expect(text).toContain('War room: https://firebreak.example.com/incidents/INC-42');
    expect(text).toContain('INC-42 needs you, Ana: acknowledge this page to say you are coming');
    expect(text).not.toMatch(/level \d|You are paged as|Service: /);
  });
});
