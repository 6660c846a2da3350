import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import type { SubscriberList } from '../../src/contracts/status-subscribers.js';
import { apiAs, saveScreenshot, setUpOwner, useBrowserAppWithMail } from '../support/browser.js';
import type { ReceivedMail } from '../support/smtp-sink.js';

/**
 * Status-page subscribers (docs/status-pages.md, "Subscribers"): admins manage them on the page's
 * screen; the public signs up on the status page without JavaScript, confirms by mail, hears about
 * incidents, and leaves with the link every message carries.
 */
describe.skipIf(!inject('chromiumPath'))('status page subscribers', () => {
  const app = useBrowserAppWithMail();

  /** An owner, the page `acme` with the components API and Website; returns the CSRF token. */
  async function setUpPage(): Promise<string> {
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme Cloud', timeZone: 'UTC' });
    for (const name of ['API', 'Website']) await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages/acme/components', { name });
    return csrfToken;
  }

  async function listed(page: Page): Promise<SubscriberList> {
    const response = await page.request.get('/api/v1/status-pages/acme/subscribers');
    expect(response.status(), await response.text()).toBe(200);
    return (await response.json()) as SubscriberList;
  }

  it('an admin adds webhook, email and Slack subscribers, changes components, removes one; a viewer sees none of it', async () => {
    const { page } = app;
    const csrfToken = await setUpPage();
    await page.goto('/status-pages/acme');
    const section = page.getByRole('region', { name: 'Subscribers' });
    await section.getByText('No subscribers yet.').waitFor();
    const add = section.getByRole('form', { name: 'Add subscriber' });

    // A webhook: its signing secret is shown once, with a copy button.
    await add.getByLabel('Kind').selectOption('webhook');
    await add.getByLabel('Webhook URL').fill('https://hooks.acme.example/firebreak/status');
    await add.getByLabel('Email for failure notices (optional)').fill('platform@acme.example');
    await add.getByLabel('API').check();
    await add.getByRole('button', { name: 'Add subscriber' }).click();
    const secretBox = section.getByRole('region', { name: 'Webhook signing secret' });
    await secretBox.getByText('Copy the signing secret now: it is shown once.').waitFor();
    const secret = await secretBox.getByLabel('Signing secret').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    await secretBox.getByRole('button', { name: 'Copy' }).click();
    await secretBox.getByRole('status').getByText(/Copied to the clipboard\.|Could not reach the clipboard/).waitFor();
    const list = section.getByRole('list', { name: 'Subscribers', exact: true });
    await list.getByText('hooks.acme.example', { exact: true }).waitFor();
    expect(await list.getByRole('listitem').first().textContent()).toMatch(/Webhook Confirmed.*Components: API · failure notices to platform@acme\.example/);
    // Never again: not in the list the API answers, not after a reload.
    expect(JSON.stringify(await listed(page))).not.toContain(secret);
    await secretBox.getByRole('button', { name: 'I have saved it' }).click();
    expect(await secretBox.count()).toBe(0);

    // An email address, added confirmed, for the whole page.
    await add.getByLabel('Kind').selectOption('email');
    await add.getByLabel('Email address').fill('Ops@Acme.example');
    await add.getByRole('button', { name: 'Add subscriber' }).click();
    await list.getByText('ops@acme.example', { exact: true }).waitFor();
    expect(await list.getByRole('listitem').filter({ hasText: 'ops@acme.example' }).textContent()).toContain('Components: all, and every incident');
    expect(await section.getByRole('region', { name: 'Webhook signing secret' }).count()).toBe(0);
    // The same address again is refused, under its field.
    const emailField = add.getByLabel('Email address');
    await emailField.fill('ops@acme.example');
    await add.getByRole('button', { name: 'Add subscriber' }).click();
    await add.getByText('already subscribes').waitFor();
    expect(await emailField.getAttribute('aria-invalid')).toBe('true');

    // The API's field errors appear under their field.
    await add.getByLabel('Kind').selectOption('slack');
    const slackUrl = add.getByLabel('Slack webhook URL');
    await slackUrl.fill('ftp://hooks.slack.com/services/T000/B000/XXXX');
    await add.getByRole('button', { name: 'Add subscriber' }).click();
    await add.getByText('must be an http:// or https:// URL').waitFor();
    expect(await slackUrl.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${(await slackUrl.getAttribute('aria-describedby'))?.split(' ')[0] ?? 'none'}`).textContent()).toBe('must be an http:// or https:// URL');
    await slackUrl.fill('https://hooks.slack.com/services/T000/B000/XXXX');
    await add.getByRole('button', { name: 'Add subscriber' }).click();
    await list.getByText('hooks.slack.com', { exact: true }).waitFor();
    expect(await section.getByRole('region', { name: 'Webhook signing secret' }).count()).toBe(0);
    expect(JSON.stringify(await listed(page))).not.toContain('T000/B000');

    const counts = section.getByRole('list', { name: 'Subscribers by kind' });
    expect((await counts.getByRole('listitem').allTextContents()).join(' | ')).toBe('Email: 1 | Webhook: 1 | Slack: 1 | Microsoft Teams: 0');

    // Filtered by kind.
    await section.getByLabel('Show').selectOption('webhook');
    await expect.poll(async () => list.getByRole('listitem').count()).toBe(1);
    expect(await list.textContent()).toContain('hooks.acme.example');
    await section.getByLabel('Show').selectOption('teams');
    await section.getByText('No Microsoft Teams subscribers.').waitFor();
    await section.getByLabel('Show').selectOption('');
    await expect.poll(async () => list.getByRole('listitem').count()).toBe(3);

    // The email subscriber now hears only about Website.
    await list.getByRole('button', { name: 'Change components of ops@acme.example' }).click();
    const edit = list.getByRole('form', { name: 'Components of ops@acme.example' });
    await edit.getByLabel('Website').check();
    await edit.getByRole('button', { name: 'Save components' }).click();
    await list.getByRole('listitem').filter({ hasText: 'ops@acme.example' }).getByText('Components: Website', { exact: false }).waitFor();
    expect((await listed(page)).items.find((s) => s.target === 'ops@acme.example')?.components.map((c) => c.name)).toEqual(['Website']);

    // Removing asks first.
    await list.getByRole('button', { name: 'Remove Webhook hooks.acme.example' }).click();
    await section.getByRole('group', { name: /^Remove Webhook hooks\.acme\.example\?/ }).getByRole('button', { name: 'Remove Webhook hooks.acme.example' }).click();
    await expect.poll(async () => list.getByRole('listitem').count()).toBe(2);
    expect((await listed(page)).items.map((s) => s.kind).sort()).toEqual(['email', 'slack']);
    expect((await counts.getByRole('listitem').allTextContents()).join(' | ')).toBe('Email: 1 | Webhook: 0 | Slack: 1 | Microsoft Teams: 0');

    // Fits a phone, long addresses and the secret included.
    await add.getByLabel('Kind').selectOption('webhook');
    await add.getByLabel('Webhook URL').fill(`https://${'very-long-subdomain-name.'.repeat(4)}acme.example/hook`);
    await add.getByRole('button', { name: 'Add subscriber' }).click();
    await section.getByRole('region', { name: 'Webhook signing secret' }).waitFor();
    await page.setViewportSize({ width: 375, height: 812 });
    await section.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await saveScreenshot(page, 'status page subscribers on a phone');

    // A viewer reads the page but neither sees nor reaches its subscribers.
    const viewer = { handle: 'vic', name: 'Vic Viewer', email: 'vic@example.com', timeZone: 'UTC', role: 'viewer', password: 'vic-password-123' };
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', viewer);
    const context = await app.browser.newContext({ baseURL: app.server.url });
    try {
      const login = await context.request.post('/api/v1/auth/login', { data: { email: viewer.email, password: viewer.password } });
      expect(login.status(), await login.text()).toBe(200);
      const vpage = await context.newPage();
      await vpage.goto('/status-pages/acme');
      await vpage.getByRole('region', { name: 'Scheduled maintenance' }).waitFor();
      expect(await vpage.getByRole('region', { name: 'Subscribers' }).count()).toBe(0);
      expect(await vpage.getByText('ops@acme.example').count()).toBe(0);
      expect((await vpage.request.get('/api/v1/status-pages/acme/subscribers')).status()).toBe(403);
    } finally {
      await context.close();
    }
  });

  it('a visitor without JavaScript subscribes by email, confirms, hears of an incident, unsubscribes and hears no more', async () => {
    const { page, sink } = app;
    const csrfToken = await setUpPage();
    // Someone who stays subscribed: their mail shows when the last update has gone out.
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'stays@acme.example' });
    const reader = 'reader@customer.example';
    const to = (address: string) => (m: ReceivedMail) => m.envelope.to.includes(address);

    const visitor = await app.browser.newContext({ baseURL: app.server.url, javaScriptEnabled: false, viewport: { width: 375, height: 812 } });
    try {
      const phone = await visitor.newPage();
      await phone.goto('/status/acme');
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      const form = phone.getByRole('region', { name: 'Get updates' });
      await form.getByLabel('Email address').fill(reader);
      await form.getByRole('button', { name: 'Subscribe' }).click();
      await phone.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

      // Double opt-in: the mail's link confirms, and leads to the subscription's own page.
      const confirmation = await sink.waitFor(to(reader));
      const confirmUrl = linkIn(confirmation, /\/status\/acme\/subscription\/confirm\?token=/);
      expect(new URL(confirmUrl).origin).toBe(new URL(app.server.config.publicUrl).origin);
      expect((await listed(page)).items.find((s) => s.target === reader)?.confirmed).toBe(false);
      await page.goto('/status-pages/acme');
      const subscribers = page.getByRole('region', { name: 'Subscribers' });
      await subscribers.getByRole('listitem').filter({ hasText: reader }).getByText('Pending confirmation', { exact: true }).waitFor();
      await phone.goto(confirmUrl);
      await phone.getByRole('status').getByText('Your subscription is confirmed.').waitFor();
      await phone.getByText(`Updates from Acme Cloud status go to ${reader}.`).waitFor();
      await phone.getByRole('button', { name: 'Unsubscribe' }).waitFor();
      await saveScreenshot(phone, 'status page subscription confirmed');
      expect((await listed(page)).items.find((s) => s.target === reader)?.confirmed).toBe(true);

      // The admin screen shows it confirmed.
      await page.reload();
      await subscribers.getByRole('listitem').filter({ hasText: reader }).getByText('Confirmed', { exact: true }).waitFor();

      // An admin posts a public incident; the running server's jobs mail the subscriber.
      const post = page.getByRole('form', { name: 'Post a public incident' });
      await post.getByLabel('Title').fill('API errors');
      await post.getByLabel('Message').fill('Some requests fail. We are on it.');
      await post.getByRole('button', { name: 'Post incident' }).click();
      const incidentMail = await sink.waitFor((m) => to(reader)(m) && m.text.includes('Some requests fail. We are on it.'));
      expect(incidentMail.subject).toContain('API errors');
      expect(incidentMail.headers['list-unsubscribe']).toMatch(/^<https?:\/\/[^>]+\/status\/acme\/subscription\/unsubscribe\?token=[^>]+>/);
      expect(incidentMail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      await sink.waitFor((m) => to('stays@acme.example')(m) && m.text.includes('Some requests fail. We are on it.'));

      // The unsubscribe link in the message, then one confirming click.
      await phone.goto(linkIn(incidentMail, /\/status\/acme\/subscription\/unsubscribe\?token=/));
      await phone.getByRole('heading', { name: 'Unsubscribe from Acme Cloud status?' }).waitFor();
      await phone.getByRole('button', { name: 'Unsubscribe' }).click();
      await phone.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
      expect((await listed(page)).items.map((s) => s.target)).not.toContain(reader);
      await page.reload();
      await subscribers.getByRole('list', { name: 'Subscribers', exact: true }).getByText('stays@acme.example', { exact: true }).waitFor();
      expect(await subscribers.getByText(reader).count()).toBe(0);
    } finally {
      await visitor.close();
    }

    // The next update reaches the one who stayed, and not the one who left.
    const update = page.getByRole('form', { name: 'Update API errors' });
    await update.getByLabel('New status').selectOption('resolved');
    await update.getByLabel('Update').fill('Fixed: a bad deploy was rolled back.');
    await update.getByRole('button', { name: 'Post update' }).click();
    await sink.waitFor((m) => to('stays@acme.example')(m) && m.text.includes('Fixed: a bad deploy was rolled back.'));
    // Deliveries of one update are queued together; give any straggler a moment more.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sink.messages.filter(to(reader)).map((m) => m.subject)).toHaveLength(2);
  });
});

/** The first link in a mail's text matching `pattern`. */
function linkIn(mail: ReceivedMail, pattern: RegExp): string {
  const link = (mail.text.match(/https?:\/\/\S+/g) ?? []).map((l) => l.replace(/[>).,]+$/, '')).find((l) => pattern.test(l));
  if (!link) throw new Error(`No link matching ${pattern} in:\n${mail.text}`);
  return link;
}
