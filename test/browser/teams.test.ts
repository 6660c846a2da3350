import { describe, expect, inject, it } from 'vitest';
import { apiAs, owner, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

describe.skipIf(!inject('chromiumPath'))('teams', () => {
  const app = useBrowserApp();

  it('creates a team and adds a member', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', { handle: 'bo-chen', name: 'Bo Chen', email: 'bo@example.com', timeZone: 'Asia/Singapore', role: 'responder' });

    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).click();
    await page.getByText('No teams yet').waitFor();
    await page.getByRole('button', { name: 'New team' }).click();
    await page.getByLabel('Name').fill('Platform');
    await page.getByLabel('Handle').fill('Platform Team');
    await page.getByLabel('Description').fill('Runs the shared infrastructure.');
    await page.getByRole('button', { name: 'Create team' }).click();
    // The server's validation message appears beside the field it is about.
    const handleField = page.locator('.field', { has: page.getByLabel('Handle') });
    await handleField.locator('.field-error').waitFor();
    expect(await page.getByLabel('Handle').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Handle').fill('platform');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('heading', { name: 'Platform', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/teams/platform');

    const addMember = page.getByRole('form', { name: 'Add member' });
    await addMember.getByLabel('Person').selectOption({ label: 'Bo Chen (bo-chen)' });
    await addMember.getByLabel('Team role').selectOption('admin');
    await addMember.getByRole('button', { name: 'Add member' }).click();
    const members = page.getByRole('region', { name: 'Members' }).getByRole('table');
    await members.getByRole('cell', { name: /Bo Chen/ }).waitFor();
    expect(await members.getByLabel('Team role of Bo Chen').inputValue()).toBe('admin');

    // Also add the owner, then remove them again.
    await addMember.getByLabel('Person').selectOption({ label: `${owner.name} (${owner.handle})` });
    await addMember.getByRole('button', { name: 'Add member' }).click();
    await members.getByRole('cell', { name: new RegExp(owner.name) }).waitFor();
    await saveScreenshot(page, 'team-with-two-members');
    await members.getByRole('row', { name: new RegExp(owner.name) }).getByRole('button', { name: 'Remove' }).click();
    await members.getByRole('group', { name: `Remove ${owner.name} from Platform?` }).getByRole('button', { name: 'Remove' }).click();
    await members.getByRole('cell', { name: new RegExp(owner.name) }).waitFor({ state: 'detached' });

    const team = await (await app.context.request.get('/api/v1/teams/platform')).json();
    expect(team.members).toEqual([expect.objectContaining({ handle: 'bo-chen', role: 'admin' })]);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('link', { name: 'Platform' }).waitFor();
  });

  it('a viewer sees teams and users without the controls to change them', async () => {
    const { page, context } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/teams', { handle: 'platform', name: 'Platform' });
    const viewer = { handle: 'cy-diaz', name: 'Cy Díaz', email: 'cy@example.com', timeZone: 'America/New_York', role: 'viewer', password: 'viewer password 1' };
    await apiAs(app, csrfToken, 'POST', '/api/v1/users', viewer);
    await context.clearCookies();

    await page.goto('/login');
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: `Welcome, ${viewer.name}` }).waitFor();

    await page.goto('/teams/platform');
    await page.getByRole('heading', { name: 'Platform', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Members' }).getByText('No members yet').waitFor();
    expect(await page.getByRole('button').allTextContents()).toEqual(['Dark theme', 'Log out']);

    await page.goto('/users');
    await page.getByRole('link', { name: viewer.name, exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0);
    await page.goto('/settings/profile');
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API tokens' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Settings' }).getByRole('link').allTextContents()).toEqual(['Profile', 'Contact methods', 'API tokens', 'Notification providers', 'Incidents']);
  });
});
