import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp, type BrowserApp } from '../support/browser.js';

async function sendTrigger(app: BrowserApp, key: string, dedup_key: string, summary: string, severity: string, extra: Record<string, unknown> = {}): Promise<void> {
  const response = await fetch(`${app.server.url}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key, payload: { summary, source: 'db-1', severity, ...extra } }),
  });
  expect(response.status, await response.clone().text()).toBe(202);
}

describe.skipIf(!inject('chromiumPath'))('routing rules, support hours and the backlog', () => {
  const app = useBrowserApp();

  it('writes rules, tests them against the last events, saves them and shows field errors', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'databases', name: 'Databases' });
    const { key } = (await apiAs(app, csrfToken, 'POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })) as { key: string };
    await sendTrigger(app, key, 'hb', 'Heartbeat OK', 'info');
    await sendTrigger(app, key, 'pg', 'Replication lag on db-1', 'warning', { component: 'postgres' });

    await page.goto('/services/checkout');
    const rules = page.getByRole('region', { name: 'Routing rules' });
    await rules.getByText('No rules').waitFor();
    await rules.getByRole('button', { name: 'Add rule' }).click();
    const first = rules.getByRole('listitem', { name: /^Rule 1/ });
    await first.getByLabel('Rule name').fill('Drop heartbeats');
    await first.getByLabel('Field').fill('title');
    await first.getByLabel('Operator').selectOption('regex');
    await first.getByLabel('Pattern').fill('^Heartbeat');
    await first.getByLabel('Set urgency').selectOption('');
    await first.getByLabel(/^Drop/).check();

    await rules.getByRole('button', { name: 'Add rule' }).click();
    const second = rules.getByRole('listitem', { name: /^Rule 2/ });
    await second.getByLabel('Rule name').fill('Databases');
    await second.getByLabel('Field').fill('labels.component');
    await second.getByLabel('Operator').selectOption('in');
    await second.getByLabel('Values (comma-separated)').fill('postgres, mysql');
    await second.getByLabel('Route to service').selectOption('databases');

    // The draft is tested before it is saved.
    await rules.getByRole('button', { name: 'Test against the last 50 events' }).click();
    const table = rules.getByRole('table');
    const heartbeat = table.getByRole('row', { name: /Heartbeat OK/ });
    await heartbeat.waitFor();
    expect(await heartbeat.textContent()).toContain('Drop');
    expect(await table.getByRole('row', { name: /Replication lag/ }).textContent()).toContain('Routed to `databases`');
    await saveScreenshot(page, 'routing-rules-preview');

    // A regular expression that does not compile is named beside its field.
    await first.getByLabel('Pattern').fill('(Heartbeat');
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await first.getByText(/not a valid regular expression: missing `\)`/).waitFor();
    await first.getByLabel('Pattern').fill('^Heartbeat');
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await rules.getByRole('status').filter({ hasText: 'Rules saved' }).waitFor();

    const saved = (await (await app.context.request.get('/api/v1/services/checkout/routing')).json()) as { rules: Array<{ name: string; actions: Record<string, unknown> }> };
    expect(saved.rules.map((r) => [r.name, r.actions])).toEqual([
      ['Drop heartbeats', { drop: true }],
      ['Databases', { routeTo: 'databases', urgency: 'low' }],
    ]);

    // Rules apply to the next events: the routed one opens on Databases.
    await sendTrigger(app, key, 'pg2', 'Replication lag on db-2', 'warning', { component: 'postgres' });
    await page.goto('/services/databases');
    await page.getByRole('region', { name: 'Open alerts' }).getByRole('row', { name: /Replication lag on db-2/ }).waitFor();
  });

  it('sets support hours and lists backlog alerts on the Backlog page', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API', urgency: { critical: 'high', error: 'high', warning: 'low', info: 'backlog' } });
    const { key } = (await apiAs(app, csrfToken, 'POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })) as { key: string };

    await page.goto('/services/checkout');
    const support = page.getByRole('form', { name: 'Support hours' });
    await support.getByLabel('This service has support hours').check();
    await support.getByLabel('Time zone').fill('Europe/Lisbon');
    await support.getByLabel('Start').fill('09:00');
    await support.getByLabel('End').fill('18:00');
    await support.getByLabel('Sat').check();
    await support.getByLabel(/Raise low-urgency alerts/).check();
    await support.getByLabel('Backlog webhook URL').fill('ftp://tickets.example.com/');
    await support.getByRole('button', { name: 'Save support hours' }).click();
    await support.getByText('must be an http:// or https:// URL without credentials').waitFor();
    await support.getByLabel('Backlog webhook URL').fill('https://tickets.example.com/hooks/firebreak');
    await support.getByRole('button', { name: 'Save support hours' }).click();
    await support.getByText(/Next window opens/).waitFor();
    const routing = (await (await app.context.request.get('/api/v1/services/checkout/routing')).json()) as Record<string, unknown>;
    expect(routing).toMatchObject({ supportHours: { timeZone: 'Europe/Lisbon', start: '09:00', end: '18:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] }, raiseAtSupportStart: true, backlogWebhookUrl: 'https://tickets.example.com/hooks/firebreak' });
    await saveScreenshot(page, 'service-support-hours');

    await sendTrigger(app, key, 'cert', 'TLS certificate expires in 25 days', 'info');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backlog' }).click();
    const row = page.getByRole('row', { name: /TLS certificate expires in 25 days/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Backlog');
    await saveScreenshot(page, 'backlog-page');
    await row.getByRole('link', { name: /TLS certificate/ }).click();
    await page.getByText('Backlog: notifies no one').waitFor();
    await page.goBack();
    await row.waitFor();
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Resolve selected (1)' }).click();
    await page.getByText('The backlog is empty').waitFor();
  });
});
