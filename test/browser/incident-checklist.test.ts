import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { apiAs, owner, saveScreenshot, setUpOwner, useBrowserApp, type BrowserApp } from '../support/browser.js';

interface Incident {
  id: string;
  reference: string;
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

/** Playbooks, the checklist and threads in the war room (ADR 0030). */
describe.skipIf(!inject('chromiumPath'))('incident checklist and threads', () => {
  const app = useBrowserApp();

  it('instantiates a playbook for a severity on declare; a responder checks items off and the timeline shows it', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await addResponder(app, csrfToken, 'bruno', 'Bruno Diaz');

    // An admin writes a playbook for SEV1 incidents on the playbooks page.
    await page.goto('/playbooks');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playbooks' }).waitFor();
    await page.getByRole('region', { name: 'First five minutes' }).waitFor();
    await page.getByRole('button', { name: 'New playbook' }).click();
    const form = page.getByRole('form', { name: 'New playbook' });
    await form.getByLabel('Title').fill('SEV1 first checks');
    await form.getByLabel('Name').fill('sev1-first-checks');
    await form.getByRole('group', { name: 'Severities' }).getByRole('checkbox', { name: /SEV1/ }).check();
    const first = form.getByRole('group', { name: 'Item 1' });
    await first.getByLabel('Item 1').fill('Recent deploys? Roll back');
    await first.getByLabel('Default owner').selectOption('operations_lead');
    await form.getByRole('button', { name: 'Add item' }).click();
    await form.getByRole('group', { name: 'Item 2' }).getByLabel('Item 2').fill('Primary hardware? Fail over');
    await form.getByRole('button', { name: 'Create playbook' }).click();
    const card = page.getByRole('region', { name: 'SEV1 first checks' });
    await card.getByText('Every declared incident: SEV1, any service').waitFor();
    await saveScreenshot(page, 'playbooks-page');

    const sev1 = (await apiAs(app, csrfToken, 'POST', '/api/v1/incidents', { title: 'Checkout down', severity: 'SEV1' })) as Incident;
    await apiAs(app, csrfToken, 'PUT', `/api/v1/incidents/${sev1.reference}/roles/operations_lead`, { user: 'bruno' });
    const sev3 = (await apiAs(app, csrfToken, 'POST', '/api/v1/incidents', { title: 'Search slow', severity: 'SEV3' })) as Incident;

    // Ana watches the war room while Bruno works the checklist on his own page.
    await page.goto(`/incidents/${sev1.reference}`);
    const anaChecklist = page.getByRole('region', { name: 'Checklist' });
    await anaChecklist.getByRole('list', { name: 'SEV1 first checks' }).waitFor();

    const bruno = await pageOf(app, 'bruno');
    await bruno.goto(`/incidents/${sev1.reference}`);
    const checklist = bruno.getByRole('region', { name: 'Checklist' });
    await checklist.getByText('0 of 6 done').waitFor();
    const playbookTasks = checklist.getByRole('list', { name: 'SEV1 first checks' });
    // The operations lead's item is owned by whoever holds the role: Bruno.
    await playbookTasks.getByRole('listitem').filter({ hasText: 'Recent deploys? Roll back' }).getByText('Operations lead — Bruno Diaz (@bruno)').waitFor();
    await checklist.getByRole('list', { name: 'First five minutes' }).getByRole('checkbox', { name: /Look for mitigations: roll back first/ }).waitFor();

    await playbookTasks.getByRole('checkbox', { name: 'Recent deploys? Roll back' }).check();
    await checklist.getByText('1 of 6 done').waitFor();
    await expect.poll(() => playbookTasks.getByRole('checkbox', { name: 'Recent deploys? Roll back' }).isChecked()).toBe(true);
    await bruno.getByRole('list', { name: 'Timeline entries' }).getByText('bruno checked off “Recent deploys? Roll back”').waitFor();

    // Ana's page hears of it live: the task is checked and the timeline says who did it.
    await page.getByRole('list', { name: 'Timeline entries' }).getByText('bruno checked off “Recent deploys? Roll back”').waitFor();
    await expect.poll(() => anaChecklist.getByRole('checkbox', { name: 'Recent deploys? Roll back' }).isChecked()).toBe(true);
    await anaChecklist.getByText(/done by bruno/).waitFor();

    // Undoing is on the timeline too.
    await playbookTasks.getByRole('checkbox', { name: 'Recent deploys? Roll back' }).uncheck();
    await bruno.getByRole('list', { name: 'Timeline entries' }).getByText('bruno marked “Recent deploys? Roll back” as not done').waitFor();

    // A task added by hand, owned by the scribe role.
    await checklist.getByLabel('New task').fill('Check the replica lag');
    await checklist.getByLabel('Owner', { exact: true }).selectOption('role:scribe');
    await checklist.getByRole('button', { name: 'Add task' }).click();
    const byHand = checklist.getByRole('list', { name: 'Added by hand' });
    await byHand.getByRole('checkbox', { name: 'Check the replica lag' }).waitFor();
    await byHand.getByText('Scribe (vacant)').waitFor();
    await checklist.getByText('0 of 7 done').waitFor();

    // The SEV3 incident got only the built-in checklist.
    await bruno.goto(`/incidents/${sev3.reference}`);
    const other = bruno.getByRole('region', { name: 'Checklist' });
    await other.getByText('0 of 4 done').waitFor();
    expect(await other.getByRole('list', { name: 'SEV1 first checks' }).count()).toBe(0);
    await bruno.context().close();
  });

  it('opens a thread with an owner, hands it over and concludes it, on the timeline', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await addResponder(app, csrfToken, 'bruno', 'Bruno Diaz');
    const incident = (await apiAs(app, csrfToken, 'POST', '/api/v1/incidents', { title: 'Checkout errors', severity: 'SEV2' })) as Incident;

    await page.goto(`/incidents/${incident.reference}`);
    const threads = page.getByRole('region', { name: 'Threads' });
    await threads.getByText('No threads yet.').waitFor();
    await threads.getByLabel('New thread').fill('Is it the DB failover?');
    await threads.getByLabel('Owner', { exact: true }).selectOption('bruno');
    await threads.getByRole('button', { name: 'Open thread' }).click();
    const thread = threads.getByRole('listitem', { name: 'Is it the DB failover?' });
    await thread.getByText('Owner: Bruno Diaz (@bruno)').waitFor();
    const timeline = page.getByRole('list', { name: 'Timeline entries' });
    await timeline.getByText('Thread opened: “Is it the DB failover?”, owned by @bruno').waitFor();

    // Handed to Ana, then concluded with what came of it.
    await thread.getByLabel('Owner of Is it the DB failover?').selectOption(owner.handle);
    await thread.getByText(`Owner: ${owner.name} (@${owner.handle})`).waitFor();
    await timeline.getByText(`@${owner.handle} now owns thread “Is it the DB failover?”`).waitFor();
    await thread.getByRole('button', { name: 'Conclude' }).click();
    await thread.getByLabel('Conclusion').fill('Not the DB: replica lag is normal');
    await thread.getByRole('button', { name: 'Save conclusion' }).click();
    await thread.getByText('Concluded').waitFor();
    await thread.getByText('Conclusion: Not the DB: replica lag is normal').waitFor();
    await timeline.getByText('Thread “Is it the DB failover?” concluded: Not the DB: replica lag is normal').waitFor();
    await threads.getByText('0 open of 1').waitFor();
  });
});
