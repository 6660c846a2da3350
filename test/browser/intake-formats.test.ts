import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('Opsgenie, VictorOps and change events on the service page', () => {
  const app = useBrowserApp();

  it('shows Opsgenie setup, and change events sent with an Events API key under “Recent changes”', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout' });
    await page.goto('/services/checkout');
    await page.getByRole('heading', { name: 'Checkout', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Recent changes' }).getByText('No changes recorded').waitFor();

    const integrations = page.getByRole('region', { name: 'Integrations' });
    await integrations.getByRole('button', { name: 'Add integration' }).click();
    const add = page.getByRole('form', { name: 'Add integration' });
    await add.getByLabel('Sends from').selectOption('opsgenie');
    await add.getByLabel('Integration name').fill('Legacy Opsgenie clients');
    await add.getByRole('button', { name: 'Add integration' }).click();
    const setup = page.getByRole('region', { name: 'Setup for Legacy Opsgenie clients' });
    const opsgenieKey = await setup.getByLabel('Integration key').inputValue();
    const snippet = (await setup.locator('pre').allTextContents()).join('\n');
    expect(snippet).toContain('opsgenie_configs');
    expect(snippet).toContain(`GenieKey ${opsgenieKey}`);
    await saveScreenshot(page, 'opsgenie-setup');
    await page.getByRole('button', { name: 'I have saved it' }).click();

    // An Opsgenie client raises an alert: it is on the page after a reload.
    const created = await fetch(`${app.server.url}/v2/alerts`, { method: 'POST', headers: { authorization: `GenieKey ${opsgenieKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Payments queue backing up', alias: 'queue', priority: 'P1' }) });
    expect(created.status).toBe(202);

    await integrations.getByRole('button', { name: 'Add integration' }).click();
    await add.getByLabel('Sends from').selectOption('events-v2');
    await add.getByLabel('Integration name').fill('CI');
    await add.getByRole('button', { name: 'Add integration' }).click();
    const ci = page.getByRole('region', { name: 'Setup for CI' });
    const routingKey = await ci.getByLabel('Integration key').inputValue();
    await ci.getByText('/v2/change/enqueue').first().waitFor();
    await page.getByRole('button', { name: 'I have saved it' }).click();

    const change = await fetch(`${app.server.url}/v2/change/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ routing_key: routingKey, payload: { summary: 'Deployed checkout v1.4.2', source: 'github-actions' }, links: [{ href: 'https://github.com/acme/checkout/pull/42', text: 'PR #42' }] }) });
    expect(change.status).toBe(202);
    await page.reload();
    const changes = page.getByRole('region', { name: 'Recent changes' });
    await changes.getByText('Deployed checkout v1.4.2').waitFor();
    await changes.getByText('· github-actions').waitFor();
    expect(await changes.getByRole('link', { name: 'PR #42' }).getAttribute('href')).toBe('https://github.com/acme/checkout/pull/42');
    await page.getByRole('region', { name: 'Open alerts' }).getByText('Payments queue backing up').waitFor();
    await saveScreenshot(page, 'service-recent-changes');
  });

  it('a webhook integration reads a tool’s own JSON once a mapping is saved in its settings', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'payments', name: 'Payments' });
    await page.goto('/services/payments');
    const integrations = page.getByRole('region', { name: 'Integrations' });
    await integrations.getByRole('button', { name: 'Add integration' }).click();
    const add = page.getByRole('form', { name: 'Add integration' });
    await add.getByLabel('Sends from').selectOption('webhook');
    await add.getByLabel('Integration name').fill('Datadog');
    await add.getByRole('button', { name: 'Add integration' }).click();
    const setup = page.getByRole('region', { name: 'Setup for Datadog' });
    const key = await setup.getByLabel('Integration key').inputValue();

    const form = setup.getByRole('form', { name: 'Mapping of Datadog' });
    await form.getByLabel('Mapping (JSON)').fill('{"title":"$.alert[","status":"$.alert.state"}');
    await form.getByRole('button', { name: 'Save mapping' }).click();
    await form.getByRole('alert').getByText('mapping.title').waitFor();
    await form.getByLabel('Mapping (JSON)').fill(JSON.stringify({ title: '$.alert.name', dedupKey: '$.alert.id', status: '$.alert.state', statusMap: { OK: 'resolved', ALERT: 'firing' } }));
    await form.getByRole('button', { name: 'Save mapping' }).click();
    await form.getByText('Saved: posts are read through the mapping.').waitFor();
    await saveScreenshot(page, 'webhook-mapping-saved');
    await page.getByRole('button', { name: 'I have saved it' }).click();

    const posted = await fetch(`${app.server.url}/integrations/webhook/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alert: { id: 'mon-7', name: 'Card declines above 5%', state: 'ALERT' } }) });
    expect(posted.status).toBe(202);
    await page.reload();
    await page.getByRole('region', { name: 'Open alerts' }).getByText('Card declines above 5%').waitFor();
  });
});
