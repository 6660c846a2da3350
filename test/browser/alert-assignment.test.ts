import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('alert assignment', () => {
  const app = useBrowserApp();

  it('a responder reassigns an alert to a colleague and snoozes it from the alert page', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'alice', name: 'Alice Ng', email: 'alice@example.com', timeZone: 'Europe/Berlin', role: 'responder' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'storage', name: 'Storage' });
    const { alert } = (await apiAs(app, csrfToken, 'POST', '/api/v1/alerts', { service: 'storage', title: 'Disk 91% full on db-3', severity: 'critical', dedupKey: 'disk-db-3' })) as { alert: { number: number } };

    await page.goto(`/alerts/${alert.number}`);
    await page.getByRole('heading', { name: /Disk 91% full on db-3/, level: 1 }).waitFor();
    const assignment = page.getByRole('region', { name: 'Assignment' });
    await assignment.getByText('The service’s escalation policy').waitFor();

    const reassign = assignment.getByRole('form', { name: 'Reassign' });
    await reassign.getByLabel('Reassign to').selectOption({ label: 'Alice Ng (@alice)' });
    await reassign.getByRole('button', { name: 'Reassign' }).click();
    await assignment.getByText('@alice (person)').waitFor();

    const snooze = assignment.getByRole('form', { name: 'Snooze' });
    await snooze.getByLabel('Snooze for').selectOption({ label: '1 hour' });
    await snooze.getByRole('button', { name: 'Snooze' }).click();
    await assignment.getByText(/then it triggers again/).waitFor();
    await page.locator('.page-header').getByText('Acknowledged', { exact: true }).waitFor();

    const timeline = page.getByRole('list', { name: 'Timeline entries' });
    await timeline.getByText(/Reassigned to @alice by/).waitFor();
    await timeline.getByText(/Snoozed until/).waitFor();
    expect(await timeline.getByText('snooze', { exact: true }).count()).toBeGreaterThan(0);
    await saveScreenshot(page, 'alert-reassigned-and-snoozed');
  });
});
