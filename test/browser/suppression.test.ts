import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp, type BrowserApp } from '../support/browser.js';

/** What a monitoring tool sends: a PagerDuty Events API v2 trigger. */
async function sendTrigger(app: BrowserApp, key: string, dedup_key: string, summary: string): Promise<void> {
  const response = await fetch(`${app.server.url}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key, payload: { summary, source: 'db-1', severity: 'critical' } }),
  });
  expect(response.status, await response.clone().text()).toBe(202);
}

describe.skipIf(!inject('chromiumPath'))('maintenance windows and silences', () => {
  const app = useBrowserApp();

  it('schedules maintenance on a service, shows why its alert notifies nobody, then silences by label and expires it', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    const { key } = (await apiAs(app, csrfToken, 'POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })) as { key: string };

    // A one-off window from the service page.
    await page.goto('/services/checkout');
    const maintenance = page.getByRole('region', { name: 'Maintenance windows' });
    await maintenance.getByText('No maintenance windows.').waitFor();
    await maintenance.getByRole('button', { name: 'Schedule maintenance' }).click();
    const form = page.getByRole('form', { name: 'Schedule maintenance' });
    await form.getByLabel('Name').fill('DB upgrade');
    await form.getByLabel('Lasts (minutes)').fill('90');
    await form.getByRole('button', { name: 'Schedule maintenance' }).click();
    const windowRow = maintenance.getByRole('row', { name: /DB upgrade/ });
    await windowRow.getByText(/Active until/).waitFor();
    await saveScreenshot(page, 'service-with-active-maintenance-window');

    // An alert during the window is recorded, and says why nobody hears of it.
    await sendTrigger(app, key, 'disk', 'Disk full on db-1');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    const row = page.getByRole('row', { name: /Disk full on db-1/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Suppressed');
    await row.getByRole('link', { name: /Disk full on db-1/ }).click();
    const notice = page.getByRole('note');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/^Suppressed: maintenance window ‘DB upgrade’ until .+\. The alert is recorded, but nobody is notified\.$/);
    await page.getByText('Suppressed: maintenance window ‘DB upgrade’', { exact: false }).first().waitFor();
    await saveScreenshot(page, 'alert-suppressed-by-maintenance');

    // End the window early from the Maintenance page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Maintenance' }).click();
    await page.getByRole('heading', { name: 'Maintenance windows', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Active now' }).getByRole('row', { name: /DB upgrade/ }).getByRole('button', { name: 'End now' }).click();
    await page.getByRole('region', { name: 'Upcoming and past' }).getByRole('row', { name: /DB upgrade/ }).getByText(/Ended/).waitFor();

    // A silence on the service: an invalid regex is named beside its field, then fixed.
    await page.goto('/services/checkout');
    const silences = page.getByRole('region', { name: 'Silences' });
    await silences.getByRole('button', { name: 'New silence' }).click();
    const silenceForm = page.getByRole('form', { name: 'Create silence' });
    await silenceForm.getByLabel('Label').fill('__title__');
    await silenceForm.getByLabel('Operator').selectOption('=~');
    await silenceForm.getByLabel('Value').fill('(Queue.*');
    await silenceForm.getByLabel('Comment').fill('Queue migration');
    await silenceForm.getByRole('button', { name: 'Create silence' }).click();
    await silenceForm.getByText(/not a valid regular expression/).waitFor();
    await silenceForm.getByLabel('Value').fill('Queue.*');
    await silenceForm.getByRole('button', { name: 'Create silence' }).click();
    const silenceRow = silences.getByRole('row', { name: /Queue migration/ });
    await silenceRow.getByText(/Active until/).waitFor();
    expect(await silenceRow.textContent()).toContain('__title__=~"Queue.*"');
    await saveScreenshot(page, 'service-with-silence');

    await sendTrigger(app, key, 'queue', 'Queue backlog growing');
    await sendTrigger(app, key, 'cpu', 'CPU high on web-1');
    await page.goto('/alerts');
    await page.getByRole('row', { name: /Queue backlog growing/ }).getByText('Suppressed').waitFor();
    expect(await page.getByRole('row', { name: /CPU high on web-1/ }).textContent()).not.toContain('Suppressed');
    await page.getByRole('row', { name: /Queue backlog growing/ }).getByRole('link', { name: /Queue backlog/ }).click();
    expect(await page.getByRole('note').textContent()).toMatch(/^Suppressed: silence ‘Queue migration’ until /);

    // Expire it from the Silences page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Silences' }).click();
    await page.getByRole('region', { name: 'Active and pending' }).getByRole('row', { name: /Queue migration/ }).getByRole('button', { name: 'Expire now' }).click();
    await page.getByRole('region', { name: 'Expired' }).getByRole('row', { name: /Queue migration/ }).waitFor();
    await saveScreenshot(page, 'silences-page-after-expiry');
  });

  it('collapses a storm into one summary alert whose collapsed alerts link to it', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API', stormThresholdPerMinute: 2 });
    const { key } = (await apiAs(app, csrfToken, 'POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })) as { key: string };
    for (let i = 1; i <= 5; i++) await sendTrigger(app, key, `host-${i}`, `Host ${i} unreachable`);
    await page.goto('/alerts');
    const summary = page.getByRole('row', { name: /#\d+ Alert storm on Checkout API: 3 alerts/ });
    await summary.waitFor();
    expect(await summary.textContent()).not.toContain('Suppressed');
    expect(await page.getByRole('row', { name: /Host 1 unreachable/ }).textContent()).not.toContain('Suppressed');
    await page.getByRole('row', { name: /Host 5 unreachable/ }).getByText('Suppressed').waitFor();
    await saveScreenshot(page, 'alerts-list-with-storm-summary');
    await page.getByRole('row', { name: /Host 5 unreachable/ }).getByRole('link', { name: /Host 5/ }).click();
    const notice = page.getByRole('note');
    expect(await notice.textContent()).toMatch(/^Suppressed: collapsed into ‘Alert storm on Checkout API: \d alerts?’\. Only the storm’s summary alert notifies\.$/);
    await notice.getByRole('link').click();
    await page.getByRole('heading', { name: /Alert storm on Checkout API: 3 alerts/, level: 1 }).waitFor();
    await page.getByText(/Collapsed Host 5 unreachable \(dedup key host-5\)/).waitFor();
    await saveScreenshot(page, 'storm-summary-alert');
  });

  it('schedules a recurring window in a time zone and sets flap damping and the storm guard on the service page', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'databases', name: 'Databases' });
    await page.goto('/maintenance-windows');
    await page.getByRole('button', { name: 'Schedule maintenance' }).click();
    const form = page.getByRole('form', { name: 'Schedule maintenance' });
    await form.getByLabel('Name').fill('Weekly patching');
    await form.getByLabel('Kind').selectOption('recurring');
    await form.getByLabel('Services').selectOption({ label: 'Databases (databases)' });
    await form.getByRole('button', { name: 'Every night 03:00' }).click();
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel('Each occurrence lasts (minutes)').fill('45');
    await form.getByRole('button', { name: 'Schedule maintenance' }).click();
    const row = page.getByRole('region', { name: 'Upcoming and past' }).getByRole('row', { name: /Weekly patching/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('FREQ=DAILY;BYHOUR=3;BYMINUTE=0');
    expect(await row.textContent()).toContain('45 min each, Europe/Berlin');
    expect(await row.textContent()).toMatch(/Next: /);

    // A rule the server refuses is named beside the field.
    await page.getByRole('button', { name: 'Schedule maintenance' }).click();
    await form.getByLabel('Name').fill('Too often');
    await form.getByLabel('Kind').selectOption('recurring');
    await form.getByLabel('Services').selectOption({ label: 'Databases (databases)' });
    await form.getByLabel('Repeats (RRULE)').fill('FREQ=MINUTELY');
    await form.getByRole('button', { name: 'Schedule maintenance' }).click();
    await form.getByText(/must have FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY/).waitFor();
    await saveScreenshot(page, 'maintenance-form-rrule-error');
    await form.getByRole('button', { name: 'Cancel' }).click();

    await page.goto('/services/databases');
    const noise = page.getByRole('region', { name: 'Flapping and storms' });
    expect(await noise.textContent()).toContain('Off');
    await noise.getByRole('button', { name: 'Change' }).click();
    await noise.getByLabel('Flap window (minutes)').fill('10');
    await noise.getByLabel('Storm threshold (new alerts a minute)').fill('50');
    await noise.getByRole('button', { name: 'Save' }).click();
    await noise.getByText('Reopen alerts that trigger again within 10 min of resolving').waitFor();
    await noise.getByText('Collapse new alerts past 50 a minute into one summary alert').waitFor();
    await page.getByRole('region', { name: 'Maintenance windows' }).getByRole('row', { name: /Weekly patching/ }).waitFor();
    await saveScreenshot(page, 'service-noise-settings');
  });
});
