import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('incident settings', () => {
  const app = useBrowserApp();

  it('edits a severity, adds an auto-declare rule, and a matching alert declares the incident; the postmortem policy saves', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout' });

    await page.goto('/settings/incidents');
    const severities = page.getByRole('region', { name: 'Severities' });
    await severities.getByText('These are the built-in severities').waitFor();

    // Edit SEV2: its name and update cadence.
    await severities.getByRole('button', { name: 'Edit SEV2' }).click();
    const editor = severities.getByRole('form', { name: 'Edit SEV2' });
    await editor.getByLabel('Name').fill('Major outage');
    await editor.getByLabel('Update cadence (minutes)').fill('20');
    await editor.getByRole('button', { name: 'Save severity' }).click();
    const row = severities.getByRole('row', { name: /SEV2/ });
    await row.getByText('Major outage').waitFor();
    await row.getByText('Every 20 min').waitFor();
    await severities.getByText(/Most severe first/).waitFor();

    // A bad rule is refused beside its field; then a good one.
    const rules = page.getByRole('region', { name: 'Auto-declare rules' });
    await rules.getByRole('button', { name: 'Add rule' }).click();
    const form = rules.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill('checkout-critical');
    await form.getByLabel('Services').fill('nope');
    await form.getByRole('checkbox', { name: 'critical' }).check();
    await form.getByLabel('Incident severity').selectOption('SEV2');
    await form.getByLabel('Incident title').fill('Checkout: {alert.title}');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByText('no service `nope`').waitFor();
    await form.getByLabel('Services').fill('checkout');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const listed = rules.getByRole('list', { name: 'Auto-declare rules' });
    await listed.getByText('checkout-critical').waitFor();
    await listed.getByText(/An alert on service checkout, severity critical declares a/).waitFor();

    // A matching alert declares the incident (the server's job runner acts on it).
    await apiAs(app, csrfToken, 'POST', '/api/v1/alerts', { service: 'checkout', title: 'Card payments failing', severity: 'critical', dedupKey: 'cards' });
    await expect
      .poll(async () => {
        const res = await app.context.request.get('/api/v1/incidents');
        return ((await res.json()) as { items: Array<{ title: string; severity: string }> }).items.map((i) => `${i.severity} ${i.title}`);
      }, { timeout: 10_000 })
      .toEqual(['SEV2 Checkout: Card payments failing']);
    await page.goto('/incidents');
    await page.getByText('Checkout: Card payments failing').first().waitFor();
    await saveScreenshot(page, 'incident-auto-declared');

    // On the incident: the policy runs at resolution; anyone responding may ask for a postmortem.
    await page.goto('/incidents/INC-1');
    const postmortem = page.getByRole('region', { name: 'Postmortem' });
    await postmortem.getByText('The postmortem policy is checked when the incident resolves.').waitFor();
    await postmortem.getByRole('button', { name: 'Ask for a postmortem' }).click();
    await postmortem.getByLabel('Why (optional)').fill('customers noticed');
    await postmortem.getByRole('form', { name: 'Ask for a postmortem' }).getByRole('button', { name: 'Ask for a postmortem' }).click();
    await postmortem.getByText(/A postmortem is required/).waitFor();
    await postmortem.getByText(/requested by ana-lima/).waitFor();

    // The postmortem policy.
    await page.goto('/settings/incidents');
    const policy = page.getByRole('region', { name: 'Postmortem policy' });
    await policy.getByLabel('Customer impact longer than (minutes)').fill('45');
    await policy.getByRole('checkbox', { name: /SEV2/ }).uncheck();
    await policy.getByRole('button', { name: 'Save policy' }).click();
    await policy.getByText('Postmortem policy saved.').waitFor();
    const saved = (await (await app.context.request.get('/api/v1/postmortem-policy')).json()) as { severities: string[]; customerImpactMinutes: number };
    expect([saved.severities, saved.customerImpactMinutes]).toEqual([['SEV1'], 45]);
  });
});
