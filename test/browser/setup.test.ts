import { describe, expect, inject, it } from 'vitest';
import { owner, saveScreenshot, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('first-run setup', () => {
  const app = useBrowserApp();

  it('before setup, the login page points to the setup link in the server log', async () => {
    const { page } = app;
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByText('Firebreak is not set up yet: open the setup link printed in the server log').waitFor();
    expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(0);
  });

  it('first-run setup creates the owner and lands in the app', async () => {
    const { page, server } = app;
    expect(server.setupToken).toBeTruthy();
    await page.goto(`/setup?token=${server.setupToken}`);
    await page.getByRole('heading', { name: 'Set up Firebreak' }).waitFor();
    // The time zone starts as the browser's own zone.
    expect(await page.getByLabel('Time zone').inputValue()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);

    await page.getByLabel('Name').fill(owner.name);
    await page.getByLabel('Handle').fill('Ana Lima');
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Time zone').fill('Mars/Olympus');
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Create owner account' }).click();
    // Checked in the browser first: an unknown zone never reaches the server.
    await page.getByText('“Mars/Olympus” is not a time zone').waitFor();

    await page.getByLabel('Time zone').fill(owner.timeZone);
    await page.getByRole('button', { name: 'Create owner account' }).click();
    // The server's message for the handle appears beside the handle field.
    const handleError = page.locator('.field', { has: page.getByLabel('Handle') }).locator('.field-error');
    await handleError.waitFor();
    expect(await handleError.textContent()).toContain('lowercase letters, digits or hyphens');
    await saveScreenshot(page, 'setup-shows-the-handle-problem-beside-the-field');

    await page.getByLabel('Handle').fill(owner.handle);
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.getByRole('heading', { name: `Welcome, ${owner.name}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).waitFor();
    expect(await page.locator('.account-role').textContent()).toBe('owner');
    await saveScreenshot(page, 'setup-lands-on-the-home-page');

    // The setup link works once.
    await page.goto(`/setup?token=${server.setupToken}`);
    await page.getByRole('heading', { name: 'Firebreak is already set up' }).waitFor();
  });
});
