import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCalls } from '../../../../test/support/api.js';
import { buildTestApp, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Postmortem, PostmortemSummary } from '../../../contracts/postmortems.js';
import { ManualClock } from '../../platform/clock.js';
import { fts5Match, searchWords, tsQuery } from './postmortem.search.js';

type Page = { items: PostmortemSummary[]; nextCursor: string | null };
const DAY = 24 * 60 * 60_000;

describe('search query building', () => {
  it('quotes every word and keeps no query syntax, whatever is typed', () => {
    const words = searchWords('"pool" OR NEAR(x y) deplo* col:umn \'; drop table -- ^NOT');
    expect(words.every((w) => /^[\p{L}\p{N}]+$/u.test(w.word))).toBe(true);
    expect(fts5Match(searchWords('checkout deplo*'))).toBe('"checkout" "deplo"*');
    expect(tsQuery(searchWords('checkout deplo*'))).toBe("'checkout' & 'deplo':*");
    expect(searchWords('*** ::: ()')).toEqual([]);
  });
});

for (const dialect of dialectCases()) describe(`postmortem search (${dialect.name})`, () => {
  let t: TestApp;
  let ana: { token: string; userId: string };
  let ben: string;
  let viewer: string;
  const ids: Record<string, string> = {};

  const { call, ok } = apiCalls(() => t);
  const search = async (query: string, token = viewer) => ok<Page>(token, 'GET', `/api/v1/postmortems?${query}`);
  const refs = async (query: string, token = viewer) => (await search(query, token)).items.map((i) => i.reference).sort();

  /** A standalone postmortem with text in its sections, occurring `day` days after 1 March 2027. */
  async function write(token: string, key: string, input: { title: string; summary: string; rootCause?: string; tags?: string[]; services?: string[]; day: number }) {
    const pm = await ok<Postmortem>(token, 'POST', '/api/v1/postmortems', { title: input.title, ...(input.tags ? { tags: input.tags } : {}), ...(input.services ? { services: input.services } : {}) });
    const sections = pm.sections.map((s) => ({ key: s.key, title: s.title, body: s.key === 'summary' ? input.summary : s.key === 'root-cause' ? (input.rootCause ?? '') : s.body }));
    await ok(token, 'PATCH', `/api/v1/postmortems/${pm.id}`, { baseVersion: 1, sections, occurredAt: new Date(Date.parse('2027-03-01T00:00:00Z') + input.day * DAY).toISOString() });
    ids[key] = pm.id;
    t.clock.advance(60_000);
  }

  beforeAll(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2027-04-01T09:00:00Z') });
    const admin = (await t.userWithToken('admin', 'root')).token;
    ana = await t.userWithToken('responder', 'ana');
    ben = (await t.userWithToken('responder', 'ben')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    await ok(admin, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    await ok(admin, 'POST', '/api/v1/services', { handle: 'billing', name: 'Billing' });
    await write(ana.token, 'pool', { title: 'Checkout errors on 3 March', summary: 'The database connection pool was exhausted after a deploy.', rootCause: 'Connections leaked in the retry path.', tags: ['database'], services: ['checkout'], day: 2 });
    await write(ben, 'cert', { title: 'Expired TLS certificate', summary: 'The certificate of billing expired at midnight.', tags: ['tls'], services: ['billing'], day: 10 });
    await write(ben, 'dns', { title: 'DNS resolution failures', summary: 'A resolver change deployed to every region made lookups time out.', rootCause: 'The new resolver config had a typo in the upstream address.', tags: ['dns', 'database'], services: ['checkout', 'billing'], day: 20 });
    // Action-item titles are searchable: the items part reindexes after each change.
    const { database, postmortems, ids: newId } = t.firebreak.services;
    await database.transaction(async (tx) => {
      await tx.db.insertInto('action_items').values({ id: newId(), number: 1, postmortem_id: ids.cert as string, title: 'Automate certificate renewal with ACME', description: '', owner_user_id: null, team_id: null, priority: 'high', due_date: null, status: 'open', tracker_url: null, similar_group: null, created_at: t.clock.now(), created_by: 'test', updated_at: t.clock.now(), completed_at: null }).execute();
      await postmortems.reindex(tx, ids.cert as string);
    });
  });
  afterAll(async () => t?.close());

  it('finds words in titles, sections, tags, services and action items, with « » snippets', async () => {
    expect(await refs('q=exhausted')).toEqual(['PM-1']);
    expect(await refs('q=TLS')).toEqual(['PM-2']);
    expect(await refs('q=acme renewal')).toEqual(['PM-2']);
    expect(await refs('q=database')).toEqual(['PM-1', 'PM-3']);
    expect(await refs('q=Billing')).toEqual(['PM-2', 'PM-3']);
    // Every word must match.
    expect(await refs('q=database typo')).toEqual(['PM-3']);
    expect(await refs('q=database certificate')).toEqual([]);
    const hit = (await search('q=exhausted')).items[0] as PostmortemSummary;
    expect(hit.snippet).toContain('«exhausted»');
    expect(hit).toMatchObject({ title: 'Checkout errors on 3 March', status: 'draft', services: [{ handle: 'checkout' }], tags: ['database'], owner: { handle: 'ana' } });
  });

  it('matches prefixes with a trailing * and word forms through stemming', async () => {
    expect(await refs('q=certif*')).toEqual(['PM-2']);
    expect(await refs('q=resol*')).toEqual(['PM-3']);
    // deploys / deployed / deploy: one stem in both dialects.
    expect(await refs('q=deploys')).toEqual(['PM-1', 'PM-3']);
  });

  it('narrows by status, tag, service, owner and dates, and pages', async () => {
    expect(await refs('tag=database')).toEqual(['PM-1', 'PM-3']);
    expect(await refs('q=deployed&tag=dns')).toEqual(['PM-3']);
    expect(await refs('service=billing')).toEqual(['PM-2', 'PM-3']);
    expect(await refs('owner=ana')).toEqual(['PM-1']);
    expect(await refs('owner=me', ana.token)).toEqual(['PM-1']);
    expect(await refs('from=2027-03-05T00:00:00Z&to=2027-03-15T00:00:00Z')).toEqual(['PM-2']);
    expect(await refs('status=draft,in_review')).toEqual(['PM-1', 'PM-2', 'PM-3']);
    expect(await refs('status=published')).toEqual([]);
    // Without q: the most recently changed first.
    const first = await search('limit=2');
    expect(first.items.map((i) => i.reference)).toEqual(['PM-3', 'PM-2']);
    expect(first.items[0]?.snippet).toBeNull();
    const second = await search(`limit=2&cursor=${first.nextCursor}`);
    expect([second.items.map((i) => i.reference), second.nextCursor]).toEqual([['PM-1'], null]);
  });

  it('answers query syntax and injection attempts as plain words, never with an error', async () => {
    for (const q of ['"', "'", 'pool"', '"pool" OR "tls"', 'NEAR(pool tls)', 'title:pool', 'pool AND', "pool' | 'tls", 'pool:* & !tls', '(', '\\', '*', '-pool', "'; DROP TABLE postmortems; --", '«»', 'pööl', '👩‍🚒']) {
      const res = await call(viewer, 'GET', `/api/v1/postmortems?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
    }
    expect(await refs(`q=${encodeURIComponent('"pool"')}`)).toEqual(['PM-1']);
    expect(await refs(`q=${encodeURIComponent('title:pool')}`)).toEqual([]);
    expect((await call(viewer, 'GET', '/api/v1/postmortems')).statusCode).toBe(200);
  });

  it('names the query field of every bad filter', async () => {
    for (const [query, path] of [['status=closed', 'query.status'], ['service=nope', 'query.service'], ['owner=ghost', 'query.owner'], ['from=yesterday', 'query.from'], ['cursor=abc', 'query.cursor'], ['limit=0', 'query.limit'], ['owner=me&x=1', 'query']] as const) {
      const res = await call(viewer, 'GET', `/api/v1/postmortems?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect((res.json() as { details: { issues: Array<{ path: string }> } }).details.issues[0]?.path, query).toBe(path);
    }
    expect((await call('nonsense', 'GET', '/api/v1/postmortems')).statusCode).toBe(401);
  });
});
