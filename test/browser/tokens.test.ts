import { describe, expect, inject, it } from 'vitest';
import { saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('API tokens', () => {
  const app = useBrowserApp();

  it('creates an API token, shows its secret once, then lists token.create in the audit log', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/settings/tokens');
    await page.getByRole('button', { name: 'New token' }).click();
    await page.getByLabel('Name').fill('CI deploys');
    await page.getByLabel('Role').selectOption('responder');
    await page.getByRole('button', { name: 'Create token' }).click();

    const secretBox = page.getByRole('region', { name: 'New API token' });
    await secretBox.getByText('You will not see this token again.').waitFor();
    const secret = await secretBox.getByLabel('Token secret').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await saveScreenshot(page, 'new-api-token-secret');

    // The secret works as a bearer token for the API.
    const asToken = await app.context.request.get('/api/v1/auth/session', { headers: { authorization: `Bearer ${secret}` } });
    expect(asToken.status()).toBe(200);

    await secretBox.getByRole('button', { name: 'I have saved it' }).click();
    await secretBox.waitFor({ state: 'detached' });
    expect(await page.getByText(secret).count()).toBe(0);
    const row = page.getByRole('row', { name: /CI deploys/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('responder');

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Audit log' }).click();
    const entry = page.getByRole('row', { name: /token\.create/ });
    await entry.waitFor();
    await entry.getByRole('button', { name: 'Details' }).click();
    await page.getByText('"name": "CI deploys"').first().waitFor();
    expect(await page.locator('body').textContent()).not.toContain(secret);
    await saveScreenshot(page, 'audit-entry-details');

    await page.getByLabel('Action').fill('token.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('row', { name: /setup\.complete|user\.create/ }).waitFor({ state: 'detached' });
    await saveScreenshot(page, 'audit-log-with-token-create');
  });
});
