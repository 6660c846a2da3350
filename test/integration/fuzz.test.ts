import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorStatus } from '../../src/contracts/errors.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { bearer, buildTestApp, json, type TestApp } from '../support/app.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { fillPath, label, listOperations, sampleFromSchema, type Hints, type JsonSchema, type Operation } from './support/operations.js';

/**
 * Fuzzing every operation in the OpenAPI document with random and malformed input: whatever arrives,
 * Firebreak answers 2xx or 4xx (never 5xx), every error has the one error shape, and the process is
 * still healthy afterwards. Fixed seed and bounded runs: a failure reproduces, and the file stays fast.
 *
 * Inputs are described by small "recipes" that are turned into bytes inside the property, so a
 * counterexample prints as `{kind: 'huge', size: 1100000}` rather than a megabyte of `x`.
 */

const SEED = 20261102;
const RUNS_PER_OPERATION = 150;
const ERROR_KEYS = ['code', 'details', 'errorId', 'message'];

type BodyRecipe =
  | { kind: 'none' }
  | { kind: 'sample' }
  | { kind: 'wrong-type'; field: string; value: unknown }
  | { kind: 'extra-field'; field: string; value: unknown }
  | { kind: 'random-json'; value: unknown }
  | { kind: 'strange-strings'; text: string }
  | { kind: 'huge'; size: number }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' }
  | { kind: 'raw'; text: string }
  | { kind: 'truncated'; at: number }
  | { kind: 'bytes'; bytes: number[] };

interface RequestRecipe {
  method: string;
  params: Record<string, string>;
  query: string;
  auth: { kind: 'owner' } | { kind: 'none' } | { kind: 'header'; value: string } | { kind: 'cookie'; value: string };
  contentType: string | null;
  body: BodyRecipe;
}

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD, as a browser would send). */
const encodeBytes = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

/** Path segments meant to escape, truncate or confuse routing; already in the form sent on the wire. */
const hostileSegments = [
  '..', '../..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2f', '%00', 'a%00b', '%', '%zz', '%E0%A4%A', '%C0%AE%C0%AE', '%FF%FE',
  '.', '~', '%20', '%0D%0A', '%u002e', '*', '%2A', '__proto__', 'constructor', 'null', 'undefined', '0', '-1', 'NaN',
];

const hostileQueries = [
  'a=%', '%%%', '&&&', '=', 'a=1=2', '%00=%00', 'limit=1e309', 'limit=-1', 'limit=NaN', 'limit=0x10', 'limit=99999999999999999999',
  'limit=', 'includeDeactivated=true&includeDeactivated=false', 'all=true&all=false', 'all=TRUE', '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1', 'a[b][c]=1', `before=${'x'.repeat(5000)}`, 'action=%FF%FE', 'targetId=%00',
];

const malformedJson = [
  '', '{', '}', '[', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '1e309', '-', '\uFEFF{}', '\u0000', '"\u0000"', 'nul', 'tru', '[1,2',
  '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"a":"\\ud800"}', '{"a":"\\u0000"}',
  '{"a":1}{"b":2}', '{"a":1} trailing', '{"a":01}', '{"a":.5}', '{"a":+1}', '{"a":0x10}', '{a:1}', '{"a":1e999999}',
];

const contentTypes = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream',
  'application/json; charset=latin1', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/vnd.api+json',
  'application/json;;;', 'application/jsonx', 'text/json', '*/*', 'application/json, text/plain',
];

/** Strings that have broken parsers and databases elsewhere: NUL, lone surrogates, RTL marks, emoji, SQL. */
const strangeString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '\u202e\u202d', '👩‍👩‍👧‍👦'.repeat(20), "'; DROP TABLE users; --", '\\', '%s%n', '${7*7}', '<script>'),
);

function objectProperties(schema: JsonSchema | null): string[] {
  return schema?.type === 'object' ? Object.keys(schema.properties ?? {}) : [];
}

function recipeArbitrary(operation: Operation, valid: Record<string, string>): fc.Arbitrary<RequestRecipe> {
  const pathNames = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const queryNames = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const fields = objectProperties(operation.body);
  const fieldName = fields.length ? fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 12 })) : fc.string({ maxLength: 12 });

  const param = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(valid[name] ?? 'x') },
      { weight: 2, arbitrary: fc.constantFrom(...hostileSegments) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(encodeBytes) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => 'a'.repeat(n)) },
      { weight: 1, arbitrary: fc.integer({ min: 50, max: 3_000 }).map((n) => encodeBytes('é'.repeat(n))) },
    );
  const params = fc.record(Object.fromEntries(pathNames.map((name) => [name, param(name)])) as Record<string, fc.Arbitrary<string>>);

  const queryKey = fc.oneof(queryNames.length ? fc.constantFrom(...queryNames) : fc.constant('q'), fc.string({ maxLength: 10 }));
  const query = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.dictionary(queryKey, fc.oneof(fc.string(), strangeString), { maxKeys: 4 }).map((d) => new URLSearchParams(d).toString()) },
    { weight: 2, arbitrary: fc.constantFrom(...hostileQueries) },
  );

  const printable = fc.stringMatching(/^[ -~]{0,80}$/);
  const auth = fc.oneof(
    { weight: 10, arbitrary: fc.constant({ kind: 'owner' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 2,
      arbitrary: fc.oneof(fc.constantFrom('Bearer', 'Bearer ', 'Bearer fbk_', 'Bearer fbk_nonsense', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Token x'), printable).map((value) => ({ kind: 'header' as const, value })),
    },
    { weight: 1, arbitrary: printable.map((v) => ({ kind: 'cookie' as const, value: `firebreak_session=${encodeURIComponent(v)}` })) },
  );

  const json = fc.jsonValue({ maxDepth: 3 });
  const body: fc.Arbitrary<BodyRecipe> = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 3, arbitrary: fc.constant({ kind: 'sample' as const }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('wrong-type' as const), field: fieldName, value: fc.oneof(json, strangeString) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('extra-field' as const), field: fc.string({ maxLength: 16 }), value: json }) },
    { weight: 3, arbitrary: json.map((value) => ({ kind: 'random-json' as const, value })) },
    { weight: 2, arbitrary: strangeString.map((text) => ({ kind: 'strange-strings' as const, text })) },
    { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 1_200_000 }).map((size) => ({ kind: 'huge' as const, size })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 50, max: 100_000 }), shape: fc.constantFrom('array' as const, 'object' as const) }) },
    { weight: 3, arbitrary: fc.oneof(fc.constantFrom(...malformedJson), fc.string({ maxLength: 40 })).map((text) => ({ kind: 'raw' as const, text })) },
    { weight: 1, arbitrary: fc.nat().map((at) => ({ kind: 'truncated' as const, at })) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
  );

  const contentType = fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...contentTypes) }, { weight: 1, arbitrary: fc.constant(null) });
  const method = fc.oneof({ weight: 12, arbitrary: fc.constant(operation.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') });

  return fc.record({ method, params, query, auth, contentType, body });
}

function bodyBytes(recipe: BodyRecipe, sample: unknown): string | Buffer | undefined {
  const base = sample !== null && typeof sample === 'object' && !Array.isArray(sample) ? (sample as Record<string, unknown>) : {};
  switch (recipe.kind) {
    case 'none':
      return undefined;
    case 'sample':
      return JSON.stringify(sample ?? {});
    case 'wrong-type':
      return JSON.stringify({ ...base, [recipe.field]: recipe.value });
    case 'extra-field':
      return JSON.stringify({ ...base, [recipe.field]: recipe.value });
    case 'random-json':
      return JSON.stringify(recipe.value);
    case 'strange-strings':
      return JSON.stringify(Object.fromEntries(Object.entries(base).map(([k, v]) => [k, typeof v === 'string' ? recipe.text : v])));
    case 'huge': {
      const field = Object.keys(base)[0] ?? 'name';
      return JSON.stringify({ ...base, [field]: 'x'.repeat(recipe.size) });
    }
    case 'deep':
      return recipe.shape === 'array' ? '['.repeat(recipe.depth) + ']'.repeat(recipe.depth) : '{"a":'.repeat(recipe.depth) + '1' + '}'.repeat(recipe.depth);
    case 'raw':
      return recipe.text;
    case 'truncated': {
      const text = JSON.stringify(sample ?? {});
      return text.slice(0, recipe.at % Math.max(1, text.length));
    }
    case 'bytes':
      return Buffer.from(recipe.bytes);
  }
}

/** The one error shape, with a code whose documented status is the status answered. */
function errorShapeProblem(response: LightMyRequestResponse): string | null {
  if (!/^application\/json/.test(String(response.headers['content-type'] ?? ''))) return `content-type ${String(response.headers['content-type'])}`;
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return 'body is not JSON';
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body is not an object';
  const b = body as Record<string, unknown>;
  if (Object.keys(b).sort().join() !== ERROR_KEYS.join()) return `keys ${Object.keys(b).join(',')}`;
  if (typeof b.code !== 'string' || !(b.code in errorStatus)) return `unknown code ${String(b.code)}`;
  // MALFORMED_REQUEST is the catch-all for 4xx statuses HTTP defines more precisely (414 URI too long).
  const documented = errorStatus[b.code as keyof typeof errorStatus];
  if (documented !== response.statusCode && !(b.code === 'MALFORMED_REQUEST' && response.statusCode < 500)) return `code ${b.code} documents ${documented}`;
  if (typeof b.message !== 'string' || b.message === '') return 'empty message';
  if (b.details !== null && (typeof b.details !== 'object' || Array.isArray(b.details))) return 'details is neither an object nor null';
  if (typeof b.errorId !== 'string' || b.errorId === '') return 'empty errorId';
  return null;
}

/** Read once when the file is collected, so each operation gets its own named test. */
async function documentedOperations(): Promise<Operation[]> {
  const t = await buildTestApp();
  try {
    return listOperations(json(await t.app.inject({ url: '/api/openapi.json' })));
  } finally {
    await t.close();
  }
}

const operations = await documentedOperations();

describe('fuzzing every operation with random and malformed requests', () => {
  let t: TestApp;
  let ownerToken: string;
  let valid: Record<string, string>;
  let hints: Hints;
  let heapBefore = 0;

  beforeAll(async () => {
    // A login limit the fuzzer can exceed on purpose, but only after most of its login runs got through.
    t = await buildTestApp({ env: { FIREBREAK_LOGIN_RATE_LIMIT: '100' } });
    const owner = await t.userWithToken('owner', 'fuzz-owner');
    ownerToken = owner.token;
    const { catalog } = t.firebreak.services;
    const acting = { actor: systemActor('fuzz'), principal: null };
    await catalog.createTeam(acting, { handle: 'fuzz-team', name: 'Fuzz team', description: '' });
    await catalog.createUser(acting, { handle: 'fuzz-target', name: 'Fuzz target', email: 'fuzz-target@example.test', timeZone: 'UTC', role: 'responder' });
    const spare = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(ownerToken), payload: { name: 'spare', role: 'viewer' } });
    valid = { team: 'fuzz-team', user: 'fuzz-target', id: json<{ token: { id: string } }>(spare).token.id };
    let unique = 0;
    hints = { handle: () => `fuzz-${++unique}`, email: () => `fuzz-${++unique}@example.test`, timeZone: 'UTC', team: 'fuzz-team', user: 'fuzz-target' };
    await t.firebreak.runner.runDueJobs();
    heapBefore = heapAfterGc();
  });

  afterAll(async () => t?.close());

  it('finds operations to fuzz in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(20);
  });

  it.each(operations.map((operation, index) => [label(operation), operation, index] as const))('%s answers random and malformed requests with 2xx/4xx and the error shape', async (_label, operation, index) => {
    const sample = operation.body ? sampleFromSchema(operation.body, hints) : undefined;
    await fc.assert(
      fc.asyncProperty(recipeArbitrary(operation, valid), async (recipe) => {
        const path = fillPath(operation.path, recipe.params, (v) => v);
        const url = path + (recipe.query ? `?${recipe.query}` : '');
        const headers: Record<string, string> = {};
        if (recipe.auth.kind === 'owner') Object.assign(headers, bearer(ownerToken));
        if (recipe.auth.kind === 'header') headers.authorization = recipe.auth.value;
        if (recipe.auth.kind === 'cookie') headers.cookie = recipe.auth.value;
        const payload = bodyBytes(recipe.body, sample);
        if (payload !== undefined && recipe.contentType !== null) headers['content-type'] = recipe.contentType;
        const response = await t.app.inject({ method: recipe.method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
        const where = `${label(operation)} as ${recipe.method} ${url.slice(0, 200)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
        if (response.statusCode >= 500) throw new Error(`server error: ${where}`);
        if (response.statusCode >= 400 && recipe.method !== 'HEAD') {
          const problem = errorShapeProblem(response);
          if (problem) throw new Error(`error shape (${problem}): ${where}`);
        }
      }),
      { seed: SEED + index, numRuns: RUNS_PER_OPERATION },
    );
  });

  it('is still healthy and has not grown absurdly in memory after the fuzzing', async () => {
    const health = await t.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(json(health)).toEqual({ status: 'ok' });
    // The owner's token still works: no fuzzed request revoked or demoted it.
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: bearer(ownerToken) })).statusCode).toBe(200);
    // Live heap after a full collection, not RSS: V8 seldom hands freed pages back to the OS after
    // megabyte-sized fuzz bodies, so RSS grows with the number of routes fuzzed even without a leak.
    const grownMb = (heapAfterGc() - heapBefore) / 1024 / 1024;
    expect(grownMb).toBeLessThan(100);
  });
});

/** Sends raw bytes on a fresh connection, half-closes, and returns the status line's code (null: no answer). */
function rawExchange(port: number, request: string | Buffer): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    // A safety net, not a timing assertion: a request the server is still waiting on is simply dropped.
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve(match ? Number(match[1]) : null);
    });
    socket.end(request);
  });
}

describe('fuzzing the HTTP wire of a real server', () => {
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    server = await startTestServer({ webRoot: null });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => server?.stop());

  const wireCases: Array<[string, string | Buffer]> = [
    ['garbage instead of a request line', 'GARBAGE\r\n\r\n'],
    ['a request line without a version', 'GET /healthz\r\n\r\n'],
    ['an unknown method', 'BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['HTTP/1.1 without a Host header', 'GET /healthz HTTP/1.1\r\n\r\n'],
    ['a header without a colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n'],
    ['both Content-Length and chunked', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['a malformed chunk size', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n'],
    ['a body shorter than its Content-Length', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":'],
    ['a negative Content-Length', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'],
    ['a 64 KB header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(65_536)}\r\n\r\n`],
    ['a NUL in the path', 'GET /api/v1/users/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a raw non-ASCII path', Buffer.concat([Buffer.from('GET /api/v1/users/'), Buffer.from([0xff, 0xfe, 0xc0, 0xae]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')])],
    ['an absolute-form target for another host', 'GET http://169.254.169.254/latest/meta-data HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a request smuggled after a complete one', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/audit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  ];

  it.each(wireCases)('answers %s with a 4xx or by closing the connection, never a 5xx', async (_name, request) => {
    const status = await rawExchange(port, request);
    if (status !== null) expect(status).toBeLessThan(500);
  });

  it('survives random bytes after a valid request line and still answers /healthz', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        const status = await rawExchange(port, Buffer.concat([Buffer.from('POST /api/v1/teams HTTP/1.1\r\nHost: x\r\n'), bytes]));
        return status === null || status < 500;
      }),
      { seed: SEED, numRuns: 40 },
    );
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

/** Bytes of live heap after a full garbage collection (gc is exposed at run time for this check). */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
