import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('heartbeats', () => {
  const app = useBrowserApp();

  it('a heartbeat added on the service page shows its snippets, its schedule, and its status after pings', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'backups', name: 'Backups' });
    await page.goto('/services/backups');
    await page.getByRole('heading', { name: 'Backups', level: 1 }).waitFor();

    const integrations = page.getByRole('region', { name: 'Integrations' });
    await integrations.getByRole('button', { name: 'Add integration' }).click();
    const add = page.getByRole('form', { name: 'Add integration' });
    await add.getByLabel('Sends from').selectOption('heartbeat');
    await add.getByLabel('Integration name').fill('Nightly backup');
    await add.getByRole('button', { name: 'Add integration' }).click();

    const setup = page.getByRole('region', { name: 'Setup for Nightly backup' });
    const key = await setup.getByLabel('Integration key').inputValue();
    const url = `${app.server.url}/integrations/heartbeat/${key}`;
    await setup.getByText('Not alerting until the first ping').waitFor();

    // A cron schedule in a time zone: the crontab snippet follows it.
    const settings = setup.getByRole('form', { name: 'Heartbeat settings of Nightly backup' });
    await settings.getByLabel('Expect a ping').selectOption('cron');
    await settings.getByLabel('Cron expression').fill('30 2 * * *');
    await settings.getByLabel('Time zone').fill('Europe/Berlin');
    await settings.getByLabel('Grace (minutes)').fill('30');
    await settings.getByRole('button', { name: 'Save schedule' }).click();
    await settings.getByText('Saved.').waitFor();
    await page.getByRole('button', { name: 'I have saved it' }).click();

    await integrations.getByRole('button', { name: 'Key and setup' }).click();
    const stored = page.getByRole('region', { name: 'Setup for Nightly backup' });
    const blocks = await stored.locator('pre').allTextContents();
    expect(blocks[0]).toBe(`CRON_TZ=Europe/Berlin\n30 2 * * * /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 5 -o /dev/null '${url}'`);
    expect(blocks[1]).toContain(`curl -fsS -m 10 --retry 3 -o /dev/null '${url}/start'`);
    await stored.getByText('cron 30 2 * * * (Europe/Berlin), grace 30 min').first().waitFor();
    await saveScreenshot(page, 'heartbeat-setup');
    await stored.getByRole('button', { name: 'Hide key' }).click();

    // The job reports in: the row shows it up, with its last ping and next deadline.
    expect((await fetch(url, { method: 'POST', body: 'done in 42 s' })).status).toBe(200);
    await page.reload();
    const row = integrations.getByRole('row', { name: /Nightly backup/ });
    await row.getByLabel('Heartbeat status: Up').waitFor();
    expect(await row.textContent()).toMatch(/Last ping: .*\d/);
    expect(await row.textContent()).toContain('Alerts if nothing by');

    // A failed run alerts at once and the row says why.
    expect((await fetch(`${url}/2`)).status).toBe(200);
    await page.reload();
    await row.getByLabel('Heartbeat status: Down').waitFor();
    expect(await row.textContent()).toContain('reported a failure');
    expect(await row.textContent()).toContain('(exit code 2)');
    // ... and the alert it opened is on the same page.
    await page.getByText('Heartbeat Nightly backup failed (exit code 2)').first().waitFor();
  });
});
