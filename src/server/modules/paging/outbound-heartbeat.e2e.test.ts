import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../../test/support/app.js';
import { ManualClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import { openDatabase } from '../../platform/db/database.js';
import { createIdGenerator } from '../../platform/ids.js';
import { createJobQueue } from '../../platform/jobs/job-queue.js';
import { createLogger } from '../../platform/logger.js';
import { createOutboundHeartbeat, OUTBOUND_HEARTBEAT_TASK, scheduleOutboundHeartbeat } from './outbound-heartbeat.js';

/** A monitor's check endpoint on 127.0.0.1: records each request and answers `status`. */
async function startMonitor(): Promise<{ url: string; requests: Array<{ method: string; path: string }>; status: number; close(): Promise<void> }> {
  const state = { status: 200, requests: [] as Array<{ method: string; path: string }> };
  const server: Server = createServer((req: IncomingMessage, res) => {
    state.requests.push({ method: req.method ?? '', path: req.url ?? '' });
    res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.status === 200 ? 'OK' : 'nope');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ping/8f1c2d3e-secret`,
    get requests() {
      return state.requests;
    },
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('outbound heartbeat', () => {
  let monitor: Awaited<ReturnType<typeof startMonitor>>;
  let t: TestApp | null = null;
  beforeEach(async () => {
    monitor = await startMonitor();
  });
  afterEach(async () => {
    await t?.close();
    t = null;
    await monitor.close();
  });

  const counted = async (registry: Registry, outcome: string) => ((await registry.getSingleMetric('firebreak_outbound_heartbeat_total')?.get())?.values ?? []).find((v) => v.labels.outcome === outcome)?.value ?? 0;

  it('GETs the URL every interval through the job runner and counts each beat', async () => {
    t = await buildTestApp({ clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_HEARTBEAT_URL: monitor.url, FIREBREAK_HEARTBEAT_INTERVAL_SECONDS: '120', FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' } });
    const db = t.firebreak.services.database.db;
    await scheduleOutboundHeartbeat(t.firebreak.runner, db, t.clock.now());
    await t.firebreak.runner.runDueJobs();
    expect(monitor.requests).toEqual([{ method: 'GET', path: '/ping/8f1c2d3e-secret' }]);
    expect(await db.selectFrom('jobs').select(['run_at']).where('job_key', '=', OUTBOUND_HEARTBEAT_TASK).executeTakeFirstOrThrow()).toEqual({ run_at: t.clock.now() + 120_000 });
    t.clock.advance(119_000);
    await t.firebreak.runner.runDueJobs();
    expect(monitor.requests).toHaveLength(1);
    t.clock.advance(1_000);
    await t.firebreak.runner.runDueJobs();
    expect(monitor.requests).toHaveLength(2);
    monitor.status = 503;
    t.clock.advance(120_000);
    await t.firebreak.runner.runDueJobs();
    expect(monitor.requests).toHaveLength(3);
    expect(await counted(t.firebreak.metrics.registry, 'ok')).toBe(2);
    expect(await counted(t.firebreak.metrics.registry, 'failed')).toBe(1);
    // A failed beat does not stop the next one.
    expect(await db.selectFrom('jobs').select(['run_at']).where('job_key', '=', OUTBOUND_HEARTBEAT_TASK).executeTakeFirstOrThrow()).toEqual({ run_at: t.clock.now() + 120_000 });
  });

  it('is refused by the SSRF guard for a loopback URL unless private targets are allowed, and logs the failure without the URL’s secret', async () => {
    const database = openDatabase({ sqlitePath: ':memory:' });
    await database.migrate();
    try {
      const clock = new ManualClock('2026-11-21T09:00:00Z');
      const jobs = createJobQueue({ database, clock, ids: createIdGenerator(clock) });
      const lines = new PassThrough();
      const logged: string[] = [];
      lines.on('data', (chunk: Buffer) => logged.push(chunk.toString()));
      const registry = new Registry();
      const heartbeat = createOutboundHeartbeat({ url: monitor.url, intervalSeconds: 60, allowPrivate: false, clock, jobs, target: database.db, logger: createLogger('info', lines), registry });
      expect(await heartbeat.beat()).toBe('refused');
      expect(monitor.requests).toEqual([]);
      expect(await counted(registry, 'refused')).toBe(1);
      await new Promise((resolve) => setImmediate(resolve));
      const warning = logged.map((l) => JSON.parse(l) as { level: string; msg: string }).find((l) => l.level === 'WARN');
      expect(warning?.msg).toMatch(/^outbound heartbeat to http:\/\/127\.0\.0\.1:\d+ refused: .*FIREBREAK_ALLOW_PRIVATE_WEBHOOKS/);
      expect(logged.join('')).not.toContain('8f1c2d3e-secret');
    } finally {
      await database.close();
    }
  });

  it('refuses a heartbeat URL that is not http(s) at start-up', () => {
    expect(() => loadConfig({ FIREBREAK_HEARTBEAT_URL: 'ftp://monitor.example.com/x' })).toThrow(/FIREBREAK_HEARTBEAT_URL: must be an http/);
    expect(() => loadConfig({ FIREBREAK_HEARTBEAT_INTERVAL_SECONDS: '5' })).toThrow(/FIREBREAK_HEARTBEAT_INTERVAL_SECONDS/);
  });
});
