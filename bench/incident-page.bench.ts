/**
 * The war room's speed (issue 6, "Speed"); reported, never asserted:
 *
 * 1. **First meaningful paint with 2,000 timeline entries**, in headless Chromium (the system
 *    /usr/bin/chromium through playwright-core, as the browser tests use it): a fresh page opens
 *    `/incidents/INC-n` and an init script's MutationObserver stamps `performance.now()` (ms since
 *    the navigation started) when the heading is in the document, when the heading and the newest
 *    20 entries are (first meaningful paint: more than a 1280×800 window shows), and when the
 *    timeline holds every entry (its oldest row rendered too). Median of RUNS loads after a warm-up.
 *    Baseline in the same run: the same page for an incident with 10 entries; ratios are reported.
 * 2. **Timeline propagation**: page B has the 2,000-entry incident open; client A posts a note through
 *    the API (a plain HTTP request with a bearer token); the time from just before A sends it to the
 *    moment page B's DOM shows it (stamped in the page by a MutationObserver as
 *    `performance.timeOrigin + performance.now()`, the same machine clock as the sender's stamp).
 *    NOTES notes one after another; p50/p95/max. The same on the 10-entry incident as the baseline.
 *
 * The server runs in this process on a SQLite file and serves a web UI built for this run into a
 * temporary directory (so a concurrent build of dist/web cannot disturb it). The machine's load
 * (`uptime`) is recorded with the result: figures are only comparable within one run.
 *
 *   node --import tsx bench/incident-page.bench.ts     (FIREBREAK_BENCH_TIMELINE=2000, FIREBREAK_BENCH_NOTES=50)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createFirebreak, type Firebreak } from '../src/server/main.js';
import { systemActor } from '../src/server/modules/audit/audit.repo.js';
import { loadConfig } from '../src/server/platform/config.js';
import { createLogger } from '../src/server/platform/logger.js';
import { isMain, median, printResult, repoRoot, type BenchResult, type Metric } from './lib/report.js';
import { freePort } from './lib/server.js';
import { epochMs, percentile, progress, round, sleep, uptime } from './lib/measure.js';

const TIMELINE = Number(process.env.FIREBREAK_BENCH_TIMELINE ?? 2000);
const SMALL = 10;
const RUNS = Number(process.env.FIREBREAK_BENCH_PAINT_RUNS ?? 5);
const NOTES = Number(process.env.FIREBREAK_BENCH_NOTES ?? 50);
const BASELINE_NOTES = Math.max(10, Math.round(NOTES / 2));
/** "Meaningful": the heading and the newest entries, more than a 1280×800 window shows. */
const FIRST_SCREEN_ROWS = 20;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The flags the browser tests use (test/support/browser.ts) for the system Chromium on a closed network. */
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PASSWORD = 'bench-password-123';


/** Builds the web UI into a temporary directory (production build, what the server serves). */
function buildWeb(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'firebreak-bench-web-'));
  execFileSync('npx', ['vite', 'build', '--config', 'src/web/vite.config.ts', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`the web build wrote no index.html into ${outDir}`);
  return outDir;
}

interface Scene {
  firebreak: Firebreak;
  url: string;
  /** Bearer token of "client A", who posts notes. */
  token: string;
  big: string;
  small: string;
  stop(): Promise<void>;
}

/** A server with two incidents: one with TIMELINE entries, one with SMALL; a person who can log in. */
async function startScene(webRoot: string): Promise<Scene> {
  const dataDir = mkdtempSync(join(tmpdir(), 'firebreak-bench-incident-'));
  const port = await freePort();
  const config = { ...loadConfig({ PORT: String(port), HOST: '127.0.0.1', FIREBREAK_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', FIREBREAK_PUBLIC_RATE_LIMIT: '1000000' }), fastPasswordHashing: true };
  const firebreak = await createFirebreak({ config, logger: createLogger('silent'), webRoot, secretKey: randomBytes(32) });
  const started = await firebreak.start();
  const { catalog, auth, database, incidents } = firebreak.services;
  const acting = { actor: systemActor('bench'), principal: null };
  await catalog.createUser(acting, { handle: 'ana', name: 'Ana Lima', email: 'ana@example.test', timeZone: 'UTC', role: 'admin', password: PASSWORD });
  const ben = await catalog.createUser(acting, { handle: 'ben', name: 'Ben Ode', email: 'ben@example.test', timeZone: 'UTC', role: 'responder' });
  const token = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, ben.id), 'bench', systemActor('bench'));
  const declare = async (payload: Record<string, unknown>) => {
    const res = await firebreak.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: { authorization: `Bearer ${token}` }, payload });
    if (res.statusCode !== 201) throw new Error(`declaring answered ${res.statusCode}: ${res.body}`);
    return res.json() as { reference: string };
  };
  const big = await declare({ title: 'Checkout errors (2,000 entries)', severity: 'SEV1', summary: 'Card payments fail for about 20% of customers.' });
  const small = await declare({ title: 'Search slow (10 entries)', severity: 'SEV3' });
  const fill = async (ref: string, count: number) => {
    const row = await incidents.require(database.db, ref);
    const existing = (await incidents.timeline(ref)).items.length;
    for (let done = existing; done < count; ) {
      const batch = Math.min(200, count - done);
      const entries = Array.from({ length: batch }, (_, i) => ({
        kind: 'note' as const,
        action: 'note',
        actor: i % 3 === 0 ? 'ana' : 'ben',
        summary: `Entry ${done + i + 1}: checked ${['the load balancer', 'replica lag', 'the last deploy', 'error budgets', 'the payment provider status page'][(done + i) % 5]}; ${'details '.repeat(((done + i) % 7) + 2).trim()}.`,
        data: null,
      }));
      await database.transaction((tx) => incidents.appendTimeline(tx, row, entries, 'note'));
      done += batch;
    }
  };
  await fill(big.reference, TIMELINE);
  await fill(small.reference, SMALL);
  return {
    firebreak,
    url: started.url,
    token,
    big: big.reference,
    small: small.reference,
    async stop() {
      await firebreak.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Stamps, in the page: when the h1 appears and when the timeline holds `expected` rows; and when a note's text first appears. */
const pageProbe = `
  window.__bench = { heading: null, firstScreen: null, timeline: null, seen: {} };
  const expected = Number(new URLSearchParams(location.search).get('benchExpect') || 0);
  new MutationObserver((records) => {
    const b = window.__bench;
    if (b.heading === null && document.querySelector('h1')?.textContent?.startsWith('INC-')) b.heading = performance.now();
    const rows = document.querySelectorAll('.incident-timeline > li').length;
    if (b.firstScreen === null && b.heading !== null && expected > 0 && rows >= Math.min(expected, ${FIRST_SCREEN_ROWS})) b.firstScreen = performance.now();
    if (b.timeline === null && expected > 0 && rows >= expected) b.timeline = performance.now();
    for (const r of records) for (const n of r.addedNodes) {
      const text = n.textContent || '';
      const m = /bench-note-(\\d+)/.exec(text);
      if (m && !(m[1] in b.seen)) b.seen[m[1]] = performance.timeOrigin + performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
`;

async function login(browser: Browser, url: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
  const answer = await context.request.post('/api/v1/auth/login', { data: { email: 'ana@example.test', password: PASSWORD } });
  if (answer.status() !== 200) throw new Error(`login answered ${answer.status()}: ${await answer.text()}`);
  await context.addInitScript(pageProbe);
  return context;
}

/** Entries the page should show: the server's count for the incident. */
async function entryCount(scene: Scene, ref: string): Promise<number> {
  return (await scene.firebreak.services.incidents.timeline(ref)).items.length;
}

/** ms from navigation start to the heading, the first screen and the full timeline, over RUNS fresh pages. */
async function paint(context: BrowserContext, scene: Scene, ref: string): Promise<{ heading: number[]; firstScreen: number[]; timeline: number[] }> {
  const expected = await entryCount(scene, ref);
  const heading: number[] = [];
  const firstScreen: number[] = [];
  const timeline: number[] = [];
  // One warm-up load (the browser's code cache), then the measured ones.
  for (let run = 0; run <= RUNS; run++) {
    const page = await context.newPage();
    await page.goto(`/incidents/${ref}?benchExpect=${expected}`);
    await page.waitForFunction(() => (window as unknown as { __bench: { timeline: number | null } }).__bench.timeline !== null, undefined, { timeout: 30_000 });
    const stamps = await page.evaluate(() => (window as unknown as { __bench: { heading: number; firstScreen: number; timeline: number } }).__bench);
    if (run > 0) {
      heading.push(stamps.heading);
      firstScreen.push(stamps.firstScreen);
      timeline.push(stamps.timeline);
    }
    await page.close();
  }
  return { heading, firstScreen, timeline };
}

/** ms from client A sending a note to page B showing it, for `count` notes one after another. */
async function propagation(context: BrowserContext, scene: Scene, ref: string, count: number, first: number): Promise<number[]> {
  const expected = await entryCount(scene, ref);
  const page: Page = await context.newPage();
  await page.goto(`/incidents/${ref}?benchExpect=${expected}`);
  await page.waitForFunction(() => (window as unknown as { __bench: { timeline: number | null } }).__bench.timeline !== null, undefined, { timeout: 30_000 });
  await page.locator('[data-live-state="live"]').first().waitFor({ timeout: 15_000 });
  const samples: number[] = [];
  for (let i = first; i < first + count; i++) {
    const sentAt = epochMs();
    const answer = await fetch(`${scene.url}/api/v1/incidents/${ref}/timeline`, { method: 'POST', headers: { authorization: `Bearer ${scene.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ note: `bench-note-${i} posted by client A` }) });
    if (answer.status !== 201) throw new Error(`posting a note answered ${answer.status}: ${await answer.text()}`);
    await page.waitForFunction((n) => n in (window as unknown as { __bench: { seen: Record<string, number> } }).__bench.seen, String(i), { timeout: 10_000 });
    const seenAt = await page.evaluate((n) => (window as unknown as { __bench: { seen: Record<string, number> } }).__bench.seen[n] as number, String(i));
    samples.push(seenAt - sentAt);
    await sleep(100);
  }
  await page.close();
  return samples;
}

export async function runIncidentPageBenchmark(): Promise<BenchResult> {
  const notes: string[] = [`load before: ${uptime()}`];
  if (!existsSync(CHROMIUM)) return { benchmark: 'incident page', metrics: [], notes: [`skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`] };
  progress('building the web UI into a temporary directory');
  const webRoot = buildWeb();
  progress(`seeding an incident with ${TIMELINE} timeline entries and one with ${SMALL}`);
  const scene = await startScene(webRoot);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs });
  try {
    const context = await login(browser, scene.url);
    progress(`first meaningful paint, ${RUNS} loads each`);
    const big = await paint(context, scene, scene.big);
    const small = await paint(context, scene, scene.small);
    progress(`propagation: ${NOTES} notes on the ${TIMELINE}-entry incident, ${BASELINE_NOTES} on the ${SMALL}-entry one`);
    const bigNotes = await propagation(context, scene, scene.big, NOTES, 0);
    const smallNotes = await propagation(context, scene, scene.small, BASELINE_NOTES, 10_000);
    const paintBig = median(big.timeline);
    const paintSmall = median(small.timeline);
    const metrics: Metric[] = [
      { name: `first paint: heading (${TIMELINE} entries)`, value: round(median(big.heading)), unit: 'ms', detail: big.heading.map((v) => round(v)).join(', ') },
      { name: `first meaningful paint: heading + newest ${FIRST_SCREEN_ROWS} entries (${TIMELINE})`, value: round(median(big.firstScreen)), unit: 'ms', target: { op: '<=', value: 1000 }, detail: big.firstScreen.map((v) => round(v)).join(', ') },
      { name: `first meaningful paint (${SMALL} entries, baseline)`, value: round(median(small.firstScreen)), unit: 'ms', detail: small.firstScreen.map((v) => round(v)).join(', ') },
      { name: `first meaningful paint ratio ${TIMELINE}/${SMALL}`, value: round(median(big.firstScreen) / median(small.firstScreen), 2), unit: 'x' },
      { name: `whole timeline in the DOM (${TIMELINE} entries)`, value: round(paintBig), unit: 'ms', detail: big.timeline.map((v) => round(v)).join(', ') },
      { name: `whole timeline in the DOM (${SMALL} entries, baseline)`, value: round(paintSmall), unit: 'ms', detail: small.timeline.map((v) => round(v)).join(', ') },
      { name: `whole timeline ratio ${TIMELINE}/${SMALL} entries`, value: round(paintBig / paintSmall, 2), unit: 'x' },
      { name: `propagation p50 (${TIMELINE} entries)`, value: round(percentile(bigNotes, 50)), unit: 'ms' },
      { name: `propagation p95 (${TIMELINE} entries)`, value: round(percentile(bigNotes, 95)), unit: 'ms', target: { op: '<=', value: 500 }, detail: `max ${round(Math.max(...bigNotes))} ms over ${bigNotes.length} notes` },
      { name: `propagation p95 (${SMALL} entries, baseline)`, value: round(percentile(smallNotes, 95)), unit: 'ms', detail: `p50 ${round(percentile(smallNotes, 50))} ms, max ${round(Math.max(...smallNotes))} ms over ${smallNotes.length} notes` },
      { name: `propagation p95 ratio ${TIMELINE}/${SMALL} entries`, value: round(percentile(bigNotes, 95) / percentile(smallNotes, 95), 2), unit: 'x' },
    ];
    notes.push(`load after: ${uptime()}`, 'server in this process (SQLite file), Chromium headless at 1280×800; paint = ms from navigation start, median of the measured loads after one warm-up');
    return { benchmark: 'incident page', metrics, notes };
  } finally {
    await browser.close();
    await scene.stop();
    rmSync(webRoot, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) printResult(await runIncidentPageBenchmark());
