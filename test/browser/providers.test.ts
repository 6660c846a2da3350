import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Provider } from '../../src/contracts/providers.js';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

/** The message shown beside a form control: the element its aria-describedby names first. */
async function messageFor(page: Page, control: ReturnType<Page['getByLabel']>): Promise<string> {
  expect(await control.getAttribute('aria-invalid')).toBe('true');
  const [id] = (await control.getAttribute('aria-describedby'))!.split(' ');
  return (await page.locator(`[id="${id}"]`).textContent()) ?? '';
}

describe.skipIf(!inject('chromiumPath'))('notification providers', () => {
  // The server starts without FIREBREAK_SMTP_URL: every provider on the page is one the test adds.
  const app = useBrowserApp();
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink?.close();
  });

  it('an admin adds an SMTP provider, sees its health, and sends a test through it', async () => {
    const { page } = app;
    sink.clear();
    await setUpOwner(app);
    await page.goto('/settings');
    const settingsNav = page.getByRole('navigation', { name: 'Settings' });
    await settingsNav.getByRole('link', { name: 'Notification providers' }).click();
    await page.getByRole('heading', { name: 'No notification providers yet' }).waitFor();

    await page.getByRole('button', { name: 'Add provider' }).click();
    const form = page.getByRole('form', { name: 'New notification provider' });
    await form.getByLabel('Kind').selectOption('smtp');
    await form.getByLabel('Name', { exact: true }).fill('smtp-main');
    await form.getByLabel('Position').fill('10');
    // An http:// URL is not an SMTP server: the server's message appears beside the Server field.
    await form.getByLabel('Server').fill('http://127.0.0.1:25');
    await form.getByLabel('From', { exact: true }).fill('Firebreak <firebreak@example.com>');
    await form.getByRole('button', { name: 'Add provider' }).click();
    await form.getByText('Some fields need attention.').waitFor();
    expect(await messageFor(page, form.getByLabel('Server'))).toMatch(/^must be smtp:\/\/host:port/);
    expect(await form.getByLabel('From', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    await saveScreenshot(page, 'providers-bad-url');

    await form.getByLabel('Server').fill(sink.url);
    await form.getByRole('button', { name: 'Add provider' }).click();

    // The new provider's page: nothing sent through it yet.
    await page.getByRole('heading', { name: 'smtp-main', level: 2 }).waitFor();
    await page.getByText('Unknown', { exact: true }).waitFor();

    // The list, in the order email is tried.
    await page.getByRole('main').getByRole('link', { name: 'Notification providers' }).first().click();
    const email = page.getByRole('table', { name: 'Email' });
    const row = email.getByRole('row', { name: /smtp-main/ });
    await row.getByText('SMTP server').waitFor();
    await row.getByText('Unknown', { exact: true }).waitFor();
    expect(await row.getByRole('cell').allInnerTexts()).toEqual(['1', expect.stringContaining('smtp-main'), 'Email', '10', 'Unknown']);
    const stored = (await (await app.context.request.get('/api/v1/notification-providers/smtp-main')).json()) as Provider;
    expect(stored).toMatchObject({ kind: 'smtp', enabled: true, position: 10, settings: { url: sink.url, from: 'Firebreak <firebreak@example.com>' }, health: { status: 'unknown' }, managedBy: 'api' });

    // Send test: the message really goes out through the SMTP server.
    await row.getByRole('link', { name: 'smtp-main' }).click();
    const test = page.getByRole('form', { name: 'Send a test message' });
    await test.getByLabel('Email address').fill('bo.oncall@example.com');
    await test.getByRole('button', { name: 'Send test' }).click();
    await test.getByRole('status').getByText(/^ok: accepted in \d+ ms/).waitFor();
    const mail = await sink.waitFor((m) => m.envelope.to.includes('bo.oncall@example.com'));
    expect(mail.subject).toBe('Firebreak test notification');
    expect(mail.from).toContain('firebreak@example.com');
    // The success is recorded on the provider's health.
    await page.getByText('Healthy', { exact: true }).waitFor();
    await saveScreenshot(page, 'providers-test-sent');

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('No: pages skip it').waitFor();
    expect(((await (await app.context.request.get('/api/v1/notification-providers/smtp-main')).json()) as Provider).enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();

    // A secret named by environment variable that the server does not have: shown, never its value,
    // and the provider's problem is shown in the list.
    const edit = page.getByRole('form', { name: 'Edit notification provider' });
    await edit.getByLabel('Username').fill('relay-user');
    await edit.getByLabel('Password: from an environment variable').check();
    await edit.getByLabel('Password', { exact: true }).fill('FIREBREAK_TEST_RELAY_PASSWORD');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.getByRole('status').getByText('Saved.').waitFor();
    await page.getByText('Password: from $FIREBREAK_TEST_RELAY_PASSWORD (not set)').waitFor();
    await page.getByRole('note', { name: 'Problems' }).getByText('environment variable FIREBREAK_TEST_RELAY_PASSWORD, which is not set').waitFor();

    await page.getByRole('main').getByRole('link', { name: 'Notification providers' }).first().click();
    await page.getByRole('table', { name: 'Email' }).getByRole('row', { name: /smtp-main/ }).getByText('Not tried').waitFor();
    await saveScreenshot(page, 'providers-list');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const narrowRow = page.getByRole('table', { name: 'Email' }).getByRole('row', { name: /smtp-main/ });
    await narrowRow.getByText('Not tried').waitFor();
    await narrowRow.getByRole('note', { name: 'Problems' }).waitFor();
    await saveScreenshot(page, 'providers-list-phone');

    // Deleting asks first.
    await narrowRow.getByRole('link', { name: 'smtp-main' }).click();
    await page.getByRole('button', { name: 'Delete provider' }).click();
    const confirm = page.getByRole('group', { name: /^Delete smtp-main\?/ });
    await confirm.getByRole('button', { name: 'Delete provider' }).click();
    await page.getByRole('heading', { name: 'No notification providers yet' }).waitFor();
    expect((await app.context.request.get('/api/v1/notification-providers/smtp-main')).status()).toBe(404);
  });

  it('an admin adds a Slack app with a secret from an environment variable and copies its callback URL', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/settings/providers');
    await page.getByRole('button', { name: 'Add provider' }).click();
    const form = page.getByRole('form', { name: 'New notification provider' });
    await form.getByLabel('Kind').selectOption('slack');
    await form.getByText('Delivers to: Slack.').waitFor();
    await form.getByLabel('Name', { exact: true }).fill('slack-main');
    // A secret value in the wrong form: the message appears beside that secret's field.
    await form.getByLabel('Bot token', { exact: true }).fill('not-a-bot-token');
    await form.getByLabel('Signing secret', { exact: true }).fill('8f742231b10e8888abcd99yyyzzz85a5');
    await form.getByRole('button', { name: 'Add provider' }).click();
    await form.getByText('Some fields need attention.').waitFor();
    expect(await messageFor(page, form.getByLabel('Bot token', { exact: true }))).toMatch(/^must be a bot token starting xoxb-/);
    expect(await form.getByLabel('Bot token', { exact: true }).getAttribute('type')).toBe('password');

    await form.getByLabel('Bot token: from an environment variable').check();
    await form.getByLabel('Bot token', { exact: true }).fill('FIREBREAK_TEST_SLACK_BOT_TOKEN');
    await form.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('heading', { name: 'slack-main', level: 2 }).waitFor();

    // Secrets read as "set" or "from $VAR", never their values.
    await page.getByText('Bot token: from $FIREBREAK_TEST_SLACK_BOT_TOKEN (not set)').waitFor();
    await page.getByText('Signing secret: set').waitFor();
    expect(await page.getByRole('main').innerText()).not.toContain('8f742231b10e8888abcd99yyyzzz85a5');
    await page.getByRole('note', { name: 'Problems' }).getByText('FIREBREAK_TEST_SLACK_BOT_TOKEN, which is not set').waitFor();
    await page.getByText('Fix the problems above first').waitFor();

    const stored = (await (await app.context.request.get('/api/v1/notification-providers/slack-main')).json()) as Provider;
    expect(stored.secrets).toEqual({ botToken: { set: false, fromEnv: 'FIREBREAK_TEST_SLACK_BOT_TOKEN' }, signingSecret: { set: true, fromEnv: null } });
    const callbacks = page.getByRole('region', { name: 'Callback URLs' });
    await callbacks.getByRole('button', { name: 'Copy Interactions' }).waitFor();
    expect(await callbacks.locator('pre').innerText()).toBe(stored.callbackUrls.interactions);
    expect(stored.callbackUrls.interactions).toBe(`${app.server.url}/integrations/providers/slack/${stored.id}/interactions`);
    await saveScreenshot(page, 'providers-slack-callbacks');
  });

  it('a viewer sees the providers without the controls to change or test them', async () => {
    const { page, context } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/notification-providers', { name: 'smtp-main', kind: 'smtp', settings: { url: sink.url, from: 'firebreak@example.com' } });
    const viewer = { handle: 'cy-diaz', name: 'Cy Díaz', email: 'cy@example.com', timeZone: 'America/New_York', role: 'viewer', password: 'viewer password 1' };
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', viewer);
    await context.clearCookies();

    await page.goto('/login');
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: `Welcome, ${viewer.name}` }).waitFor();

    await page.goto('/settings/profile');
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Notification providers' }).click();
    const row = page.getByRole('table', { name: 'Email' }).getByRole('row', { name: /smtp-main/ });
    await row.getByText('Unknown', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Add provider' }).count()).toBe(0);
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);

    await row.getByRole('link', { name: 'smtp-main' }).click();
    await page.getByRole('heading', { name: 'smtp-main', level: 2 }).waitFor();
    await page.getByText(sink.url).waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    expect(await page.getByRole('form').count()).toBe(0);
  });
});
