import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { beforeEach, describe, expect, it } from 'vitest';

/**
 * src/web/public/sw.js run in a fresh V8 context with a stand-in for the browser's
 * ServiceWorkerGlobalScope (the browser's API, not Firebreak's code): events are dispatched as the
 * browser would, and what the worker asks of the browser (notifications, fetches, windows) is recorded.
 */
const source = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'web', 'public', 'sw.js'), 'utf8');
const ORIGIN = 'https://firebreak.example.com';

interface Shown {
  title: string;
  options: Record<string, unknown> & { data?: Record<string, unknown>; actions?: Array<{ action: string; title: string }> };
}

class FakeClient {
  focused = false;
  constructor(
    public url: string,
    private readonly scope: FakeScope,
  ) {}
  async focus() {
    this.focused = true;
    return this;
  }
  async navigate(url: string) {
    this.scope.navigated.push(url);
    this.url = url;
    return this;
  }
}

class FakeScope {
  shown: Shown[] = [];
  fetched: Array<{ url: string; init: Record<string, unknown> }> = [];
  opened: string[] = [];
  navigated: string[] = [];
  windows: FakeClient[] = [];
  answer: () => Promise<Response> = async () => new Response('', { status: 200 });
  private listeners = new Map<string, (event: unknown) => void>();

  globals() {
    const self = {
      location: new URL(`${ORIGIN}/sw.js`),
      addEventListener: (type: string, listener: (event: unknown) => void) => this.listeners.set(type, listener),
      skipWaiting: async () => {},
      registration: {
        showNotification: async (title: string, options: Shown['options']) => {
          this.shown.push({ title, options });
        },
      },
      clients: {
        claim: async () => {},
        matchAll: async () => this.windows,
        openWindow: async (url: string) => {
          this.opened.push(url);
          return null;
        },
      },
    };
    return {
      self,
      URL,
      AbortSignal,
      fetch: async (url: string, init: Record<string, unknown>) => {
        this.fetched.push({ url, init });
        return this.answer();
      },
    };
  }

  /** Dispatches an event and waits for what it passed to `waitUntil`. */
  async dispatch(type: string, fields: Record<string, unknown>) {
    const pending: Array<Promise<unknown>> = [];
    const listener = this.listeners.get(type);
    if (!listener) throw new Error(`sw.js has no ${type} listener`);
    listener({ ...fields, waitUntil: (p: Promise<unknown>) => pending.push(p) });
    await Promise.all(pending);
  }

  push(payload: unknown) {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return this.dispatch('push', { data: { text: () => text, json: () => JSON.parse(text) as unknown } });
  }

  click(shown: Shown, action = '') {
    let closed = false;
    return this.dispatch('notificationclick', { action, notification: { data: shown.options.data, close: () => (closed = true), get closed() { return closed; } } });
  }
}

const page = {
  subject: '#42 Checkout latency above 2 s',
  body: 'Alert #42 on checkout (critical)',
  url: `${ORIGIN}/alerts/a1`,
  kind: 'page',
  alertNumber: 42,
  tag: 'firebreak-alert-a1',
  actions: { acknowledge: `${ORIGIN}/a/ack-token`, resolve: `${ORIGIN}/a/resolve-token` },
  test: false,
  shadow: false,
};

describe('service worker (sw.js)', () => {
  let sw: FakeScope;
  beforeEach(() => {
    sw = new FakeScope();
    runInNewContext(source, sw.globals());
  });

  it('shows a page that stays until answered, with Acknowledge and Resolve buttons, tagged by alert', async () => {
    await sw.push(page);
    expect(sw.shown).toHaveLength(1);
    const [shown] = sw.shown;
    expect(shown?.title).toBe('#42 Checkout latency above 2 s');
    expect(shown?.options).toMatchObject({ body: 'Alert #42 on checkout (critical)', tag: 'firebreak-alert-a1', requireInteraction: true, renotify: true });
    expect(shown?.options.actions).toEqual([
      { action: 'acknowledge', title: 'Acknowledge' },
      { action: 'resolve', title: 'Resolve' },
    ]);
  });

  it('shows a drill page without holding the screen or ringing again', async () => {
    await sw.push({ ...page, test: true });
    expect(sw.shown[0]?.options).toMatchObject({ requireInteraction: false, renotify: false });
  });

  it('shows a resolved notice or a code without buttons', async () => {
    await sw.push({ ...page, kind: 'notification', actions: null });
    await sw.push({ subject: 'Firebreak verification code: 042917', body: 'Your code is 042917', url: `${ORIGIN}/settings/contact-methods`, kind: 'verification', tag: 'firebreak-verification', actions: null });
    expect(sw.shown.map((s) => s.options.actions)).toEqual([[], []]);
    expect(sw.shown[1]?.options.body).toBe('Your code is 042917');
  });

  it('still shows a notification for a payload that is not JSON (browsers require one per push)', async () => {
    await sw.push('plain words');
    expect(sw.shown).toEqual([expect.objectContaining({ title: 'Firebreak', options: expect.objectContaining({ body: 'plain words' }) as unknown })]);
  });

  it('acknowledges from the button: POSTs the signed link without credentials and shows the server’s sentence in place of the page', async () => {
    sw.answer = async () => new Response('<!doctype html><html><body><h1>Acknowledged</h1><p>Alert #42 “Checkout &amp; cart” is now acknowledged, recorded as @ana.</p></body></html>', { status: 200 });
    await sw.push(page);
    await sw.click(sw.shown[0]!, 'acknowledge');
    expect(sw.fetched).toEqual([{ url: `${ORIGIN}/a/ack-token`, init: expect.objectContaining({ method: 'POST', credentials: 'omit' }) as unknown }]);
    expect(sw.fetched[0]?.init.signal).toBeInstanceOf(AbortSignal);
    expect(sw.shown[1]).toMatchObject({ title: 'Acknowledged alert #42', options: { body: 'Alert #42 “Checkout & cart” is now acknowledged, recorded as @ana.', tag: 'firebreak-alert-a1' } });
    expect(sw.shown[1]?.options.actions).toBeUndefined();
  });

  it('says so when the link was already used, with the server’s reason', async () => {
    sw.answer = async () => new Response('<h1>Link already used</h1><p>This link was already used (2026-11-21 09:05 UTC); each link works once.</p>', { status: 410 });
    await sw.push(page);
    await sw.click(sw.shown[0]!, 'resolve');
    expect(sw.fetched[0]?.url).toBe(`${ORIGIN}/a/resolve-token`);
    expect(sw.shown[1]).toMatchObject({ title: 'Resolve did not go through', options: { body: expect.stringMatching(/already used/) as unknown } });
  });

  it('tells the person when Firebreak cannot be reached, and a tap then opens the alert', async () => {
    sw.answer = async () => {
      throw new TypeError('Failed to fetch');
    };
    await sw.push(page);
    await sw.click(sw.shown[0]!, 'acknowledge');
    expect(sw.shown[1]).toMatchObject({ title: 'Could not acknowledge alert #42', options: { data: { url: `${ORIGIN}/alerts/a1` } } });
  });

  it('opens the link’s own confirmation page when the link is on another origin (its answer would be hidden by CORS)', async () => {
    await sw.push({ ...page, actions: { acknowledge: 'https://pager.example.net/a/ack-token', resolve: 'https://pager.example.net/a/resolve-token' } });
    await sw.click(sw.shown[0]!, 'acknowledge');
    expect(sw.fetched).toEqual([]);
    expect(sw.opened).toEqual(['https://pager.example.net/a/ack-token']);
  });

  it('opens the alert on a plain click, focusing a window already showing it', async () => {
    await sw.push(page);
    await sw.click(sw.shown[0]!);
    expect(sw.opened).toEqual([`${ORIGIN}/alerts/a1`]);

    const open = new FakeClient(`${ORIGIN}/alerts/a1`, sw);
    sw.windows = [open];
    await sw.click(sw.shown[0]!);
    expect(open.focused).toBe(true);
    expect(sw.opened).toHaveLength(1);
  });

  it('moves an open Firebreak window to the alert rather than opening another', async () => {
    const other = new FakeClient(`${ORIGIN}/oncall`, sw);
    sw.windows = [other];
    await sw.push(page);
    await sw.click(sw.shown[0]!);
    expect(sw.navigated).toEqual([`${ORIGIN}/alerts/a1`]);
    expect(other.focused).toBe(true);
    expect(sw.opened).toEqual([]);
  });
});
