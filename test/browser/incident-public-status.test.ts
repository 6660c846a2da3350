import { describe, expect, inject, it } from 'vitest';
import { apiAs, setUpOwner, useBrowserApp } from '../support/browser.js';

/** Publishing from an incident: the public composer on the incident page (docs/status-pages.md). */
describe.skipIf(!inject('chromiumPath'))('public status from the incident page', () => {
  const app = useBrowserApp();

  it('posts a public incident with its own text and the impacted component preselected, then a follow-up update', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme', timeZone: 'UTC' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages/acme/components', { name: 'Payments', service: 'checkout' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages/acme/components', { name: 'Website' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/incidents', { title: 'db-3 OOM kills checkout pods', severity: 'SEV2', impactedServices: ['checkout'] });
    await page.goto('/incidents/INC-1');

    const section = page.getByRole('region', { name: 'Public status' });
    const form = section.getByRole('form', { name: 'Post to a status page' });
    // SEV2 is the second level: the impacted service's component is preselected as a partial outage.
    expect(await form.getByLabel('Payments').inputValue()).toBe('partial_outage');
    expect(await form.getByLabel('Website').inputValue()).toBe('');
    await form.getByLabel('Public title').fill('Card payments failing');
    await form.getByLabel('Impact').selectOption('major');
    await form.getByLabel('Public message').fill('Some card payments fail. We are investigating.');
    await form.getByRole('button', { name: 'Post publicly' }).click();

    const posted = section.getByRole('article', { name: 'Public incident on Acme' });
    await posted.getByText('Card payments failing').waitFor();
    await page.getByRole('list', { name: 'Timeline entries' }).getByText('Posted to the status page Acme (investigating)', { exact: false }).waitFor();

    const update = posted.getByRole('form', { name: 'Update the public incident on Acme' });
    await update.getByLabel('New status').selectOption('resolved');
    await update.getByLabel('Public update').fill('Payments work again.');
    await update.getByLabel('Payments').selectOption('operational');
    await update.getByRole('button', { name: 'Post update' }).click();
    await posted.getByText('resolved', { exact: true }).waitFor();

    const html = await (await page.request.get('/status/acme')).text();
    expect(html).toContain('Card payments failing');
    expect(html).toContain('Payments work again.');
    expect(html).not.toContain('db-3');
    expect(html).not.toContain('INC-1');
  });
});
