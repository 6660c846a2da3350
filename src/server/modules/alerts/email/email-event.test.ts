import { describe, expect, it } from 'vitest';
import { checkEmailSettings, containsKeyword, DEFAULT_EMAIL_SETTINGS, dedupKeyOf, normalizedSubject, readEmail, type EmailSettings, type Mail } from './email-event.js';
import { keyOfAddress, textOfHtml } from './email-intake.service.js';

const mail = (subject: string, text = '', from: string | null = 'nagios@example.com'): Mail => ({ subject, text, from, messageId: '<1@example.com>', date: null });
const settings = (over: Partial<EmailSettings> = {}): EmailSettings => ({ ...DEFAULT_EMAIL_SETTINGS, ...over });

describe('email → event', () => {
  it('subject is the title, text body the description, sender the source; severity error by default', () => {
    expect(readEmail(mail('Disk almost full on db-1', '95% used\n'), settings())).toEqual({
      action: 'trigger',
      dedupKey: 'disk almost full on db-1',
      title: 'Disk almost full on db-1',
      description: '95% used',
      source: 'nagios@example.com',
      severity: 'error',
      labels: { from: 'nagios@example.com' },
      details: { from: 'nagios@example.com', messageId: '<1@example.com>', date: null },
      links: [],
      images: [],
    });
  });

  it('a resolve keyword in the subject resolves the alert the same subject opened', () => {
    const opened = readEmail(mail('PROBLEM: Disk almost full on db-1'), settings({ severity: { ...DEFAULT_EMAIL_SETTINGS.severity, critical: ['CRITICAL', 'PROBLEM'] } }));
    expect(opened).toMatchObject({ action: 'trigger', severity: 'critical' });
    for (const subject of ['RESOLVED: Disk almost full on db-1', 'Re: [OK] Disk almost full on db-1', 'Disk almost full on db-1 - recovered']) {
      const event = readEmail(mail(subject), settings({ severity: { ...DEFAULT_EMAIL_SETTINGS.severity, critical: ['CRITICAL', 'PROBLEM'] } }));
      expect(event, subject).toEqual({ action: 'resolve', dedupKey: opened.dedupKey });
    }
  });

  it('body keywords and acknowledge rules apply when configured', () => {
    const s = settings({ resolve: { subject: [], body: ['State: OK'] }, acknowledge: { subject: ['ACK'], body: [] } });
    expect(readEmail(mail('Backup job', 'Host: db-1\nState: OK\n'), s).action).toBe('resolve');
    expect(readEmail(mail('ACK Backup job'), s)).toEqual({ action: 'acknowledge', dedupKey: 'backup job' });
    expect(readEmail(mail('Backup job', 'State: CRITICAL'), s).action).toBe('trigger');
  });

  it('keywords match whole words case-insensitively, bracketed ones anywhere', () => {
    expect(containsKeyword('Service is ok now', ['OK'])).toBe(true);
    expect(containsKeyword('Service broken', ['OK'])).toBe(false);
    expect(containsKeyword('[ok]disk', ['[OK]'])).toBe(true);
    expect(containsKeyword('UNRESOLVED issue', ['RESOLVED'])).toBe(false);
  });

  it('severity keywords are read from the subject, most severe first', () => {
    expect(readEmail(mail('WARNING and CRITICAL: load'), settings())).toMatchObject({ action: 'trigger', severity: 'critical' });
    expect(readEmail(mail('warning: load high'), settings())).toMatchObject({ severity: 'warning' });
    expect(readEmail(mail('load high'), settings({ defaultSeverity: 'info' }))).toMatchObject({ severity: 'info' });
  });

  it('a dedup key pattern takes its first capture group, else the whole match, else the normalized subject', () => {
    const s = settings({ dedupKeyPattern: 'ticket #(\\d+)' });
    expect(dedupKeyOf('Alert: ticket #4711 opened', s)).toBe('4711');
    expect(dedupKeyOf('RESOLVED ticket #4711 closed', s)).toBe('4711');
    expect(dedupKeyOf('Host db-1 down', settings({ dedupKeyPattern: 'db-\\d+' }))).toBe('db-1');
    expect(dedupKeyOf('No ticket here', s)).toBe('no ticket here');
  });

  it('normalizes subjects: reply prefixes, keywords, empty brackets, punctuation and case', () => {
    expect(normalizedSubject('Fwd: RE:  [OK]  Disk   FULL on db-1 !', settings())).toBe('disk full on db-1 !');
    expect(normalizedSubject('RESOLVED', settings())).toBe('(no subject)');
    expect(readEmail(mail(''), settings())).toMatchObject({ title: '(no subject)', dedupKey: '(no subject)' });
  });

  it('settings validation names the bad pattern', () => {
    expect(checkEmailSettings({ dedupKeyPattern: '(' })).toMatchObject({ ok: false, issues: [{ path: 'dedupKeyPattern' }] });
    const merged = checkEmailSettings({ resolve: { body: ['all clear'] } }, DEFAULT_EMAIL_SETTINGS);
    expect(merged).toMatchObject({ ok: true, settings: { resolve: { subject: DEFAULT_EMAIL_SETTINGS.resolve.subject, body: ['all clear'] } } });
  });

  it('addresses: the local part is the key, plus-tags ignored; HTML-only bodies become text', () => {
    expect(keyOfAddress('abc123@alerts.example.com')).toBe('abc123');
    expect(keyOfAddress('abc123+nagios@x')).toBe('abc123');
    expect(textOfHtml('<p>Disk <b>full</b></p><p>on db-1 &amp; db-2</p><script>x()</script>')).toBe('Disk full\non db-1 & db-2');
  });
});
