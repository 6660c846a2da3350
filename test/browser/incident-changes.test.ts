import { describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../src/server/platform/clock.js';
import { apiAs, setUpOwner, useBrowserApp } from '../support/browser.js';

interface Incident {
  reference: string;
}

/** Recent changes in the war room (ADR 0031): a CI pipeline's change shows up as a suspect, a responder marks it. */
describe.skipIf(!inject('chromiumPath'))('recent changes on an incident', () => {
  const app = useBrowserApp({ clock: new ManualClock('2026-11-21T09:00:00Z') });

  it('flags a change made shortly before impact as a suspect, with its rollback button, and marks it caused on the timeline', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'payments', name: 'Payments' });
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout', dependsOn: ['payments'] });
    // What a CI pipeline sends after a deploy (`firebreak change record` does the same).
    await apiAs(app, csrfToken, 'POST', '/api/v1/changes', {
      service: 'checkout', summary: 'Deploy checkout v1.42.0', version: 'v1.42.0', commit: '9fceb02d0ae598e95dc970b74767f19372d61af8', author: 'ana',
      link: 'https://ci.example.test/runs/812', rollbackLink: 'https://ci.example.test/rollback?to=v1.41.0', timestamp: '2026-11-21T08:40:00Z',
    });
    await apiAs(app, csrfToken, 'POST', '/api/v1/changes', { service: 'payments', summary: 'Payments: pool size 50 → 10', timestamp: '2026-11-21T01:00:00Z' });
    const incident = (await apiAs(app, csrfToken, 'POST', '/api/v1/incidents', { title: 'Card payments fail', severity: 'SEV2', impactedServices: ['checkout'] })) as Incident;

    await page.goto(`/incidents/${incident.reference}`);
    const section = page.getByRole('region', { name: 'Recent changes' });
    const deploy = section.getByRole('listitem', { name: 'Deploy checkout v1.42.0' });
    await deploy.getByText('Suspect: before impact').waitFor();
    await deploy.getByText('v1.42.0', { exact: false }).first().waitFor();
    expect(await deploy.getByRole('link', { name: 'Roll back' }).getAttribute('href')).toBe('https://ci.example.test/rollback?to=v1.41.0');
    // A dependency's change from earlier is listed, not flagged.
    const pool = section.getByRole('listitem', { name: 'Payments: pool size 50 → 10' });
    await pool.getByText('a dependency of checkout', { exact: false }).waitFor();
    expect(await pool.getByText('Suspect: before impact').count()).toBe(0);

    await deploy.getByRole('group', { name: 'Mark Deploy checkout v1.42.0' }).getByRole('button', { name: 'Caused it' }).click();
    await deploy.getByText('Caused the incident').waitFor();
    await expect.poll(() => deploy.getByRole('button', { name: 'Caused it' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('list', { name: 'Timeline entries' }).getByText('Marked change checkout: Deploy checkout v1.42.0 as the cause').waitFor();

    // Pressing it again clears the mark, on the timeline too.
    await deploy.getByRole('button', { name: 'Caused it' }).click();
    await page.getByRole('list', { name: 'Timeline entries' }).getByText('Cleared the mark on change checkout: Deploy checkout v1.42.0').waitFor();
    await expect.poll(() => deploy.getByText('Caused the incident').count()).toBe(0);

    // The service page shows what it depends on (editable in its form) and the change with its rollback link.
    await page.goto('/services/checkout');
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByRole('list', { name: 'Depends on' }).getByRole('link', { name: 'payments' }).waitFor();
    expect(await page.getByRole('region', { name: 'Recent changes' }).getByRole('link', { name: 'Roll back' }).getAttribute('href')).toBe('https://ci.example.test/rollback?to=v1.41.0');
    await page.getByRole('button', { name: 'Edit service' }).click();
    const form = page.getByRole('form', { name: 'Edit service' });
    expect(await form.getByLabel('Depends on').inputValue()).toBe('payments');
    await form.getByLabel('Depends on').fill('');
    await form.getByRole('button', { name: 'Save service' }).click();
    await page.getByRole('region', { name: 'Details' }).getByText('No dependencies named').waitFor();
  });
});
