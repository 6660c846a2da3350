import { describe, expect, it } from 'vitest';
import {
  cadenceOf,
  clockLabel,
  DEFAULT_UPDATE_TEMPLATES,
  formatMinutes,
  reminderDueAt,
  reminderRecipient,
  reminderText,
  renderTemplate,
  stakeholderMessage,
  suggestedTemplate,
  templateProblems,
  templateValues,
  type IncidentFacts,
} from './updates.js';

const at = (iso: string) => Date.parse(iso);
const facts: IncidentFacts = { reference: 'INC-4', title: 'Checkout errors', severity: 'SEV2', status: 'identified', mitigated: false, customerImpact: 'Card payments fail for 20%', summary: '', services: ['checkout'] };

describe('update templates', () => {
  it('fills every placeholder, with spaces inside the braces allowed', () => {
    expect(renderTemplate('{{reference}} is {{ status }} ({{severity}}): {{impact}}', templateValues(facts, at('2026-11-21T10:00:00Z'), 30))).toBe('INC-4 is identified (SEV2): Card payments fail for 20%');
  });

  it('leaves a placeholder without a value as written', () => {
    expect(renderTemplate('{{reference}} {{summary}}', { reference: 'INC-4' })).toBe('INC-4 {{summary}}');
  });

  it('names the next update one cadence ahead in UTC, with the date only when it is another day', () => {
    expect(templateValues(facts, at('2026-11-21T10:00:00Z'), 30).nextUpdateAt).toBe('10:30 UTC');
    expect(templateValues(facts, at('2026-11-21T23:50:00Z'), 30).nextUpdateAt).toBe('2026-11-22 00:20 UTC');
    expect(clockLabel(at('2026-11-21T10:05:00Z'), at('2026-11-21T10:00:00Z'))).toBe('10:05 UTC');
  });

  it('says the impact is being assessed while none is written, and marks mitigation in the status', () => {
    const values = templateValues({ ...facts, customerImpact: '  ', mitigated: true }, at('2026-11-21T10:00:00Z'), 15);
    expect(values.impact).toBe('being assessed');
    expect(values.status).toBe('identified (mitigated)');
  });

  it('the built-in templates use only known placeholders, and unknown ones are named', () => {
    for (const template of Object.values(DEFAULT_UPDATE_TEMPLATES)) expect(templateProblems(template.text)).toEqual([]);
    expect(templateProblems('{{reference}} {{eta}} {{eta}} {{Title}}')).toEqual([expect.stringMatching(/^unknown placeholder \{\{eta\}\}; known: \{\{reference\}\}/), expect.stringMatching(/^unknown placeholder \{\{Title\}\}/)]);
  });

  it.each([
    [0, 'investigating', 'first'],
    [3, 'monitoring', 'update'],
    [0, 'resolved', 'all_clear'],
  ] as const)('after %i updates in status %s suggests the %s template', (count, status, kind) => {
    expect(suggestedTemplate(count, status)).toBe(kind);
  });

  it('the all-clear template carries the resolution summary', () => {
    const text = renderTemplate(DEFAULT_UPDATE_TEMPLATES.all_clear.text, templateValues({ ...facts, status: 'resolved', summary: 'Bad deploy of v1.42, rolled back.' }, at('2026-11-21T10:00:00Z'), 30));
    expect(text).toBe('All clear: INC-4 (Checkout errors) is resolved. Bad deploy of v1.42, rolled back.');
  });
});

describe('stakeholder message', () => {
  it('carries the reference, title, severity, status, the text and the link; the subject fits 50 characters', () => {
    const message = stakeholderMessage({ facts: { ...facts, title: 'Checkout errors for card payments in every European region' }, text: ' Rolling back v1.42. ', allClear: false, postedBy: 'ana', postedAt: at('2026-11-21T10:04:59Z'), url: 'https://firebreak.example/incidents/INC-4', reason: 'you follow INC-4' });
    expect(message.subject).toHaveLength(50);
    expect(message.subject.startsWith('[INC-4] SEV2 identified: Checkout errors')).toBe(true);
    expect(message.text).toBe(
      [
        'INC-4: Checkout errors for card payments in every European region',
        'Severity: SEV2 · Status: identified',
        'Services: checkout',
        '',
        'Rolling back v1.42.',
        '',
        'Posted by ana at 2026-11-21 10:04 UTC.',
        'Follow the incident: https://firebreak.example/incidents/INC-4',
        '',
        'You receive this because you follow INC-4.',
      ].join('\n'),
    );
  });

  it('an all clear says so in the subject', () => {
    expect(stakeholderMessage({ facts: { ...facts, status: 'resolved' }, text: 'Fixed', allClear: true, postedBy: null, postedAt: 0, url: 'u', reason: 'r' }).subject).toBe('[INC-4] All clear: Checkout errors');
  });
});

describe('cadence and reminder', () => {
  it('takes the incident’s cadence, else the severity’s, else 30 minutes', () => {
    expect(cadenceOf({ incidentMinutes: 10, severityMinutes: 15 })).toEqual({ minutes: 10, source: 'incident' });
    expect(cadenceOf({ incidentMinutes: null, severityMinutes: 15 })).toEqual({ minutes: 15, source: 'severity' });
    expect(cadenceOf({ incidentMinutes: null, severityMinutes: undefined })).toEqual({ minutes: 30, source: 'default' });
    expect(cadenceOf({ incidentMinutes: null, severityMinutes: 0 })).toEqual({ minutes: 30, source: 'default' });
  });

  it('is due one cadence after the last update, or the declaration, never in the past', () => {
    const now = at('2026-11-21T10:00:00Z');
    expect(reminderDueAt({ lastUpdateAt: at('2026-11-21T09:50:00Z'), declaredAt: at('2026-11-21T09:00:00Z'), cadenceMinutes: 30, now })).toBe(at('2026-11-21T10:20:00Z'));
    expect(reminderDueAt({ lastUpdateAt: null, declaredAt: at('2026-11-21T09:45:00Z'), cadenceMinutes: 30, now })).toBe(at('2026-11-21T10:15:00Z'));
    expect(reminderDueAt({ lastUpdateAt: null, declaredAt: at('2026-11-21T09:00:00Z'), cadenceMinutes: 30, now })).toBe(now);
  });

  it('reminds the communications lead, else the commander, else nobody', () => {
    const commander = { role: 'incident_commander', who: 'ana' };
    const comms = { role: 'communications_lead', who: 'chris' };
    expect(reminderRecipient([commander, comms])).toEqual({ holder: comms, role: 'communications_lead' });
    expect(reminderRecipient([commander, { role: 'scribe', who: 'dev' }])).toEqual({ holder: commander, role: 'incident_commander' });
    expect(reminderRecipient([{ role: 'scribe', who: 'dev' }])).toBeNull();
  });

  it('the reminder says “if nothing has changed, say so”', () => {
    const text = reminderText({ reference: 'INC-4', title: 'Checkout errors', silentMinutes: 30, url: 'https://f/incidents/INC-4', role: 'incident_commander', personName: 'Ana' });
    expect(text.timeline).toBe('No stakeholder update for 30 minutes: if nothing has changed, say so.');
    expect(text.subject).toBe('[INC-4] Stakeholder update due');
    expect(text.text).toContain('the communications lead role is vacant');
  });

  it.each([
    [1, '1 minute'],
    [45, '45 minutes'],
    [60, '1 hour'],
    [75, '1 h 15 min'],
    [120, '2 hours'],
  ])('formats %i minutes as %s', (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});
