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

  it('escalates to the next level at once and pages another person into the alert from the alert page', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    for (const [handle, name] of [['alice', 'Alice Ng'], ['bruno', 'Bruno Diaz'], ['chen', 'Chen Wu']] as const) {
      await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle, name, email: `${handle}@example.com`, timeZone: 'Europe/Berlin', role: 'responder' });
    }
    await apiAs(app, csrfToken, 'POST', '/api/v1/escalation-policies', {
      handle: 'db-oncall',
      name: 'Database on-call',
      levels: [
        { delayMinutes: 30, targets: [{ type: 'user', ref: 'alice' }] },
        { delayMinutes: 30, targets: [{ type: 'user', ref: 'bruno' }] },
      ],
      repeat: 0,
    });
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'db', name: 'Database', escalationPolicy: 'db-oncall' });
    const { alert } = (await apiAs(app, csrfToken, 'POST', '/api/v1/alerts', { service: 'db', title: 'Replication lag 10 min', severity: 'critical', dedupKey: 'lag' })) as { alert: { number: number } };

    await page.goto(`/alerts/${alert.number}`);
    const escalation = page.getByRole('region', { name: 'Escalation' });
    await escalation.getByText(/Escalating · policy Database on-call/).waitFor();
    await escalation.getByRole('button', { name: 'Escalate now' }).click();
    const timeline = page.getByRole('list', { name: 'Timeline entries' });
    await timeline.getByText(/Escalated to level 2 by @/).waitFor();

    const form = page.getByRole('form', { name: 'Add responders' });
    await form.getByLabel('Add a responder').selectOption({ label: 'Chen Wu (@chen)' });
    await form.getByLabel('Message').fill('Need a DBA on this');
    await form.getByRole('button', { name: 'Page responder' }).click();
    const responders = page.getByRole('list', { name: 'Responders' });
    await responders.getByText('@chen').waitFor();
    await responders.getByText('“Need a DBA on this”').waitFor();
    await timeline.getByText(/added @chen as a responder/).waitFor();
    await saveScreenshot(page, 'alert-responders');
  });
});
