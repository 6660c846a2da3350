import { roleAtLeast } from '../../../core/auth/roles.js';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../contracts/errors.js';
import type { Logger } from 'pino';
import { statuspageDocuments } from '../../../core/statuspages/statuspage-json.js';
import type { PageSnapshot } from '../../../core/statuspages/snapshot.js';
import type { StatusChange } from '../../../core/statuspages/status.js';
import type { Clock } from '../../platform/clock.js';
import { SECURITY_HEADERS, type Authenticator } from '../../platform/http/app.js';
import { turnHeaders, type ClientLimit } from '../../platform/http/client-limit.js';
import type { EarlyAnswer } from '../../platform/http/early-answers.js';
import type { Metrics } from '../../platform/metrics.js';
import { privatePageSignIn } from './access/visitor-access.routes.js';
import { escapeHtml, LOCAL_TIME_SCRIPT, renderAtom, renderBadge, renderHistory, renderIncident, renderPage, renderRss } from './statuspage.render.js';
import type { StatusPageService } from './statuspage.service.js';

/**
 * The public side of status pages (ADR 0036): `/status/<slug>` (HTML), `/history`, the feeds, the
 * Statuspage v2 JSON under `/api/v2/`, and the same at `/` of a page's custom domain (chosen by the
 * `Host` header). Nothing is rendered per request: each page's documents are rendered once per change
 * into bytes with their ETag, and requests are answered from memory — the database may be down.
 */

/** The documents of every page, by path below the page's root. */
export const API_DOCUMENTS = ['summary.json', 'status.json', 'components.json', 'incidents.json', 'incidents/unresolved.json', 'scheduled-maintenances.json', 'scheduled-maintenances/upcoming.json', 'scheduled-maintenances/active.json'] as const;

/** How long browsers and CDNs may reuse an answer: short, since a status change should show within seconds. */
export const MAX_AGE_SECONDS = 5;
/** Re-render at least this often even without a change: uptime bars and "last 7 days" move with time. */
const RERENDER_MS = 60_000;
const HTML_CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src https: http: data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface Doc {
  body: Buffer;
  /** The body gzipped once at render time (null when too small to gain), and its own ETag. */
  gzip: { body: Buffer; etag: string } | null;
  etag: string;
  type: string;
  /** Its answers' headers, worked out on first request (a document belongs to one rendered entry). */
  prepared?: { plain: Prepared; gzip: Prepared | null };
}

/** One variant of a document (as is, or gzipped) with the headers of its 200 and 304 answers. */
interface Prepared {
  etag: string;
  body: Buffer;
  ok: Record<string, string>;
  notModified: Record<string, string>;
  /** For the early answer: the security headers and `ok` / `notModified` as flat name, value lists. */
  okFlat: string[];
  notModifiedFlat: string[];
}

export interface Entry {
  pageId: string;
  version: number;
  visibility: string;
  /** Private pages: who may see them by email domain; empty: any signed-in person. */
  allowedEmailDomains: readonly string[];
  lastModified: string;
  renderedAt: number;
  snapshot: PageSnapshot;
  history: Map<string, StatusChange[]>;
  /** `<mode>:<path>`; mode `slug` (under /status/<slug>) or `domain` (at / of the custom domain). */
  docs: Map<string, Doc>;
}

interface PageRef {
  id: string;
  slug: string;
  customDomain: string | null;
  visibility: string;
  version: number;
}

const doc = (body: string, type: string): Doc => {
  const bytes = Buffer.from(body, 'utf8');
  const tag = createHash('sha1').update(bytes).digest('base64url').slice(0, 22);
  // Compressed once per change, not per request: a phone on a crowded network gets a tenth of the bytes.
  const gzip = bytes.length >= 1024 ? { body: gzipSync(bytes, { level: 9 }), etag: `"${tag}-gz"` } : null;
  return { body: bytes, gzip, type, etag: `"${tag}"` };
};

/** True when the client takes gzip (`Accept-Encoding: gzip`, not refused with `q=0`). */
function acceptsGzip(headers: IncomingHttpHeaders): boolean {
  const header = headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    return (name === 'gzip' || name === '*') && !params.some((p) => /^\s*q=0(\.0+)?\s*$/.test(p));
  });
}

/**
 * Every page's rendered documents in memory. A change on this node re-renders its page right after the
 * commit (`StatusPageService.onPublicChange`); changes made on other nodes are noticed by re-reading
 * each page's `version` every `recheckMs` (one small query per node, not per request).
 */
export class StatusPageCache {
  private directory = new Map<string, PageRef>();
  private domains = new Map<string, string>();
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<Entry | null>>();
  /** Per page, how many changes this node has made; a render started before the latest is not kept. */
  private readonly generation = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private again: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      pages: StatusPageService;
      clock: Clock;
      logger: Logger;
      recheckMs: number;
      /** false: a one-off reader (static export) that does not follow changes. */
      follow?: boolean;
      /** Public pages show the subscribers' sign-up form (the server takes sign-ups; a static export does not). */
      subscribeForm?: boolean;
    },
  ) {
    if (deps.follow === false) return;
    deps.pages.onPublicChange((pageId) => {
      // Renders under way read before this change: they must neither be handed out nor stored.
      this.generation.set(pageId, (this.generation.get(pageId) ?? 0) + 1);
      this.building.delete(pageId);
      this.entries.delete(pageId);
      void this.refresh().then(() => this.load(pageId)).catch((error: unknown) => deps.logger.error({ err: error, pageId }, 'status page re-render failed'));
    });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'status page version check failed')), this.deps.recheckMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Synchronous (the router asks on each request): the slug of the page served at this host, if any. */
  slugForHost(host: string | undefined): string | undefined {
    if (host === undefined || this.domains.size === 0) return undefined;
    return this.domains.get(host.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase());
  }

  /** Re-reads every page's version; re-renders pages that changed (elsewhere) or grew old. */
  refresh(): Promise<void> {
    // A change made while a re-read is under way needs another one: the running one may predate it.
    if (this.refreshing) {
      this.again ??= this.refreshing.catch(() => undefined).then(() => {
        this.again = null;
        return this.refresh();
      });
      return this.again;
    }
    this.refreshing = (async () => {
      try {
        const rows = await this.deps.pages.directory();
        this.directory = new Map(rows.map((r) => [r.slug, r]));
        this.domains = new Map(rows.filter((r) => r.customDomain !== null).map((r) => [r.customDomain as string, r.slug]));
        const ids = new Set(rows.map((r) => r.id));
        const now = this.deps.clock.now();
        for (const [id, entry] of this.entries) {
          const row = rows.find((r) => r.id === id);
          if (!ids.has(id)) this.entries.delete(id);
          else if (row && (row.version !== entry.version || now - entry.renderedAt >= RERENDER_MS)) await this.build(id);
        }
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /**
   * Resolves when the re-read under way (if any) is done, without starting one: a request for a page
   * created a moment ago on this node waits for it, while requests for made-up slugs never cause a query.
   */
  settled(): Promise<void> {
    // A failed re-read is logged by whoever started it; a visitor then gets what the last one found.
    return (this.again ?? this.refreshing ?? Promise.resolve()).catch(() => undefined);
  }

  /** Every page known at the last re-read. */
  pages(): PageRef[] {
    return [...this.directory.values()];
  }

  page(slug: string): PageRef | undefined {
    return this.directory.get(slug);
  }

  /** The page's rendered entry if it is in memory (no rendering, no waiting). */
  rendered(pageId: string): Entry | undefined {
    return this.entries.get(pageId);
  }

  /** The page's rendered entry, rendering it on first use (later changes re-render in the background). */
  async load(pageId: string): Promise<Entry | null> {
    return this.entries.get(pageId) ?? (await this.build(pageId));
  }

  private build(pageId: string): Promise<Entry | null> {
    const running = this.building.get(pageId);
    if (running) return running;
    const generation = this.generation.get(pageId) ?? 0;
    const work = this.render(pageId, generation).finally(() => {
      if (this.building.get(pageId) === work) this.building.delete(pageId);
    });
    this.building.set(pageId, work);
    return work;
  }

  private async render(pageId: string, generation: number): Promise<Entry | null> {
    const read = await this.deps.pages.snapshot(pageId);
    if (!read) {
      this.entries.delete(pageId);
      return null;
    }
    const now = this.deps.clock.now();
    const docs = new Map<string, Doc>();
    const json = statuspageDocuments(read.snapshot, now);
    for (const [path, body] of Object.entries(json)) {
      const d = doc(JSON.stringify(body), 'application/json; charset=utf-8');
      docs.set(`slug:api/v2/${path}`, d);
      docs.set(`domain:api/v2/${path}`, d);
    }
    const badge = doc(renderBadge(read.snapshot, now), 'image/svg+xml; charset=utf-8');
    docs.set('slug:badge.svg', badge);
    docs.set('domain:badge.svg', badge);
    const script = doc(LOCAL_TIME_SCRIPT, 'text/javascript; charset=utf-8');
    docs.set('slug:local-time.js', script);
    docs.set('domain:local-time.js', script);
    const entry: Entry = { pageId, version: read.version, visibility: read.visibility, allowedEmailDomains: read.allowedEmailDomains, lastModified: new Date(read.snapshot.page.updatedAt).toUTCString(), renderedAt: now, snapshot: read.snapshot, history: read.history, docs };
    this.renderMode(entry, 'slug', now);
    if (this.domainOf(read.snapshot.page.slug)) this.renderMode(entry, 'domain', now);
    if ((this.generation.get(pageId) ?? 0) === generation) this.entries.set(pageId, entry);
    return entry;
  }

  private domainOf(slug: string): boolean {
    return this.directory.get(slug)?.customDomain != null;
  }

  private renderMode(entry: Entry, mode: 'slug' | 'domain', now: number): void {
    const s = entry.snapshot;
    const base = mode === 'slug' ? `/status/${s.page.slug}` : '';
    entry.docs.set(`${mode}:`, doc(renderPage(s, entry.history, now, base, { subscribe: this.deps.subscribeForm === true && entry.visibility === 'public' }), 'text/html; charset=utf-8'));
    entry.docs.set(`${mode}:history`, doc(renderHistory(s, base), 'text/html; charset=utf-8'));
    entry.docs.set(`${mode}:history.rss`, doc(renderRss(s, s.page.url), 'application/rss+xml; charset=utf-8'));
    entry.docs.set(`${mode}:history.atom`, doc(renderAtom(s, s.page.url), 'application/atom+xml; charset=utf-8'));
  }

  /** A document of a rendered page; incident pages are rendered on first request and kept until the next change. */
  document(entry: Entry, mode: 'slug' | 'domain', path: string): Doc | null {
    const key = `${mode}:${path}`;
    const found = entry.docs.get(key);
    if (found) return found;
    if (mode === 'domain' && !entry.docs.has('domain:')) this.renderMode(entry, 'domain', entry.renderedAt);
    if (entry.docs.has(key)) return entry.docs.get(key) as Doc;
    const incident = /^incidents\/([0-9A-Za-z]{1,64})$/.exec(path);
    if (!incident) return null;
    const item = entry.snapshot.incidents.find((i) => i.id === incident[1]);
    if (!item) return null;
    const d = doc(renderIncident(entry.snapshot, item, mode === 'slug' ? `/status/${entry.snapshot.page.slug}` : ''), 'text/html; charset=utf-8');
    entry.docs.set(key, d);
    return d;
  }
}

const NOT_FOUND_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Not found</title></head><body><main><h1>Not found</h1><p>There is no status page here.</p></main></body></html>`;

/** The same answer for a page that does not exist and a private page the visitor may not see. */
function notFound(reply: FastifyReply): FastifyReply {
  return reply.status(404).header('cache-control', 'no-store').header('content-security-policy', HTML_CSP).type('text/html; charset=utf-8').send(NOT_FOUND_HTML);
}

/** True when `If-None-Match` (or, without it, `If-Modified-Since`) says the visitor has this version. */
function fresh(headers: IncomingHttpHeaders, etag: string, lastModified: string): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Date.parse(lastModified) <= since;
}

/** The answer to a request for a rendered document: 200 with its bytes (gzipped when taken), or 304. */
function answerFor(entry: Entry, d: Doc, request: IncomingHttpHeaders): { status: 200 | 304; prepared: Prepared } {
  d.prepared ??= prepare(entry, d);
  const prepared = d.prepared.gzip !== null && acceptsGzip(request) ? d.prepared.gzip : d.prepared.plain;
  return { status: fresh(request, prepared.etag, entry.lastModified) ? 304 : 200, prepared };
}

function prepare(entry: Entry, d: Doc): { plain: Prepared; gzip: Prepared | null } {
  const isPrivate = entry.visibility !== 'public';
  const common: Record<string, string> = {
    'last-modified': entry.lastModified,
    'cache-control': isPrivate ? 'private, no-store' : `public, max-age=${MAX_AGE_SECONDS}, stale-while-revalidate=60, stale-if-error=86400`,
    vary: isPrivate ? 'Accept-Encoding, Cookie, Authorization' : 'Accept-Encoding',
  };
  if (d.type.startsWith('text/html')) common['content-security-policy'] = HTML_CSP;
  // The badge is embedded on other sites (<img>): no script, and allowed cross-origin.
  if (d.type.startsWith('image/svg')) {
    common['content-security-policy'] = "default-src 'none'; style-src 'unsafe-inline'";
    common['cross-origin-resource-policy'] = 'cross-origin';
  }
  if (d.type.startsWith('application/json') && !isPrivate) common['access-control-allow-origin'] = '*';
  const flat = (headers: Record<string, string>) => Object.entries({ ...SECURITY_HEADERS, ...headers }).flat();
  const variant = (body: Buffer, etag: string, encoding: string | null): Prepared => {
    const notModified = { etag, ...common };
    const ok = { ...notModified, ...(encoding ? { 'content-encoding': encoding } : {}), 'content-type': d.type, 'content-length': String(body.length) };
    return { etag, body, ok, notModified, okFlat: flat(ok), notModifiedFlat: flat(notModified) };
  };
  return { plain: variant(d.body, d.etag, null), gzip: d.gzip ? variant(d.gzip.body, d.gzip.etag, 'gzip') : null };
}

/** The documents at fixed paths below a page's root, and the route each is served by there. */
const PATHS = ['', 'history', 'history.rss', 'history.atom', 'badge.svg', 'local-time.js', ...API_DOCUMENTS.map((p) => `api/v2/${p}`)];
const FIXED = new Set(PATHS);
const INCIDENT_PATH = /^incidents\/[^/]+$/;
/** Paths the early answer looks at: plain characters only, so nothing needs decoding (`%`) or dropping (`#`). */
const PLAIN_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/**
 * The early answer for public pages (ADR 0042): a GET of a rendered document of a public page, answered
 * from memory before Fastify's router with exactly the headers the Fastify route below would send,
 * counted against the same per-client limit and in the same request metrics. Anything else (a private
 * page, a page or document not rendered yet, an unknown path, a client over its limit, a path needing
 * decoding) is declined and answered by the Fastify route as before.
 */
export function statusPageEarlyAnswer(deps: { cache: StatusPageCache; limit: ClientLimit; metrics: Metrics }): EarlyAnswer {
  const { cache, limit, metrics } = deps;
  return (request, response) => {
    const started = performance.now();
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (!PLAIN_PATH.test(path)) return false;
    let slug: string | undefined;
    let rest: string;
    let route: string;
    let mode: 'slug' | 'domain';
    if (path.startsWith('/status/')) {
      const cut = path.indexOf('/', 8);
      slug = cut === -1 ? path.slice(8) : path.slice(8, cut);
      rest = cut === -1 ? '' : path.slice(cut + 1);
      mode = 'slug';
      if (cut !== -1 && rest === '') route = '/status/:slug/';
      else if (rest === '') route = '/status/:slug';
      else if (FIXED.has(rest)) route = `/status/:slug/${rest}`;
      else if (INCIDENT_PATH.test(rest)) route = '/status/:slug/incidents/:incident';
      else return false;
    } else {
      slug = cache.slugForHost(request.headers.host);
      if (slug === undefined) return false;
      rest = path.slice(1);
      mode = 'domain';
      if (FIXED.has(rest)) route = path;
      else if (INCIDENT_PATH.test(rest)) route = '/incidents/:incident';
      else return false;
    }
    const ref = cache.page(slug);
    const entry = ref ? cache.rendered(ref.id) : undefined;
    if (!entry || entry.visibility !== 'public') return false;
    const d = cache.document(entry, mode, rest);
    if (!d) return false;
    const turn = limit.take(request, route);
    if (!turn.allowed) return false;
    const { status, prepared } = answerFor(entry, d, request.headers);
    const rateLimit = ['x-ratelimit-limit', String(turn.limit), 'x-ratelimit-remaining', String(turn.remaining), 'x-ratelimit-reset', String(turn.resetSeconds)];
    if (status === 200) {
      response.writeHead(200, [...prepared.okFlat, ...rateLimit]);
      response.end(prepared.body);
    } else {
      response.writeHead(304, [...prepared.notModifiedFlat, ...rateLimit]);
      response.end();
    }
    metrics.observeRequest('GET', route, status, (performance.now() - started) / 1000, true);
    return true;
  };
}

export interface PublicRouteDeps {
  cache: StatusPageCache;
  /**
   * Who is calling, for private pages: signed-in people see them, limited by the page's email domains
   * when it lists any; admins and owners always (ADR 0036).
   */
  authenticator: Authenticator;
  /** A person's email address (for the domain check). */
  emailOf: (userId: string) => Promise<string | null>;
  /** Per client and route, for status-page traffic only (its own budget, apart from intake); shared with the early answer. */
  limit: ClientLimit;
  /**
   * Visitors of private pages who are not Firebreak users (ADR 0041): the address a request's signed
   * access cookie grants for this page while its domain is still allowed, else null.
   */
  visitors?: { visitorOf: (cookieHeader: string | undefined, pageId: string, domains: readonly string[]) => Promise<string | null> };
  /** The subscribers' public routes (sign-up, confirmation, management), given the custom-domain lookup. */
  subscriptions?: (slugForHost: (host: string | undefined) => string | undefined) => (app: FastifyInstance) => Promise<void>;
}

/** Registers the public status-page routes. Call before `app.ready()`. */
export function statusPagePublicRoutes(deps: PublicRouteDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const { cache } = deps;
    // A page with a custom domain answers at `/` of that host. The router asks this strategy per
    // request (a Map lookup); hosts that are no status page's domain never match these routes, so the
    // web UI keeps `/` everywhere else.
    app.addConstraintStrategy({
      name: 'statusPageHost',
      storage() {
        const handlers = new Map<string, unknown>();
        return { get: (value: string) => (handlers.get(value) ?? null) as never, set: (value: string, handler: unknown) => void handlers.set(value, handler) };
      },
      deriveConstraint: (request: { headers: Record<string, string | string[] | undefined> }) => (cache.slugForHost(request.headers.host as string | undefined) === undefined ? undefined : 'custom'),
      mustMatchWhenDerived: false,
    } as never);
    app.addHook('onReady', async () => {
      await cache.refresh().catch(() => undefined);
      cache.start();
    });
    app.addHook('onClose', async () => cache.stop());

    // Counted per client and route, like @fastify/rate-limit's buckets, but in the budget the early answer shares.
    const limited = {
      onRequest: (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
        const turn = deps.limit.take(request.raw, request.routeOptions.url ?? '');
        reply.headers(turnHeaders(turn));
        if (turn.allowed) return done();
        done(new AppError('RATE_LIMITED', `Too many requests: at most ${turn.limit} per minute. Retry after ${turn.resetSeconds} s`, { retryAfterSeconds: turn.resetSeconds }));
      },
    };

    const serve = async (request: FastifyRequest, reply: FastifyReply, slug: string | undefined, mode: 'slug' | 'domain', path: string) => {
      let ref = slug === undefined ? undefined : cache.page(slug);
      if (!ref && slug !== undefined) {
        await cache.settled();
        ref = cache.page(slug);
      }
      if (!ref) return notFound(reply);
      const entry = await cache.load(ref.id);
      if (!entry) return notFound(reply);
      const isPrivate = entry.visibility !== 'public';
      if (isPrivate && !(await mayView(deps, request, entry.pageId, entry.allowedEmailDomains))) {
        // A page open to email domains asks browsers for an address on its HTML pages (ADR 0041); feeds,
        // JSON, API-token callers and pages without domains stay 404, exactly like a page that does not exist.
        const htmlPath = path === '' || path === 'history' || path.startsWith('incidents/');
        if (deps.visitors && entry.allowedEmailDomains.length > 0 && htmlPath && request.headers.authorization === undefined) return privatePageSignIn(reply, mode === 'slug' ? `/status/${entry.snapshot.page.slug}` : '');
        return notFound(reply);
      }
      const d = cache.document(entry, mode, path);
      if (!d) return notFound(reply);
      const { status, prepared } = answerFor(entry, d, request.headers);
      if (status === 304) return reply.headers(prepared.notModified).status(304).send();
      return reply.headers(prepared.ok).status(200).send(prepared.body);
    };

    type SlugReq = FastifyRequest<{ Params: { slug: string; incident?: string } }>;
    for (const path of PATHS) {
      const urls = path === '' ? ['/status/:slug', '/status/:slug/'] : [`/status/:slug/${path}`];
      for (const url of urls) app.get(url, limited, (request: SlugReq, reply) => serve(request, reply, request.params.slug, 'slug', path));
      app.get(`/${path}`, { ...limited, constraints: { statusPageHost: 'custom' } } as never, (request: FastifyRequest, reply: FastifyReply) => serve(request, reply, cache.slugForHost(request.headers.host), 'domain', path));
    }
    app.get('/status/:slug/incidents/:incident', limited, (request: SlugReq, reply) => serve(request, reply, request.params.slug, 'slug', `incidents/${request.params.incident ?? ''}`));
    app.get('/incidents/:incident', { ...limited, constraints: { statusPageHost: 'custom' } } as never, (request: FastifyRequest<{ Params: { incident: string } }>, reply: FastifyReply) =>
      serve(request, reply, cache.slugForHost(request.headers.host), 'domain', `incidents/${request.params.incident}`),
    );
    if (deps.subscriptions) await app.register(deps.subscriptions((host) => cache.slugForHost(host)));
    // Anything else under /status/ is no page (rather than the web UI's index.html).
    app.get('/status/*', limited, (_request, reply) => notFound(reply));
  };
}

/**
 * May this caller see a private page: signed in, and when the page lists email domains, an address in
 * one of them (or a subdomain of one). Admins and owners manage pages, so they always may. A visitor
 * without a Firebreak account may with this page's signed access cookie while its address's domain is
 * still listed (ADR 0041).
 */
async function mayView(deps: Pick<PublicRouteDeps, 'authenticator' | 'emailOf' | 'visitors'>, request: FastifyRequest, pageId: string, domains: readonly string[]): Promise<boolean> {
  if (request.headers.cookie === undefined && request.headers.authorization === undefined) return false;
  if (deps.visitors && (await deps.visitors.visitorOf(request.headers.cookie, pageId, domains).catch(() => null)) !== null) return true;
  const auth = await deps.authenticator.authenticate(request).catch(() => null);
  if (auth === null) return false;
  if (domains.length === 0 || roleAtLeast(auth.principal.role, 'admin')) return true;
  const email = await deps.emailOf(auth.principal.userId);
  const domain = email?.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return domain !== undefined && domains.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`));
}

export { escapeHtml };
