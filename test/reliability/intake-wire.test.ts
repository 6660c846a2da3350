import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { integrationInputSchema, serviceInputSchema } from '../../src/contracts/alerts.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { ManualClock } from '../../src/server/platform/clock.js';
import { loadConfig } from '../../src/server/platform/config.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { createServices } from '../../src/server/services.js';
import { freePort } from '../support/postgres.js';
import { alertmanagerGroup, eventsTrigger, get, post, waitUntilReady } from './support/intake-load.js';
import { spawnTs, type Child } from './support/processes.js';

/**
 * What the in-process fuzz suite (`intake.fuzz.e2e.test.ts`, through `inject`) cannot send: bytes on
 * a real socket to the real `firebreak serve` process. Oversized, truncated, chunked, compressed,
 * abandoned and pathologically nested bodies get a 4xx (or nothing, when the sender hung up), never a
 * 5xx (nor an ERROR log line), and never take the process down: afterwards it is ready and takes a
 * valid event.
 */

interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/**
 * Writes `chunks` on a fresh TCP connection (with `gapMs` between them, stopping early once the server
 * has answered) and reads until the server closes or has sent the whole answer.
 */
function raw(port: number, chunks: Array<string | Buffer>, options: { gapMs?: number; endAfterWrite?: boolean } = {}): Promise<RawAnswer | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 20 s')), 20_000);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('utf8');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = text.slice(0, headEnd);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
      if (length !== undefined && Buffer.byteLength(text.slice(headEnd + 4)) >= Number(length)) socket.end();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = data.toString('utf8');
      if (text === '') return resolve(null);
      const headEnd = text.indexOf('\r\n\r\n');
      const head = headEnd < 0 ? text : text.slice(0, headEnd);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body: headEnd < 0 ? '' : text.slice(headEnd + 4) });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close a connection it refuses while we still write: what it answered still counts.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        // Once the server has answered (a refusal), writing on would only earn a reset that can
        // discard its answer before we read it.
        if (socket.destroyed || data.length > 0) return;
        socket.write(chunk);
        if (options.gapMs && i < chunks.length - 1) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (options.endAfterWrite) socket.end();
    });
  });
}

const postHead = (path: string, headers: Record<string, string | number>): string =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

describe('intake on the wire: the real process and malformed HTTP', () => {
  let dataDir = '';
  let child: Child | null = null;
  let port = 0;
  let url = '';
  let eventsKey = '';
  let amKey = '';
  let webhookKey = '';
  let opsgenieKey = '';
  let victoropsKey = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'firebreak-intake-wire-'));
    const env = { FIREBREAK_DATA_DIR: dataDir, DATABASE_URL: '' };
    const database = openDatabase({ sqlitePath: join(dataDir, 'firebreak.db') });
    await database.migrate();
    const services = createServices({ config: loadConfig(env), database, clock: new ManualClock('2026-11-21T05:00:00Z') });
    const acting = { actor: systemActor('test'), principal: null };
    await services.serviceCatalog.create(acting, serviceInputSchema.parse({ handle: 'wire', name: 'Wire' }));
    const integration = (type: string) => services.serviceCatalog.createIntegration(acting, 'wire', integrationInputSchema.parse({ type, name: type }));
    eventsKey = (await integration('events-v2')).key;
    amKey = (await integration('alertmanager')).key;
    webhookKey = (await integration('webhook')).key;
    opsgenieKey = (await integration('opsgenie')).key;
    victoropsKey = (await integration('victorops')).key;
    await database.close();

    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawnTs('src/cli/main.ts', ['serve'], { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    await waitUntilReady(url, child);
  });

  afterAll(async () => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const logged = () => `${child?.stdout() ?? ''}${child?.stderr() ?? ''}`;
  /** Each test checks that the server logged no error while it ran (every 5xx is logged as ERROR). */
  let logMark = 0;
  beforeEach(() => {
    logMark = logged().length;
  });
  afterEach(async () => {
    // The child's log lines arrive a moment after its answers: wait until it has been quiet a while.
    for (let waited = 0, size = -1; waited < 5_000 && size !== logged().length; waited += 300) {
      size = logged().length;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(logged().slice(logMark)).not.toMatch(/"level":"(ERROR|FATAL)"/);
  });

  it('a body over 512 KB gets 413 in the format’s shape, announced or chunked', async () => {
    const big = JSON.stringify({ routing_key: eventsKey, event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'info', custom_details: { blob: 'x'.repeat(600 * 1024) } } });
    // Refused on the announced length alone: the rest of the body need not be sent.
    const announced = await raw(port, [postHead('/v2/enqueue', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) }), big.slice(0, 1024), big.slice(1024)], { gapMs: 500 });
    expect(announced?.status, announced?.head).toBe(413);
    expect(JSON.parse(announced?.body ?? '{}')).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });

    const chunks: string[] = [postHead(`/integrations/alertmanager/${amKey}`, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })];
    for (let i = 0; i < 10; i++) chunks.push(`${(64 * 1024).toString(16)}\r\n${'a'.repeat(64 * 1024)}\r\n`);
    chunks.push('0\r\n\r\n');
    const chunked = await raw(port, chunks, { gapMs: 20 });
    expect(chunked?.status, chunked?.head).toBe(413);
    expect(JSON.parse(chunked?.body ?? '{}')).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('deeply nested JSON inside the 512 KB limit is refused with a 4xx, not a 5xx', async () => {
    const depth = 100_000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const bodies: Array<[string, string, Record<string, string>?]> = [
      ['/v2/enqueue', `{"routing_key":"${eventsKey}","event_action":"trigger","dedup_key":"nested","payload":{"summary":"Nested","source":"fuzz","severity":"info","custom_details":${nested}}}`],
      ['/v2/enqueue', `{"routing_key":"${eventsKey}","event_action":"trigger","dedup_key":"nested-top","payload":{"summary":"Nested","source":"fuzz","severity":"info"},"extra":${nested}}`],
      ['/v2/change/enqueue', `{"routing_key":"${eventsKey}","payload":{"summary":"Nested","source":"fuzz","custom_details":${nested}}}`],
      [`/integrations/webhook/${webhookKey}`, `{"title":"Nested","status":"firing","dedupKey":"nested","details":${nested}}`],
      [`/integrations/alertmanager/${amKey}`, `{"version":"4","groupKey":"nested","status":"firing","alerts":[],"commonAnnotations":${nested}}`],
      ['/v2/alerts', `{"message":"Nested","alias":"nested","details":${nested},"extra":${nested.slice(0, 2)}}`, { authorization: `GenieKey ${opsgenieKey}` }],
      [`/integrations/victorops/${victoropsKey}/nested`, `{"message_type":"CRITICAL","entity_id":"nested","state_message":"Nested","extra":${nested}}`],
    ];
    const faults: string[] = [];
    for (const [path, body, headers] of bodies) {
      expect(Buffer.byteLength(body)).toBeLessThan(512 * 1024);
      const answer = await post(`${url}${path}`, body, false, 30_000, headers);
      if (answer.status >= 500) faults.push(`${path.replace(/[0-9a-f]{32}/, '<key>')} ${body.slice(0, 90)}… → ${answer.status}`);
    }
    expect(faults).toEqual([]);
  });

  it('bodies it cannot read as JSON (gzip, invalid UTF-8, a lying content type) get a 4xx', async () => {
    const event = eventsTrigger(eventsKey, 'encoded');
    const gz = gzipSync(event);
    const gzipped = await raw(port, [postHead('/v2/enqueue', { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length }), gz]);
    expect(gzipped?.status, gzipped?.body).toBeGreaterThanOrEqual(400);
    expect(gzipped?.status, gzipped?.body).toBeLessThan(500);

    const invalidUtf8 = Buffer.concat([Buffer.from('{"routing_key":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","event_action":"trigger"}')]);
    const bad = await raw(port, [postHead('/v2/enqueue', { 'content-type': 'application/json', 'content-length': invalidUtf8.length }), invalidUtf8]);
    expect(bad?.status, bad?.body).toBeGreaterThanOrEqual(400);
    expect(bad?.status, bad?.body).toBeLessThan(500);

    const form = 'routing_key=x&event_action=trigger';
    const formAnswer = await raw(port, [postHead('/v2/enqueue', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': form.length }), form]);
    expect(formAnswer?.status).toBe(400);
    expect(JSON.parse(formAnswer?.body ?? '{}')).toMatchObject({ status: 'invalid event' });
  });

  it('malformed HTTP is refused by the parser, and senders that hang up or stall do not hurt anyone else', async () => {
    const garbage = await raw(port, ['GARBAGE / NOT-HTTP\r\n\r\n']);
    expect(garbage?.status ?? 400).toBe(400);
    const badChunk = await raw(port, [postHead('/v2/enqueue', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }), 'zz\r\n{}\r\n0\r\n\r\n']);
    expect(badChunk?.status ?? 400).toBe(400);

    // Fifty senders announce a body and hang up half way, while valid events keep arriving.
    const body = eventsTrigger(eventsKey, 'truncated');
    const abandoned = Array.from({ length: 50 }, () => raw(port, [postHead('/v2/enqueue', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }), body.slice(0, 40)], { endAfterWrite: true }));
    const valid = Array.from({ length: 20 }, (_, i) => post(`${url}/v2/enqueue`, eventsTrigger(eventsKey, `alongside-${i}`)));
    const group = post(`${url}/integrations/alertmanager/${amKey}`, alertmanagerGroup('{}:{alongside="1"}'));
    for (const answer of await Promise.all(abandoned)) expect(answer === null || (answer.status >= 400 && answer.status < 500), answer?.head).toBe(true);
    expect((await Promise.all(valid)).map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 202));
    expect((await group).status).toBe(200);

    // A slow sender whose body arrives in pieces is still read whole.
    const slowBody = eventsTrigger(eventsKey, 'slow');
    const third = Math.ceil(slowBody.length / 3);
    const slow = await raw(port, [postHead('/v2/enqueue', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(slowBody) }), slowBody.slice(0, third), slowBody.slice(third, 2 * third), slowBody.slice(2 * third)], { gapMs: 300 });
    expect(slow?.status, slow?.body).toBe(202);
    expect(JSON.parse(slow?.body ?? '{}')).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'slow' });
  });

  it('afterwards the process is still running, ready, and takes events', async () => {
    expect(child?.process.exitCode).toBeNull();
    expect((await get(`${url}/readyz`)).status).toBe(200);
    expect((await post(`${url}/v2/enqueue`, eventsTrigger(eventsKey, 'after'))).status).toBe(202);
  });
});
