import { describe, expect, inject, it } from 'vitest';
import { apiAs, owner, setUpOwner, useBrowserAppWithMail } from '../support/browser.js';

/** Stakeholder updates in the war room: subscribers, the composer with its templates, the mail that goes out. */
describe.skipIf(!inject('chromiumPath'))('stakeholder updates', () => {
  const app = useBrowserAppWithMail();

  it('adds subscribers, posts an update from a template, sees it on the timeline and the email arrive', async () => {
    const { page, sink } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/incidents', { title: 'Checkout errors', severity: 'SEV2', impactedServices: ['checkout'], customerImpact: 'Card payments fail for 20%' });
    await page.goto('/incidents/INC-1');

    const updates = page.getByRole('region', { name: 'Stakeholder updates' });
    await updates.getByText(/since declared, no update yet/).waitFor();
    await updates.getByText('No update sent yet.').waitFor();

    const subscribers = page.getByRole('region', { name: 'Subscribers' });
    await subscribers.getByText('No subscribers yet.').waitFor();
    await subscribers.getByLabel('Email address').fill('support-leads@example.com');
    await subscribers.getByRole('button', { name: 'Add subscriber' }).click();
    await subscribers.getByText('Email: support-leads@example.com').waitFor();
    await subscribers.getByRole('button', { name: 'Subscribe me' }).click();
    await subscribers.getByText(`(@${owner.handle})`).waitFor();
    await subscribers.getByRole('button', { name: 'Unsubscribe me' }).waitFor();

    // The template fills the text with the incident's facts; the author finishes it. The running server
    // reads the real clock, so near midnight the next update falls on the next day and names the date.
    await updates.getByLabel('Template').selectOption('first');
    const text = updates.getByLabel('Update', { exact: true });
    expect(await text.inputValue()).toMatch(/^We are investigating Checkout errors \(INC-1, SEV2\)\. Impact: Card payments fail for 20%\. Status: investigating\. Next update by (?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC\.$/);
    await text.fill('We are investigating Checkout errors (INC-1, SEV2). Rolling back v1.42 now.');
    await updates.getByRole('button', { name: 'Send update' }).click();

    await page.getByRole('list', { name: 'Timeline entries' }).getByText('Rolling back v1.42 now.', { exact: false }).waitFor();
    await updates.getByText(/less than a minute since the last update/).waitFor();
    const sent = updates.getByRole('list', { name: 'Updates sent' });
    await sent.getByText('Rolling back v1.42 now.', { exact: false }).waitFor();

    // The running server's job runner mails every subscriber.
    const mail = await sink.waitFor((m) => m.envelope.to.includes('support-leads@example.com'));
    expect(mail.subject).toBe('[INC-1] SEV2 investigating: Checkout errors');
    expect(mail.text).toContain('We are investigating Checkout errors (INC-1, SEV2). Rolling back v1.42 now.');
    expect(mail.text).toContain(`Follow the incident: ${app.server.config.publicUrl}/incidents/INC-1`);
    await sink.waitFor((m) => m.envelope.to.includes(owner.email));
    // Live: the counts follow the deliveries without a reload.
    await sent.getByText('Sent to 2').waitFor();
  });

  it('warns once the time since the last update is past the cadence', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/incidents', { title: 'Search is slow', severity: 'SEV3' });
    await apiAs(app, csrfToken, 'PUT', '/api/v1/incidents/INC-1/update-cadence', { minutes: 15 });
    // The page's clock 16 minutes on: the composer counts from the declaration.
    await page.clock.setFixedTime(new Date(Date.now() + 16 * 60_000));
    await page.goto('/incidents/INC-1');
    const updates = page.getByRole('region', { name: 'Stakeholder updates' });
    const warning = updates.getByRole('alert', { name: 'Time since the last update' });
    await warning.getByText(/Update overdue: no stakeholder update for 1[67] min \(cadence 15 min\)\. If nothing has changed, say so\./).waitFor();
    expect(await updates.getByLabel('Cadence (minutes)').inputValue()).toBe('15');
  });
});
