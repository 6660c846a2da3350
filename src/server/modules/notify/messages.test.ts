import { describe, expect, it } from 'vitest';
import { MAX_SUBJECT_LENGTH } from './channels/channel.js';
import { testMessage, verificationMessage } from './messages.js';

describe('notification message texts', () => {
  const verification = verificationMessage({ code: '042917', personName: 'Ana Lima', type: 'email', addressShown: 'ana@example.com', expiresInMinutes: 15, settingsUrl: 'https://oncall.example.com/settings/contact-methods' });
  const test = testMessage({ personName: 'Ana Lima', type: 'sms', addressShown: '+14155550100', requestedAt: '2026-11-02T10:00:00.000Z', requestedBy: 'ana-lima', settingsUrl: 'https://oncall.example.com/settings/contact-methods' });

  it('keeps every subject within 50 characters and says what the message is', () => {
    for (const message of [verification, test]) expect(message.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(verification.subject).toBe('Firebreak verification code: 042917');
    expect(test.subject).toBe('Firebreak test notification');
  });

  it('puts the code, its lifetime, the address and where to enter it in the verification text', () => {
    expect(verification.text).toContain('042917');
    expect(verification.text).toContain('15 minutes');
    expect(verification.text).toContain('ana@example.com (Email)');
    expect(verification.text).toContain('https://oncall.example.com/settings/contact-methods');
  });

  it('says who asked for a test and when, in UTC', () => {
    expect(test.text).toContain('asked for by ana-lima at 2026-11-02 10:00 UTC');
    expect(test.text).toContain('+14155550100 (SMS)');
  });
});
