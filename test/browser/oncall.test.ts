import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../src/server/platform/clock.js';
import { apiAs, owner, saveScreenshot, setUpOwner, useBrowserApp, type BrowserApp } from '../support/browser.js';

/**
 * "Now" for the server and the page: Wednesday 6 January 2027, 10:00 in New York (EST, UTC-5),
 * 15:00 in Lisbon (the owner's zone, UTC+0 in winter). The rotation below started Monday
 * 28 December 2026 at 09:00 New York time with weekly turns Ana → Bo → Cy, so this is Bo's week.
 */
const NOW = '2027-01-06T15:00:00.000Z';

const bo = { handle: 'bo-chen', name: 'Bo Chen', email: 'bo@example.com', timeZone: 'Asia/Singapore', role: 'responder' };
const cy = { handle: 'cy-diaz', name: 'Cy Díaz', email: 'cy@example.com', timeZone: 'America/New_York', role: 'responder' };

async function setUpPeople(app: BrowserApp): Promise<string> {
  const { csrfToken } = await setUpOwner(app);
  await apiAs(app, csrfToken, 'POST', '/api/v1/users', bo);
  await apiAs(app, csrfToken, 'POST', '/api/v1/users', cy);
  return csrfToken;
}

/** The weekly rotation the first test builds through the UI, created through the API for the others. */
async function createRotation(app: BrowserApp, csrfToken: string, team?: string): Promise<{ id: string }> {
  return (await apiAs(app, csrfToken, 'POST', '/api/v1/schedules', {
    handle: 'platform-primary',
    name: 'Platform primary',
    timeZone: 'America/New_York',
    ...(team ? { team } : {}),
    layers: [
      {
        name: 'Primary',
        participants: [owner.handle, bo.handle, cy.handle],
        start: '2026-12-28T14:00:00Z',
        handoffTime: '09:00',
        turn: { unit: 'weeks', count: 1 },
      },
    ],
  })) as { id: string };
}

/** The final row's bar (a button) for a person, by the start of its accessible name. */
function finalBar(page: Page, name: string) {
  return page.getByTestId('final-track').getByRole('button', { name: new RegExp(`^${name},`) });
}

describe.skipIf(!inject('chromiumPath'))('on-call', () => {
  const app = useBrowserApp({ clock: new ManualClock(NOW) });

  beforeEach(async () => {
    // The page's own clock too: the timeline's window and "now" line come from it.
    await app.page.clock.setFixedTime(new Date(NOW));
  });

  it('creates a weekly rotation of three people and the timeline shows who is on call now', async () => {
    const { page } = app;
    await setUpPeople(app);

    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'On-call' }).click();
    await page.getByRole('navigation', { name: 'On-call' }).getByRole('link', { name: 'Schedules' }).click();
    await page.getByText('No schedules yet').waitFor();
    await page.getByRole('button', { name: 'New schedule' }).click();

    const form = page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('Name', { exact: true }).fill('Platform primary');
    await form.getByLabel('Handle').fill('platform-primary');
    await form.getByLabel('Time zone', { exact: true }).fill('America/New_York');
    await form.getByLabel('Start date').fill('2026-12-28');
    await form.getByLabel('Handoff time').fill('09:00');
    await form.getByLabel('Turn length').fill('1');
    await form.getByLabel('Turn unit').selectOption('weeks');
    const participants = form.getByRole('group', { name: /Participants of Primary/ });
    for (const person of [`${owner.name} (${owner.handle})`, 'Bo Chen (bo-chen)', 'Cy Díaz (cy-diaz)']) {
      await participants.getByLabel('Add participant').selectOption({ label: person });
      await participants.getByRole('button', { name: 'Add participant' }).click();
    }
    // Reorder: move Cy up and back down, to exercise the keyboard-reachable controls.
    await participants.getByRole('button', { name: 'Move Cy Díaz up' }).click();
    await participants.getByRole('button', { name: 'Move Cy Díaz down' }).click();
    expect(await participants.locator('.people-item-name').allTextContents()).toEqual([owner.name, 'Bo Chen', 'Cy Díaz']);
    await saveScreenshot(page, 'oncall-new-schedule-form');
    await form.getByRole('button', { name: 'Create schedule' }).click();

    await page.getByRole('heading', { name: 'Platform primary', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/oncall/schedules/platform-primary');
    // Who is on call now: Bo, in the second week of the rotation.
    await page.locator('.oncall-now-line').getByText('Bo Chen').waitFor();

    // The week of Monday 4 January (New York): Ana until the 09:00 handoff, then Bo.
    const timeline = page.getByRole('group', { name: /^Timeline/ });
    await timeline.waitFor();
    await finalBar(page, 'Bo Chen').waitFor();
    await finalBar(page, owner.name).waitFor();
    expect(await page.locator('.timeline-heading').textContent()).toContain('America/New_York');
    // The "now" line falls inside Bo's bar on the final row.
    const now = await timeline.locator('.timeline-now').boundingBox();
    const boBar = await finalBar(page, 'Bo Chen').boundingBox();
    expect(now && boBar && now.x >= boBar.x && now.x <= boBar.x + boBar.width).toBe(true);
    // Exact times on focus, with the zone.
    await finalBar(page, 'Bo Chen').focus();
    await expect.poll(() => page.getByRole('tooltip').textContent()).toMatch(/09:00.*America\/New_York/);

    // The layer row and an empty overrides row are drawn too.
    await timeline.locator('.timeline-row-layer').getByRole('button', { name: /^Bo Chen,/ }).waitFor();
    await timeline.locator('.timeline-row-overrides').getByText('No overrides in this period').waitFor();
    await saveScreenshot(page, 'oncall-schedule-week-light');

    // In my zone (Lisbon) the handoff is at 14:00.
    await page.getByRole('button', { name: 'My zone' }).click();
    await page.locator('.timeline-heading').getByText('Europe/Lisbon').waitFor();
    await finalBar(page, 'Bo Chen').focus();
    await expect.poll(() => page.getByRole('tooltip').textContent()).toMatch(/14:00.*Europe\/Lisbon/);
    await page.getByRole('button', { name: 'Schedule zone' }).click();

    // Month and day zoom, and paging through weeks.
    await page.getByRole('button', { name: 'Month', exact: true }).click();
    await finalBar(page, 'Cy Díaz').first().waitFor();
    await saveScreenshot(page, 'oncall-schedule-month-light');
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    // Wednesday 6 January is Bo's all day.
    await expect.poll(() => page.getByTestId('final-track').getByRole('button').count()).toBe(1);
    await finalBar(page, 'Bo Chen').waitFor();
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.getByRole('button', { name: 'Next week' }).click();
    await finalBar(page, 'Cy Díaz').waitFor();
    await page.getByRole('button', { name: 'Today' }).click();
    await finalBar(page, 'Bo Chen').waitFor();

    // The list alternative has the same information as a table.
    await page.getByRole('button', { name: 'List' }).click();
    const table = page.getByRole('table', { name: /Final schedule/ });
    await table.getByRole('row', { name: /Bo Chen.*Rotation Primary/ }).waitFor();
    await page.getByRole('button', { name: 'Timeline' }).click();

    // Checks: nobody on this rotation has a verified contact method yet.
    await page.getByRole('region', { name: 'Checks' }).getByText('NO_VERIFIED_CONTACT_METHOD').first().waitFor();

    // The schedules list says who is on call now.
    await page.locator('.breadcrumb').getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('row', { name: /Platform primary/ }).getByText('Bo Chen').waitFor();

    // Dark theme and phone width, for the screenshots.
    await page.getByRole('link', { name: 'Platform primary' }).click();
    await finalBar(page, 'Bo Chen').waitFor();
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await saveScreenshot(page, 'oncall-schedule-week-dark');
    await page.setViewportSize({ width: 375, height: 812 });
    await finalBar(page, 'Bo Chen').waitFor();
    // The timeline scrolls sideways inside itself; the page does not.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await saveScreenshot(page, 'oncall-schedule-phone-dark');
  });

  it('creates an override by dragging a range on the final row', async () => {
    const { page } = app;
    const csrfToken = await setUpPeople(app);
    const schedule = await createRotation(app, csrfToken);

    await page.goto('/oncall/schedules/platform-primary');
    const track = page.getByTestId('final-track');
    await finalBar(page, 'Bo Chen').waitFor();
    const box = await track.boundingBox();
    if (!box) throw new Error('the final row is not visible');
    // The week runs Monday 4 January 00:00 to Monday 11 January 00:00, New York time: drag from
    // Thursday 12:00 (3.5 days in) to Saturday 00:00 (5 days in).
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + (box.width * 3.5) / 7, y);
    await page.mouse.down();
    await page.mouse.move(box.x + (box.width * 4.2) / 7, y, { steps: 4 });
    await page.mouse.move(box.x + (box.width * 5) / 7, y, { steps: 4 });
    await page.locator('.timeline-selection').waitFor();
    await page.mouse.up();

    const form = page.getByRole('form', { name: 'Add override' });
    await form.waitFor();
    expect(await form.getByLabel('From (America/New_York)').inputValue()).toBe('2027-01-07T12:00');
    expect(await form.getByLabel('Until (America/New_York)').inputValue()).toBe('2027-01-09T00:00');
    await form.getByLabel('Who covers').selectOption({ label: 'Cy Díaz (cy-diaz)' });
    await form.getByLabel('Covering (optional)').selectOption({ label: 'Bo Chen' });
    await saveScreenshot(page, 'oncall-override-selected');
    await form.getByRole('button', { name: 'Create override' }).click();
    await form.waitFor({ state: 'detached' });

    // The final line now has Cy covering Bo from Thursday noon; Bo's week is cut in two.
    const cyBar = finalBar(page, 'Cy Díaz');
    await cyBar.waitFor();
    expect(await cyBar.getAttribute('aria-label')).toMatch(/12:00 – .*00:00 America\/New_York\. Override covering Bo Chen\./);
    expect(await finalBar(page, 'Bo Chen').count()).toBe(2);
    await page.locator('.timeline-row-overrides').getByRole('button', { name: /^Cy Díaz,/ }).waitFor();
    await page.getByRole('region', { name: 'Overrides' }).getByRole('row', { name: /Cy Díaz.*Bo Chen/ }).waitFor();

    const overrides = (await (await app.context.request.get(`/api/v1/schedules/${schedule.id}/overrides`)).json()) as { items: { start: string; end: string }[] };
    expect(overrides.items).toEqual([expect.objectContaining({ start: '2027-01-07T17:00:00.000Z', end: '2027-01-09T05:00:00.000Z' })]);

    // The keyboard way: "Add override" opens the same form; choosing a bar fills in its shift.
    await page.getByRole('button', { name: 'Add override' }).click();
    await page.getByRole('form', { name: 'Add override' }).getByLabel('Who covers').waitFor();
    expect(await page.getByRole('form', { name: 'Add override' }).getByLabel('Who covers').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByRole('form', { name: 'Add override' }).getByRole('button', { name: 'Cancel' }).click();
    await saveScreenshot(page, 'oncall-override-created');
  });

  it('edits a schedule to add a business-hours layer, and marks gaps and problems', async () => {
    const { page } = app;
    const csrfToken = await setUpPeople(app);
    await createRotation(app, csrfToken);

    await page.goto('/oncall/schedules/platform-primary');
    await page.getByRole('button', { name: 'Edit schedule' }).click();
    const form = page.getByRole('form', { name: 'Edit schedule' });
    await form.getByRole('button', { name: 'Add layer' }).click();
    const layer = form.getByRole('group', { name: /^Layer 2/ });
    await layer.getByLabel('Layer name').fill('Business hours');
    await layer.getByLabel('Start date').fill('2027-01-04');
    await layer.getByLabel('Turn unit').selectOption('days');
    await layer.getByLabel('Advance').selectOption('on-duty');
    await layer.getByText('Only on-duty time counts').waitFor();
    await layer.getByLabel('Add participant').selectOption({ label: 'Cy Díaz (cy-diaz)' });
    await layer.getByRole('button', { name: 'Add participant' }).click();
    await layer.getByRole('button', { name: 'Add on-duty window' }).click();
    const window = layer.getByRole('group', { name: 'Window 1 of Business hours' });
    expect(await window.getByLabel('From', { exact: true }).inputValue()).toBe('09:00');
    expect(await window.getByLabel('Until', { exact: true }).inputValue()).toBe('17:00');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });

    // Cy takes over from Bo during business hours (a later layer wins where it has someone on duty).
    await page.locator('.timeline-row-layer').nth(1).getByRole('button', { name: /^Cy Díaz,/ }).first().waitFor();
    await expect.poll(() => finalBar(page, 'Cy Díaz').count()).toBe(5);
    await expect.poll(() => page.locator('.oncall-now-line').textContent()).toContain('Cy Díaz');
    const schedule = (await (await app.context.request.get('/api/v1/schedules/platform-primary')).json()) as { layers: { name: string; restrictions: unknown[]; advance: string }[] };
    expect(schedule.layers[1]).toEqual(expect.objectContaining({ name: 'Business hours', advance: 'on-duty', restrictions: [{ kind: 'daily', start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }] }));
    await page.getByRole('region', { name: 'Checks' }).getByText('ROTATION_TOO_SMALL').first().waitFor();
    await saveScreenshot(page, 'oncall-schedule-two-layers');

    // A schedule on duty only in business hours has gaps: marked on the final row and listed.
    await apiAs(app, csrfToken, 'POST', '/api/v1/schedules', {
      handle: 'office-hours',
      name: 'Office hours',
      timeZone: 'America/New_York',
      layers: [
        {
          name: 'Weekdays',
          participants: [owner.handle, bo.handle, cy.handle],
          start: '2027-01-04T14:00:00Z',
          handoffTime: '09:00',
          turn: { unit: 'days', count: 1 },
          restrictions: [{ kind: 'weekly', startDay: 1, start: '09:00', endDay: 5, end: '17:00' }],
        },
      ],
    });
    await page.goto('/oncall/schedules/office-hours');
    await page.getByTestId('final-track').getByRole('button', { name: /^No one,/ }).first().waitFor();
    expect(await page.locator('.gap-warning').textContent()).toMatch(/gaps with no one on call/);
    await page.getByRole('region', { name: 'Checks' }).getByText('SCHEDULE_GAP').first().waitFor();
    await saveScreenshot(page, 'oncall-schedule-gaps-timeline');
    await page.getByRole('button', { name: 'List' }).click();
    await page.getByRole('table', { name: /Final schedule/ }).getByRole('row', { name: /No one.*Gap/ }).first().waitFor();
    await saveScreenshot(page, 'oncall-schedule-gaps');
  });

  it('swaps two shifts', async () => {
    const { page } = app;
    const csrfToken = await setUpPeople(app);
    const schedule = await createRotation(app, csrfToken);

    await page.goto('/oncall/schedules/platform-primary');
    await page.getByRole('button', { name: 'Swap two shifts' }).click();
    const form = page.getByRole('form', { name: 'Swap shifts' });
    const pick = async (label: string, person: string) => {
      const select = form.getByLabel(label);
      const value = await select.locator('option', { hasText: new RegExp(`^${person}: Mon`) }).first().getAttribute('value');
      await select.selectOption(value ?? '');
    };
    await pick('First shift', 'Cy Díaz');
    await pick('Second shift', 'Ana Lima');
    await form.getByText(/Ana Lima covers .*; Cy Díaz covers/).waitFor();
    await form.getByRole('button', { name: 'Swap shifts' }).click();
    await page.getByText('Shifts swapped.').waitFor();

    const overrides = page.getByRole('region', { name: 'Overrides' });
    await expect.poll(() => overrides.getByText('Swap', { exact: true }).count()).toBe(2);
    const stored = (await (await app.context.request.get(`/api/v1/schedules/${schedule.id}/overrides`)).json()) as { items: { swapWith: string | null }[] };
    expect(stored.items).toHaveLength(2);
    expect(stored.items.every((o) => o.swapWith !== null)).toBe(true);
    // Next week (Cy's turn) is now Ana's.
    await page.getByRole('button', { name: 'Next week' }).click();
    await expect.poll(() => finalBar(page, 'Ana Lima').getAttribute('aria-label')).toMatch(/Override covering Cy Díaz/);
  });

  it('the escalation policy editor saves a two-level policy and the preview shows who is notified when', async () => {
    const { page } = app;
    const csrfToken = await setUpPeople(app);
    await createRotation(app, csrfToken);

    await page.goto('/oncall/escalation-policies');
    await page.getByText('No escalation policies yet').waitFor();
    await page.getByRole('button', { name: 'New policy' }).click();
    const form = page.getByRole('form', { name: 'New escalation policy' });
    await form.getByLabel('Name', { exact: true }).fill('Platform critical');
    await form.getByLabel('Handle').fill('platform-critical');
    await form.getByLabel('Level 1 target 1 kind').selectOption('schedule');
    await form.getByLabel('Level 1 target 1 schedule').selectOption({ label: 'Platform primary' });
    await form.getByLabel('Minutes before escalating past level 1').fill('10');
    await form.getByRole('button', { name: 'Add level' }).click();
    await form.getByLabel('Level 2 target 1 kind').selectOption('user');
    await form.getByLabel('Level 2 target 1 person').selectOption({ label: `${owner.name} (${owner.handle})` });
    await form.getByRole('button', { name: 'Create policy' }).click();

    await page.getByRole('heading', { name: 'Platform critical', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/oncall/escalation-policies/platform-critical');
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByText('saved version').waitFor();
    const steps = preview.locator('.preview-step');
    await steps.first().waitFor();
    // Now (Bo's week) level 1 reaches Bo through the schedule; ten minutes later, Ana directly.
    expect(await steps.nth(0).textContent()).toMatch(/\+0 min.*Level 1.*Bo Chen.*via schedule Platform primary/);
    expect(await steps.nth(1).textContent()).toMatch(/\+10 min.*Level 2.*Ana Lima.*directly/);
    await saveScreenshot(page, 'oncall-policy-preview');

    // An unsaved edit is called out; after saving, the preview follows.
    await page.getByLabel('Minutes before escalating past level 1').fill('15');
    await preview.getByText('You have unsaved changes').waitFor();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Saved.').waitFor();
    await expect.poll(() => steps.nth(1).textContent()).toMatch(/\+15 min.*Level 2.*Ana Lima/);

    // Previewing another moment: next week Cy is on call.
    await preview.getByLabel('Alert fires at (Europe/Lisbon)').fill('2027-01-12T10:00');
    await expect.poll(() => steps.nth(0).textContent()).toMatch(/Level 1.*Cy Díaz/);

    // Everyone reads every policy: the list shows it with its summary.
    await page.locator('.breadcrumb').getByRole('link', { name: 'Escalation policies' }).click();
    await page.getByRole('row', { name: /Platform critical.*Platform primary → after 15 min Ana Lima/ }).waitFor();
  });

  it('a responder outside the owning team reads every schedule and policy without the controls to change them', async () => {
    const { page, context } = app;
    const { csrfToken } = await setUpOwner(app);
    const team = (await apiAs(app, csrfToken, 'POST', '/api/v1/teams', { handle: 'platform', name: 'Platform' })) as { id: string };
    const responder = { ...bo, password: 'responder password 1' };
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', responder);
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', cy);
    const schedule = await createRotation(app, csrfToken, team.id);
    await apiAs(app, csrfToken, 'POST', '/api/v1/escalation-policies', {
      handle: 'platform-critical',
      name: 'Platform critical',
      team: team.id,
      levels: [
        { delayMinutes: 5, targets: [{ type: 'schedule', ref: schedule.id }] },
        { delayMinutes: 5, targets: [{ type: 'user', ref: owner.handle }] },
      ],
    });
    await context.clearCookies();
    await page.goto('/login');
    await page.getByLabel('Email').fill(responder.email);
    await page.getByLabel('Password').fill(responder.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: `Welcome, ${responder.name}` }).waitFor();

    await page.goto('/oncall/escalation-policies');
    await page.getByRole('link', { name: 'Platform critical' }).click();
    await page.getByText('Only admins of the owning team can change this policy.').waitFor();
    expect(await page.getByRole('button', { name: 'Save policy' }).count()).toBe(0);
    const steps = page.getByRole('region', { name: 'Preview' }).locator('.preview-step');
    await expect.poll(() => steps.nth(0).textContent()).toMatch(/Level 1.*Bo Chen/);

    await page.goto('/oncall/schedules');
    expect(await page.getByRole('button', { name: 'New schedule' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Platform primary' }).click();
    // Bars show their details on focus but are not buttons here.
    const bar = page.getByTestId('final-track').getByRole('img', { name: /^Bo Chen,/ });
    await bar.focus();
    await page.getByRole('tooltip').getByText('Bo Chen').waitFor();
    expect(await page.getByTestId('final-track').getByRole('button').count()).toBe(0);
    for (const control of ['Edit schedule', 'Add override', 'Swap two shifts', 'Delete schedule']) {
      expect(await page.getByRole('button', { name: control }).count(), control).toBe(0);
    }
  });

  it('My on-call shows the next shift and manages a calendar feed', async () => {
    const { page } = app;
    const csrfToken = await setUpPeople(app);
    await createRotation(app, csrfToken);

    await page.goto('/oncall');
    await page.getByRole('heading', { name: 'On-call', level: 1 }).waitFor();
    const now = page.getByRole('group', { name: 'Now' });
    await now.getByText('You are not on call.').waitFor();
    // Ana's next turn: Monday 18 January 09:00 New York, which is 14:00 in Lisbon.
    const next = page.getByRole('group', { name: 'Next shift' });
    await next.getByRole('link', { name: 'Platform primary' }).waitFor();
    expect(await next.textContent()).toMatch(/18.*14:00 – .*25.*14:00 Europe\/Lisbon/);
    expect(await next.textContent()).toContain('7 d');
    // Shifts for the next three months, grouped by week.
    const weeks = page.locator('.week');
    expect(await weeks.count()).toBeGreaterThanOrEqual(3);
    expect(await weeks.first().getByRole('heading').textContent()).toMatch(/Week of .*18/);

    const feeds = page.getByRole('region', { name: 'Calendar feeds' });
    await feeds.getByText('No feed links yet.').waitFor();
    await feeds.getByRole('button', { name: 'Create feed link' }).click();
    const url = await feeds.getByLabel('Feed address').inputValue();
    expect(url).toMatch(/^https?:\/\/.+/);
    await saveScreenshot(page, 'oncall-my-oncall');
    // The server builds the address from its public URL; the test server's is not where it listens.
    const ics = await app.context.request.get(new URL(url).pathname);
    expect(ics.status()).toBe(200);
    expect(await ics.text()).toContain('BEGIN:VCALENDAR');
    await feeds.getByRole('button', { name: 'Done' }).click();
    // Shown once: only its creation time is listed now.
    expect(await feeds.getByLabel('Feed address').count()).toBe(0);
    await feeds.getByRole('button', { name: 'Revoke' }).click();
    await feeds.getByRole('group', { name: /Revoke this feed/ }).getByRole('button', { name: 'Revoke' }).click();
    await feeds.getByText('No feed links yet.').waitFor();
    expect((await app.context.request.get(new URL(url).pathname)).status()).toBe(404);
  });

  it('the hours report shows a row per person and offers CSV', async () => {
    const { page } = app;
    const csrfToken = await setUpPeople(app);
    const team = (await apiAs(app, csrfToken, 'POST', '/api/v1/teams', { handle: 'platform', name: 'Platform' })) as { id: string };
    await createRotation(app, csrfToken, team.id);

    await page.goto('/oncall/reports/hours');
    // This month (January 2027 in Lisbon) by default.
    expect(await page.getByLabel('From').inputValue()).toBe('2027-01-01');
    expect(await page.getByLabel('To (inclusive)').inputValue()).toBe('2027-01-31');
    await page.getByLabel('Team').selectOption({ label: 'Platform' });
    const table = page.getByRole('table', { name: 'On-call hours per person' });
    const boRow = table.getByRole('row', { name: /Bo Chen/ });
    await boRow.waitFor();
    // Bo's weeks in January (Lisbon days): 4 Jan 14:00 – 11 Jan 14:00 (168 h) and 25 Jan 14:00 to
    // the end of the month (154 h).
    expect(await boRow.locator('td').last().textContent()).toBe('322.0');
    await table.getByRole('row', { name: /^Total/ }).waitFor();
    await saveScreenshot(page, 'oncall-hours-report');

    const csv = page.getByRole('link', { name: 'Download CSV' });
    const href = await csv.getAttribute('href');
    expect(href).toContain('format=csv');
    const response = await app.context.request.get(href ?? '');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/csv');
    expect(await response.text()).toContain('Bo Chen');
  });

  it('a team page shows who is on call for the team now', async () => {
    const { page } = app;
    const csrfToken = await setUpPeople(app);
    const team = (await apiAs(app, csrfToken, 'POST', '/api/v1/teams', { handle: 'platform', name: 'Platform' })) as { id: string };
    await createRotation(app, csrfToken, team.id);

    await page.goto('/teams/platform');
    const section = page.getByRole('region', { name: 'On call now' });
    await section.getByText('Bo Chen').waitFor();
    await section.getByRole('link', { name: 'platform-primary' }).waitFor();
  });
});
