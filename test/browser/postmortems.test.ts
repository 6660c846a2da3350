import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../src/server/platform/clock.js';
import { apiAs, setUpOwner, useBrowserApp, type BrowserApp } from '../support/browser.js';
import { startFakeTracker } from '../support/fakes/tracker.js';

interface Incident {
  id: string;
  reference: string;
}
interface Postmortem {
  id: string;
  reference: string;
  version: number;
  status: string;
  sections: Array<{ key: string; title: string; body: string; internal: boolean }>;
}

const declare = (app: BrowserApp, csrfToken: string, body: Record<string, unknown>) => apiAs(app, csrfToken, 'POST', '/api/v1/incidents', body) as Promise<Incident>;

async function getPostmortem(app: BrowserApp, ref: string): Promise<Postmortem> {
  const response = await app.context.request.get(`/api/v1/postmortems/${ref}`);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as Postmortem;
}

/** A 1×1 transparent PNG. */
const onePixelPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const sectionBox = (page: Page, title: string): Locator => page.getByRole('textbox', { name: title, exact: true });
const bodyOf = (pm: Postmortem, key: string) => pm.sections.find((s) => s.key === key)?.body;

/** Postmortems in the web UI: drafting from an incident, the editor, conflicts, review, action items, search. */
describe.skipIf(!inject('chromiumPath'))('postmortems', () => {
  // Private webhooks allowed: the tracker webhook points at a fake tracker on 127.0.0.1.
  const app = useBrowserApp({ clock: new ManualClock('2026-11-21T09:00:00Z'), env: () => ({ FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' }) });

  it('drafts a postmortem from the incident page and edits it with a live, sanitized preview and blameless suggestions', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    const incident = await declare(app, csrfToken, { title: 'Card payments fail', severity: 'SEV2', impactedServices: ['checkout'], summary: 'Card payments failed for some customers' });

    await page.goto(`/incidents/${incident.reference}`);
    await page.getByRole('region', { name: 'Related postmortems' }).getByText('No postmortems for these services yet.').waitFor();
    await page.getByRole('button', { name: 'Start postmortem' }).click();
    await page.getByRole('heading', { name: 'PM-1 Card payments fail', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/postmortems/PM-1');
    // Drafted from the incident: the standard template's sections, the incident linked.
    await page.getByRole('link', { name: `${incident.reference} Card payments fail` }).waitFor();
    for (const title of ['Summary', 'Impact', 'Timeline', 'Root cause', 'Action items', 'Appendix']) await sectionBox(page, title).waitFor();
    await page.getByRole('region', { name: 'Details' }).getByText('Checkout API').waitFor();

    // Live preview of markdown, and the assistant's suggestions beside the text as it is typed.
    const rootCause = sectionBox(page, 'Root cause');
    await rootCause.fill('Ana forgot to **raise** the pool size. It was human error.\n\n<script>window.hacked = 1</script> [docs](javascript:alert(1))');
    const preview = page.getByLabel('Preview of Root cause');
    await preview.locator('strong', { hasText: 'raise' }).waitFor();
    // Raw HTML shows as text, never runs; the javascript: link is not a link.
    await preview.getByText('<script>window.hacked = 1</script>', { exact: false }).waitFor();
    expect(await preview.locator('script').count()).toBe(0);
    expect(await preview.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
    const findings = page.getByRole('complementary', { name: 'Blameless review of Root cause' });
    await findings.getByText('human error', { exact: true }).waitFor();
    await findings.getByText('forgot to', { exact: false }).first().waitFor();
    await findings.locator('mark', { hasText: 'Ana' }).waitFor();
    await page.getByRole('region', { name: 'Save' }).getByText('Unsaved changes').waitFor();

    // The suggestions never block saving; rewritten blamelessly they go away.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('region', { name: 'Save' }).getByText('Saved (version 2)').waitFor();
    await rootCause.fill('The pool size stayed at 10 after the migration; no check compared it with the load forecast.');
    await expect.poll(() => findings.count()).toBe(0);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('region', { name: 'Save' }).getByText('Saved (version 3)').waitFor();
    expect(bodyOf(await getPostmortem(app, 'PM-1'), 'root-cause')).toBe('The pool size stayed at 10 after the migration; no check compared it with the load forecast.');

    // Back on the incident the button opens the postmortem.
    await page.goto(`/incidents/${incident.reference}`);
    await page.getByRole('link', { name: 'Open postmortem PM-1' }).click();
    await page.getByRole('heading', { name: 'PM-1 Card payments fail', level: 1 }).waitFor();

    // A new incident on the same service lists it under related postmortems.
    const next = await declare(app, csrfToken, { title: 'Checkout slow', severity: 'SEV3', impactedServices: ['checkout'] });
    await page.goto(`/incidents/${next.reference}`);
    await page.getByRole('region', { name: 'Related postmortems' }).getByRole('link', { name: 'PM-1 Card payments fail' }).click();
    await page.getByRole('heading', { name: 'PM-1 Card payments fail', level: 1 }).waitFor();
  });

  it('edits the header in the Details editor: saved with the version, refused input named, a conflict shown, the owner and due date in the list', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'bo', name: 'Bo Chen', email: 'bo@example.com', timeZone: 'Europe/Berlin', role: 'responder' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'cy', name: 'Cy Park', email: 'cy@example.com', timeZone: 'Europe/Berlin', role: 'responder' });
    const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { title: 'Billing delays' })) as Postmortem;
    await page.goto(`/postmortems/${pm.reference}`);

    const details = page.getByRole('region', { name: 'Details' });
    await details.getByRole('button', { name: 'Edit details' }).click();
    const form = details.getByRole('form', { name: 'Edit details' });
    await form.getByLabel('Owner', { exact: true }).fill('bo');
    // Read in the signed-in person's zone (Europe/Lisbon: UTC in December).
    await form.getByLabel('Due', { exact: true }).fill('2026-12-01T15:30');
    await form.getByLabel('Severity').selectOption('SEV2');
    await form.getByLabel('People involved').fill('ana-lima, bo');
    await form.getByRole('button', { name: 'Save details' }).click();
    await page.getByRole('region', { name: 'Save' }).getByText('Saved (version 2)').waitFor();
    const saved = (await getPostmortem(app, pm.reference)) as unknown as { owner: { handle: string } | null; dueAt: string | null; severity: string | null; people: Array<{ handle: string }> };
    expect(saved).toMatchObject({ owner: { handle: 'bo' }, dueAt: '2026-12-01T15:30:00.000Z', severity: 'SEV2' });
    expect(saved.people.map((p) => p.handle)).toEqual(['ana-lima', 'bo']);

    // A handle nobody has: refused, naming the field; nothing saved.
    await form.getByLabel('Owner', { exact: true }).fill('nobody-here');
    await form.getByRole('button', { name: 'Save details' }).click();
    await page.getByRole('alert').getByText('Some fields need attention.').waitFor();
    await form.getByText('no active user `nobody-here`').waitFor();
    expect((await getPostmortem(app, pm.reference)).version).toBe(2);

    // Someone else moved the owner meanwhile: the conflict view asks, nothing is lost.
    await apiAs(app, csrfToken, 'PATCH', `/api/v1/postmortems/${pm.reference}`, { baseVersion: 2, owner: 'cy' });
    await form.getByLabel('Owner', { exact: true }).fill('ana-lima');
    await form.getByRole('button', { name: 'Save details' }).click();
    const conflict = page.getByRole('alertdialog', { name: 'Conflicting changes' });
    const row = conflict.getByRole('group', { name: 'Conflict in Owner' });
    expect(await row.getByLabel('Their Owner').textContent()).toBe('cy');
    expect(await row.getByLabel('Your Owner').textContent()).toBe('ana-lima');
    await row.getByRole('button', { name: 'Take theirs' }).click();
    await conflict.getByRole('button', { name: 'Save merged version' }).click();
    await conflict.waitFor({ state: 'hidden' });
    expect((await getPostmortem(app, pm.reference)) as unknown).toMatchObject({ owner: { handle: 'cy' }, dueAt: '2026-12-01T15:30:00.000Z', version: 3 });

    // The list shows the new owner and the due date.
    await page.goto('/postmortems');
    const listed = page.getByRole('row', { name: new RegExp(`${pm.reference} Billing delays`) });
    await listed.getByText('Cy Park').waitFor();
    await listed.locator('td[data-label="Due"] time[datetime="2026-12-01T15:30:00.000Z"]').waitFor();
  });

  it('opens the postmortem someone else started meanwhile instead of starting a second one', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const incident = await declare(app, csrfToken, { title: 'Email delays', severity: 'SEV3' });
    await page.goto(`/incidents/${incident.reference}`);
    const start = page.getByRole('button', { name: 'Start postmortem' });
    await start.waitFor();
    await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { incident: incident.reference });
    await start.click();
    await page.getByRole('heading', { name: 'PM-1 Email delays', level: 1 }).waitFor();
    const list = await app.context.request.get('/api/v1/postmortems');
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('shows a conflict when someone else saved first, and saves the merge with nothing lost', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const incident = await declare(app, csrfToken, { title: 'Search is slow', severity: 'SEV3' });
    const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { incident: incident.reference })) as Postmortem;

    await page.goto(`/postmortems/${pm.reference}`);
    await sectionBox(page, 'Summary').waitFor();
    // Another writer saves the summary and the impact from the version this page loaded.
    const sections = pm.sections.map((s) => (s.key === 'summary' ? { ...s, body: 'Their summary.' } : s.key === 'impact' ? { ...s, body: 'Their impact.' } : s));
    await apiAs(app, csrfToken, 'PATCH', `/api/v1/postmortems/${pm.reference}`, { baseVersion: pm.version, sections });

    await sectionBox(page, 'Summary').fill('My summary.');
    await sectionBox(page, 'Root cause').fill('My root cause.');
    await page.getByRole('button', { name: 'Save', exact: true }).click();

    const conflict = page.getByRole('alertdialog', { name: 'Conflicting changes' });
    await conflict.getByText('Someone else saved this postmortem').waitFor();
    // Impact only they changed: taken without asking. Summary both changed: both shown.
    await conflict.getByText('Taken from their version (you did not change these): Impact.').waitFor();
    const row = conflict.getByRole('group', { name: 'Conflict in Summary' });
    expect(await row.getByLabel('Their Summary').textContent()).toBe('Their summary.');
    expect(await row.getByLabel('Your Summary').textContent()).toBe('My summary.');
    expect(await conflict.getByRole('button', { name: 'Save merged version' }).isDisabled()).toBe(true);
    await row.getByRole('button', { name: 'Merge by hand' }).click();
    await row.getByLabel('Merged Summary').fill('Their summary. My summary.');
    await conflict.getByRole('button', { name: 'Save merged version' }).click();
    await conflict.waitFor({ state: 'hidden' });
    await page.getByRole('region', { name: 'Save' }).getByText('Saved (version 3)').waitFor();

    const saved = await getPostmortem(app, pm.reference);
    expect([bodyOf(saved, 'summary'), bodyOf(saved, 'impact'), bodyOf(saved, 'root-cause')]).toEqual(['Their summary. My summary.', 'Their impact.', 'My root cause.']);
    expect(await sectionBox(page, 'Impact').inputValue()).toBe('Their impact.');
    const history = page.getByRole('region', { name: 'History' });
    await history.getByRole('button', { name: 'Show history' }).click();
    await history.getByRole('list', { name: 'Versions' }).getByText(/Version 3,.*sections\.summary/).waitFor();
  });

  it('is reviewed and published: submit needs action items or a reason, publish needs the reviewers’ approval', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const incident = await declare(app, csrfToken, { title: 'Login outage', severity: 'SEV1' });
    const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { incident: incident.reference })) as Postmortem;
    await page.goto(`/postmortems/${pm.reference}`);
    const review = page.getByRole('region', { name: 'Review' });

    await review.getByRole('button', { name: 'Choose reviewers' }).click();
    await review.getByRole('textbox', { name: 'Reviewers' }).fill('ana-lima');
    await review.getByRole('button', { name: 'Save reviewers' }).click();
    await review.getByRole('list', { name: 'Reviewers' }).getByText('Ana Lima').waitFor();

    // Without action items and without saying why, submitting is refused with the reason.
    await review.getByRole('button', { name: 'Submit for review' }).click();
    await review.getByRole('alert').getByText(/action item/i).waitFor();
    await page.getByLabel('Why no action items').fill('The outage was in the identity provider; its fix is theirs and already shipped.');
    await review.getByText('Save your changes before changing the state.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('region', { name: 'Save' }).getByText(/Saved \(version \d+\)/).waitFor();
    await review.getByRole('button', { name: 'Submit for review' }).click();
    await page.locator('.page-header').getByText('In review').waitFor();

    // The review meeting while in review: agenda from the document, the informal round saved into the postmortem.
    const meeting = page.getByRole('region', { name: 'Review meeting' });
    await meeting.getByRole('button', { name: 'Show agenda' }).click();
    await meeting.getByLabel('Agenda', { exact: true }).waitFor();
    await meeting.getByLabel('What worked').fill('Paging reached the right person in two minutes.');
    await meeting.getByRole('button', { name: 'Save meeting notes' }).click();
    await expect.poll(async () => ((await getPostmortem(app, pm.reference)) as unknown as { reviewNotes: { worked?: string } | null }).reviewNotes?.worked).toBe('Paging reached the right person in two minutes.');

    // Publishing before the named reviewer approved is refused, naming who.
    await review.getByRole('button', { name: 'Publish' }).click();
    await review.getByRole('alert').getByText(/ana-lima|Ana Lima/).waitFor();
    await review.getByRole('group', { name: 'Your review' }).getByLabel('Comment for the author (optional)').fill('Clear and blameless.');
    await review.getByRole('button', { name: 'Approve' }).click();
    await review.getByRole('list', { name: 'Reviewers' }).getByText('Approved').waitFor();
    await review.getByRole('button', { name: 'Publish' }).click();
    await page.locator('.page-header').getByText('Published').waitFor();
    expect((await getPostmortem(app, pm.reference)).status).toBe('published');
    // The published text is the record: read-only until reopened.
    await page.getByText('Published: reopen it under Review to change the text.').waitFor();
    expect(await sectionBox(page, 'Summary').getAttribute('readonly')).not.toBeNull();
    await review.getByRole('button', { name: 'Reopen' }).click();
    await review.getByRole('form', { name: 'Reopen the postmortem' }).getByLabel('Why reopen').fill('Add the vendor’s report.');
    await review.getByRole('form', { name: 'Reopen the postmortem' }).getByRole('button', { name: 'Reopen' }).click();
    await page.locator('.page-header').getByText('Draft').waitFor();
    await expect.poll(() => sectionBox(page, 'Summary').getAttribute('readonly')).toBeNull();
  });

  it('publishes the public version of a published postmortem to a status-page incident, without its internal sections', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme', timeZone: 'UTC' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'Login failures', body: 'We are investigating.' });
    const created = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { title: 'Login failures' })) as Postmortem;
    const sections = created.sections.map((s) => (s.key === 'summary' ? { ...s, body: 'Logins failed for 20 minutes.' } : s.key === 'appendix' ? { ...s, body: 'Internal chat log.', internal: true } : s));
    let pm = (await apiAs(app, csrfToken, 'PATCH', `/api/v1/postmortems/${created.reference}`, { baseVersion: created.version, sections, noActionItemsReason: 'A vendor outage.' })) as Postmortem;
    pm = (await apiAs(app, csrfToken, 'PUT', `/api/v1/postmortems/${pm.reference}/reviewers`, { baseVersion: pm.version, reviewers: ['ana-lima'] })) as Postmortem;
    pm = (await apiAs(app, csrfToken, 'POST', `/api/v1/postmortems/${pm.reference}/transitions`, { baseVersion: pm.version, action: 'submit' })) as Postmortem;
    pm = (await apiAs(app, csrfToken, 'POST', `/api/v1/postmortems/${pm.reference}/reviews`, { decision: 'approved' })) as Postmortem;
    await apiAs(app, csrfToken, 'POST', `/api/v1/postmortems/${pm.reference}/transitions`, { baseVersion: pm.version, action: 'publish' });

    await page.goto(`/postmortems/${pm.reference}`);
    const form = page.getByRole('form', { name: 'Publish the public version' });
    await form.getByLabel('Status page').selectOption({ label: 'Acme' });
    await form.getByLabel('Status-page incident').locator('option', { hasText: 'Login failures' }).waitFor({ state: 'attached' });
    // Internal sections start unchosen.
    expect(await form.getByRole('checkbox', { name: /Appendix/ }).isChecked()).toBe(false);
    expect(await form.getByRole('checkbox', { name: 'Summary' }).isChecked()).toBe(true);
    await form.getByRole('button', { name: 'Publish public version' }).click();
    const link = page.getByRole('region', { name: 'Public version' }).getByRole('status').getByRole('link');
    await link.waitFor();
    const href = (await link.getAttribute('href')) as string;
    const publicPage = await app.context.request.get(href);
    expect(publicPage.status()).toBe(200);
    const html = await publicPage.text();
    expect(html).toContain('Logins failed for 20 minutes.');
    expect(html).not.toContain('Internal chat log.');

    // Withdrawn again, after asking: the address answers 404 and the status page no longer links to it.
    const publications = page.getByRole('list', { name: 'Published public versions' });
    await publications.getByText('On Acme: Login failures').waitFor();
    await publications.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByRole('group', { name: /Withdraw the public version from Acme: Login failures\?/ }).getByRole('button', { name: 'Withdraw' }).click();
    await publications.waitFor({ state: 'detached' });
    expect((await app.context.request.get(href)).status()).toBe(404);
    const statusPage = await app.context.request.get('/status/acme');
    expect(await statusPage.text()).not.toContain('/status-postmortems/');
  });

  it('deletes a draft after asking, and it leaves the list', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { title: 'Started by mistake' })) as Postmortem;
    await page.goto(`/postmortems/${pm.reference}`);
    await page.getByRole('button', { name: 'Delete postmortem' }).click();
    await page.getByRole('group', { name: new RegExp(`Delete ${pm.reference} with its text`) }).getByRole('button', { name: 'Delete postmortem' }).click();
    await page.waitForURL((url) => url.pathname === '/postmortems');
    await page.getByText('Started by mistake').waitFor({ state: 'detached' });
    expect((await app.context.request.get(`/api/v1/postmortems/${pm.reference}`)).status()).toBe(404);
  });

  it('creates an action item’s tracker issue later through the tracker webhook', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const tracker = await startFakeTracker({ secret: null });
    try {
      const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { title: 'Queue backlog' })) as Postmortem;
      await apiAs(app, csrfToken, 'POST', `/api/v1/postmortems/${pm.reference}/action-items`, { title: 'Alert on queue depth' });
      await page.goto(`/postmortems/${pm.reference}`);
      const row = page.getByRole('row', { name: /AI-1 Alert on queue depth/ });
      // No webhook yet: the server's reason is shown.
      await row.getByRole('button', { name: 'Create tracker issue' }).click();
      await row.getByRole('alert').getByText(/no tracker webhook is configured/).waitFor();
      await apiAs(app, csrfToken, 'PUT', '/api/v1/postmortem-settings/tracker-webhook', { url: tracker.hookUrl });
      await row.getByRole('button', { name: 'Create tracker issue' }).click();
      // Accepted: the note shows until the tracker answers (the job runner may be quicker than this look).
      await row.getByRole('status').getByText('Tracker issue requested').or(row.getByRole('link', { name: 'Tracker issue' })).waitFor();
      // The job runner polls on its own; running due jobs here only makes it prompt.
      await app.server.firebreak.runner.runDueJobs();
      await expect.poll(() => tracker.issues.map((i) => i.body.actionItem.reference)).toEqual(['AI-1']);
      await expect.poll(async () => ((await (await app.context.request.get('/api/v1/action-items/AI-1')).json()) as { trackerUrl: string | null }).trackerUrl).toBe('https://tracker.example.com/browse/OPS-1');
      // The page looks again by itself: the link appears without a reload.
      const linked = row.getByRole('link', { name: 'Tracker issue' });
      await linked.waitFor();
      expect(await linked.getAttribute('href')).toBe('https://tracker.example.com/browse/OPS-1');
      await page.getByRole('row', { name: /AI-1 Alert on queue depth/ }).getByRole('button', { name: 'Edit' }).waitFor();
      expect(await page.getByRole('button', { name: 'Create tracker issue' }).count()).toBe(0);
    } finally {
      await tracker.close();
    }
  });

  it('adds an action item on the postmortem and tracks it in the cross-postmortem view', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/teams', { handle: 'platform', name: 'Platform' });
    const incident = await declare(app, csrfToken, { title: 'Queue backlog', severity: 'SEV2' });
    const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { incident: incident.reference })) as Postmortem;
    await page.goto(`/postmortems/${pm.reference}`);

    const items = page.getByRole('region', { name: 'Tracked action items' });
    await items.getByRole('button', { name: 'Add action item' }).click();
    const form = items.getByRole('form', { name: 'Add action item' });
    await form.getByLabel('Title').fill('Alert on queue depth');
    await form.getByLabel('Owner').fill('ana-lima');
    await form.getByLabel('Team').fill('platform');
    await form.getByLabel('Priority').selectOption('high');
    await form.getByLabel('Due date').fill('2026-12-01');
    await form.getByRole('button', { name: 'Add action item' }).click();
    const row = items.getByRole('row', { name: /AI-1 Alert on queue depth/ });
    await row.getByText('Ana Lima').waitFor();
    await row.getByText('High').waitFor();

    await page.goto('/action-items');
    await page.getByRole('heading', { name: 'Action items', level: 1 }).waitFor();
    const listed = page.getByRole('row', { name: /AI-1 Alert on queue depth/ });
    await listed.getByRole('link', { name: `${pm.reference} Queue backlog` }).waitFor();
    await page.getByLabel('Group by').selectOption('team');
    await page.getByRole('heading', { name: /Platform/ }).waitFor();
    // Done items leave the open list.
    await page.getByLabel('Status of AI-1').selectOption('done');
    await page.getByText('No action items match').waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('done');
    await page.getByRole('row', { name: /AI-1 Alert on queue depth/ }).waitFor();

    // The same item in a later postmortem is recognised, and linked as a repeated failure to fix it.
    const later = await declare(app, csrfToken, { title: 'Queue backlog again', severity: 'SEV2' });
    const pm2 = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { incident: later.reference })) as Postmortem;
    await apiAs(app, csrfToken, 'POST', `/api/v1/postmortems/${pm2.reference}/action-items`, { title: 'Alert on the queue depth' });
    await page.goto(`/postmortems/${pm2.reference}`);
    const similar = page.getByRole('list', { name: 'The same item elsewhere: AI-2' });
    await similar.getByText(/Looks like PM-1 AI-1 Alert on queue depth/).waitFor();
    await similar.getByRole('button', { name: 'Link as the same item' }).click();
    await similar.getByText(/Same item PM-1 AI-1/).waitFor();
  });

  it('attaches an image to a section, previews it, and offers the Markdown export and print view', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { title: 'Launch of the new checkout' })) as Postmortem;
    await page.goto(`/postmortems/${pm.reference}`);
    const impact = sectionBox(page, 'Impact');
    await impact.fill('Error rate during the launch:');
    await page.getByLabel('Attach an image to Impact').setInputFiles({ name: 'error-rate.png', mimeType: 'image/png', buffer: onePixelPng });
    await expect.poll(() => impact.inputValue()).toMatch(/^Error rate during the launch:\n!\[error-rate\.png\]\(\/api\/v1\/postmortems\/[^)]+\)\n$/);
    const image = page.getByLabel('Preview of Impact').locator('img[alt="error-rate.png"]');
    await image.waitFor();
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    // Only images are taken, before anything is sent.
    await page.getByLabel('Attach an image to Impact').setInputFiles({ name: 'notes.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
    await page.getByRole('alert').getByText('notes.svg: only PNG, JPEG, GIF and WebP images can be attached').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('region', { name: 'Save' }).getByText('Saved (version 2)').waitFor();

    const markdown = await page.getByRole('link', { name: 'Export Markdown' }).getAttribute('href');
    expect(markdown).toBe(`/api/v1/postmortems/${pm.reference}/export.md`);
    const exported = await app.context.request.get(markdown as string);
    expect(exported.status()).toBe(200);
    expect(await exported.text()).toContain('![error-rate.png](/api/v1/postmortems/');
    expect(await page.getByRole('link', { name: 'Print view' }).getAttribute('href')).toBe(`/api/v1/postmortems/${pm.reference}/print`);
  });

  it('adds a template and starts a standalone postmortem from it', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/postmortems');
    await page.getByText('No postmortems yet').waitFor();
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('heading', { name: 'Postmortem templates', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Standard postmortem' }).getByRole('listitem').filter({ hasText: 'Root cause' }).waitFor();

    await page.getByRole('button', { name: 'New template' }).click();
    const form = page.getByRole('form', { name: 'New template' });
    await form.getByLabel('Handle').fill('launch');
    await form.getByLabel('Title', { exact: true }).fill('Launch review');
    const first = form.getByRole('group', { name: 'Section 1' });
    await first.getByLabel('Section title').fill('What we launched');
    await form.getByRole('button', { name: 'Add section' }).click();
    const second = form.getByRole('group', { name: 'Section 2' });
    await second.getByLabel('Key').fill('risks');
    await second.getByLabel('Section title').fill('Risks');
    await second.getByLabel('Guidance').fill('What could go wrong, and how we would know.');
    await form.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('region', { name: 'Launch review' }).getByRole('listitem').filter({ hasText: 'Risks' }).waitFor();

    await page.goto('/postmortems');
    await page.getByRole('button', { name: 'New postmortem' }).click();
    const start = page.getByRole('form', { name: 'New postmortem' });
    await start.getByLabel('Title').fill('Checkout v2 launch');
    await start.getByLabel('Template').selectOption({ label: 'Launch review' });
    await start.getByRole('button', { name: 'Start postmortem' }).click();
    await page.getByRole('heading', { name: 'PM-1 Checkout v2 launch', level: 1 }).waitFor();
    await sectionBox(page, 'What we launched').waitFor();
    expect(await sectionBox(page, 'Risks').getAttribute('placeholder')).toBe('What could go wrong, and how we would know.');
  });

  it('fits a phone: the list and the editor have no sideways scrolling, and a viewer only reads', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { title: 'Checkout errors' })) as Postmortem;
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto('/postmortems');
    await page.getByRole('link', { name: `${pm.reference} Checkout errors` }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.goto(`/postmortems/${pm.reference}`);
    await sectionBox(page, 'Root cause').fill('A very long line without spaces: ' + 'x'.repeat(300));
    await page.getByLabel('Preview of Root cause').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // A viewer reads the text and cannot change it.
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'vic', name: 'Vic Viewer', email: 'vic@example.com', timeZone: 'UTC', role: 'viewer', password: 'vic-password-123' });
    const viewer = await app.browser.newContext({ baseURL: app.server.url });
    try {
      const login = await viewer.request.post('/api/v1/auth/login', { data: { email: 'vic@example.com', password: 'vic-password-123' } });
      expect(login.status(), await login.text()).toBe(200);
      const vpage = await viewer.newPage();
      await vpage.goto(`/postmortems/${pm.reference}`);
      await vpage.getByText('Viewers read postmortems; responders write them.').waitFor();
      expect(await sectionBox(vpage, 'Summary').getAttribute('readonly')).not.toBeNull();
      expect(await vpage.getByRole('button', { name: 'Add action item' }).count()).toBe(0);
      expect(await vpage.getByLabel('Attach an image to Summary').count()).toBe(0);
      expect(await vpage.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  it('searches postmortems by words in their text and shows where they matched', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    const write = async (title: string, rootCause: string) => {
      const pm = (await apiAs(app, csrfToken, 'POST', '/api/v1/postmortems', { title })) as Postmortem;
      const sections = pm.sections.map((s) => (s.key === 'root-cause' || s.key === 'root-causes' ? { ...s, body: rootCause } : s));
      await apiAs(app, csrfToken, 'PATCH', `/api/v1/postmortems/${pm.reference}`, { baseVersion: pm.version, sections, tags: ['database'] });
      return pm.reference;
    };
    const pool = await write('Checkout errors', 'The connection pool was exhausted by a retry storm.');
    const dns = await write('Website unreachable', 'A DNS record expired.');

    await page.goto('/postmortems');
    const table = page.getByRole('table', { name: 'Postmortems' });
    await table.getByRole('link', { name: `${dns} Website unreachable` }).waitFor();
    await table.getByRole('link', { name: `${pool} Checkout errors` }).waitFor();

    await page.getByRole('searchbox', { name: 'Search' }).fill('retry storm');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => table.getByRole('link', { name: `${dns} Website unreachable` }).count()).toBe(0);
    await table.getByRole('link', { name: `${pool} Checkout errors` }).waitFor();
    await table.locator('mark', { hasText: 'storm' }).first().waitFor();
    expect(new URL(page.url()).search).toBe('?q=retry+storm');

    await page.getByRole('searchbox', { name: 'Search' }).fill('nothing-matches-this');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('No postmortems match').waitFor();
  });
});
