import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { hashToken, randomToken, type SecretBox } from '../../../platform/crypto.js';
import type { FirebreakDatabase } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import { ChannelError, channelUnavailableMessage, MAX_SUBJECT_LENGTH, type Channels } from '../../notify/channels/channel.js';

/**
 * Private status pages for people who are not Firebreak users (issue 7 "Private pages require login or
 * an allow-listed email domain", ADR 0041). A visitor gives an address; when its domain (or a subdomain
 * of it) is on the page's `allowedEmailDomains`, a one-time sign-in link (30 minutes, stored hashed) is
 * mailed. Using it sets a cookie scoped to that page holding a signed token that names the page and the
 * address (30 days). The cookie is checked without the database (the key is read once), and only while
 * the address's domain is still allowed: removing a domain revokes every cookie of it at once.
 */

/** The mail carrying a sign-in link (durable: queued in the transaction that made the link). */
export const ACCESS_MAIL_TASK = 'statuspage-access.mail';
export interface AccessMailPayload {
  pageId: string;
  email: string;
  /** The link's token, sealed (job rows are readable by anyone with the database). */
  sealedToken: string;
}

/** How long a mailed sign-in link works. */
export const ACCESS_LINK_TTL_MS = 30 * 60_000;
/** How long the access cookie lasts. */
export const ACCESS_COOKIE_TTL_MS = 30 * 86_400_000;
/** No second sign-in mail to one address for one page within this. */
export const ACCESS_RESEND_AFTER_MS = 10 * 60_000;
/** Sign-in mails per page per 24 h, whoever asks. */
export const DAILY_ACCESS_MAILS_PER_PAGE = 1000;
/** The cookie's name; its path (or the custom domain) keeps one page's cookie from being sent to another. */
export const ACCESS_COOKIE = 'firebreak_status_access';
const KEY_ID = 'visitor-cookie';

/** True when the address's domain is one of `domains` or a subdomain of one (case-insensitive). */
export function emailInDomains(email: string, domains: readonly string[]): boolean {
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const domain = email.slice(at + 1).toLowerCase();
  return domains.some((d) => {
    const allowed = d.toLowerCase();
    return domain === allowed || domain.endsWith(`.${allowed}`);
  });
}

export type ConsumeOutcome = { kind: 'unknown' } | { kind: 'expired' } | { kind: 'used' } | { kind: 'ok'; cookie: string; maxAgeSeconds: number };

export class PrivatePageVisitors {
  private key: Buffer | null = null;
  private loading: Promise<Buffer> | null = null;

  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      jobs: JobScheduler;
      secrets: SecretBox;
      channels: Channels;
      publicUrl: string;
      dailyMailsPerPage?: number;
    },
  ) {}

  /** True when this instance's public URL is https: its access cookies are `Secure`. */
  get httpsPublicUrl(): boolean {
    return this.deps.publicUrl.startsWith('https:');
  }

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  /**
   * A visitor asks for a sign-in link. Nothing tells the caller what happened (no enumeration): a link is
   * mailed only when the page is private, the address's domain is allowed, no link went to it in the last ten
   * minutes and the page's daily cap is not reached.
   */
  async requestLink(pageId: string, email: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await db.selectFrom('status_pages').select(['id', 'visibility', 'allowed_email_domains_json']).where('id', '=', pageId).executeTakeFirst();
      if (!page || page.visibility === 'public') return;
      if (!emailInDomains(email, JSON.parse(page.allowed_email_domains_json) as string[])) return;
      const now = this.deps.clock.now();
      const recent = await db.selectFrom('status_page_access_links').select('token_hash').where('page_id', '=', page.id).where('email', '=', email).where('created_at', '>', now - ACCESS_RESEND_AFTER_MS).executeTakeFirst();
      if (recent) return;
      const cap = this.deps.dailyMailsPerPage ?? DAILY_ACCESS_MAILS_PER_PAGE;
      const today = await db.selectFrom('status_page_access_links').select((eb) => eb.fn.countAll<string>().as('n')).where('page_id', '=', page.id).where('created_at', '>', now - 86_400_000).executeTakeFirst();
      if (Number(today?.n ?? 0) >= cap) return;
      // Links older than a day are of no use (expired after 30 minutes): dropped as new ones come.
      await db.deleteFrom('status_page_access_links').where('page_id', '=', page.id).where('created_at', '<', now - 86_400_000).execute();
      const token = randomToken();
      await db.insertInto('status_page_access_links').values({ token_hash: hashToken(token), page_id: page.id, email, expires_at: now + ACCESS_LINK_TTL_MS, used_at: null, created_at: now }).execute();
      await this.deps.jobs.addJob<AccessMailPayload>(tx, { task: ACCESS_MAIL_TASK, key: `${ACCESS_MAIL_TASK}:${hashToken(token)}`, payload: { pageId: page.id, email, sealedToken: this.deps.secrets.seal(token) }, maxAttempts: 12 });
    });
  }

  /** The mail job: the sign-in link, through `channels.email`. */
  async sendLink(payload: AccessMailPayload, signal?: AbortSignal): Promise<'sent' | 'skipped'> {
    const page = await this.db.selectFrom('status_pages').select(['id', 'slug', 'name', 'custom_domain', 'visibility', 'allowed_email_domains_json']).where('id', '=', payload.pageId).executeTakeFirst();
    // Re-checked: the domain may have been removed (or the page made public) since the request.
    if (!page || page.visibility === 'public' || !emailInDomains(payload.email, JSON.parse(page.allowed_email_domains_json) as string[])) return 'skipped';
    const channel = this.deps.channels.email;
    if (!channel) throw new ChannelError(channelUnavailableMessage('email'), false);
    const base = page.custom_domain ? `https://${page.custom_domain}` : `${this.deps.publicUrl.replace(/\/$/, '')}/status/${page.slug}`;
    const token = this.deps.secrets.open(payload.sealedToken);
    const subject = `Sign in: ${page.name} status`;
    const text = [
      `Someone (we hope you) asked to view the ${page.name} status page with this address.`,
      '',
      `Open the status page: ${base}/access/open?token=${encodeURIComponent(token)}`,
      '',
      'The link works once, for 30 minutes. If you did not ask for it, ignore this mail.',
    ].join('\n');
    try {
      await channel.send(
        { to: { type: 'email', email: payload.email }, subject: subject.length > MAX_SUBJECT_LENGTH ? `${subject.slice(0, MAX_SUBJECT_LENGTH - 1)}…` : subject, text, kind: 'verification', idempotencyKey: `status-access.${hashToken(token)}` },
        signal ? { signal } : {},
      );
    } catch (error) {
      if (error instanceof ChannelError && error.permanent) return 'skipped';
      throw error;
    }
    return 'sent';
  }

  /** A page by slug, for the sign-in routes: its id, custom domain, and whether it is private with allowed domains. */
  async page(slug: string): Promise<{ id: string; customDomain: string | null; privateWithDomains: boolean } | null> {
    const row = await this.db.selectFrom('status_pages').select(['id', 'custom_domain', 'visibility', 'allowed_email_domains_json']).where('slug', '=', slug).executeTakeFirst();
    if (!row) return null;
    return { id: row.id, customDomain: row.custom_domain, privateWithDomains: row.visibility !== 'public' && (JSON.parse(row.allowed_email_domains_json) as string[]).length > 0 };
  }

  /** Is this a link of this page that still works (for the page that asks before using it). */
  async peek(pageId: string, token: string): Promise<'ok' | 'unknown' | 'expired' | 'used'> {
    if (token.length < 16 || token.length > 200) return 'unknown';
    const row = await this.db.selectFrom('status_page_access_links').selectAll().where('token_hash', '=', hashToken(token)).where('page_id', '=', pageId).executeTakeFirst();
    if (!row) return 'unknown';
    if (row.used_at !== null) return 'used';
    return Number(row.expires_at) <= this.deps.clock.now() ? 'expired' : 'ok';
  }

  /** Uses a sign-in link (once): the access cookie's value, when the link is this page's, unused and unexpired. */
  async consume(pageId: string, token: string): Promise<ConsumeOutcome> {
    if (token.length < 16 || token.length > 200) return { kind: 'unknown' };
    const key = await this.loadKey();
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await db.selectFrom('status_page_access_links').selectAll().where('token_hash', '=', hashToken(token)).where('page_id', '=', pageId).executeTakeFirst();
      if (!row) return { kind: 'unknown' as const };
      if (row.used_at !== null) return { kind: 'used' as const };
      const now = this.deps.clock.now();
      if (Number(row.expires_at) <= now) return { kind: 'expired' as const };
      // Only one of two racing uses wins.
      const marked = await db.updateTable('status_page_access_links').set({ used_at: now }).where('token_hash', '=', row.token_hash).where('used_at', 'is', null).executeTakeFirst();
      if (Number(marked.numUpdatedRows) !== 1) return { kind: 'used' as const };
      return { kind: 'ok' as const, cookie: signCookie(key, pageId, row.email, now + ACCESS_COOKIE_TTL_MS), maxAgeSeconds: ACCESS_COOKIE_TTL_MS / 1000 };
    });
  }

  /**
   * The address a request's access cookie grants this page to, when a cookie of this page is signed
   * with our key, unexpired, and its address's domain is still allowed; else null. No database read once
   * the key is loaded (private pages are served from memory like public ones).
   */
  async visitorOf(cookieHeader: string | undefined, pageId: string, domains: readonly string[]): Promise<string | null> {
    if (cookieHeader === undefined || domains.length === 0) return null;
    const values = cookieValues(cookieHeader, ACCESS_COOKIE);
    if (values.length === 0) return null;
    const key = await this.loadKey();
    const now = this.deps.clock.now();
    for (const value of values) {
      const claim = verifyCookie(key, value);
      if (claim && claim.pageId === pageId && claim.expiresAt > now && emailInDomains(claim.email, domains)) return claim.email;
    }
    return null;
  }

  /** The cookie key: created once (random, sealed in the database), then kept in memory. */
  private loadKey(): Promise<Buffer> {
    if (this.key) return Promise.resolve(this.key);
    this.loading ??= (async () => {
      try {
        const sealed = this.deps.secrets.seal(randomBytes(32).toString('base64'));
        await this.db.insertInto('status_page_access_keys').values({ id: KEY_ID, key_sealed: sealed, created_at: this.deps.clock.now() }).onConflict((oc) => oc.column('id').doNothing()).execute();
        const row = await this.db.selectFrom('status_page_access_keys').select('key_sealed').where('id', '=', KEY_ID).executeTakeFirstOrThrow();
        this.key = Buffer.from(this.deps.secrets.open(row.key_sealed), 'base64');
        return this.key;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}

/** `v1.<page id>.<base64url email>.<expiry ms>.<base64url HMAC-SHA256 of the rest>`. */
export function signCookie(key: Buffer, pageId: string, email: string, expiresAt: number): string {
  const body = ['v1', pageId, Buffer.from(email, 'utf8').toString('base64url'), String(expiresAt)].join('.');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** The claim of a cookie signed with `key`; null for anything else (tampered, other key, malformed). */
export function verifyCookie(key: Buffer, value: string): { pageId: string; email: string; expiresAt: number } | null {
  const parts = value.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') return null;
  const [, pageId, email, expires, mac] = parts as [string, string, string, string, string];
  const expected = createHmac('sha256', key).update(parts.slice(0, 4).join('.')).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!/^\d{1,15}$/.test(expires)) return null;
  return { pageId, email: Buffer.from(email, 'base64url').toString('utf8'), expiresAt: Number(expires) };
}

/** Every value of a cookie named `name` (a browser may send several of one name, with different paths). */
function cookieValues(header: string, name: string): string[] {
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    out.push(part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return out;
}
