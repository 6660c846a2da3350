import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { apiAs, artifactsDir, owner, saveScreenshot, setUpOwner, useBrowserApp, type BrowserApp } from '../support/browser.js';

interface Incident {
  id: string;
  reference: string;
  roles: Array<{ role: string; userHandle: string }>;
}

/** A responder who can sign in with a password (for a second browser context). */
async function addResponder(app: BrowserApp, csrfToken: string, handle: string, name: string): Promise<void> {
  await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle, name, email: `${handle}@example.com`, timeZone: 'Europe/Berlin', role: 'responder', password: `${handle}-password-123` });
}

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

const declare = (app: BrowserApp, csrfToken: string, body: Record<string, unknown>) => apiAs(app, csrfToken, 'POST', '/api/v1/incidents', body) as Promise<Incident>;

/** The war room: declaring, command, the live timeline, resolving; phone width too. */
describe.skipIf(!inject('chromiumPath'))('incidents (the war room)', () => {
  const app = useBrowserApp();

  it('declares an incident from scratch with a severity chosen by its description, and lists it under the filters', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    await page.goto('/incidents');
    await page.getByText('No open incidents').waitFor();
    await page.getByRole('link', { name: 'Declare incident' }).click();
    await page.getByRole('heading', { name: 'Declare incident', level: 1 }).waitFor();

    // Submitting without a title or severity names both, and sends nothing.
    await page.getByRole('button', { name: 'Declare incident' }).click();
    await page.getByText('Give the incident a title').waitFor();
    await page.getByText('Choose a severity').waitFor();

    await page.getByLabel('Title').fill('Checkout errors');
    // Severities come from the server with their descriptions.
    await page.getByText('A core feature is badly degraded or down for some customers').waitFor();
    await page.getByRole('radio', { name: /SEV2 · Major/ }).check();
    await page.getByRole('checkbox', { name: 'Checkout API' }).check();
    await page.getByLabel('Summary').fill('Card payments fail for some customers');
    await page.getByRole('button', { name: 'Declare incident' }).click();

    await page.getByRole('heading', { name: 'INC-1 Checkout errors', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/incidents/INC-1');
    const commander = page.getByRole('region', { name: 'Incident commander' });
    await commander.getByText(owner.name).waitFor();
    await page.locator('.page-header').getByText('SEV2 · Major').waitFor();
    await page.getByRole('region', { name: 'Overview' }).getByText('Card payments fail for some customers').waitFor();
    await page.getByRole('list', { name: 'Timeline entries' }).getByText('INC-1 declared (SEV2)', { exact: false }).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
    const row = page.getByRole('row', { name: /INC-1 Checkout errors/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(owner.name);
    await page.getByLabel('Severity').selectOption('SEV1');
    await page.getByText('No incidents match these filters').waitFor();
    expect(new URL(page.url()).search).toBe('?severity=SEV1');
    await page.getByLabel('Severity').selectOption('');
    await page.getByLabel('Service').selectOption('checkout');
    await row.waitFor();
    await page.getByLabel('Status').selectOption('resolved');
    await page.getByText('No incidents match these filters').waitFor();

    // The list is live: an incident declared elsewhere appears without a reload.
    await page.getByLabel('Status').selectOption('open');
    await page.getByLabel('Service').selectOption('');
    await row.waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.evaluate(() => Object.assign(window, { liveMarker: 'still here' }));
    await declare(app, csrfToken, { title: 'Search is slow', severity: 'SEV3' });
    await page.getByRole('row', { name: /INC-2 Search is slow/ }).waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => (window as unknown as { liveMarker?: string }).liveMarker)).toBe('still here');
  });

  it('declares an incident from an alert: the alert page’s action fills in the title and links the alert', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    const integration = (await apiAs(app, csrfToken, 'POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })) as { key: string };
    const sent = await fetch(`${app.server.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: integration.key, event_action: 'trigger', dedup_key: 'pay-5xx', payload: { summary: 'Payment API 5xx above 5%', source: 'lb-1', severity: 'critical' } }),
    });
    expect(sent.status).toBe(202);
    const alerts = (await (await app.context.request.get('/api/v1/alerts')).json()) as { items: Array<{ id: string; number: number }> };
    const alert = alerts.items[0] as { id: string; number: number };

    await page.goto(`/alerts/${alert.id}`);
    await page.getByRole('link', { name: 'Declare incident' }).click();
    await page.getByRole('heading', { name: 'Declare incident', level: 1 }).waitFor();
    await expect.poll(() => page.getByLabel('Title').inputValue()).toBe('Payment API 5xx above 5%');
    expect(await page.getByRole('checkbox', { name: /Payment API 5xx above 5%/ }).isChecked()).toBe(true);
    await page.getByRole('radio', { name: /SEV1 · Critical/ }).check();
    await page.getByRole('button', { name: 'Declare incident' }).click();

    await page.getByRole('heading', { name: 'INC-1 Payment API 5xx above 5%', level: 1 }).waitFor();
    const linked = page.getByRole('region', { name: 'Linked alerts' });
    await linked.getByRole('link', { name: `#${alert.number} Payment API 5xx above 5%` }).waitFor();
    // The alert's service became the impacted service.
    await page.getByRole('list', { name: 'Impacted services' }).getByRole('link', { name: 'Checkout API' }).waitFor();
  });

  it('hands over command explicitly, and shows clearly who holds it when someone else took it meanwhile (409)', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await addResponder(app, csrfToken, 'bruno', 'Bruno Diaz');
    await addResponder(app, csrfToken, 'chris', 'Chris Park');
    const incident = await declare(app, csrfToken, { title: 'Search is slow', severity: 'SEV3' });
    // No live updates on this page: the competing handover must not reach it before the click.
    await page.route('**/api/v1/stream', (route) => route.abort());
    await page.goto(`/incidents/${incident.reference}`);
    const commander = page.getByRole('region', { name: 'Incident commander' });
    await commander.getByText(owner.name).waitFor();

    const row = page.locator('[data-role="incident_commander"]');
    await row.getByLabel('Hand over Incident commander to').selectOption('bruno');
    // Meanwhile Chris takes command through the API, naming Ana as the holder: he wins.
    await apiAs(app, csrfToken, 'PUT', `/api/v1/incidents/${incident.id}/roles/incident_commander`, { user: 'chris', expectedHolder: owner.handle });
    await row.getByRole('button', { name: 'Hand over' }).click();
    await row.getByRole('alert').getByText('Chris Park (@chris) holds this role now').waitFor();
    // The page re-read the incident: Chris is shown in command.
    await commander.getByText('Chris Park').waitFor();
    await saveScreenshot(page, 'incident-handover-conflict');

    // Handing over again now names Chris as the holder, and works.
    await row.getByLabel('Hand over Incident commander to').selectOption('bruno');
    await row.getByRole('button', { name: 'Hand over' }).click();
    await commander.getByText('Bruno Diaz').waitFor();
    await expect.poll(() => row.getByRole('alert').count()).toBe(0);
    const roles = ((await (await app.context.request.get(`/api/v1/incidents/${incident.id}`)).json()) as Incident).roles;
    expect(roles).toMatchObject([{ role: 'incident_commander', userHandle: 'bruno' }]);
    const entries = ((await (await app.context.request.get(`/api/v1/incidents/${incident.id}/timeline`)).json()) as { items: Array<{ summary: string }> }).items.map((e) => e.summary);
    expect(entries).toContain('@chris is now the incident commander (handed over from @ana-lima)');
    expect(entries).toContain('@bruno is now the incident commander (handed over from @chris)');

    // "Take command" is one click for anyone not in command.
    await commander.getByRole('button', { name: 'Take command' }).click();
    await commander.getByText(owner.name).waitFor();
    await commander.getByText('you').waitFor();
  });

  it('a note written on one page appears on another person’s open page without a reload; pins and edits keep history', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await addResponder(app, csrfToken, 'bruno', 'Bruno Diaz');
    const incident = await declare(app, csrfToken, { title: 'Checkout errors', severity: 'SEV2' });
    const other = await pageOf(app, 'bruno');
    try {
      await other.goto(`/incidents/${incident.reference}`);
      await other.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await other.evaluate(() => Object.assign(window, { liveMarker: 'still here' }));

      await page.goto(`/incidents/${incident.reference}`);
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      // `n` puts the cursor in the note box.
      await page.keyboard.press('n');
      await page.keyboard.type('Rolled back v1.42 at 10:02');
      await page.getByRole('button', { name: 'Add note' }).click();
      const mine = page.getByRole('list', { name: 'Timeline entries' }).getByRole('listitem').filter({ hasText: 'Rolled back v1.42 at 10:02' });
      await mine.waitFor();

      const theirs = other.getByRole('list', { name: 'Timeline entries' }).getByRole('listitem').filter({ hasText: 'Rolled back v1.42 at 10:02' });
      // Well under the 10 s polling interval (off while the stream is live anyway).
      await theirs.waitFor({ timeout: 5000 });
      expect(await other.evaluate(() => (window as unknown as { liveMarker?: string }).liveMarker)).toBe('still here');

      // Pin it as a key event and correct it; the other page shows both, with the earlier text in the history.
      await mine.getByRole('button', { name: 'Pin' }).click();
      await mine.getByText('Key event').waitFor();
      // While edited the row shows a text box, not the text: find it by its entry id.
      const entry = page.locator(`[data-entry-id="${await mine.getAttribute('data-entry-id')}"]`);
      await entry.getByRole('button', { name: 'Edit' }).click();
      await entry.getByLabel('Note text').fill('Rolled back v1.42 at 10:03');
      await entry.getByRole('button', { name: 'Save' }).click();
      await entry.getByText('edited', { exact: false }).waitFor();
      const corrected = other.getByRole('list', { name: 'Timeline entries' }).getByRole('listitem').filter({ hasText: 'Rolled back v1.42 at 10:03' });
      await corrected.getByText('Key event').waitFor({ timeout: 5000 });
      await corrected.getByText('History (2)').click();
      await corrected.getByText('Rolled back v1.42 at 10:02').waitFor();
      // Key events only: `k` hides everything else.
      await other.keyboard.press('k');
      // Other parts of the incident may pin entries of their own; the list shows exactly the pinned ones.
      const pinned = ((await (await app.context.request.get(`/api/v1/incidents/${incident.id}/timeline`)).json()) as { items: Array<{ pinned: boolean }> }).items.filter((e) => e.pinned).length;
      const rows = other.getByRole('list', { name: 'Timeline entries' }).locator(':scope > li');
      await expect.poll(() => rows.count()).toBe(pinned);
      expect(await rows.filter({ hasNotText: 'Key event' }).count()).toBe(0);
      await saveScreenshot(other, 'incident-live-note-second-page');
      // Unpin from the first page.
      await page.getByRole('list', { name: 'Timeline entries' }).getByRole('listitem').filter({ hasText: 'Rolled back v1.42 at 10:03' }).getByRole('button', { name: 'Unpin' }).click();
      await expect.poll(() => other.locator('.incident-timeline > li').count(), { timeout: 5000 }).toBe(pinned - 1);
      expect(await other.evaluate(() => (window as unknown as { liveMarker?: string }).liveMarker)).toBe('still here');
    } finally {
      await other.context().close();
    }
  });

  it('resolves with a resolution summary (required), from the button or the r shortcut; ? lists the shortcuts', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const incident = await declare(app, csrfToken, { title: 'Checkout errors', severity: 'SEV2' });
    await page.goto(`/incidents/${incident.reference}`);
    await page.getByRole('heading', { name: 'INC-1 Checkout errors' }).waitFor();

    await page.keyboard.press('?');
    const help = page.getByRole('complementary', { name: 'Keyboard shortcuts' });
    await help.getByText('resolve: write the resolution summary').waitFor();
    await page.keyboard.press('?');
    await expect.poll(() => help.count()).toBe(0);

    // One-click status and mitigation.
    await page.getByRole('button', { name: 'Identified' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Identified' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Mark mitigated' }).click();
    await page.locator('.page-header').getByText('Mitigated', { exact: true }).waitFor();

    await page.keyboard.press('r');
    const dialog = page.getByRole('dialog', { name: 'Resolve INC-1' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Resolve incident' }).click();
    await dialog.getByText('Write a resolution summary').waitFor();
    await dialog.getByLabel('Resolution summary').fill('Bad deploy of v1.42; rolled back to v1.41');
    await dialog.getByRole('button', { name: 'Resolve incident' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await page.locator('.page-header').getByText('Resolved', { exact: true }).waitFor();
    await page.getByRole('region', { name: 'Overview' }).getByText('Bad deploy of v1.42; rolled back to v1.41').waitFor();
    // No status actions on a resolved incident; notes still allowed.
    expect(await page.getByRole('button', { name: 'Resolve…' }).count()).toBe(0);
    const stored = (await (await app.context.request.get(`/api/v1/incidents/${incident.id}`)).json()) as { status: string; summary: string };
    expect(stored).toMatchObject({ status: 'resolved', summary: 'Bad deploy of v1.42; rolled back to v1.41' });
  });

  it('works at phone width: commander, actions and the timeline fit 390 px without sideways scrolling', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const incident = await declare(app, csrfToken, { title: 'Checkout errors for card payments in the EU region', severity: 'SEV1', summary: 'Card payments fail for about 20% of EU customers.' });
    for (const note of ['Paged payments on-call', 'Error rate 21% at the load balancer', 'Rolling back v1.42']) {
      await apiAs(app, csrfToken, 'POST', `/api/v1/incidents/${incident.id}/timeline`, { note });
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/incidents/${incident.reference}`);
    await page.getByRole('region', { name: 'Incident commander' }).getByText(owner.name).waitFor();
    await page.getByRole('list', { name: 'Timeline entries' }).getByText('Rolling back v1.42').waitFor();
    await page.getByRole('button', { name: 'Resolve…' }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'incident-page-phone-390');
    // What a phone shows first, without scrolling: who is in charge, the actions, the newest entries.
    await page.screenshot({ path: join(artifactsDir, 'incident-page-phone-390-first-screen.png') });
  });
});
