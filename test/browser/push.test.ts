import { describe, expect, inject, it } from 'vitest';
import { setUpOwner, useBrowserApp } from '../support/browser.js';

// The installable app and its service worker, in the real Chromium against the built UI. Subscribing
// to push is not exercised here: Chromium would have to reach Google's push service.
describe.skipIf(!inject('chromiumPath'))('web app install and push setup', () => {
  const app = useBrowserApp();

  it('links a manifest served as application/manifest+json and registers a service worker for the whole site, within the CSP', async () => {
    const { page, server } = app;
    await setUpOwner(app);
    await page.goto('/');

    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBe('/manifest.webmanifest');
    const manifest = await page.request.get(manifestHref!);
    expect(manifest.status()).toBe(200);
    expect(manifest.headers()['content-type']).toMatch(/^application\/manifest\+json/);
    expect(await manifest.json()).toMatchObject({ name: 'Firebreak', start_url: '/', display: 'standalone', icons: expect.arrayContaining([expect.objectContaining({ src: '/icon-512.png', sizes: '512x512', purpose: 'maskable' })]) as unknown });
    const icon = await page.request.get('/icon.svg');
    expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);
    // PNG icons for platforms without SVG notification icons, and the monochrome status-bar badge.
    for (const png of ['/icon-192.png', '/icon-512.png', '/badge-96.png']) {
      const answer = await page.request.get(png);
      expect(answer.status(), png).toBe(200);
      expect(answer.headers()['content-type'], png).toMatch(/^image\/png/);
      expect((await answer.body()).subarray(1, 4).toString('latin1'), png).toBe('PNG');
    }
    const worker0 = await (await page.request.get('/sw.js')).text();
    expect(worker0).toContain("'/icon-192.png'");

    const worker = await page.request.get('/sw.js');
    expect(worker.status()).toBe(200);
    expect(worker.headers()['content-type']).toMatch(/^(application|text)\/javascript/);

    const registration = await page.evaluate(async () => {
      const ready = await navigator.serviceWorker.ready;
      return { scope: ready.scope, script: ready.active?.scriptURL ?? null };
    });
    expect(registration).toEqual({ scope: `${server.url}/`, script: `${server.url}/sw.js` });
    // CSP violations (worker-src, manifest-src) would be console errors: useBrowserApp fails on them.
  });

  it('explains on the contact methods page when web push is not configured, offering no button', async () => {
    const { page } = app;
    await setUpOwner(app);
    await page.goto('/settings/contact-methods');
    const section = page.getByRole('region', { name: 'Push on this device' });
    await section.getByText('Push notifications are not set up on this Firebreak instance').waitFor();
    expect(await section.getByRole('button', { name: 'Enable push on this device' }).count()).toBe(0);
  });
});
