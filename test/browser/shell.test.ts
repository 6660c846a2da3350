import { describe, expect, inject, it } from 'vitest';
import { saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('app shell', () => {
  const app = useBrowserApp();

  it('at phone width the navigation opens from the menu button', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto('/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.waitFor();
    expect(await nav.isVisible()).toBe(false);
    expect(await menu.getAttribute('aria-expanded')).toBe('false');

    await menu.click();
    await nav.waitFor();
    expect(await page.getByRole('button', { name: 'Close' }).getAttribute('aria-expanded')).toBe('true');
    await nav.getByRole('link', { name: /^Analytics/ }).click();
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Not available yet' }).waitFor();
    // Choosing a page closes the menu.
    await nav.waitFor({ state: 'hidden' });
    // Nothing is wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await saveScreenshot(page, 'phone-width-page');

    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.waitFor();
  });

  it('the dark theme toggle applies and is remembered', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/teams');
    const html = page.locator('html');
    expect(await html.getAttribute('data-theme')).toBe('light');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();

    const toggle = page.getByRole('button', { name: 'Dark theme' });
    await toggle.click();
    expect(await html.getAttribute('data-theme')).toBe('dark');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await background()).not.toBe(light);

    await page.reload();
    await page.getByRole('heading', { name: 'Teams', level: 1 }).waitFor();
    expect(await html.getAttribute('data-theme')).toBe('dark');
  });

  it('follows the system colour scheme until a theme is chosen', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    // The change event from matchMedia arrives asynchronously.
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  });

  it('a keyboard user can skip to the content', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });
});
