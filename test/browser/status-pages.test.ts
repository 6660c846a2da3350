import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

/** Status pages: the admin flow in the web UI, and the public page as a visitor without JavaScript sees it. */
describe.skipIf(!inject('chromiumPath'))('status pages', () => {
  const app = useBrowserApp();

  it('creates a page with components, posts an incident, and the public page shows it without JavaScript', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/');
    await page.getByRole('link', { name: 'Status pages' }).first().click();
    await page.getByRole('heading', { name: 'Status pages', level: 1 }).waitFor();

    const create = page.getByRole('form', { name: 'New status page' });
    await create.getByLabel('Name').fill('Acme Cloud');
    await create.getByLabel('Slug').fill('acme');
    await create.getByLabel('Time zone').fill('Europe/Lisbon');
    await create.getByRole('button', { name: 'Create status page' }).click();
    await page.getByRole('heading', { name: 'Acme Cloud' }).waitFor();

    const add = page.getByRole('form', { name: 'Add component' });
    for (const name of ['API', 'Website']) {
      await add.getByLabel('Component name').fill(name);
      await add.getByRole('button', { name: 'Add component' }).click();
      await page.getByRole('combobox', { name: `Status of ${name}` }).waitFor();
    }

    const post = page.getByRole('form', { name: 'Post a public incident' });
    await post.getByLabel('Title').fill('API errors');
    await post.getByLabel('Impact').selectOption('major');
    await post.getByLabel('Message').fill('Some requests fail.\nWe are on it.');
    await post.getByLabel('API becomes').selectOption('major_outage');
    await post.getByRole('button', { name: 'Post incident' }).click();
    await page.getByRole('region', { name: 'Public incidents' }).getByRole('heading', { name: 'API errors' }).waitFor();
    await expect.poll(async () => page.getByRole('combobox', { name: 'Status of API' }).inputValue()).toBe('major_outage');

    // The server-rendered page, as any client fetches it.
    await expect.poll(async () => (await page.request.get('/status/acme')).text()).toContain('API errors');
    const html = await (await page.request.get('/status/acme')).text();
    expect(html).toContain('Partial System Outage');
    expect(html).toContain('Some requests fail.<br>We are on it.');
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/status/acme/local-time.js" defer>']);

    // A visitor whose browser runs no JavaScript at all.
    const visitor = await app.browser.newContext({ baseURL: app.server.url, javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    try {
      const phone = await visitor.newPage();
      const response = await phone.goto('/status/acme');
      expect(response?.status()).toBe(200);
      await expect.poll(async () => phone.getByRole('heading', { level: 1 }).textContent()).toBe('Acme Cloud');
      expect(await phone.getByRole('status').textContent()).toBe('Partial System Outage');
      await phone.getByRole('heading', { name: 'API errors' }).waitFor();
      expect(await phone.getByRole('region', { name: 'Components' }).textContent()).toContain('Major outage');
      await saveScreenshot(phone, 'status page public view on a phone without javascript');
      const summary = (await (await phone.request.get('/status/acme/api/v2/summary.json')).json()) as { status: { description: string }; incidents: { name: string }[] };
      expect(summary.status.description).toBe('Partial System Outage');
      expect(summary.incidents.map((i) => i.name)).toEqual(['API errors']);
    } finally {
      await visitor.close();
    }

    // Where JavaScript runs, a visitor elsewhere also sees their own local time (and the CSP lets only that file run).
    const abroad = await app.browser.newContext({ baseURL: app.server.url, timezoneId: 'Asia/Tokyo' });
    try {
      const tokyo = await abroad.newPage();
      const problems: string[] = [];
      tokyo.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      tokyo.on('pageerror', (error) => problems.push(error.message));
      await tokyo.goto('/status/acme');
      await tokyo.getByText(/your time\)/).first().waitFor();
      expect(problems).toEqual([]);
    } finally {
      await abroad.close();
    }

    // Resolving it, with the component back to operational, turns the public page green again.
    const update = page.getByRole('form', { name: 'Update API errors' });
    await update.getByLabel('New status').selectOption('resolved');
    await update.getByLabel('Update').fill('Fixed: a bad deploy was rolled back.');
    await update.getByLabel('API becomes').selectOption('operational');
    await update.getByRole('button', { name: 'Post update' }).click();
    await expect.poll(async () => (await page.request.get('/status/acme')).text()).toContain('All Systems Operational');
    expect(await (await page.request.get('/status/acme')).text()).toContain('Fixed: a bad deploy was rolled back.');
  });

  it('edits footer links and allowed domains, reorders components, deletes a mistaken incident and cancels a maintenance', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme', timeZone: 'UTC' });
    for (const name of ['API', 'Website', 'Search']) await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages/acme/components', { name });
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'Posted by mistake', body: 'Oops.' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages/acme/maintenances', { name: 'DB upgrade', body: 'Planned.', scheduledFor: '2030-01-01T00:00:00Z', scheduledUntil: '2030-01-01T02:00:00Z', remindSubscribersMinutesBefore: 1440 });
    await page.goto('/status-pages/acme');

    const settings = page.getByRole('form', { name: 'Page settings' });
    await settings.getByRole('button', { name: 'Add footer link' }).click();
    await settings.getByLabel('Link 1 label').fill('Support');
    await settings.getByLabel('Link 1 URL').fill('https://acme.example/support');
    await settings.getByLabel('Allowed email domains').fill('acme.example\npartner.example');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByRole('status').getByText('Saved.').waitFor();
    const saved = (await (await page.request.get('/api/v1/status-pages/acme')).json()) as { footerLinks: unknown; allowedEmailDomains: unknown };
    expect(saved.footerLinks).toEqual([{ label: 'Support', url: 'https://acme.example/support' }]);
    expect(saved.allowedEmailDomains).toEqual(['acme.example', 'partner.example']);
    expect(await (await page.request.get('/status/acme')).text()).toContain('href="https://acme.example/support"');

    // Search moves to the top; the public JSON lists components in the new order.
    await page.getByRole('button', { name: 'Move Search up' }).click();
    await expect.poll(async () => ((await (await page.request.get('/status/acme/api/v2/components.json')).json()) as { components: { name: string }[] }).components.map((c) => c.name)).toEqual(['API', 'Search', 'Website']);
    await page.getByRole('button', { name: 'Move Search up' }).click();
    await expect.poll(async () => ((await (await page.request.get('/status/acme/api/v2/components.json')).json()) as { components: { name: string }[] }).components.map((c) => c.name)).toEqual(['Search', 'API', 'Website']);
    expect(await page.getByRole('button', { name: 'Move Search up' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Delete Posted by mistake' }).click();
    await page.getByRole('group', { name: /Delete the public incident Posted by mistake/ }).getByRole('button', { name: 'Delete Posted by mistake' }).click();
    await page.getByRole('region', { name: 'Public incidents' }).getByText('No public incidents.').waitFor();
    expect(await (await page.request.get('/status/acme')).text()).not.toContain('Posted by mistake');

    await page.getByRole('region', { name: 'Scheduled maintenance' }).getByText(/DB upgrade.*subscribers reminded 24 hours before/).waitFor();
    await page.getByRole('button', { name: 'Cancel DB upgrade' }).click();
    await page.getByRole('group', { name: /Cancel and delete the maintenance DB upgrade/ }).getByRole('button', { name: 'Cancel DB upgrade' }).click();
    await page.getByRole('region', { name: 'Scheduled maintenance' }).getByText('None scheduled.').waitFor();
  });
});
