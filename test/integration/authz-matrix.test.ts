import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast, roles, type Role } from '../../src/core/auth/roles.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { bearer, buildTestApp, json, type TestApp } from '../support/app.js';
import { effectiveScope, fillPath, isPublic, label, listOperations, sampleFromSchema, type Hints, type Operation } from './support/operations.js';

/**
 * The authorization matrix (ARCHITECTURE.md, "Security model"): every operation in the OpenAPI document,
 * called by every kind of caller, must be allowed or refused exactly as its `x-firebreak-auth` says.
 * The routes come from the document, so a route added later is walked without editing this file.
 *
 * Each caller gets a fresh app with the same fixtures (a team, a target user, a spare API token), so
 * path parameters name things that exist and allowed calls reach their handlers; sample bodies are
 * built from each operation's request schema. Allowed means "not refused by authorization": any status
 * but 401/403 (a 400 or 404 from the handler still proves the caller got past the rule).
 */

interface Caller {
  name: string;
  /** Null: no credentials at all. */
  role: Role | null;
  /** The caller is team admin of the fixture team (and holds no org role that would allow more). */
  teamAdmin?: boolean;
  /** The caller uses an API token scoped to the fixture team. */
  teamScoped?: boolean;
}

const callers: Caller[] = [
  { name: 'anonymous', role: null },
  ...roles.map((role): Caller => ({ name: role, role })),
  { name: 'team admin', role: 'responder', teamAdmin: true },
  { name: 'team token', role: 'owner', teamScoped: true },
];

type Expectation = 'allow' | 'unauthenticated' | 'forbidden';

/** What the documented rule promises for this caller; mirrors `checkRouteAccess` in http/app.ts. */
function expected(operation: Operation, caller: Caller): Expectation {
  const auth = operation.auth;
  if (!auth || isPublic(auth)) return 'allow';
  if (caller.role === null) return 'unauthenticated';
  if (caller.teamScoped && effectiveScope(operation) === 'org') return 'forbidden';
  if (roleAtLeast(caller.role, auth.role)) return 'allow';
  if (auth.teamAdmin && caller.teamAdmin) return 'allow';
  return 'forbidden';
}

interface Cell {
  status: number;
  code: string | null;
  expected: Expectation;
  ok: boolean;
}

function judge(expectation: Expectation, status: number, code: string | null): boolean {
  if (status >= 500) return false; // never an acceptable answer, whatever the rule
  if (expectation === 'allow') return status !== 401 && status !== 403;
  if (expectation === 'unauthenticated') return status === 401 && code === 'UNAUTHENTICATED';
  return status === 403 && code === 'FORBIDDEN';
}

const PASSWORD = 'matrix-password-1';
const TEAM = 'matrix-team';
const TARGET = 'matrix-target';

/** Builds one caller's app and fixtures, then calls every operation once, reads first. */
async function walk(caller: Caller, operations: Operation[]): Promise<Map<string, Cell>> {
  const t: TestApp = await buildTestApp();
  try {
    const { catalog, auth, database } = t.firebreak.services;
    const acting = { actor: systemActor('authz matrix'), principal: null };
    await catalog.createTeam(acting, { handle: TEAM, name: 'Matrix team', description: '' });
    await catalog.createUser(acting, { handle: TARGET, name: 'Matrix target', email: `${TARGET}@example.test`, timeZone: 'UTC', role: 'responder' });

    let token: string | null = null;
    let spareTokenId = 'no-such-token';
    if (caller.role !== null) {
      const me = await catalog.createUser(acting, { handle: 'matrix-caller', name: 'Matrix caller', email: 'matrix-caller@example.test', timeZone: 'UTC', role: caller.role, password: PASSWORD });
      const own = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, me.id), 'matrix', systemActor('authz matrix'));
      if (caller.teamAdmin) await catalog.putMember(acting, TEAM, me.id, 'admin');
      const spare = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(own), payload: { name: 'spare', role: 'viewer' } });
      spareTokenId = json<{ token: { id: string } }>(spare).token.id;
      token = own;
      if (caller.teamScoped) {
        const scoped = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(own), payload: { name: 'scoped', role: caller.role, team: TEAM } });
        expect(scoped.statusCode, scoped.body).toBe(201);
        token = json<{ secret: string }>(scoped).secret;
      }
    }

    let unique = 0;
    const hints: Hints = {
      handle: () => `matrix-new-${++unique}`,
      email: () => `matrix-new-${++unique}@example.test`,
      name: 'Matrix sample',
      timeZone: 'UTC',
      password: PASSWORD,
      currentPassword: PASSWORD,
      newPassword: PASSWORD,
      team: TEAM,
      user: TARGET,
    };
    const pathValues: Record<string, string> = { team: TEAM, user: TARGET, id: spareTokenId };
    // One runner pass, so /readyz finds a live job runner (the test app does not start the loop).
    await t.firebreak.runner.runDueJobs();

    // Reads first, so they see the fixtures before any mutation (a deactivation, a removal) changes them.
    const ordered = [...operations].sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));
    const cells = new Map<string, Cell>();
    for (const operation of ordered) {
      const query = new URLSearchParams();
      for (const p of operation.parameters) if (p.in === 'query' && p.required) query.set(p.name, String(sampleFromSchema(p.schema, hints, p.name)));
      const url = fillPath(operation.path, pathValues) + (query.size ? `?${query}` : '');
      // Public routes get an empty body: it stops at validation, past the access check, with no side
      // effects (no session, no first-run setup) and no handler-level 401 such as a wrong password.
      const payload = operation.body === null ? undefined : isPublic(operation.auth) ? {} : (sampleFromSchema(operation.body, hints) as Record<string, unknown>);
      const response = await t.app.inject({ method: operation.method, url, headers: token ? bearer(token) : {}, ...(payload !== undefined ? { payload } : {}) });
      let code: string | null = null;
      try {
        code = (response.json() as { code?: string }).code ?? null;
      } catch {
        // A non-JSON success (metrics, docs); there is no error code to read.
      }
      const expectation = expected(operation, caller);
      cells.set(label(operation), { status: response.statusCode, code, expected: expectation, ok: judge(expectation, response.statusCode, code) });
    }
    return cells;
  } finally {
    await t.close();
  }
}

function describeRule(operation: Operation): string {
  const auth = operation.auth;
  if (!auth) return 'MISSING';
  if (isPublic(auth)) return 'public';
  return [auth.role, auth.teamAdmin ? '+teamAdmin' : '', ` scope:${effectiveScope(operation)}`].join('');
}

/** A fixed-width table of every cell; refusals the rule did not promise (and the reverse) are marked ✗. */
function renderTable(operations: Operation[], results: Map<string, Map<string, Cell>>): string {
  const short: Record<Expectation, string> = { allow: 'allow', unauthenticated: '401', forbidden: '403' };
  const header = ['operation', 'rule', ...callers.map((c) => c.name)];
  const rows = operations.map((operation) => [
    label(operation),
    describeRule(operation),
    ...callers.map((caller) => {
      const cell = results.get(caller.name)?.get(label(operation));
      if (!cell) return '—';
      return cell.ok ? String(cell.status) : `✗ ${cell.status}${cell.code ? ` ${cell.code}` : ''} (want ${short[cell.expected]})`;
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

describe('authorization matrix: every operation in the OpenAPI document, every kind of caller', () => {
  let operations: Operation[] = [];
  const results = new Map<string, Map<string, Cell>>();

  beforeAll(async () => {
    const t = await buildTestApp();
    try {
      const doc = json<Parameters<typeof listOperations>[0]>(await t.app.inject({ url: '/api/openapi.json' }));
      operations = listOperations(doc);
    } finally {
      await t.close();
    }
    for (const caller of callers) results.set(caller.name, await walk(caller, operations));
  });

  afterAll(() => {
    results.clear();
  });

  it('documents an access rule on every operation', () => {
    expect(operations.length).toBeGreaterThan(20);
    const undocumented = operations.filter((o) => !o.auth || (!isPublic(o.auth) && !roles.includes(o.auth.role))).map(label);
    expect(undocumented, 'operations without a valid x-firebreak-auth').toEqual([]);
  });

  it.each(callers.map((c) => [c.name, c] as const))('answers the %s caller exactly as each route’s rule documents', (_name, caller) => {
    const cells = results.get(caller.name);
    expect(cells?.size).toBe(operations.length);
    const wrong = operations.filter((o) => !cells?.get(label(o))?.ok).map(label);
    expect(wrong, `\nAuthorization matrix (✗ = not as documented):\n\n${renderTable(operations, results)}\n`).toEqual([]);
  });

  it('refuses every organization-wide change to a team-scoped token, whatever its role', () => {
    const orgMutations = operations.filter((o) => effectiveScope(o) === 'org');
    expect(orgMutations.length).toBeGreaterThan(0);
    const cells = results.get('team token');
    expect(orgMutations.filter((o) => cells?.get(label(o))?.status !== 403).map(label)).toEqual([]);
  });
});
