import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from 'vitest';
import type { Clock } from '../../src/server/platform/clock.js';
import { startTestServer, type TestServer } from './server.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

/**
 * Flags for the system Chromium on a machine whose only network is a package mirror. Without the
 * background-networking flags Chromium floods the closed network with failing requests.
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const repoRoot = join(import.meta.dirname, '..', '..');
export const artifactsDir = join(repoRoot, 'test-artifacts', 'browser');
/** The UI that browser.global.ts just built; passed explicitly so the server never serves anything else. */
const webRoot = join(repoRoot, 'dist', 'web');

/** Launches the system Chromium with a fresh, throwaway profile. */
export function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs });
}

/** `creates a team, adds a member` → `creates-a-team-adds-a-member` */
export function artifactName(testName: string): string {
  return testName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 120);
}

/** Saves a full-page PNG under test-artifacts/browser/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${artifactName(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The first owner every suite sets up, unless a test goes through the setup form itself. */
export const owner = {
  name: 'Ana Lima',
  handle: 'ana-lima',
  email: 'ana@example.com',
  timeZone: 'Europe/Lisbon',
  password: 'correct horse battery staple',
};

export interface BrowserApp {
  browser: Browser;
  server: TestServer;
  context: BrowserContext;
  page: Page;
  /** Errors the page reported: uncaught exceptions and console errors such as CSP violations. */
  pageErrors: string[];
}

/**
 * Registers hooks that give each test a fresh Firebreak (empty SQLite database, built web UI) and a
 * fresh browser context on it, and save a screenshot named after the test when it ends. One
 * Chromium serves the whole file. Read the returned object inside tests, not at collection time.
 * `clock` is handed to every server (a ManualClock pins "now" for time-dependent pages).
 */
export function useBrowserApp(options: { clock?: Clock; env?: () => Record<string, string>; viewport?: { width: number; height: number } } = {}): BrowserApp {
  const app = {} as BrowserApp;
  // Filled in by the hooks below; tests run after them.
  beforeAll(async () => {
    const executablePath = inject('chromiumPath');
    if (!executablePath) throw new Error('useBrowserApp() needs Chromium: wrap the suite in describe.skipIf(!inject("chromiumPath"))');
    app.browser = await launchBrowser(executablePath);
  });
  afterAll(async () => {
    await app.browser?.close();
  });
  beforeEach(async () => {
    app.pageErrors = [];
    app.server = await startTestServer({ webRoot, ...(options.clock ? { clock: options.clock } : {}), ...(options.env ? { env: options.env() } : {}) });
    app.context = await app.browser.newContext({ baseURL: app.server.url, viewport: options.viewport ?? { width: 1280, height: 800 }, colorScheme: 'light' });
    app.context.setDefaultTimeout(10_000);
    app.page = await app.context.newPage();
    app.page.on('pageerror', (error) => app.pageErrors.push(error.message));
    app.page.on('console', (message) => {
      // The browser logs every non-2xx answer (a 401 before login is expected); keep the rest.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) app.pageErrors.push(message.text());
    });
  });
  afterEach(async (context) => {
    try {
      if (app.page && !app.page.isClosed()) await saveScreenshot(app.page, context.task.name);
      if (app.pageErrors) expect(app.pageErrors, 'errors reported by the page').toEqual([]);
    } finally {
      await app.context?.close();
      await app.server?.stop();
    }
  });
  return app;
}

/** Creates the first owner through the API, which also logs this browser context in. */
export async function setUpOwner(app: BrowserApp): Promise<{ csrfToken: string }> {
  const response = await app.context.request.post('/api/v1/setup', { data: { token: app.server.setupToken, ...owner } });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { csrfToken: string };
}

/** Calls the API as the logged-in browser context (cookie + CSRF token), for test data. */
export async function apiAs(app: BrowserApp, csrfToken: string, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, data: unknown): Promise<unknown> {
  const response = await app.context.request.fetch(path, { method, data, headers: { 'x-csrf-token': csrfToken } });
  expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(true);
  return response.status() === 204 ? undefined : response.json();
}

/**
 * Like `useBrowserApp()`, but the server sends email to an SMTP sink in this process
 * (FIREBREAK_SMTP_URL), cleared before each test, so a test reads real mail (verification codes,
 * stakeholder updates). Jobs are polled every 200 ms so mail goes out promptly.
 */
export function useBrowserAppWithMail(): BrowserApp & { sink: SmtpSink } {
  const mail = {} as { sink: SmtpSink };
  beforeAll(async () => {
    mail.sink = await startSmtpSink();
  });
  afterAll(async () => {
    await mail.sink?.close();
  });
  beforeEach(() => mail.sink.clear());
  const app = useBrowserApp({ env: () => ({ FIREBREAK_SMTP_URL: mail.sink.url, FIREBREAK_JOB_POLL_MS: '200' }), viewport: { width: 1280, height: 900 } });
  return Object.defineProperty(app, 'sink', { get: () => mail.sink }) as BrowserApp & { sink: SmtpSink };
}
