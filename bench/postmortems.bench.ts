/**
 * Postmortems' speed (issue 8, "Speed"); reported, never asserted:
 *
 * 1. **Full-text search over 10,000 postmortems**: `GET /api/v1/postmortems?q=…` over HTTP against a
 *    server in this process on a SQLite file (FTS5). The postmortems are seeded straight into the
 *    tables in batches, each row as the service writes it (sections from the `standard` template,
 *    tags, services, `search_text` from core `searchTextOf`, so the FTS triggers index exactly what
 *    the server would). Their text is drawn from a domain vocabulary plus a long tail of rarer words
 *    (Zipf-like), so queries match anywhere from a handful to thousands of documents. QUERIES
 *    requests cycle through single words, common and rare, two-word AND, prefixes (`conn*`), a
 *    service handle, and q combined with a status or tag filter; p50/p95/p99, and per kind of query
 *    its p95 and how many postmortems it matched (counted afterwards, not timed). Baseline in the
 *    same run: the plain list (no `q`, the same page size) as many times. The common words appear in
 *    most documents on purpose: a broad query that matches thousands is the worst case for ranking.
 * 2. **Drafting from an incident with 2,000 timeline entries**: `POST /api/v1/postmortems
 *    {incident}` for DRAFTS incidents of TIMELINE entries each (notes, milestones, every 25th pinned)
 *    with stakeholder updates; one sample per incident (an incident has one postmortem). Baseline:
 *    the same for incidents with 10 entries, drafted alternately with the large ones.
 *
 * The machine's load (`uptime`) is recorded with the result: figures are only comparable within one run.
 *
 *   node --import tsx bench/postmortems.bench.ts   (FIREBREAK_BENCH_POSTMORTEMS=10000, FIREBREAK_BENCH_QUERIES=400,
 *                                                  FIREBREAK_BENCH_TIMELINE=2000, FIREBREAK_BENCH_DRAFTS=5)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Insertable } from 'kysely';
import { ulid } from 'ulidx';
import { serviceInputSchema } from '../src/contracts/alerts.js';
import type { PostmortemSummary } from '../src/contracts/postmortems.js';
import { searchTextOf } from '../src/core/postmortems/search.js';
import { builtInTemplate, sectionsFromTemplate } from '../src/core/postmortems/templates.js';
import { createFirebreak, type Firebreak } from '../src/server/main.js';
import { fts5Match, searchWords } from '../src/server/modules/postmortems/postmortem.search.js';
import { systemActor } from '../src/server/modules/audit/audit.repo.js';
import { loadConfig } from '../src/server/platform/config.js';
import type { PostmortemsTable } from '../src/server/platform/db/schema.js';
import { createLogger } from '../src/server/platform/logger.js';
import { epochMs, percentile, progress, round, uptime } from './lib/measure.js';
import { isMain, median, printResult, type BenchResult, type Metric } from './lib/report.js';
import { freePort } from './lib/server.js';

const POSTMORTEMS = Number(process.env.FIREBREAK_BENCH_POSTMORTEMS ?? 10_000);
const QUERIES = Number(process.env.FIREBREAK_BENCH_QUERIES ?? 400);
const TIMELINE = Number(process.env.FIREBREAK_BENCH_TIMELINE ?? 2000);
const DRAFTS = Number(process.env.FIREBREAK_BENCH_DRAFTS ?? 5);
const SMALL = 10;
const BATCH = 100;
const DAY_MS = 86_400_000;

const SERVICES = ['checkout', 'payments', 'search', 'auth', 'inventory', 'shipping', 'notifications', 'catalog', 'billing', 'gateway', 'ledger', 'profiles'];
const TAGS = ['database', 'deploy', 'network', 'capacity', 'dependency', 'config', 'security', 'dns', 'certificate', 'queue'];
/** Common words of the trade: these match many documents. */
const COMMON = (
  'database connection pool timeout latency deploy rollback replica primary failover cache eviction queue backlog consumer ' +
  'certificate expiry dns resolver load balancer health check memory leak cpu saturation disk full retry storm rate limit ' +
  'configuration flag migration schema index lock contention deadlock thread exhaustion kubernetes node pod restart ' +
  'alert pager escalation customer impact checkout payment error budget slo dashboard runbook mitigation detection'
).split(' ');
/** A long tail: rarer made-up words (`zarvel`, `quintor`…), most in only a few documents. */
const RARE = Array.from({ length: 4000 }, (_, i) => {
  const syllables = ['za', 'ro', 'vel', 'quin', 'tor', 'mex', 'lu', 'dra', 'kon', 'pi', 'sut', 'bex', 'nor', 'fal', 'ge', 'hy'];
  let n = i + 17;
  let word = '';
  for (let k = 0; k < 3; k++) {
    word += syllables[n % syllables.length];
    n = Math.floor(n / syllables.length) + k * 7;
  }
  return word;
});

/** A small deterministic generator (mulberry32), so every run seeds the same text. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = generator(8);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
/** Zipf-like: low ranks far more often than high ones. */
const zipf = <T>(list: readonly T[]): T => list[Math.min(list.length - 1, Math.floor(list.length * random() ** 3))] as T;

function sentence(words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(random() < 0.75 ? zipf(COMMON) : zipf(RARE));
  const text = out.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

const paragraph = (sentences: number) => Array.from({ length: sentences }, () => sentence(8 + Math.floor(random() * 10))).join(' ');

interface Scene {
  firebreak: Firebreak;
  url: string;
  token: string;
  big: string[];
  small: string[];
  stop(): Promise<void>;
}

/** Inserts `count` postmortems as the service writes them, BATCH per transaction. */
async function seedPostmortems(firebreak: Firebreak, ownerId: string, serviceIds: Map<string, string>, count: number): Promise<void> {
  const { database } = firebreak.services;
  const template = builtInTemplate('standard');
  if (!template) throw new Error('no built-in template `standard`');
  const start = Date.parse('2024-01-01T00:00:00Z');
  const statuses = ['draft', 'in_review', 'published', 'published', 'published'];
  for (let done = 0; done < count; done += BATCH) {
    const rows: Array<Insertable<PostmortemsTable>> = [];
    const tags: Array<{ postmortem_id: string; tag: string }> = [];
    const services: Array<{ postmortem_id: string; service_id: string }> = [];
    for (let i = done; i < Math.min(count, done + BATCH); i++) {
      const id = ulid();
      const service = pick(SERVICES);
      const other = pick(SERVICES);
      const handles = [...new Set([service, other])];
      const tagSet = [...new Set([pick(TAGS), pick(TAGS)])];
      const sections = sectionsFromTemplate(template).map((s) => ({ ...s, body: paragraph(s.key === 'timeline' ? 6 : 3) as string }));
      const occurred = start + Math.floor(random() * 900) * DAY_MS + Math.floor(random() * DAY_MS);
      const at = occurred + 3 * DAY_MS;
      const status = pick(statuses);
      rows.push({
        id,
        number: i + 1,
        incident_id: null,
        title: `${service} ${pick(COMMON)} ${pick(COMMON)} (${zipf(RARE)})`,
        status,
        template_handle: 'standard',
        sections_json: JSON.stringify(sections),
        severity: pick(['SEV1', 'SEV2', 'SEV3', 'SEV4']),
        occurred_at: occurred,
        ended_at: occurred + Math.floor(random() * 240) * 60_000,
        owner_user_id: ownerId,
        authors_json: JSON.stringify([ownerId]),
        people_json: '[]',
        due_at: null,
        required: 0,
        required_reasons_json: '[]',
        no_action_items_reason: null,
        review_notes_json: null,
        search_text: searchTextOf({ tags: tagSet, services: handles.map((h) => ({ handle: h, name: h.charAt(0).toUpperCase() + h.slice(1) })), sections, actionItems: [] }),
        version: 1,
        created_at: at,
        created_by: 'bench',
        updated_at: at,
        updated_by: 'bench',
        submitted_at: status === 'draft' ? null : at,
        published_at: status === 'published' ? at : null,
      });
      for (const tag of tagSet) tags.push({ postmortem_id: id, tag });
      for (const h of handles) services.push({ postmortem_id: id, service_id: serviceIds.get(h) as string });
    }
    await database.transaction(async (tx) => {
      await tx.db.insertInto('postmortems').values(rows).execute();
      await tx.db.insertInto('postmortem_tags').values(tags).execute();
      await tx.db.insertInto('postmortem_services').values(services).execute();
    });
    if ((done + BATCH) % 2000 === 0) progress(`  ${done + BATCH} postmortems`);
  }
}

/** Declares an incident with `entries` timeline entries (notes, milestones, every 25th pinned) and a few stakeholder updates. */
async function incidentWith(firebreak: Firebreak, token: string, title: string, entries: number): Promise<string> {
  const { database, incidents } = firebreak.services;
  const call = async (method: 'POST', url: string, payload: Record<string, unknown>) => {
    const res = await firebreak.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.json() as { reference: string };
  };
  const { reference } = await call('POST', '/api/v1/incidents', { title, severity: 'SEV3', impactedServices: ['checkout', 'payments'], summary: 'Card payments fail for about 20% of customers.' });
  for (let u = 0; u < 3; u++) await call('POST', `/api/v1/incidents/${reference}/updates`, { message: `Update ${u + 1}: ${sentence(20)}` });
  const row = await incidents.require(database.db, reference);
  const existing = (await incidents.timeline(reference)).items.length;
  for (let done = existing; done < entries; ) {
    const batch = Math.min(200, entries - done);
    const list = Array.from({ length: batch }, (_, i) => {
      const n = done + i;
      const milestone = n % 40 === 0;
      return { kind: milestone ? ('milestone' as const) : ('note' as const), action: milestone ? 'status' : 'note', actor: n % 3 === 0 ? 'ana' : 'ben', summary: `Entry ${n + 1}: ${sentence(12)}`, data: null };
    });
    await database.transaction((tx) => incidents.appendTimeline(tx, row, list, 'note'));
    done += batch;
  }
  // Pin every 25th entry, as responders pin the facts worth keeping.
  const ids = await database.db.selectFrom('incident_timeline').select('id').where('incident_id', '=', row.id).orderBy('at').orderBy('id').execute();
  if (ids.length < entries) throw new Error(`${reference} has ${ids.length} timeline entries, not ${entries}`);
  const pinned = ids.filter((_, i) => i % 25 === 0).map((r) => r.id);
  for (let i = 0; i < pinned.length; i += 200) await database.db.updateTable('incident_timeline').set({ pinned: 1 }).where('id', 'in', pinned.slice(i, i + 200)).execute();
  return reference;
}

async function startScene(): Promise<Scene> {
  const dataDir = mkdtempSync(join(tmpdir(), 'firebreak-bench-postmortems-'));
  const port = await freePort();
  const config = { ...loadConfig({ PORT: String(port), HOST: '127.0.0.1', FIREBREAK_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' }), fastPasswordHashing: true };
  const firebreak = await createFirebreak({ config, logger: createLogger('silent'), webRoot: null, secretKey: randomBytes(32) });
  const started = await firebreak.start();
  const { catalog, auth, database, serviceCatalog } = firebreak.services;
  const acting = { actor: systemActor('bench'), principal: null };
  const ana = await catalog.createUser(acting, { handle: 'ana', name: 'Ana Lima', email: 'ana@example.test', timeZone: 'UTC', role: 'admin' });
  await catalog.createUser(acting, { handle: 'ben', name: 'Ben Ode', email: 'ben@example.test', timeZone: 'UTC', role: 'responder' });
  const token = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, ana.id), 'bench', systemActor('bench'));
  const serviceIds = new Map<string, string>();
  for (const handle of SERVICES) {
    const created = await serviceCatalog.create(acting, serviceInputSchema.parse({ handle, name: handle.charAt(0).toUpperCase() + handle.slice(1) }));
    serviceIds.set(handle, created.id);
  }
  progress(`seeding ${POSTMORTEMS} postmortems`);
  const seeded = epochMs();
  await seedPostmortems(firebreak, ana.id, serviceIds, POSTMORTEMS);
  progress(`  seeded in ${round((epochMs() - seeded) / 1000)} s`);
  progress(`declaring ${DRAFTS} incidents with ${TIMELINE} timeline entries and ${DRAFTS} with ${SMALL}`);
  const big: string[] = [];
  const small: string[] = [];
  for (let i = 0; i < DRAFTS; i++) big.push(await incidentWith(firebreak, token, `Checkout errors ${i + 1} (${TIMELINE} entries)`, TIMELINE));
  for (let i = 0; i < DRAFTS; i++) small.push(await incidentWith(firebreak, token, `Search slow ${i + 1} (${SMALL} entries)`, SMALL));
  return {
    firebreak,
    url: started.url,
    token,
    big,
    small,
    async stop() {
      await firebreak.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What people type: common and rare words, two words, prefixes, a service, and q with a filter. */
interface Query {
  kind: string;
  /** The `q` text. */
  text: string;
  /** The query string sent. */
  query: string;
}

function queryMix(): Query[] {
  const q = (kind: string, text: string, extra = ''): Query => ({ kind, text, query: `q=${encodeURIComponent(text)}${extra}` });
  const rare = RARE.slice(0, 600);
  const mix: Query[] = [];
  for (let i = 0; mix.length < QUERIES; i++) {
    switch (i % 8) {
      case 0: mix.push(q('common word', pick(COMMON))); break;
      case 1: mix.push(q('rare word', pick(rare))); break;
      case 2: mix.push(q('two common words', `${pick(COMMON)} ${pick(COMMON)}`)); break;
      case 3: mix.push(q('prefix', `${pick(COMMON).slice(0, 4)}*`)); break;
      case 4: mix.push(q('service', pick(SERVICES))); break;
      case 5: mix.push(q('common + rare', `${pick(COMMON)} ${pick(rare)}`)); break;
      case 6: mix.push(q('word + status', pick(COMMON), '&status=published')); break;
      default: mix.push(q('three words + tag', `${pick(COMMON)} ${pick(COMMON)} ${pick(COMMON)}`, `&tag=${pick(TAGS)}`)); break;
    }
  }
  return mix;
}

/** How many postmortems each query's words match (not timed), to show how selective the mix is. */
async function matchCounts(scene: Scene, queries: readonly Query[]): Promise<number[]> {
  const counts: number[] = [];
  for (const query of queries) {
    const match = fts5Match(searchWords(query.text));
    const result = await sql<{ n: number }>`select count(*) as n from postmortem_search where postmortem_search match ${match}`.execute(scene.firebreak.services.database.db);
    counts.push(Number(result.rows[0]?.n ?? 0));
  }
  return counts;
}

/** Runs each query once over HTTP, one after another; ms per request and how many rows each answered. */
async function timeQueries(scene: Scene, queries: readonly string[]): Promise<{ ms: number[]; rows: number[] }> {
  const ms: number[] = [];
  const rows: number[] = [];
  for (const query of queries) {
    const started = epochMs();
    const res = await fetch(`${scene.url}/api/v1/postmortems${query ? `?${query}` : ''}`, { headers: { authorization: `Bearer ${scene.token}` } });
    const body = (await res.json()) as { items: PostmortemSummary[] };
    ms.push(epochMs() - started);
    if (res.status !== 200) throw new Error(`GET /api/v1/postmortems?${query} answered ${res.status}: ${JSON.stringify(body)}`);
    rows.push(body.items.length);
  }
  return { ms, rows };
}

async function timeDrafts(scene: Scene, incidents: readonly string[]): Promise<number[]> {
  const ms: number[] = [];
  for (const incident of incidents) {
    const started = epochMs();
    const res = await fetch(`${scene.url}/api/v1/postmortems`, { method: 'POST', headers: { authorization: `Bearer ${scene.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ incident }) });
    const body = await res.text();
    ms.push(epochMs() - started);
    if (res.status !== 201) throw new Error(`drafting from ${incident} answered ${res.status}: ${body}`);
  }
  return ms;
}

export async function runPostmortemsBenchmark(): Promise<BenchResult> {
  const notes: string[] = [`load before: ${uptime()}`];
  const scene = await startScene();
  try {
    const mix = queryMix();
    const queries = mix.map((m) => m.query);
    progress(`warming up, then ${queries.length} searches and ${queries.length} plain list requests`);
    await timeQueries(scene, queries.slice(0, 20));
    await timeQueries(scene, Array.from({ length: 20 }, () => ''));
    const search = await timeQueries(scene, queries);
    const matches = await matchCounts(scene, mix);
    const byKind = [...new Set(mix.map((m) => m.kind))].map((kind) => {
      const at = mix.flatMap((m, i) => (m.kind === kind ? [i] : []));
      const ms = at.map((i) => search.ms[i] as number);
      return `${kind}: p95 ${round(percentile(ms, 95))} ms, matches median ${median(at.map((i) => matches[i] as number))}`;
    });
    const list = await timeQueries(scene, Array.from({ length: queries.length }, () => ''));
    const counted = await scene.firebreak.services.database.db.selectFrom('postmortems').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    progress(`drafting from ${DRAFTS} incidents of ${TIMELINE} entries and ${DRAFTS} of ${SMALL}, alternately`);
    const big: number[] = [];
    const small: number[] = [];
    for (let i = 0; i < DRAFTS; i++) {
      big.push(...(await timeDrafts(scene, [scene.big[i] as string])));
      small.push(...(await timeDrafts(scene, [scene.small[i] as string])));
    }
    const searchP95 = percentile(search.ms, 95);
    const listP95 = percentile(list.ms, 95);
    const metrics: Metric[] = [
      { name: `search p50 (${POSTMORTEMS} postmortems)`, value: round(percentile(search.ms, 50)), unit: 'ms' },
      { name: `search p95 (${POSTMORTEMS} postmortems)`, value: round(searchP95), unit: 'ms', target: { op: '<=', value: 100 }, detail: `max ${round(Math.max(...search.ms))} ms over ${search.ms.length} queries; rows per answer median ${median(search.rows)}; postmortems matched per query median ${median(matches)}, min ${Math.min(...matches)}, max ${Math.max(...matches)}; by kind: ${byKind.join('; ')}` },
      { name: `search p99 (${POSTMORTEMS} postmortems)`, value: round(percentile(search.ms, 99)), unit: 'ms' },
      { name: 'plain list p50 (no q, baseline)', value: round(percentile(list.ms, 50)), unit: 'ms' },
      { name: 'plain list p95 (no q, baseline)', value: round(listP95), unit: 'ms', detail: `p99 ${round(percentile(list.ms, 99))} ms, max ${round(Math.max(...list.ms))} ms over ${list.ms.length} requests` },
      { name: 'search p95 / plain list p95', value: round(searchP95 / listP95, 2), unit: 'x' },
      { name: `draft from an incident (${TIMELINE} timeline entries), median`, value: round(median(big)), unit: 'ms', target: { op: '<=', value: 500 }, detail: big.map((v) => round(v)).join(', ') },
      { name: `draft from an incident (${TIMELINE} timeline entries), max`, value: round(Math.max(...big)), unit: 'ms', target: { op: '<=', value: 500 } },
      { name: `draft from an incident (${SMALL} entries, baseline), median`, value: round(median(small)), unit: 'ms', detail: small.map((v) => round(v)).join(', ') },
    ];
    notes.push(
      `load after: ${uptime()}`,
      `server in this process (SQLite file, FTS5), requests over HTTP one at a time; ${Number(counted.n)} postmortems in the database; query mix: single common and rare words, two and three words, prefixes, service handles, with status and tag filters`,
    );
    return { benchmark: 'postmortems', metrics, notes };
  } finally {
    await scene.stop();
  }
}

if (isMain(import.meta.url)) printResult(await runPostmortemsBenchmark());
