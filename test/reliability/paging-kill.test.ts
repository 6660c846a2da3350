import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contracts/alerts.js';
import type { ContactMethod } from '../../src/contracts/notify.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { systemClock } from '../../src/server/platform/clock.js';
import { loadConfig } from '../../src/server/platform/config.js';
import { openDatabase, type FirebreakDatabase } from '../../src/server/platform/db/database.js';
import { createServices } from '../../src/server/services.js';
import { codeIn } from '../support/people.js';
import { postgresUrl } from '../support/databases.js';
import { createTestDatabase, freePort } from '../support/postgres.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.js';
import { startTcpForwarder, type TcpForwarder } from '../support/tcp-forwarder.js';
import { spawnTs, type Child } from './support/processes.js';

/**
 * "Never lost, never twice" (docs/paging.md) with a real crash: a real Firebreak process (on a SQLite
 * file, or PostgreSQL) pages through a real SMTP relay (the sink). Thirty alerts escalate, each team's
 * three on its own two-level policy (at most three pages per person: none is held for a digest); the
 * process's clock is moved past level 1's delay so every alert's level-2 step is due at once, and the
 * process is killed with SIGKILL as soon as the first level-2 page reaches the relay — steps and
 * deliveries are in flight. After a restart on the same database, every due step must still happen (each
 * level-2 person paged for every alert), and nobody may receive the same page twice for the same
 * step and channel: one Message-ID per (alert, step, person, contact method). A page the dead process
 * had handed to the relay but not yet recorded may be sent again (at-least-once), but then with the
 * same Message-ID, so mail clients and relays show it once; at most one per delivery job that was
 * running at the kill.
 *
 * Escalation delays are minutes, so the server runs with a clock the test moves forward
 * (test/support/offset-clock-server.ts: the wall clock plus an offset; `firebreak serve` has no such
 * hook). Everything else is the production composition: the durable job runner, its leases (60 s:
 * the restarted process's clock is moved past them rather than waiting a minute), the outbox.
 */

/** Each team is paged for ALERTS_PER_TEAM alerts: at most 3 per person, so no page is held for a digest. */
const TEAMS = ['red', 'green', 'blue', 'amber', 'teal', 'plum', 'sand', 'rose', 'jade', 'onyx'];
const ALERTS_PER_TEAM = 3;
const ALERTS = TEAMS.length * ALERTS_PER_TEAM;
const LEVEL1_MINUTES = 10;
const LEASE_MS = 60_000;
const CONCURRENCY = 4;

interface Escalation {
  status: string;
  startedAt: string;
  steps: Array<{ level: number | null; at: string; userIds: string[] }>;
  notifications: Array<{ userId: string; channel: string; level: number | null; status: string; attempts: number }>;
}

const isPage = (m: ReceivedMail) => m.headers['x-firebreak-kind'] === 'page';
const pagesTo = (sink: SmtpSink, address: string) => sink.messages.filter((m) => isPage(m) && m.envelope.to.includes(address));
const alertNumberOf = (m: ReceivedMail) => Number(/^#(\d+) /.exec(m.subject)?.[1] ?? NaN);

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, child?: Child | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${child ? `\nstdout:\n${child.stdout().slice(-4000)}\nstderr:\n${child.stderr().slice(-4000)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a paging Firebreak process killed with SIGKILL while escalation steps are due', () => {
  let dataDir = '';
  let sink: SmtpSink | null = null;
  let forwarder: TcpForwarder | null = null;
  const children: Child[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGKILL');
        await child.exited();
      }
    }
    await forwarder?.close();
    forwarder = null;
    await sink?.close();
    sink = null;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = '';
  });

  const killWhileStepsDue = async (databaseUrl: string, openSetup: () => FirebreakDatabase): Promise<void> => {
    const relay = await startSmtpSink();
    sink = relay;
    // Firebreak reaches the sink through a forwarder, so the connections the kill cuts end cleanly there.
    forwarder = await startTcpForwarder(relay.port);
    const env = { DATABASE_URL: databaseUrl, FIREBREAK_DATA_DIR: dataDir, FIREBREAK_SMTP_URL: `smtp://127.0.0.1:${forwarder.port}`, FIREBREAK_JOB_POLL_MS: '100', FIREBREAK_JOB_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: 'warn', HOST: '127.0.0.1' };

    // People and tokens straight into the database before the first start, as an operator's CLI would.
    const setup = openSetup();
    await setup.migrate();
    const services = createServices({ config: loadConfig({ ...env, PORT: '0' }), database: setup, clock: systemClock });
    const acting = { actor: systemActor('test'), principal: null };
    const tokens: Record<string, string> = {};
    const ids: Record<string, string> = {};
    const responders = TEAMS.flatMap((team) => [`${team}-first`, `${team}-second`]);
    for (const [handle, role] of [['admin', 'admin'] as const, ...responders.map((h) => [h, 'responder'] as const)]) {
      const user = await services.catalog.createUser(acting, { handle, name: handle, email: `${handle}@example.test`, timeZone: 'UTC', role });
      ids[handle] = user.id;
      tokens[handle] = await services.auth.createTokenForUser(setup.db, await services.catalog.requireUser(setup.db, user.id), 'test', systemActor('test'));
    }
    await setup.close();

    let offset = 0;
    const start = async (): Promise<{ child: Child; url: string }> => {
      const port = await freePort();
      const child = spawnTs('test/support/offset-clock-server.ts', [], { ...env, PORT: String(port), FIREBREAK_TEST_CLOCK_OFFSET_MS: String(offset) });
      children.push(child);
      const line = await child.waitForLine((l) => l.startsWith('ready '), 60_000);
      return { child, url: line.slice('ready '.length) };
    };
    const advance = async (child: Child, ms: number) => {
      offset += ms;
      child.process.stdin.write(`advance ${ms}\n`);
      await child.waitForLine((l) => l === `offset ${offset}`);
    };

    let server = await start();
    const api = async <T>(who: string, method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
      return (text ? JSON.parse(text) : null) as T;
    };

    // Each responder verifies an email address with the code the relay received.
    await Promise.all(
      responders.map(async (who) => {
        const address = `${who}@example.com`;
        const method = await api<ContactMethod>(who, 'POST', '/api/v1/me/contact-methods', { type: 'email', address });
        await api(who, 'POST', `/api/v1/me/contact-methods/${method.id}/verification`);
        const mail = await relay.waitFor((m) => m.envelope.to.includes(address), 30_000);
        await api(who, 'POST', `/api/v1/me/contact-methods/${method.id}/verify`, { code: codeIn(mail) });
      }),
    );
    // One service and policy per team: its first responder, then after LEVEL1_MINUTES its second.
    for (const team of TEAMS) {
      await api('admin', 'POST', '/api/v1/escalation-policies', {
        handle: team,
        name: `Team ${team}`,
        levels: [
          { delayMinutes: LEVEL1_MINUTES, targets: [{ type: 'user', ref: `${team}-first` }] },
          { delayMinutes: 15, targets: [{ type: 'user', ref: `${team}-second` }] },
        ],
        repeat: 0,
      });
      await api('admin', 'POST', '/api/v1/services', { handle: `svc-${team}`, name: `Service ${team}`, escalationPolicy: team });
    }
    relay.clear();

    const alerts: Array<Alert & { team: string }> = [];
    for (let i = 0; i < ALERTS_PER_TEAM; i++) {
      for (const team of TEAMS) alerts.push({ ...(await api<{ alert: Alert }>('admin', 'POST', '/api/v1/alerts', { service: `svc-${team}`, title: `${team} shard ${i} down`, severity: 'critical' })).alert, team });
    }
    const firstPages = () => TEAMS.reduce((n, team) => n + pagesTo(relay, `${team}-first@example.com`).length, 0);
    const secondPages = () => TEAMS.reduce((n, team) => n + pagesTo(relay, `${team}-second@example.com`).length, 0);
    const secondAlerts = () => TEAMS.reduce((n, team) => n + new Set(pagesTo(relay, `${team}-second@example.com`).map(alertNumberOf)).size, 0);
    await until('every level-1 page reached its responder', () => firstPages() >= ALERTS, 60_000, server.child);
    // ...and recorded as sent (so none of them may be sent again after the kill below).
    await until('every level-1 page is recorded as sent', async () => {
      const views = await Promise.all(alerts.map((a) => api<Escalation>('admin', 'GET', `/api/v1/alerts/${a.id}/escalation`)));
      return views.every((v) => v.notifications.length === 1 && v.notifications[0]!.status === 'sent');
    }, 30_000, server.child);
    // Nobody acknowledged, but level 1's delay has not passed: level 2 pages no one yet.
    expect(secondPages()).toBe(0);

    // Level 1's delay passes: every alert's level-2 step is due at once. Kill at the first level-2 page.
    await advance(server.child, LEVEL1_MINUTES * 60_000 + 1_000);
    await relay.waitFor((m) => isPage(m) && m.envelope.to.some((to) => to.endsWith('-second@example.com')), 60_000);
    server.child.process.kill('SIGKILL');
    expect(await server.child.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    // The kill happened with work left: not every level-2 page had gone out.
    expect(secondPages()).toBeLessThan(ALERTS);

    // Restart on the same file, its clock past the dead process's leases (it cannot renew them now).
    offset += LEASE_MS + 5_000;
    server = await start();
    await until(`every second responder is paged for each of their alerts after the restart`, () => secondAlerts() >= ALERTS, 90_000, server.child);

    // Every alert's escalation took its level-2 step, no earlier than level 1's delay, and every page is sent.
    const levelOneEnds = (e: Escalation) => Date.parse(e.startedAt) + LEVEL1_MINUTES * 60_000;
    await until('every page is recorded as sent', async () => {
      const views = await Promise.all(alerts.map((a) => api<Escalation>('admin', 'GET', `/api/v1/alerts/${a.id}/escalation`)));
      return views.every((v) => v.notifications.length === 2 && v.notifications.every((n) => n.status === 'sent'));
    }, 30_000, server.child);
    for (const alert of alerts) {
      const [first, second] = [ids[`${alert.team}-first`], ids[`${alert.team}-second`]];
      const view = await api<Escalation>('admin', 'GET', `/api/v1/alerts/${alert.id}/escalation`);
      expect(view.status, `#${alert.number}`).toBe('active');
      expect(view.steps.map((s) => [s.level, s.userIds]), `#${alert.number}`).toEqual([[1, [first]], [2, [second]]]);
      expect(Date.parse(view.steps[1]!.at), `#${alert.number} level 2 not before its time`).toBeGreaterThanOrEqual(levelOneEnds(view));
      expect(view.notifications.map((n) => [n.level, n.userId, n.channel, n.status]), `#${alert.number}`).toEqual([[1, first, 'email', 'sent'], [2, second, 'email', 'sent']]);
    }

    // The relay's view: per person and alert exactly one Message-ID, so the pages of a step are one page.
    let resentTotal = 0;
    for (const team of TEAMS) {
      const numbers = alerts.filter((a) => a.team === team).map((a) => a.number).sort((x, y) => x - y);
      for (const level of ['first', 'second']) {
        const address = `${team}-${level}@example.com`;
        const pages = pagesTo(relay, address);
        const idsByAlert = new Map<number, Set<string>>();
        for (const m of pages) {
          const messageId = m.headers['message-id'];
          expect(messageId, `a page to ${address} without a Message-ID`).toMatch(/^<page\..+@firebreak>$/);
          const set = idsByAlert.get(alertNumberOf(m)) ?? new Set<string>();
          set.add(messageId as string);
          idsByAlert.set(alertNumberOf(m), set);
        }
        expect([...idsByAlert.keys()].sort((x, y) => x - y), address).toEqual(numbers);
        expect([...idsByAlert].filter(([, set]) => set.size !== 1), `${address}: alerts paged under more than one Message-ID`).toEqual([]);
        const resent = pages.length - idsByAlert.size;
        // Level-1 pages had all gone out before the kill: none may come again.
        if (level === 'first') expect(resent, `${address}: level-1 pages sent again`).toBe(0);
        resentTotal += resent;
      }
    }
    // Resends of pages the dead process had handed to the relay but not recorded: same Message-ID (above),
    // and at most one per delivery job that was running when it died.
    expect(resentTotal, `${resentTotal} level-2 pages were sent again`).toBeLessThanOrEqual(CONCURRENCY);
    const log = server.child.stdout() + server.child.stderr();
    expect(log).not.toMatch(/"level":"(ERROR|FATAL)"/);
  };

  it('on SQLite: after a restart every due step is paged, and no person gets a second page (Message-ID) for the same step', { timeout: 240_000 }, async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'firebreak-paging-kill-'));
    await killWhileStepsDue('', () => openDatabase({ sqlitePath: join(dataDir, 'firebreak.db') }));
  });

  it.skipIf(!postgresUrl())('on PostgreSQL: after a restart every due step is paged, and no person gets a second page (Message-ID) for the same step', { timeout: 240_000 }, async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'firebreak-paging-kill-'));
    const url = await createTestDatabase(postgresUrl() as string, 'fb_paging_kill');
    await killWhileStepsDue(url, () => openDatabase({ url, poolSize: 2 }));
  });
});
