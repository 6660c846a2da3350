import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * With a built web UI, deep links (`/incidents/42`) get the single-page app while unknown API paths keep
 * the JSON error shape. A regression test: the server once failed to start whenever the web UI was
 * built, because the not-found handler was set twice.
 */
describe('the web UI fallback beside the API', () => {
  let webRoot: string;
  let server: TestServer;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'firebreak-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Firebreak</title><div id="root"></div>');
    server = await startTestServer({ webRoot });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('answers a deep link with the app’s index.html and a strict content security policy', async () => {
    const response = await fetch(`${server.url}/teams/platform?tab=members`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await response.text()).toContain('<div id="root">');
  });

  it('answers unknown API paths and non-GET requests with ROUTE_NOT_FOUND in the error shape', async () => {
    for (const [method, path] of [['GET', '/api/v1/nothing-here'], ['GET', '/metrics/extra'], ['POST', '/teams/platform'], ['DELETE', '/']] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', details: null, errorId: expect.any(String) });
    }
  });
});
