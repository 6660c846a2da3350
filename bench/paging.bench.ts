/**
 * Paging speed (issue 5), three figures; reported, never asserted:
 *
 * 1. **Intake to hand-over** at 1,000 new alerts/s offered (and at 100/s, below saturation, for
 *    comparison: FIREBREAK_BENCH_PAGING_RATES): Events API v2 triggers (each a new dedup key) are
 *    sent open-loop at a fixed rate by a separate generator process; for each alert, the time from its
 *    2xx answer (and from sending the request) to the moment Firebreak hands its page to the email channel (a counting fake Channel
 *    put in the live `services.channels` in place of the SMTP relay). p50/p99/max. Each alert goes to
 *    its own team (service, policy, person) — at most 3 pages per person, so no page waits for a
 *    burst digest (page-delivery.ts holds the 4th page to a contact method in 5 minutes). Both
 *    processes stamp times as `performance.timeOrigin + performance.now()` (same machine clock). 5 s
 *    measured at 1,000/s (10 s below), after 1 s at the same rate on teams of its own
 *    (FIREBREAK_BENCH_PAGING_WARMUP_S), so the figures are the warm process's; also the main thread's
 *    busy time and the process's CPU per alert.
 * 2. **Timer lateness** with 10,000 escalation timers pending: 10,000 alerts whose level 1 reaches
 *    nobody (no contact method), so each one's only work is its level-2 timer. The server's clock
 *    (wall clock plus an offset) is moved 1 s after every 50 alerts created (FIREBREAK_BENCH_TIMER_RATE;
 *    0 for a burst) and then to just before the first timer, so they come due about 50 a second;
 *    lateness = when level 2 fired − when it was due. p50/p99/max.
 * 3. **Delivery throughput per channel adapter** against its local fake server (email/SMTP sink,
 *    Twilio SMS, Vonage SMS, Slack, webhook, ntfy): the real adapter's `send`, 16 at a time for
 *    5 s, notifications/s; and a bare `fetch` POST to the same fake (the floor of any HTTP adapter) in
 *    the same run, for the ratio.
 *
 * The machine's load (`uptime`) is recorded with each result: the figures are only comparable within one run.
 *
 *   node --import tsx bench/paging.bench.ts            (FIREBREAK_BENCH_PAGING_PARTS=handover,timers,adapters;
 *                                                       FIREBREAK_JOB_CONCURRENCY / FIREBREAK_JOB_POLL_MS override the defaults)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFirebreak, type Firebreak } from '../src/server/main.js';
import { systemActor } from '../src/server/modules/audit/audit.repo.js';
import type { Channel, ChannelMessage, ContactAddress } from '../src/server/modules/notify/channels/channel.js';
import { smtpAdapter } from '../src/server/modules/providers/smtp/smtp.adapter.js';
import { twilioAdapter } from '../src/server/modules/providers/twilio/twilio.adapter.js';
import { vonageAdapter } from '../src/server/modules/providers/vonage/vonage.adapter.js';
import { slackAdapter } from '../src/server/modules/providers/slack/slack.adapter.js';
import { webhookAdapter } from '../src/server/modules/providers/webhook/webhook.adapter.js';
import { ntfyAdapter } from '../src/server/modules/providers/ntfy/ntfy.adapter.js';
import type { Clock } from '../src/server/platform/clock.js';
import { loadConfig, type Config } from '../src/server/platform/config.js';
import { createLogger } from '../src/server/platform/logger.js';
import { startSmtpSink } from '../test/support/smtp-sink.js';
import { startFakeTwilio } from '../test/support/fakes/twilio.js';
import { startFakeVonage } from '../test/support/fakes/vonage.js';
import { startFakeSlack } from '../test/support/fakes/slack.js';
import { startFakeWebhookReceiver } from '../test/support/fakes/webhook.js';
import { startFakeNtfy } from '../test/support/fakes/ntfy.js';
import { isMain, printResult, type BenchResult, type Metric } from './lib/report.js';
import { epochMs, percentile, progress, round, sleep, uptime } from './lib/measure.js';
import { freePort } from './lib/server.js';

/** Offered rates of new alerts (each on a fresh server) and how long each is offered. */
const RATES = (process.env.FIREBREAK_BENCH_PAGING_RATES ?? '1000,20').split(',').map(Number);
const secondsAt = (rate: number) => (rate >= 1000 ? 5 : 10);
/**
 * Before the measured run, the same rate for this long on teams of its own (not measured): the first
 * requests of a fresh process compile their code paths and prepare their statements, which is not the
 * steady state the target is about (FIREBREAK_BENCH_PAGING_WARMUP_S; 0 for none).
 */
const WARMUP_SECONDS = Number(process.env.FIREBREAK_BENCH_PAGING_WARMUP_S ?? 1);
const TIMERS = Number(process.env.FIREBREAK_BENCH_TIMERS ?? 10_000);
/**
 * How many timers come due per second of the clock (0: as fast as the alerts were created, a burst).
 * The timers are spread by moving the clock 1 s forward after every TIMER_RATE alerts created.
 */
const TIMER_RATE = Number(process.env.FIREBREAK_BENCH_TIMER_RATE ?? 50);
/** The job runner's settings are the defaults unless given to the benchmark (to compare concurrencies). */
const jobSettings = Object.fromEntries(['FIREBREAK_JOB_CONCURRENCY', 'FIREBREAK_JOB_POLL_MS'].flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])));
const ADAPTER_SECONDS = 5;
const ADAPTER_CONCURRENCY = 16;
const LEVEL1_MINUTES = 10;


// ---------------------------------------------------------------------------------------------------
// An in-process Firebreak on a SQLite file, with a clock the benchmark may move forward.

interface Running {
  firebreak: Firebreak;
  config: Config;
  clock: Clock;
  url: string;
  admin: string;
  moveClock(ms: number): void;
  stop(): Promise<void>;
}

async function startServer(): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'firebreak-bench-paging-'));
  const port = await freePort();
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const config = { ...loadConfig({ PORT: String(port), HOST: '127.0.0.1', FIREBREAK_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', FIREBREAK_INTAKE_RATE_LIMIT: '100000000', FIREBREAK_PUBLIC_RATE_LIMIT: '1000000', ...jobSettings }), fastPasswordHashing: true };
  const firebreak = await createFirebreak({ config, clock, logger: createLogger('silent'), webRoot: null, secretKey: randomBytes(32) });
  const started = await firebreak.start();
  const { catalog, auth, database } = firebreak.services;
  const user = await catalog.createUser({ actor: systemActor('bench'), principal: null }, { handle: 'bench-admin', name: 'Bench admin', email: 'admin@example.test', timeZone: 'UTC', role: 'admin' });
  const admin = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, user.id), 'bench', systemActor('bench'));
  return {
    firebreak,
    config,
    clock,
    url: started.url,
    admin,
    moveClock(ms) {
      offset += ms;
      firebreak.runner.wake();
    },
    async stop() {
      await firebreak.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function inject<T>(server: Running, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>): Promise<T> {
  const res = await server.firebreak.app.inject({ method, url, headers: { authorization: `Bearer ${server.admin}` }, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  }));
}

/**
 * `count` teams: a person (with a verified email method when `reachable`, written straight to the
 * database: this is set-up, not what is measured), a policy paging them at level 1 and `second`
 * (when given) at level 2, a service on that policy with an Events API v2 integration. Returns the keys.
 */
async function makeTeams(server: Running, count: number, options: { reachable: boolean; levels: number }): Promise<string[]> {
  const { catalog, database, ids } = server.firebreak.services;
  const acting = { actor: systemActor('bench'), principal: null };
  const keys: string[] = new Array(count);
  await pool(Array.from({ length: count }, (_, i) => i), 8, async (i) => {
    const handle = `p${i}`;
    const user = await catalog.createUser(acting, { handle, name: handle, email: `${handle}@example.test`, timeZone: 'UTC', role: 'responder' });
    if (options.reachable) {
      const now = Date.now();
      await database.db
        .insertInto('contact_methods')
        .values({ id: ids(), user_id: user.id, type: 'email', address: `${handle}@example.com`, secret: null, label: 'Work', verified_at: now, verification_code_hash: null, verification_sent_at: null, verification_expires_at: null, verification_attempts: 0, verification_error: null, created_at: now, updated_at: now })
        .execute();
    }
    const levels = Array.from({ length: options.levels }, () => ({ delayMinutes: LEVEL1_MINUTES, targets: [{ type: 'user', ref: handle }] }));
    await inject(server, 'POST', '/api/v1/escalation-policies', { handle: `pol-${i}`, name: `Policy ${i}`, levels, repeat: 0 });
    await inject(server, 'POST', '/api/v1/services', { handle: `svc-${i}`, name: `Service ${i}`, escalationPolicy: `pol-${i}` });
    keys[i] = (await inject<{ key: string }>(server, 'POST', `/api/v1/services/svc-${i}/integrations`, { type: 'events-v2', name: 'Bench' })).key;
  });
  return keys;
}

// ---------------------------------------------------------------------------------------------------
// 1. Intake 2xx → hand-over to the channel.

const GENERATOR = String.raw`
import { Agent, request } from 'node:http';
const cfg = JSON.parse(process.argv[2]);
const url = new URL(cfg.url);
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const now = () => performance.timeOrigin + performance.now();
const results = [];
function send(i) {
  const body = JSON.stringify({ routing_key: cfg.keys[i % cfg.keys.length], event_action: 'trigger', dedup_key: cfg.title + '-' + i, payload: { summary: cfg.title + ' ' + i, source: 'bench', severity: 'critical' } });
  return new Promise((resolve) => {
    const sentAt = now();
    const req = request({ agent, host: url.hostname, port: url.port, path: '/v2/enqueue', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => { results.push([i, res.statusCode, sentAt, now()]); resolve(); });
    });
    req.on('error', () => { results.push([i, 0, sentAt, now()]); resolve(); });
    req.end(body);
  });
}
const total = cfg.rate * cfg.seconds;
const start = now();
const inflight = [];
let i = 0;
while (i < total) {
  const due = start + (i * 1000) / cfg.rate;
  const wait = due - now();
  // Always yield, even when the next request is due within the millisecond: a loop that spins instead
  // never lets the requests it made reach their sockets, and they would all leave at the end in a burst.
  await new Promise((r) => (wait >= 1 ? setTimeout(r, wait) : setImmediate(r)));
  while (i < total && start + (i * 1000) / cfg.rate <= now()) inflight.push(send(i++));
}
await Promise.all(inflight);
agent.destroy();
process.stdout.write(JSON.stringify({ start, end: now(), results }) + '\n');
`;

function runGenerator(cfg: Record<string, unknown>): Promise<{ start: number; end: number; results: Array<[number, number, number, number]> }> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-bench-gen-'));
  const file = join(dir, 'generator.mjs');
  writeFileSync(file, GENERATOR);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`generator exited ${code}: ${err}`));
    });
  });
}

async function handoverFigures(rate: number): Promise<{ metrics: Metric[]; notes: string[] }> {
  const server = await startServer();
  try {
    const total = rate * secondsAt(rate);
    const warmup = Math.round(rate * WARMUP_SECONDS);
    const teams = Math.ceil(total / 3);
    const warmupTeams = Math.ceil(warmup / 3);
    const setupStarted = performance.now();
    const allKeys = await makeTeams(server, teams + warmupTeams, { reachable: true, levels: 1 });
    const keys = allKeys.slice(0, teams);
    const warmupKeys = allKeys.slice(teams);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    progress(`${teams + warmupTeams} teams set up in ${setupSeconds.toFixed(1)} s`);

    // The counting channel stands in for email. `services.channels` is rebuilt by every providers reload
    // (at start and every 30 s: it deletes the enumerable keys and sets those with providers), so the
    // channel is a non-enumerable, non-configurable property the reload neither sees nor replaces.
    const handedAt = new Map<number, number>();
    const counting: Channel = {
      type: 'email',
      async send(message: ChannelMessage) {
        const i = Number(/Bench page (\d+)/.exec(message.page?.title ?? message.subject)?.[1]);
        if (Number.isInteger(i) && !handedAt.has(i)) handedAt.set(i, epochMs());
        return { providerMessageId: `bench-${i}` };
      },
    };
    Object.defineProperty(server.firebreak.services.channels, 'email', { get: () => counting, set: () => {}, enumerable: false, configurable: false });
    const load = uptime();
    if (warmup > 0) {
      // Pages titled "Warm page …": the counting channel below takes no note of them.
      await runGenerator({ url: server.url, keys: warmupKeys, rate, seconds: WARMUP_SECONDS, title: 'Warm page' });
      const settled = Date.now() + 30_000;
      const waiting = async () => Number((await server.firebreak.services.database.db.selectFrom('page_notifications').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);
      while (Date.now() < settled && (await waiting()) > 0) await sleep(50);
    }
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    const gen = await runGenerator({ url: server.url, keys, rate, seconds: secondsAt(rate), title: 'Bench page' });
    const ok = gen.results.filter(([, status]) => status >= 200 && status < 300);
    progress(`${gen.results.length} sent, ${ok.length} answered 2xx, ${handedAt.size} handed over so far`);
    const drainDeadline = Date.now() + 120_000;
    while (handedAt.size < ok.length && Date.now() < drainDeadline) await sleep(100);
    // What each alert cost: the main thread's busy time (the one that runs every handler and query) and
    // the process's CPU time (with the threads that sync the WAL and checkpoint), from the first request
    // to the last hand-over (plus up to 100 ms of polling).
    const elu = performance.eventLoopUtilization(eluBefore);
    const cpu = process.cpuUsage(cpuBefore);
    const fromAnswer: number[] = [];
    const fromSend: number[] = [];
    for (const [i, , sentAt, answeredAt] of ok) {
      const at = handedAt.get(i);
      if (at === undefined) continue;
      fromAnswer.push(at - answeredAt);
      fromSend.push(at - sentAt);
    }
    const intakeMs = ok.map(([, , sentAt, answeredAt]) => answeredAt - sentAt);
    const lastSent = Math.max(...gen.results.map(([, , sentAt]) => sentAt));
    const lastHandover = Math.max(...handedAt.values());
    const statuses: Record<string, number> = {};
    for (const [, status] of gen.results) statuses[status] = (statuses[status] ?? 0) + 1;
    const byStatus = await server.firebreak.services.database.db.selectFrom('page_notifications').select(['status', (eb) => eb.fn.countAll().as('n')]).groupBy('status').execute();
    const outbox = byStatus.map((r) => `${r.status} ${String(r.n)}`).join(', ');
    const dist = (values: number[]) => `p50 ${round(percentile(values, 50))} ms, p90 ${round(percentile(values, 90))} ms, p99 ${round(percentile(values, 99))} ms, max ${round(Math.max(...values))} ms`;
    return {
      metrics: [
        { name: `2xx → hand-over p99, ${rate}/s offered`, value: round(percentile(fromAnswer, 99)), unit: 'ms', detail: `${dist(fromAnswer)} over ${fromAnswer.length} alerts (negative: the page reached the channel before the client had read its 2xx); ${ok.length - fromAnswer.length} answered 2xx but not handed over within 120 s; outbox rows: ${outbox}` },
        { name: `request sent → hand-over p99, ${rate}/s offered`, value: round(percentile(fromSend, 99)), unit: 'ms', detail: dist(fromSend) },
        { name: `intake answer p99, ${rate}/s offered`, value: round(percentile(intakeMs, 99)), unit: 'ms', detail: `${dist(intakeMs)}; answers ${JSON.stringify(statuses)}` },
        { name: `main thread busy per alert, ${rate}/s offered`, value: round(elu.active / Math.max(1, handedAt.size), 3), unit: 'ms', detail: `event loop busy ${round(elu.active)} ms of ${round(elu.active + elu.idle)} ms (${round(elu.utilization * 100)} %); process CPU (all threads, user + system) ${round((cpu.user + cpu.system) / 1000 / Math.max(1, handedAt.size), 3)} ms per alert` },
        { name: `new paging alerts handled / s, ${rate}/s offered`, value: round(handedAt.size / ((lastHandover - gen.start) / 1000)), unit: '/s', detail: `${handedAt.size} pages handed over from the first request to the last hand-over (${((lastHandover - gen.start) / 1000).toFixed(2)} s); the generator sent for ${((lastSent - gen.start) / 1000).toFixed(2)} s (offered ${round(gen.results.length / ((lastSent - gen.start) / 1000))}/s)` },
      ],
      notes: [`hand-over at ${rate}/s: ${secondsAt(rate)} s measured after ${warmup > 0 ? `a ${WARMUP_SECONDS} s warm-up at the same rate on ${warmupTeams} teams of its own` : 'no warm-up'}; ${teams} teams set up in ${setupSeconds.toFixed(1)} s; job concurrency ${server.config.jobConcurrency}, poll ${server.config.jobPollMs} ms (${Object.keys(jobSettings).length > 0 ? 'set by FIREBREAK_JOB_* for this run' : 'defaults'}); load at start: ${load}; at end: ${uptime()}`],
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------
// 2. 10,000 pending escalation timers: lateness.

async function timerFigures(): Promise<{ metrics: Metric[]; notes: string[] }> {
  const server = await startServer();
  try {
    const setupStarted = performance.now();
    // One team (nobody reachable): every alert's level 1 pages no one and sets its level-2 timer.
    await makeTeams(server, 1, { reachable: false, levels: 2 });
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const createdStarted = performance.now();
    const firstCreatedAt = server.clock.now();
    let created = 0;
    let spreadMs = 0;
    await pool(Array.from({ length: TIMERS }, (_, i) => i), 16, async (i) => {
      await inject(server, 'POST', '/api/v1/alerts', { service: 'svc-0', title: `Timer ${i}`, severity: 'critical', dedupKey: `t-${i}` });
      if (TIMER_RATE > 0 && ++created % TIMER_RATE === 0) {
        server.moveClock(1_000);
        spreadMs += 1_000;
      }
    });
    const createSeconds = (performance.now() - createdStarted) / 1000;
    const { database } = server.firebreak.services;
    const pending = Number((await database.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('task', '=', 'escalation.step').executeTakeFirstOrThrow()).n);
    // Move the clock so the first timer is due 3 s from now; the rest follow at the pace they were set.
    const jump = LEVEL1_MINUTES * 60_000 - (server.clock.now() - firstCreatedAt) - 3_000;
    const load = uptime();
    server.moveClock(jump);
    const deadline = Date.now() + createSeconds * 1000 + spreadMs + 300_000;
    let fired = 0;
    const count = async () => {
      const rows = await database.db.selectFrom('escalations').select(['state_json']).execute();
      return rows.filter((r) => (JSON.parse(r.state_json) as { fired: unknown[] }).fired.length >= 2).length;
    };
    while ((fired = await count()) < TIMERS && Date.now() < deadline) await sleep(1000);
    const rows = await database.db.selectFrom('escalations').select(['state_json']).execute();
    const lateness: number[] = [];
    for (const row of rows) {
      const state = JSON.parse(row.state_json) as { fired: Array<{ at: number }> };
      const [first, second] = state.fired;
      if (first && second) lateness.push(second.at - (first.at + LEVEL1_MINUTES * 60_000));
    }
    return {
      metrics: [
        { name: `timer lateness p99 (${TIMERS} pending, ${TIMER_RATE > 0 ? `~${TIMER_RATE}/s due` : 'burst'})`, value: round(percentile(lateness, 99)), unit: 'ms', detail: `p50 ${round(percentile(lateness, 50))} ms, p90 ${round(percentile(lateness, 90))} ms, max ${round(Math.max(...lateness))} ms, min ${round(Math.min(...lateness))} ms over ${lateness.length} steps; ${TIMERS - fired} not fired in time` },
        { name: 'timer lateness p50', value: round(percentile(lateness, 50)), unit: 'ms' },
      ],
      notes: [
        `timers: ${pending} step timers pending when the clock moved; the ${TIMERS} alerts were created in ${createSeconds.toFixed(1)} s (${round(TIMERS / createSeconds)} alerts/s through POST /api/v1/alerts in process) ${TIMER_RATE > 0 ? `with the clock moved 1 s every ${TIMER_RATE} alerts, so the timers came due over ${round((createSeconds * 1000 + spreadMs) / 1000)} s (about ${round(TIMERS / ((createSeconds * 1000 + spreadMs) / 1000))}/s)` : 'so the timers came due over that span (a burst)'}; set-up ${setupSeconds.toFixed(1)} s. Load when they came due: ${load}; at end: ${uptime()}`,
      ],
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------
// 3. Delivery throughput per adapter against its fake.

interface AdapterCase {
  name: string;
  channel: Channel;
  to: ContactAddress;
  /** A bare POST to the same fake server, for the ratio (null: not HTTP). */
  bare: (() => Promise<void>) | null;
  close(): Promise<void>;
  clear(): void;
}

const bareAgent = new Agent({ keepAlive: true, maxSockets: ADAPTER_CONCURRENCY });

/** One POST over a keep-alive node:http agent: the least any HTTP adapter must do per notification. */
function barePost(url: string, headers: Record<string, string>, body: string, expected: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: bareAgent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === expected ? resolve() : reject(new Error(`bare POST answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function adapterCases(): Promise<AdapterCase[]> {
  const deps = { allowPrivate: true, publicUrl: 'https://firebreak.example.com', clock: { now: () => Date.now() } };
  const cases: AdapterCase[] = [];

  const sink = await startSmtpSink();
  cases.push({ name: 'email (SMTP sink)', channel: smtpAdapter.create({ id: 'p-smtp', name: 'smtp', settings: smtpAdapter.settings.parse({ url: sink.url, from: 'fb@example.com' }), secrets: {} }, deps).email!, to: { type: 'email', email: 'ana@example.com' }, bare: null, close: () => sink.close(), clear: () => sink.clear() });

  const twilio = await startFakeTwilio();
  const twilioForm = () => new URLSearchParams({ To: '+14155550123', From: '+14155550100', Body: 'bench' }).toString();
  cases.push({
    name: 'Twilio SMS',
    channel: twilioAdapter.create({ id: 'p-twilio', name: 'twilio', settings: twilioAdapter.settings.parse({ from: '+14155550100', apiUrl: twilio.url }), secrets: twilioAdapter.secrets.parse({ accountSid: twilio.accountSid, authToken: twilio.authToken }) }, deps).sms!,
    to: { type: 'sms', phone: '+14155550123' } as ContactAddress,
    bare: () => barePost(`${twilio.url}/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`, { authorization: `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, twilioForm(), 201),
    close: () => twilio.close(),
    clear: () => twilio.clear(),
  });

  const vonage = await startFakeVonage();
  cases.push({
    name: 'Vonage SMS',
    channel: vonageAdapter.create({ id: 'p-vonage', name: 'vonage', settings: vonageAdapter.settings.parse({ from: '+14155550101', apiUrl: vonage.url }), secrets: vonageAdapter.secrets.parse({ apiKey: vonage.apiKey, apiSecret: vonage.apiSecret }) }, deps).sms!,
    to: { type: 'sms', phone: '+14155550123' } as ContactAddress,
    bare: null,
    close: () => vonage.close(),
    clear: () => vonage.clear(),
  });

  const slack = await startFakeSlack({ members: ['U0ANA00001'] });
  cases.push({
    name: 'Slack',
    channel: slackAdapter.create({ id: 'p-slack', name: 'slack', settings: { apiUrl: slack.apiUrl }, secrets: { botToken: slack.botToken, signingSecret: slack.signingSecret } }, deps).slack!,
    to: { type: 'slack', handle: 'U0ANA00001' } as ContactAddress,
    bare: null,
    close: () => slack.close(),
    clear: () => {
      slack.posts.length = 0;
    },
  });

  const receiver = await startFakeWebhookReceiver({ secret: 'bench-secret' });
  cases.push({
    name: 'webhook',
    channel: webhookAdapter.create({ id: 'p-webhook', name: 'webhooks', settings: {}, secrets: { signingSecret: 'bench-secret' } }, deps).webhook!,
    to: { type: 'webhook', url: `${receiver.url}/hooks/ana?token=abc` } as ContactAddress,
    bare: null,
    close: () => receiver.close(),
    clear: () => receiver.clear(),
  });

  const ntfy = await startFakeNtfy({ token: 'tk_bench' });
  cases.push({
    name: 'ntfy',
    channel: ntfyAdapter.create({ id: 'p-ntfy', name: 'ntfy', settings: { serverUrl: ntfy.url }, secrets: { accessToken: 'tk_bench' } }, deps).ntfy!,
    to: { type: 'ntfy', topic: 'ana-pages-7f3k' } as ContactAddress,
    bare: null,
    close: () => ntfy.close(),
    clear: () => ntfy.clear(),
  });
  return cases;
}

async function sustained(work: () => Promise<void>, seconds: number, concurrency: number): Promise<{ rate: number; done: number; failed: number; firstError: string | null }> {
  let done = 0;
  let failed = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      try {
        await work();
        done++;
      } catch (error) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  }));
  return { rate: done / ((performance.now() - started) / 1000), done, failed, firstError };
}

async function adapterFigures(): Promise<{ metrics: Metric[]; notes: string[] }> {
  const cases = await adapterCases();
  const metrics: Metric[] = [];
  const notes: string[] = [];
  try {
    for (const c of cases) {
      let n = 0;
      const message = (): ChannelMessage => ({ to: c.to, subject: `#${++n} Bench page`, text: 'Bench page\n\nService: Bench', kind: 'page', idempotencyKey: `bench:${c.name}:${n}`, page: { alertId: `a${n}`, alertNumber: n, title: 'Bench page', serviceName: 'Bench', severity: 'critical', status: 'triggered', url: 'https://firebreak.example.com/alerts/1', actions: { acknowledge: 'https://firebreak.example.com/a/x', resolve: 'https://firebreak.example.com/a/y' } } });
      // Warm-up (connections, JIT), then the measured run.
      await sustained(() => c.channel.send(message()).then(() => undefined), 1, ADAPTER_CONCURRENCY);
      c.clear();
      const load = uptime();
      const run = await sustained(() => c.channel.send(message()).then(() => undefined), ADAPTER_SECONDS, ADAPTER_CONCURRENCY);
      c.clear();
      let detail = `${run.done} sent in ${ADAPTER_SECONDS} s at ${ADAPTER_CONCURRENCY} in flight, ${run.failed} failed${run.firstError ? ` (first: ${run.firstError.slice(0, 160)})` : ''}; load: ${load}`;
      if (c.bare) {
        const bare = await sustained(c.bare, ADAPTER_SECONDS, ADAPTER_CONCURRENCY);
        c.clear();
        detail += `; bare keep-alive POST to the same fake ${round(bare.rate)}/s (adapter/bare ${(run.rate / bare.rate).toFixed(2)})`;
      }
      metrics.push({ name: `${c.name} notifications/s`, value: round(run.rate), unit: '/s', detail });
    }
    notes.push('adapters: the fake servers run in this same process, so each figure includes the fake’s own work (request checks, parsing) on the same CPU.');
  } finally {
    for (const c of cases) await c.close();
    bareAgent.destroy();
  }
  return { metrics, notes };
}

export async function runPagingBenchmark(): Promise<BenchResult> {
  const parts = new Set((process.env.FIREBREAK_BENCH_PAGING_PARTS ?? 'handover,timers,adapters').split(','));
  const metrics: Metric[] = [];
  const notes: string[] = [`machine load at start: ${uptime()}`];
  const runs: Array<[string, () => Promise<{ metrics: Metric[]; notes: string[] }>]> = [...RATES.map((rate): [string, () => Promise<{ metrics: Metric[]; notes: string[] }>] => ['handover', () => handoverFigures(rate)]), ['timers', timerFigures], ['adapters', adapterFigures]];
  for (const [part, run] of runs) {
    if (!parts.has(part)) continue;
    process.stderr.write(`paging bench: ${part}…\n`);
    const figures = await run();
    metrics.push(...figures.metrics);
    notes.push(...figures.notes);
  }
  return { benchmark: 'paging', metrics, notes };
}

if (isMain(import.meta.url)) {
  printResult(await runPagingBenchmark());
  process.exit(0);
}
