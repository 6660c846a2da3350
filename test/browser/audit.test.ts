import { describe, expect, inject, it } from 'vitest';
import { apiAs, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('audit log', () => {
  const app = useBrowserApp();

  it('loads older entries page by page and filters by action', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    // 55 team.create entries after the setup's own entries: more than one page of 50.
    for (let i = 1; i <= 55; i++) await apiAs(app, csrfToken, 'POST', '/api/v1/teams', { handle: `team-${i}`, name: `Team ${i}` });

    await page.goto('/settings/audit');
    const rows = page.getByRole('table').locator('tbody > tr');
    await page.getByRole('button', { name: 'Load older entries' }).waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Load older entries' }).click();
    await page.getByText('That is everything.').waitFor();
    expect(await rows.count()).toBeGreaterThan(55);
    expect(await page.getByRole('row', { name: /user\.create/ }).count()).toBeGreaterThan(0);

    await page.getByLabel('Action').fill('team.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('row', { name: /user\.create/ }).first().waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Load older entries' }).click();
    await page.getByText('That is everything.').waitFor();
    expect(await rows.count()).toBe(55);
  });
});
