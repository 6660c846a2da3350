import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp, type BrowserApp } from '../support/browser.js';

/** A second signed-in page, as another person, in its own browser context. */
async function pageOf(app: BrowserApp, handle: string): Promise<Page> {
  const context = await app.browser.newContext({ baseURL: app.server.url, viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  context.setDefaultTimeout(10_000);
  const login = await context.request.post('/api/v1/auth/login', { data: { email: `${handle}@example.com`, password: `${handle}-password-123` } });
  expect(login.status(), await login.text()).toBe(200);
  const page = await context.newPage();
  page.on('pageerror', (error) => app.pageErrors.push(`${handle}: ${error.message}`));
  return page;
}

/** The war room's Responders section: page a policy in, see who it reached, acknowledged and joined. */
describe.skipIf(!inject('chromiumPath'))('incident responders', () => {
  const app = useBrowserApp();

  it('pages a policy into the incident, shows the person paged, then acknowledged, then joined', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'alice', name: 'Alice Ng', email: 'alice@example.com', timeZone: 'Europe/Berlin', role: 'responder', password: 'alice-password-123' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/escalation-policies', {
      handle: 'storage-oncall',
      name: 'Storage on-call',
      levels: [{ delayMinutes: 10, targets: [{ type: 'user', ref: 'alice' }] }],
      repeat: 0,
    });
    await apiAs(app, csrfToken, 'POST', '/api/v1/incidents', { title: 'Checkout errors', severity: 'SEV1' });

    await page.goto('/incidents/INC-1');
    const section = page.getByRole('region', { name: 'Responders' });
    await section.getByText('Nobody has been paged into this incident yet.').waitFor();
    const form = section.getByRole('form', { name: 'Page someone' });
    await form.getByLabel('Page someone').selectOption({ label: 'Storage on-call' });
    await form.getByLabel('Why').fill('Disks filling up on db-3');
    await form.getByRole('button', { name: 'Page' }).click();

    const request = section.getByRole('listitem', { name: 'Policy Storage on-call' });
    await request.getByText('Paging', { exact: true }).waitFor();
    await request.getByText('@alice (paged)').waitFor();
    await request.getByText('“Disks filling up on db-3”').waitFor();
    await page.getByRole('list', { name: 'Timeline entries' }).getByText(/paged policy Storage on-call/).waitFor();
    await saveScreenshot(page, 'incident-responder-paged');

    // Alice acknowledges the page from its alert page, in her own browser.
    const alice = await pageOf(app, 'alice');
    const number = (await request.getByRole('link', { name: /page #\d+/ }).textContent())!.replace(/\D/g, '');
    await alice.goto(`/alerts/${number}`);
    await alice.getByRole('heading', { name: /INC-1 needs you: Checkout errors/, level: 1 }).waitFor();
    await alice.getByRole('button', { name: 'Acknowledge' }).click();
    await alice.getByText(/Stopped: acknowledged/).waitFor();

    // The owner's war room sees it without a reload.
    await request.getByText('Acknowledged', { exact: true }).waitFor();
    await request.getByText('@alice (acknowledged)').waitFor();

    // Alice opens the war room and presses Join.
    await alice.goto('/incidents/INC-1');
    const hers = alice.getByRole('region', { name: 'Responders' });
    await hers.getByRole('button', { name: 'Join' }).click();
    await hers.getByRole('button', { name: 'Leave' }).waitFor();
    await hers.getByRole('list', { name: 'In the war room' }).getByText('Alice Ng').waitFor();

    await request.getByText('Joined', { exact: true }).waitFor();
    await request.getByText('@alice (joined)').waitFor();
    await section.getByRole('list', { name: 'In the war room' }).getByText('Alice Ng').waitFor();
    await page.getByRole('list', { name: 'Timeline entries' }).getByText('@alice joined, answering the page for policy Storage on-call').waitFor();
    await saveScreenshot(page, 'incident-responder-joined');
    await alice.context().close();
  });
});
