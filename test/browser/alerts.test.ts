import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { apiAs, owner, saveScreenshot, setUpOwner, useBrowserApp, type BrowserApp } from '../support/browser.js';

/** Creates the Checkout API service and an Events v2 integration through the UI; returns the key shown. */
async function createServiceWithIntegration(page: Page): Promise<string> {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
  await page.getByText('No services yet').waitFor();
  await page.getByRole('button', { name: 'New service' }).click();
  const form = page.getByRole('form', { name: 'New service' });
  await form.getByLabel('Name').fill('Checkout API');
  await form.getByLabel('Handle').fill('checkout-api');
  await form.getByLabel('Description').fill('Takes payments for the web shop.');
  await form.getByLabel('Runbook URL').fill('https://runbooks.example.com/checkout');
  await form.getByLabel('Warning').selectOption('high');
  await form.getByRole('button', { name: 'Create service' }).click();
  await page.getByRole('heading', { name: 'Checkout API', level: 1 }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/services/checkout-api');

  const integrations = page.getByRole('region', { name: 'Integrations' });
  await integrations.getByRole('button', { name: 'Add integration' }).click();
  const add = page.getByRole('form', { name: 'Add integration' });
  await add.getByLabel('Sends from').selectOption('events-v2');
  await add.getByLabel('Integration name').fill('Grafana');
  await add.getByRole('button', { name: 'Add integration' }).click();
  const setup = page.getByRole('region', { name: 'Setup for Grafana' });
  const key = await setup.getByLabel('Integration key').inputValue();
  expect(key.length).toBeGreaterThan(10);
  // The copy-paste example carries the key and posts to this Firebreak's Events v2 endpoint.
  const example = await setup.locator('pre').textContent();
  expect(example).toContain(key);
  expect(example).toContain('/v2/enqueue');
  return key;
}

/** What a monitoring tool sends: a PagerDuty Events API v2 trigger, with only the host changed. */
async function sendTrigger(app: BrowserApp, key: string): Promise<void> {
  const response = await fetch(`${app.server.url}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: 'checkout-latency',
      payload: { summary: 'Checkout p99 latency above 2 s', source: 'checkout-7f9c', severity: 'critical', custom_details: { p99_ms: 2412 } },
      links: [{ href: 'https://grafana.example.com/d/checkout', text: 'Checkout dashboard' }],
    }),
  });
  expect(response.status, await response.clone().text()).toBe(202);
}

describe.skipIf(!inject('chromiumPath'))('alerts', () => {
  const app = useBrowserApp();

  it('an Events v2 trigger from a monitoring tool appears, is acknowledged with the keyboard and resolved', async () => {
    const { page } = app;
    await setUpOwner(app);
    const key = await createServiceWithIntegration(page);
    await saveScreenshot(page, 'service-with-new-events-v2-integration');
    await page.getByRole('button', { name: 'I have saved it' }).click();

    await sendTrigger(app, key);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    const row = page.getByRole('row', { name: /Checkout p99 latency above 2 s/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Triggered');
    expect(await row.textContent()).toContain('Critical');
    expect(await row.textContent()).toContain('High urgency');
    await saveScreenshot(page, 'alerts-list-with-triggered-alert');

    await row.getByRole('link', { name: /Checkout p99 latency/ }).click();
    await page.getByRole('heading', { name: /#\d+ Checkout p99 latency above 2 s/, level: 1 }).waitFor();
    const header = page.locator('.page-header');
    await header.getByText('Triggered', { exact: true }).waitFor();
    await page.getByRole('complementary', { name: 'Keyboard shortcuts' }).waitFor();

    // "a" acknowledges the open alert; typing an "a" in the note box first must not.
    const note = page.getByRole('form', { name: 'Add note' }).getByRole('textbox');
    await note.fill('');
    await note.press('a');
    expect(await note.inputValue()).toBe('a');
    await note.fill('Rolled back the 14:02 deploy.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Rolled back the 14:02 deploy.').waitFor();
    // The note went out after the typed "a", so an acknowledgement from it would show by now.
    expect(await header.getByText('Triggered', { exact: true }).count()).toBe(1);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('a');
    await header.getByText('Acknowledged', { exact: true }).waitFor();

    await header.getByRole('button', { name: 'Resolve' }).click();
    await header.getByText('Resolved', { exact: true }).waitFor();

    const timeline = page.getByRole('list', { name: 'Timeline entries' });
    for (const action of ['trigger', 'acknowledge', 'resolve', 'note']) await timeline.getByText(action, { exact: true }).first().waitFor();
    expect(await timeline.textContent()).toContain(`Acknowledged by ${owner.handle}`);
    await saveScreenshot(page, 'alert-resolved-with-timeline');

    await page.getByRole('button', { name: 'Dark theme' }).click();
    await saveScreenshot(page, 'alert-resolved-with-timeline-dark');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.getByRole('link', { name: 'Checkout API' }).click();
    await page.getByRole('button', { name: 'Key and setup' }).click();
    expect(await page.getByRole('region', { name: 'Setup for Grafana' }).getByLabel('Integration key').inputValue()).toBe(key);
    await saveScreenshot(page, 'service-page-dark');
  });

  it('test alerts triggered from the list are acknowledged with the keyboard and resolved in bulk', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'search', name: 'Search' });

    await page.goto('/alerts');
    await page.getByText('No open alerts').waitFor();
    await page.getByRole('button', { name: 'Trigger test alert' }).click();
    const form = page.getByRole('form', { name: 'Trigger test alert' });
    for (const title of ['Index lag above 5 min', 'Query errors above 1%']) {
      await form.getByLabel('Title').fill(title);
      await form.getByRole('button', { name: 'Trigger alert' }).click();
      await page.getByRole('row', { name: new RegExp(title) }).waitFor();
    }
    await form.getByRole('button', { name: 'Close' }).click();

    // j focuses the newest alert (the list is newest first); a acknowledges it.
    await page.locator('h1').click();
    await page.keyboard.press('j');
    const newest = page.getByRole('row', { name: /Query errors above 1%/ });
    expect(await newest.getByRole('link', { name: /Query errors/ }).evaluate((link) => link === document.activeElement)).toBe(true);
    await page.keyboard.press('a');
    await newest.getByText('Acknowledged', { exact: true }).waitFor();
    expect(await page.getByRole('row', { name: /Index lag above 5 min/ }).textContent()).toContain('Triggered');

    await page.getByRole('checkbox', { name: 'Select all alerts shown' }).check();
    await page.getByRole('region', { name: 'Bulk actions' }).getByText('2 selected').waitFor();
    await saveScreenshot(page, 'alerts-bulk-selection');
    await page.getByRole('button', { name: 'Resolve selected' }).click();
    await page.getByText('No open alerts').waitFor();

    await page.getByLabel('Status').selectOption({ label: 'Resolved' });
    await page.getByRole('row', { name: /Index lag above 5 min/ }).getByText('Resolved', { exact: true }).waitFor();
    await page.getByRole('row', { name: /Query errors above 1%/ }).getByText('Resolved', { exact: true }).waitFor();
    expect(new URL(page.url()).search).toBe('?status=resolved');
  });

  it('an Alertmanager group shows its member alerts; rotating the key keeps the old one for the grace period', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'payments', name: 'Payments' });
    const integration = (await apiAs(app, csrfToken, 'POST', '/api/v1/services/payments/integrations', { type: 'alertmanager', name: 'Prometheus' })) as { key: string; url: string };

    // Fixed instants: the member times are shown as sent, whatever the clock says.
    const startsAt = '2026-11-21T08:50:00Z';
    const member = (pod: string, status: 'firing' | 'resolved') => ({
      status,
      labels: { alertname: 'KubePodCrashLooping', namespace: 'payments', pod },
      annotations: { summary: `Pod ${pod} is restarting` },
      startsAt,
      endsAt: status === 'resolved' ? '2026-11-21T08:58:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'https://prometheus.example.com/graph',
      fingerprint: pod,
    });
    const notification = {
      version: '4',
      groupKey: '{}:{alertname="KubePodCrashLooping"}',
      status: 'firing',
      receiver: 'firebreak',
      groupLabels: { alertname: 'KubePodCrashLooping' },
      commonLabels: { alertname: 'KubePodCrashLooping', namespace: 'payments', severity: 'critical' },
      commonAnnotations: {},
      externalURL: 'https://alertmanager.example.com',
      alerts: [member('worker-1', 'firing'), member('worker-2', 'resolved')],
    };
    const response = await fetch(`${app.server.url}/integrations/alertmanager/${integration.key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notification) });
    expect(response.ok, await response.clone().text()).toBe(true);

    await page.goto('/alerts');
    await page.getByRole('row', { name: /KubePodCrashLooping/ }).getByRole('link').first().click();
    const members = page.getByRole('region', { name: 'Member alerts' });
    await members.getByText('1 of 2 firing', { exact: false }).waitFor();
    expect(await members.getByRole('row', { name: /worker-1/ }).textContent()).toContain('Firing');
    expect(await members.getByRole('row', { name: /worker-2/ }).textContent()).toContain('Resolved');
    await page.getByRole('region', { name: 'Labels' }).getByRole('cell', { name: 'payments' }).first().waitFor();
    await saveScreenshot(page, 'alertmanager-group-with-members');

    await page.getByRole('link', { name: 'payments' }).first().click();
    await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Key and setup' }).click();
    const setup = page.getByRole('region', { name: 'Setup for Prometheus' });
    const yaml = await setup.locator('pre').textContent();
    expect(yaml).toContain('webhook_configs:');
    expect(yaml).toContain(`/integrations/alertmanager/${integration.key}`);
    expect(yaml).toContain('send_resolved: true');
    await setup.getByRole('button', { name: 'Hide key' }).click();

    await page.getByRole('button', { name: 'Rotate key' }).click();
    const rotate = page.getByRole('form', { name: 'Rotate key of Prometheus' });
    await rotate.getByLabel('Old key keeps working for (minutes)').fill('30');
    await rotate.getByRole('button', { name: 'Rotate key' }).click();
    const newKey = await page.getByRole('region', { name: 'Setup for Prometheus' }).getByLabel('Integration key').inputValue();
    expect(newKey).not.toBe(integration.key);
    await page.getByRole('row', { name: /Prometheus/ }).getByText('Old key works until').waitFor();
    await page.getByRole('button', { name: 'I have saved it' }).click();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('row', { name: /Prometheus/ }).getByText('Disabled', { exact: true }).waitFor();
    const refused = await fetch(`${app.server.url}/integrations/alertmanager/${newKey}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notification) });
    expect(refused.status).toBe(403);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
  });
});
