import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('escalation policy paging settings and drills', () => {
  const app = useBrowserApp();

  it('sets the acknowledgement timeout, runs a drill, and shows how long each step took', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'alice', name: 'Alice Ng', email: 'alice@example.com', timeZone: 'Europe/Berlin', role: 'responder' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/escalation-policies', {
      handle: 'web-oncall',
      name: 'Web on-call',
      levels: [{ delayMinutes: 5, targets: [{ type: 'user', ref: 'alice' }] }],
      repeat: 0,
    });

    await page.goto('/oncall/escalation-policies/web-oncall');
    const timeout = page.getByRole('region', { name: 'Acknowledgement timeout' });
    await timeout.getByText('An acknowledgement holds until the alert is resolved.').waitFor();
    await timeout.getByLabel('Re-trigger after (minutes)').fill('45');
    await timeout.getByRole('button', { name: 'Save timeout' }).click();
    await timeout.getByText(/not resolved within 45 minutes triggers again/).waitFor();

    const drills = page.getByRole('region', { name: 'Drills' });
    await drills.getByText('No drills yet.').waitFor();
    await drills.getByRole('button', { name: 'Run a drill' }).click();
    const report = drills.getByRole('article', { name: /^Drill #\d+$/ });
    await report.getByText(/Running: waiting for an answer/).waitFor();
    await report.getByRole('cell', { name: 'Level 1' }).waitFor();
    await report.getByText(/@alice/).waitFor();
    await saveScreenshot(page, 'policy-drill-running');

    const label = (await report.getByRole('heading').textContent()) ?? '';
    const number = /#(\d+)/.exec(label)?.[1];
    expect(number, label).toBeDefined();
    await apiAs(app, csrfToken, 'POST', `/api/v1/alerts/${number}/acknowledge`, {});
    await page.reload();
    await page.getByRole('region', { name: 'Drills' }).getByRole('article').getByText(/Acknowledged · |· Acknowledged/).first().waitFor();
    await page.getByRole('region', { name: 'Drills' }).getByText(/acknowledged after \d+ s/).waitFor();
    await saveScreenshot(page, 'policy-drill-acknowledged');
  });
});
