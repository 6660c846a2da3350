import { Writable } from 'node:stream';
import { ApiClient } from '../../src/cli/api-client.js';
import type { TestApp } from './app.js';

/** An ApiClient for CLI command tests whose requests (with their bodies) go to the in-process app, no port. */
export function cliClientFor(t: TestApp, token: string): ApiClient {
  const fetchViaInject = (async (url: string | URL, init?: RequestInit) => {
    const u = new URL(String(url));
    const res = await t.app.inject({ method: (init?.method ?? 'GET') as 'GET', url: u.pathname + u.search, headers: init?.headers as Record<string, string>, ...(init?.body ? { payload: String(init.body) } : {}) });
    return new Response(res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type'] ?? '') } });
  }) as typeof fetch;
  return new ApiClient({ baseUrl: 'http://firebreak.test', token, fetch: fetchViaInject });
}

/** A writable stream that keeps what a command printed. */
export function captureOutput(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { out, text: () => text };
}
