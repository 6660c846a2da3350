import { describe, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('paging', () => {
  const app = useBrowserApp();

  it('the alert page shows the escalation: its levels, who level 1 reached, the next step, and that acknowledging stops it', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'alice', name: 'Alice Ng', email: 'alice@example.com', timeZone: 'Europe/Berlin', role: 'responder' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'bruno', name: 'Bruno Diaz', email: 'bruno@example.com', timeZone: 'Europe/Berlin', role: 'responder' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/escalation-policies', {
      handle: 'storage-oncall',
      name: 'Storage on-call',
      levels: [
        { delayMinutes: 10, targets: [{ type: 'user', ref: 'alice' }] },
        { delayMinutes: 10, targets: [{ type: 'user', ref: 'bruno' }] },
      ],
      repeat: 0,
    });
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'storage', name: 'Storage', escalationPolicy: 'storage-oncall' });
    const { alert } = (await apiAs(app, csrfToken, 'POST', '/api/v1/alerts', { service: 'storage', title: 'Disk 91% full on db-3', severity: 'critical', dedupKey: 'disk-db-3' })) as { alert: { number: number } };

    await page.goto(`/alerts/${alert.number}`);
    await page.getByRole('heading', { name: /Disk 91% full on db-3/, level: 1 }).waitFor();
    const escalation = page.getByRole('region', { name: 'Escalation' });
    await escalation.getByText(/Escalating · policy Storage on-call/).waitFor();
    const levels = escalation.getByRole('list', { name: 'Escalation levels' });
    await levels.getByText('@alice', { exact: false }).first().waitFor();
    await levels.getByText('@bruno', { exact: false }).first().waitFor();
    await escalation.getByText(/unless someone acknowledges/).waitFor();
    await saveScreenshot(page, 'alert-escalating');

    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await escalation.getByText(/Stopped: acknowledged/).waitFor();
    await page.getByRole('list', { name: 'Timeline entries' }).getByText('Escalation stopped: acknowledged').waitFor();
    await saveScreenshot(page, 'alert-escalation-stopped');
  });
});
