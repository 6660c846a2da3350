import Fastify from 'fastify';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../../../../test/support/databases.js';
import { createTestDatabase, freePort } from '../../../../test/support/postgres.js';
import { spawnTs } from '../../../../test/reliability/support/processes.js';
import { startTestServer, type TestServer } from '../../../../test/support/server.js';
import type { LiveAlertEvent, LiveIncidentEvent } from '../../../contracts/live.js';
import { ManualClock } from '../../platform/clock.js';
import { openDatabase } from '../../platform/db/database.js';
import { createEventBus } from '../../platform/events.js';
import { createLogger } from '../../platform/logger.js';
import { systemActor } from '../audit/audit.repo.js';
import { LiveUpdates } from './live-updates.js';

/** One parsed server-sent event, or a comment line (`event: 'comment'`). */
interface Frame {
  event: string;
  data: string;
  retry?: number;
}

/** An open event stream read over a real socket, frame by frame. */
interface Stream {
  status: number;
  headers: IncomingMessage['headers'];
  /** Resolves with the next frame matching `match` (frames already received count). */
  next(match: (frame: Frame) => boolean, what: string): Promise<Frame>;
  frames: Frame[];
  ended: Promise<void>;
  close(): void;
}

function parseFrames(block: string): Frame | null {
  const frame: Frame = { event: 'message', data: '' };
  let any = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) return { event: 'comment', data: line.slice(1).trim() };
    const colon = line.indexOf(':');
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') frame.event = value;
    else if (field === 'data') frame.data += value;
    else if (field === 'retry') frame.retry = Number(value);
    any = true;
  }
  return any ? frame : null;
}

function openStream(url: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const frames: Frame[] = [];
      const waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }> = [];
      let buffer = '';
      let endedResolve: () => void = () => {};
      const ended = new Promise<void>((r) => (endedResolve = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const frame = parseFrames(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (!frame) continue;
          frames.push(frame);
          for (const w of [...waiters]) {
            if (w.match(frame)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(frame);
            }
          }
        }
      });
      res.on('end', () => endedResolve());
      res.on('close', () => endedResolve());
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames,
        ended,
        next(match, what) {
          const seen = frames.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((resolveFrame, rejectFrame) => {
            const timer = setTimeout(() => rejectFrame(new Error(`no ${what} frame within 10 s; got ${JSON.stringify(frames)}`)), 10_000);
            waiters.push({ match, from: frames.length, resolve: (f) => (clearTimeout(timer), resolveFrame(f)) });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const alertFrame = (match: Partial<LiveAlertEvent>) => (frame: Frame) => {
  if (frame.event !== 'alert') return false;
  const data = JSON.parse(frame.data) as LiveAlertEvent;
  return Object.entries(match).every(([k, v]) => data[k as keyof LiveAlertEvent] === v);
};

const incidentFrame = (match: Partial<LiveIncidentEvent>) => (frame: Frame) => {
  if (frame.event !== 'incident') return false;
  const data = JSON.parse(frame.data) as LiveIncidentEvent;
  return Object.entries(match).every(([k, v]) => data[k as keyof LiveIncidentEvent] === v);
};

/** A user with an API token of their own (the stream and the API know who acts). */
async function personWithToken(server: TestServer, handle: string, role: 'viewer' | 'responder' | 'admin') {
  const { catalog, auth, database } = server.firebreak.services;
  await catalog.createUser({ actor: systemActor('test'), principal: null }, { handle, name: handle, email: `${handle}@example.test`, timeZone: 'UTC', role });
  return auth.createTokenForUser(database.db, await catalog.requireUser(database.db, handle), 'test', systemActor('test'));
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** An admin token, a team, and a service with an Events API v2 integration on a running server. */
async function prepare(server: TestServer, handle = 'checkout', team?: string) {
  const { catalog, auth, database, serviceCatalog } = server.firebreak.services;
  const acting = { actor: systemActor('test'), principal: null };
  if (!(await catalog.repo.listUsers(database.db, true)).some((u) => u.handle === 'ana')) {
    await catalog.createUser(acting, { handle: 'ana', name: 'Ana', email: 'ana@example.test', timeZone: 'UTC', role: 'admin' });
  }
  const admin = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, 'ana'), 'test', systemActor('test'));
  if (team) await catalog.createTeam(acting, { handle: team, name: team, description: '' });
  await serviceCatalog.create(acting, { handle, name: handle, description: '', urgency: { critical: 'high', error: 'high', warning: 'low', info: 'low' }, ...(team ? { team } : {}) });
  const integration = await serviceCatalog.createIntegration(acting, handle, { type: 'events-v2', name: 'Nagios' });
  return { admin, key: integration.key };
}

const trigger = (server: TestServer, key: string, dedupKey: string) =>
  post(`${server.url}/v2/enqueue`, { routing_key: key, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: `Problem ${dedupKey}`, source: 'db-1', severity: 'critical' } });

describe('live updates over a real HTTP server (SQLite)', () => {
  let server: TestServer;
  let admin: string;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer({ webRoot: null });
    ({ admin, key } = await prepare(server));
  });
  afterAll(async () => server?.stop());

  const sse = { accept: 'text/event-stream' };

  it('streams an alert event after an Events API v2 trigger commits, and its acknowledgement', async () => {
    const stream = await openStream(`${server.url}/api/v1/stream`, { ...sse, authorization: `Bearer ${admin}` });
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
      const ready = await stream.next((f) => f.event === 'ready', 'ready');
      expect(stream.frames[0]).toEqual({ event: 'message', data: '', retry: 3000 });
      expect(JSON.parse(ready.data)).toEqual({ retryMs: 3000, heartbeatMs: 15_000 });

      const answer = await trigger(server, key, 'disk-db-1');
      expect(answer.status).toBe(202);
      const created = JSON.parse((await stream.next(alertFrame({ outcome: 'created' }), 'created alert')).data) as LiveAlertEvent;
      const service = await server.firebreak.services.serviceCatalog.get('checkout');
      expect(created).toEqual({ id: expect.any(String), number: 1, serviceId: service.id, status: 'triggered', urgency: 'high', outcome: 'created' });

      const ack = await post(`${server.url}/api/v1/alerts/${created.id}/acknowledge`, {}, { authorization: `Bearer ${admin}` });
      expect(ack.status).toBe(200);
      expect(JSON.parse((await stream.next(alertFrame({ outcome: 'acknowledged' }), 'acknowledged alert')).data)).toEqual({ ...created, status: 'acknowledged', outcome: 'acknowledged' });

      const note = await post(`${server.url}/api/v1/alerts/${created.id}/notes`, { note: 'Looking' }, { authorization: `Bearer ${admin}` });
      expect(note.status).toBe(201);
      await stream.next(alertFrame({ id: created.id, outcome: 'updated', status: 'acknowledged' }), 'note');
    } finally {
      stream.close();
    }
  });

  it('sends nothing for a duplicate event or a refused one (only committed changes are events)', async () => {
    const stream = await openStream(`${server.url}/api/v1/stream`, { ...sse, authorization: `Bearer ${admin}` });
    try {
      await stream.next((f) => f.event === 'ready', 'ready');
      expect((await post(`${server.url}/v2/enqueue`, { routing_key: key, event_action: 'trigger', payload: { summary: 'x' } })).status).toBe(400);
      await trigger(server, key, 'marker');
      const marker = await stream.next(alertFrame({ outcome: 'created' }), 'marker');
      // The invalid event came first and produced nothing; only the marker's frame is there.
      expect(stream.frames.filter((f) => f.event === 'alert')).toEqual([marker]);
    } finally {
      stream.close();
    }
  });

  it('refuses callers without credentials (401) and requests that do not accept an event stream (400 naming the header)', async () => {
    const anonymous = await fetch(`${server.url}/api/v1/stream`, { headers: sse });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    const plain = await fetch(`${server.url}/api/v1/stream`, { headers: { authorization: `Bearer ${admin}` } });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'headers.accept', message: 'must include text/event-stream' }] } });
  });

  it('sends a team-scoped token only the alerts of its team’s services', async () => {
    const { key: paymentsKey } = await prepare(server, 'payments', 'payments-team');
    const scoped = await post(`${server.url}/api/v1/tokens`, { name: 'scoped', role: 'viewer', team: 'payments-team' }, { authorization: `Bearer ${admin}` });
    expect(scoped.status).toBe(201);
    const stream = await openStream(`${server.url}/api/v1/stream`, { ...sse, authorization: `Bearer ${String(scoped.body.secret)}` });
    try {
      expect(stream.status).toBe(200);
      await stream.next((f) => f.event === 'ready', 'ready');
      await trigger(server, key, 'checkout-only');
      await trigger(server, paymentsKey, 'payments-1');
      const payments = await server.firebreak.services.serviceCatalog.get('payments');
      await stream.next(alertFrame({ serviceId: payments.id }), 'payments alert');
      expect(stream.frames.filter((f) => f.event === 'alert').map((f) => (JSON.parse(f.data) as LiveAlertEvent).serviceId)).toEqual([payments.id]);
    } finally {
      stream.close();
    }
  });

  it('authenticates with the session cookie the web UI uses', async () => {
    const { catalog } = server.firebreak.services;
    await catalog.createUser({ actor: systemActor('test'), principal: null }, { handle: 'vic', name: 'Vic', email: 'vic@example.test', timeZone: 'UTC', role: 'viewer', password: 'vic-password-123' });
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'vic@example.test', password: 'vic-password-123' }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const stream = await openStream(`${server.url}/api/v1/stream`, { ...sse, cookie });
    try {
      expect(stream.status).toBe(200);
      await stream.next((f) => f.event === 'ready', 'ready');
    } finally {
      stream.close();
    }
  });
});

describe('live incident events (the war room)', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer({ webRoot: null });
    ({ admin } = await prepare(server, 'storefront'));
  });
  afterAll(async () => server?.stop());

  const sse = { accept: 'text/event-stream' };

  it('a note written by one responder reaches the other responder’s open stream, and the timeline read after it has the note', async () => {
    const ben = await personWithToken(server, 'ben', 'responder');
    const streamOfAna = await openStream(`${server.url}/api/v1/stream`, { ...sse, authorization: `Bearer ${admin}` });
    const streamOfBen = await openStream(`${server.url}/api/v1/stream`, { ...sse, authorization: `Bearer ${ben}` });
    try {
      await streamOfAna.next((f) => f.event === 'ready', 'ready');
      await streamOfBen.next((f) => f.event === 'ready', 'ready');
      const declared = await post(`${server.url}/api/v1/incidents`, { title: 'Checkout errors', severity: 'SEV2', impactedServices: ['storefront'] }, { authorization: `Bearer ${admin}` });
      expect(declared.status).toBe(201);
      const incidentId = String(declared.body.id);
      expect(JSON.parse((await streamOfBen.next(incidentFrame({ incidentId, action: 'declare' }), 'declared incident')).data)).toEqual({ incidentId, reference: 'INC-1', status: 'investigating', action: 'declare' });

      // What a war-room page does: it has the timeline up to its last entry, then hears of the note.
      const before = await fetch(`${server.url}/api/v1/incidents/INC-1/timeline`, { headers: { authorization: `Bearer ${admin}` } });
      const known = ((await before.json()) as { items: Array<{ id: string }> }).items;
      const note = await post(`${server.url}/api/v1/incidents/INC-1/timeline`, { note: 'Rolling back v1.42' }, { authorization: `Bearer ${ben}` });
      expect(note.status).toBe(201);
      expect(JSON.parse((await streamOfAna.next(incidentFrame({ incidentId, action: 'note' }), 'note on Ana’s stream')).data)).toEqual({ incidentId, reference: 'INC-1', status: 'investigating', action: 'note' });
      const after = await fetch(`${server.url}/api/v1/incidents/INC-1/timeline?after=${known.at(-1)?.id}`, { headers: { authorization: `Bearer ${admin}` } });
      expect(((await after.json()) as { items: Array<{ summary: string; actor: string }> }).items).toMatchObject([{ kind: 'note', summary: 'Rolling back v1.42', actor: 'ben (API token)' }]);

      // Status changes and handovers are events too, with the status after the change.
      expect((await post(`${server.url}/api/v1/incidents/INC-1/status`, { status: 'resolved', summary: 'Rolled back' }, { authorization: `Bearer ${ben}` })).status).toBe(200);
      await streamOfAna.next(incidentFrame({ incidentId, action: 'resolve', status: 'resolved' }), 'resolved');
      // The note event came once per stream: one commit, one event.
      expect(streamOfBen.frames.filter(incidentFrame({ action: 'note' }))).toHaveLength(1);
    } finally {
      streamOfAna.close();
      streamOfBen.close();
    }
  });

  it('sends nothing for a refused change, and team-scoped viewer tokens hear incidents too (organization-wide reads)', async () => {
    const scoped = await post(`${server.url}/api/v1/tokens`, { name: 'scoped-viewer', role: 'viewer', team: (await server.firebreak.services.catalog.createTeam({ actor: systemActor('test'), principal: null }, { handle: 'web', name: 'web', description: '' })).handle }, { authorization: `Bearer ${admin}` });
    expect(scoped.status).toBe(201);
    const stream = await openStream(`${server.url}/api/v1/stream`, { ...sse, authorization: `Bearer ${String(scoped.body.secret)}` });
    try {
      await stream.next((f) => f.event === 'ready', 'ready');
      // A refused handover (no expectedHolder for a held role): 409 and no event.
      const declared = await post(`${server.url}/api/v1/incidents`, { title: 'Search slow', severity: 'SEV3' }, { authorization: `Bearer ${admin}` });
      const incidentId = String(declared.body.id);
      await stream.next(incidentFrame({ incidentId, action: 'declare' }), 'declared');
      const refused = await fetch(`${server.url}/api/v1/incidents/${incidentId}/roles/incident_commander`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ben' }) });
      expect(refused.status).toBe(409);
      const marker = await post(`${server.url}/api/v1/incidents/${incidentId}/timeline`, { note: 'marker' }, { authorization: `Bearer ${admin}` });
      expect(marker.status).toBe(201);
      await stream.next(incidentFrame({ incidentId, action: 'note' }), 'marker note');
      // The incident's other parts (a checklist, …) may publish their own events; the refused handover published none.
      const actions = stream.frames.filter(incidentFrame({ incidentId })).map((f) => (JSON.parse(f.data) as LiveIncidentEvent).action);
      expect(actions).toContain('declare');
      expect(actions).not.toContain('role');
      expect(actions.filter((action) => action === 'note')).toEqual(['note']);
    } finally {
      stream.close();
    }
  });
});

describe('stream keep-alive and limits (the hub on a bare HTTP server)', () => {
  const principal = { kind: 'token', userId: 'u', userHandle: 'u', userName: 'U', role: 'viewer', teamScope: null, adminOfTeams: [], credentialId: 'c' } as const;

  async function hub(options: { heartbeatMs?: number; maxStreamMs?: number; maxBufferedBytes?: number }) {
    const bus = createEventBus();
    const database = openDatabase({ sqlitePath: ':memory:' });
    const live = new LiveUpdates({ bus, database, clock: new ManualClock(), logger: createLogger('silent'), ...options });
    const app = Fastify();
    app.get('/stream', async (req, reply) => live.open(req, reply, { ...principal, adminOfTeams: [] }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      bus,
      live,
      url,
      async close() {
        live.close();
        await app.close();
        await database.close();
      },
    };
  }

  it('sends a heartbeat comment at the configured interval', async () => {
    const h = await hub({ heartbeatMs: 25 });
    const stream = await openStream(`${h.url}/stream`, { accept: 'text/event-stream' });
    try {
      await stream.next((f) => f.event === 'comment' && f.data === 'heartbeat', 'heartbeat');
    } finally {
      stream.close();
      await h.close();
    }
  });

  it('ends a stream after its maximum age, so the client reconnects and authenticates again', async () => {
    const h = await hub({ maxStreamMs: 50 });
    const stream = await openStream(`${h.url}/stream`, { accept: 'text/event-stream' });
    await stream.ended;
    expect(h.live.size).toBe(0);
    await h.close();
  });

  it('forwards a resync to every stream and forgets streams whose client left', async () => {
    const h = await hub({});
    const stream = await openStream(`${h.url}/stream`, { accept: 'text/event-stream' });
    await stream.next((f) => f.event === 'ready', 'ready');
    h.bus.publish({ type: 'resync' }, 'remote');
    await stream.next((f) => f.event === 'resync', 'resync');
    stream.close();
    await stream.ended;
    await expect.poll(() => h.live.size).toBe(0);
    await h.close();
  });
});

describe('live updates at shutdown', () => {
  it('ends open streams cleanly when the server stops, well within the shutdown budget', async () => {
    const server = await startTestServer({ webRoot: null });
    const { admin } = await prepare(server);
    const streams = await Promise.all([1, 2, 3].map(() => openStream(`${server.url}/api/v1/stream`, { accept: 'text/event-stream', authorization: `Bearer ${admin}` })));
    for (const s of streams) await s.next((f) => f.event === 'ready', 'ready');
    const started = performance.now();
    await server.stop();
    expect(performance.now() - started).toBeLessThan(5000);
    await Promise.all(streams.map((s) => s.ended));
  });
});

describe('firebreak serve as a real process with event streams open', () => {
  it('exits 0 within 10 s of SIGTERM, ending the streams', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'firebreak-stream-serve-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnTs('src/cli/main.ts', ['serve'], { PORT: String(port), HOST: '127.0.0.1', FIREBREAK_DATA_DIR: dataDir, LOG_LEVEL: 'info', FIREBREAK_SHUTDOWN_TIMEOUT_MS: '10000', DATABASE_URL: '' });
    try {
      const setupLine = await child.waitForLine((line) => line.includes('/setup?token='), 30_000);
      const token = new URL(setupLine.trim()).searchParams.get('token');
      const setup = await fetch(`${url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, handle: 'ana', name: 'Ana', email: 'ana@example.test', timeZone: 'UTC', password: 'correct horse battery staple' }),
      });
      expect(setup.status).toBe(201);
      const cookie = setup.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const streams = await Promise.all([1, 2].map(() => openStream(`${url}/api/v1/stream`, { accept: 'text/event-stream', cookie })));
      for (const stream of streams) await stream.next((f) => f.event === 'ready', 'ready');
      const started = performance.now();
      child.process.kill('SIGTERM');
      const exit = await Promise.race([child.exited(), new Promise<'timeout'>((resolve) => setTimeout(resolve, 10_000, 'timeout'))]);
      expect(exit, `stdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`).toEqual({ code: 0, signal: null });
      expect(performance.now() - started).toBeLessThan(10_000);
      await Promise.all(streams.map((s) => s.ended));
      expect(child.stderr()).not.toMatch(/shutdown took longer|error while stopping/);
    } finally {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await child.exited();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const pgUrl = postgresUrl();
describe.skipIf(!pgUrl)('live updates across two nodes on one PostgreSQL (LISTEN/NOTIFY)', () => {
  let a: TestServer;
  let b: TestServer;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase(pgUrl as string);
    a = await startTestServer({ webRoot: null, env: { DATABASE_URL: url } });
    b = await startTestServer({ webRoot: null, env: { DATABASE_URL: url } });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('an event posted to node A reaches a stream open on node B, once', async () => {
    const { admin, key } = await prepare(a);
    const onB = await openStream(`${b.url}/api/v1/stream`, { accept: 'text/event-stream', authorization: `Bearer ${admin}` });
    const onA = await openStream(`${a.url}/api/v1/stream`, { accept: 'text/event-stream', authorization: `Bearer ${admin}` });
    try {
      await onB.next((f) => f.event === 'ready', 'ready');
      await onA.next((f) => f.event === 'ready', 'ready');
      expect((await trigger(a, key, 'cross-node')).status).toBe(202);
      const remote = JSON.parse((await onB.next(alertFrame({ outcome: 'created' }), 'remote alert')).data) as LiveAlertEvent;
      const local = JSON.parse((await onA.next(alertFrame({ outcome: 'created' }), 'local alert')).data) as LiveAlertEvent;
      expect(remote).toEqual(local);
      // A second event proves ordering and that node A did not also hear its own NOTIFY.
      await trigger(a, key, 'cross-node-2');
      await onB.next(alertFrame({ number: 2 }), 'second remote alert');
      await onA.next(alertFrame({ number: 2 }), 'second local alert');
      expect(onA.frames.filter((f) => f.event === 'alert')).toHaveLength(2);
      expect(onB.frames.filter((f) => f.event === 'alert')).toHaveLength(2);
    } finally {
      onA.close();
      onB.close();
    }
  });

  it('an incident note written on node A reaches a stream open on node B (incident events cross nodes too)', async () => {
    const { admin } = await prepare(a, 'ledger');
    const onB = await openStream(`${b.url}/api/v1/stream`, { accept: 'text/event-stream', authorization: `Bearer ${admin}` });
    try {
      await onB.next((f) => f.event === 'ready', 'ready');
      const declared = await post(`${a.url}/api/v1/incidents`, { title: 'Ledger lag', severity: 'SEV3' }, { authorization: `Bearer ${admin}` });
      expect(declared.status).toBe(201);
      const incidentId = String(declared.body.id);
      await onB.next(incidentFrame({ incidentId, action: 'declare' }), 'remote declare');
      expect((await post(`${a.url}/api/v1/incidents/${incidentId}/timeline`, { note: 'Replica behind by 40 s' }, { authorization: `Bearer ${admin}` })).status).toBe(201);
      expect(JSON.parse((await onB.next(incidentFrame({ incidentId, action: 'note' }), 'remote note')).data)).toEqual({ incidentId, reference: String(declared.body.reference), status: 'investigating', action: 'note' });
    } finally {
      onB.close();
    }
  });

  it('when a node loses its listener connection it reconnects, tells its streams to resync, and hears other nodes again', async () => {
    const { admin, key } = await prepare(a, 'search');
    const onB = await openStream(`${b.url}/api/v1/stream`, { accept: 'text/event-stream', authorization: `Bearer ${admin}` });
    try {
      await onB.next((f) => f.event === 'ready', 'ready');
      // What a PostgreSQL restart or failover does to the dedicated LISTEN connections of both nodes.
      const superuser = new pg.Client({ connectionString: pgUrl as string });
      await superuser.connect();
      try {
        const killed = await superuser.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'firebreak-live-updates' and datname = $1", [new URL(url).pathname.slice(1)]);
        expect(killed.rowCount).toBe(2);
      } finally {
        await superuser.end();
      }
      await onB.next((f) => f.event === 'resync', 'resync');
      // Both nodes listen again (node A's listener is back too once B's is; poll the next trigger).
      await expect
        .poll(async () => {
          await trigger(a, key, `after-reconnect-${onB.frames.length}`);
          return onB.frames.some((f) => f.event === 'alert' && (JSON.parse(f.data) as LiveAlertEvent).outcome === 'created');
        }, { timeout: 15_000, interval: 500 })
        .toBe(true);
    } finally {
      onB.close();
    }
  });
});
