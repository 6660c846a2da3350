import * as OTPAuth from 'otpauth';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { owner, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

/** Submits the login form and waits for the server's answer; returns its HTTP status. */
async function logIn(page: Page, email: string, password: string): Promise<number> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/login'),
    page.getByRole('button', { name: 'Log in' }).click(),
  ]);
  return response.status();
}

async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in to Firebreak' }).waitFor();
}

describe.skipIf(!inject('chromiumPath'))('login', () => {
  const app = useBrowserApp();

  it('logout then login works, and a wrong password shows an error without saying which part was wrong', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/');
    await page.getByRole('heading', { name: `Welcome, ${owner.name}` }).waitFor();
    await logOut(page);

    // A deep link survives logging in.
    await page.goto('/teams');
    await page.waitForURL('**/login?next=%2Fteams');

    const alert = page.getByRole('alert');
    expect(await logIn(page, owner.email, 'not the password')).toBe(401);
    await alert.waitFor();
    const wrongPassword = await alert.textContent();
    await saveScreenshot(page, 'login-with-a-wrong-password');
    expect(await logIn(page, 'nobody@example.com', owner.password)).toBe(401);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    // The same words whether the email or the password was wrong.
    expect(await alert.textContent()).toBe(wrongPassword);
    expect(wrongPassword).toBe('The email or password is not right. Check both and try again.');

    await logIn(page, owner.email, owner.password);
    await page.getByRole('heading', { name: 'Teams', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/teams');
  });

  it('logs in with a TOTP code after enabling TOTP in the profile', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/settings/profile');
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await page.getByText(/^otpauth:\/\/totp\//).waitFor();
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });

    await page.getByLabel('Code from the app').fill(totp.generate());
    await saveScreenshot(page, 'totp-enrolment-shows-the-secret');
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByRole('button', { name: 'Turn off two-factor authentication' }).waitFor();
    await logOut(page);

    await logIn(page, owner.email, owner.password);
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    // A code that is wrong for every step the server accepts (the current one and one either side).
    const now = Date.now();
    const valid = [-30_000, 0, 30_000].map((offset) => totp.generate({ timestamp: now + offset }));
    const wrong = ['000000', '111111', '222222', '333333'].find((candidate) => !valid.includes(candidate)) ?? '';
    await code.fill(wrong);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('That code is not right or has expired.').waitFor();

    await code.fill(totp.generate());
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: `Welcome, ${owner.name}` }).waitFor();
  });
});
