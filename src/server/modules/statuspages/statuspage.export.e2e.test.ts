import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import type { StatusIncident } from '../../../contracts/status-pages.js';
import { ManualClock } from '../../platform/clock.js';
import { createLogger } from '../../platform/logger.js';
import { watchStatusPages } from './statuspage.export.js';

/** Continuous export (`firebreak statuspage export <dir> --watch`, docs/status-pages.md "Static export"). */
describe('continuous status-page export', () => {
  let t: TestApp;
  let admin: string;
  let dir: string;

  beforeEach(async () => {
    t = await buildTestApp({ clock: new ManualClock('2026-11-21T09:00:00Z') });
    admin = (await t.userWithToken('admin', 'ana')).token;
    dir = mkdtempSync(join(tmpdir(), 'firebreak-watch-'));
  });
  afterEach(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) => {
    const res = await t.app.inject({ method, url, headers: bearer(admin), ...(payload ? { payload } : {}) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res;
  };
  const read = (...parts: string[]) => {
    const file = join(dir, 'status', ...parts);
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  };

  it('writes a page again when it changes, drops deleted incidents’ files, and removes a page made private', async () => {
    await call('POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme', timeZone: 'UTC' });
    const stop = new AbortController();
    const events: string[] = [];
    const watching = watchStatusPages({ pages: t.firebreak.services.statusPages, clock: t.clock, logger: createLogger('silent') }, dir, {
      pollMs: 20,
      signal: stop.signal,
      onExport: (slugs, removed) => events.push(`wrote ${slugs.join(',')} removed ${removed.join(',')}`),
    });
    try {
      await expect.poll(() => read('acme', 'index.html')).toContain('All Systems Operational');

      const incident = json<StatusIncident>(await call('POST', '/api/v1/status-pages/acme/incidents', { name: 'Checkout errors', impact: 'major', body: 'Investigating.' }));
      await expect.poll(() => read('acme', 'index.html')).toContain('Checkout errors');
      expect(read('acme', 'incidents', incident.id, 'index.html')).toContain('Investigating.');
      expect(JSON.parse(read('acme', 'api', 'v2', 'incidents', 'unresolved.json') ?? '{}')).toMatchObject({ incidents: [{ name: 'Checkout errors' }] });

      await call('DELETE', `/api/v1/status-pages/acme/incidents/${incident.id}`);
      await expect.poll(() => read('acme', 'incidents', incident.id, 'index.html')).toBeNull();
      expect(read('acme', 'index.html')).not.toContain('Checkout errors');

      await call('PATCH', '/api/v1/status-pages/acme', { visibility: 'private' });
      await expect.poll(() => existsSync(join(dir, 'status', 'acme'))).toBe(false);
      expect(events.at(-1)).toBe('wrote  removed acme');
    } finally {
      stop.abort();
      await watching;
    }
  });
});
