import { describe, expect, inject, it } from 'vitest';
import type { NotificationRules } from '../../src/contracts/notify.js';
import { saveScreenshot, setUpOwner, useBrowserAppWithMail } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('contact methods and notification rules', () => {
  const app = useBrowserAppWithMail();

  it('adds an email method, verifies it with the code from the mail, and edits the rules', async () => {
    const { page, sink } = app;
    await setUpOwner(app);
    await page.goto('/settings');
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Contact methods' }).click();
    await page.getByRole('heading', { name: 'No contact methods yet' }).waitFor();

    await page.getByRole('button', { name: 'New contact method' }).click();
    const form = page.getByRole('form', { name: 'New contact method' });
    await form.getByLabel('Type').selectOption('email');
    await form.getByLabel('Email address').fill('ana.oncall@example.com');
    await form.getByLabel('Label').fill('Pager inbox');
    await form.getByRole('button', { name: 'Add contact method' }).click();
    await form.waitFor({ state: 'detached' });

    const row = page.getByRole('row', { name: /ana\.oncall@example\.com/ });
    await row.getByText('Not verified').waitFor();
    await row.getByRole('button', { name: 'Send code' }).click();
    await row.getByText('Code sent to ana.oncall@example.com.').waitFor();

    // The running server's job runner delivers the code to the SMTP sink.
    const mail = await sink.waitFor((m) => m.envelope.to.includes('ana.oncall@example.com'));
    expect(mail.subject).toMatch(/^Firebreak verification code: \d{6}$/);
    const code = /(\d{6})/.exec(mail.subject)![1]!;
    expect(mail.text).toContain(`Enter the code at ${app.server.config.publicUrl}/settings/contact-methods`);

    const wrong = code === '000000' ? '111111' : '000000';
    await row.getByLabel('Verification code').fill(wrong);
    await row.getByRole('button', { name: 'Verify' }).click();
    await row.getByText(/does not match the code sent to ana\.oncall@example\.com; 4 attempts left/).waitFor();
    await saveScreenshot(page, 'contact-method-wrong-code');

    await row.getByLabel('Verification code').fill(code);
    await row.getByRole('button', { name: 'Verify' }).click();
    await row.getByText('Verified', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Send test' }).waitFor();

    // Rules: high urgency emails at once and again after 5 minutes.
    const high = page.getByRole('group', { name: 'High urgency' });
    await high.getByRole('button', { name: 'Add rule' }).click();
    await high.getByLabel('Contact method, High urgency rule 1').selectOption({ label: 'Pager inbox · ana.oncall@example.com' });
    await high.getByRole('button', { name: 'Add rule' }).click();
    await high.getByLabel('Minutes, High urgency rule 2').fill('5');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByRole('form', { name: 'Notification rules' }).getByRole('status').getByText('Saved.').waitFor();
    await saveScreenshot(page, 'contact-methods-verified-with-rules');

    const stored = await app.context.request.get('/api/v1/me/notification-rules');
    const rules = (await stored.json()) as NotificationRules;
    expect(rules.high.map((r) => [r.delayMinutes, r.contactMethod.address, r.verified])).toEqual([
      [0, 'ana.oncall@example.com', true],
      [5, 'ana.oncall@example.com', true],
    ]);
    expect(rules.warnings).toEqual([]);

    // A test notification goes out through the same delivery path.
    await row.getByRole('button', { name: 'Send test' }).click();
    const test = await sink.waitFor((m) => m.subject === 'Firebreak test notification');
    expect(test.envelope.to).toEqual(['ana.oncall@example.com']);
  });

  it('starts from the account email, warns about an unverified method in the rules, and saves quiet hours', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/settings/contact-methods');
    await page.getByRole('button', { name: 'Use my account email' }).click();
    const row = page.getByRole('row', { name: /ana@example\.com/ });
    await row.getByText('Not verified').waitFor();
    const high = page.getByRole('group', { name: 'High urgency' });
    await high.getByText('Not verified: skipped when paging until you verify it.').waitFor();
    await page.getByText('No high-urgency rule uses a verified contact method').waitFor();

    const settings = page.getByRole('form', { name: 'Quiet hours and handoffs' });
    await settings.getByLabel('Hold low-urgency notifications during quiet hours').check();
    await settings.getByLabel('From').fill('21:30');
    await settings.getByLabel('Until').fill('07:00');
    await settings.getByLabel('Notify me before my on-call shifts start and end').check();
    await settings.getByLabel('Minutes before').fill('30');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByRole('status').getByText('Saved.').waitFor();
    const stored = await (await app.context.request.get('/api/v1/me/notification-settings')).json();
    expect(stored).toMatchObject({ lowUrgencyQuietHours: { start: '21:30', end: '07:00', timeZone: null }, handoffNotifications: { enabled: true, leadMinutes: 30 } });
    await saveScreenshot(page, 'contact-methods-defaults-and-quiet-hours');
  });
});
