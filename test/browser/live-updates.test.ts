import { describe, expect, inject, it } from 'vitest';
import { apiAs, saveScreenshot, setUpOwner, useBrowserApp } from '../support/browser.js';

/**
 * Live updates (server-sent events): with the alerts list open, an alert a monitoring tool posts
 * appears without a reload, and an acknowledgement made elsewhere shows on the open alert page. While
 * the stream is live the pages do not poll, so the change can only have come over the stream.
 */
describe.skipIf(!inject('chromiumPath'))('live updates', () => {
  const app = useBrowserApp();

  it('an alert posted to /v2/enqueue appears in the open alerts list, and its acknowledgement on the open alert page, without reload', async () => {
    const { page } = app;
    const { csrfToken } = await setUpOwner(app);
    await apiAs(app, csrfToken, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    const integration = (await apiAs(app, csrfToken, 'POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })) as { key: string };

    await page.goto('/alerts');
    await page.getByText('No open alerts').waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    // Survives only if the page is never reloaded.
    await page.evaluate(() => Object.assign(window, { liveMarker: 'still here' }));

    const response = await fetch(`${app.server.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: integration.key, event_action: 'trigger', dedup_key: 'disk-db-1', payload: { summary: 'Disk almost full on db-1', source: 'db-1', severity: 'critical' } }),
    });
    expect(response.status).toBe(202);

    const row = page.getByRole('row', { name: /Disk almost full on db-1/ });
    // Well under the 10 s polling interval, which is off while the stream is live anyway.
    await row.waitFor({ timeout: 5000 });
    expect(await row.textContent()).toContain('Triggered');
    expect(await page.evaluate(() => (window as unknown as { liveMarker?: string }).liveMarker)).toBe('still here');
    await saveScreenshot(page, 'live-alert-appeared');

    await row.getByRole('link', { name: /Disk almost full/ }).click();
    await page.getByRole('heading', { name: /#\d+ Disk almost full on db-1/, level: 1 }).waitFor();
    const header = page.locator('.page-header');
    await header.getByText('Triggered', { exact: true }).waitFor();
    await header.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    const alerts = (await (await app.context.request.get('/api/v1/alerts')).json()) as { items: Array<{ id: string }> };
    await apiAs(app, csrfToken, 'POST', `/api/v1/alerts/${alerts.items[0]?.id}/acknowledge`, {});
    await header.getByText('Acknowledged', { exact: true }).waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => (window as unknown as { liveMarker?: string }).liveMarker)).toBe('still here');
  });
});
