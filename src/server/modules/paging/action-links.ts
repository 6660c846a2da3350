import type { Kysely } from 'kysely';
import { AppError } from '../../../contracts/errors.js';
import type { Clock } from '../../platform/clock.js';
import { hashToken, randomToken } from '../../platform/crypto.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor } from '../../platform/http/route.js';
import type { AlertService } from '../alerts/alert.service.js';

/** How long an acknowledge or resolve link in a page works. */
export const ACTION_LINK_TTL_MS = 24 * 60 * 60_000;
export type PageAction = 'acknowledge' | 'resolve';
/** The path of a link: `<public URL>/a/<token>`. */
export const actionLinkPath = (token: string) => `/a/${token}`;

/**
 * Creates one acknowledge and one resolve link for a person paged for an alert, in the caller's
 * transaction. Tokens are random (256 bits, base64url); only their SHA-256 is stored.
 */
export async function createActionLinks(database: FirebreakDatabase, tx: Tx, input: { alertId: string; userId: string; notificationId: string | null; now: number; publicUrl: string }): Promise<Record<PageAction, string> & { expiresAt: number }> {
  const expiresAt = input.now + ACTION_LINK_TTL_MS;
  const links = {} as Record<PageAction, string>;
  // Built once: every page stores two.
  const insert = database.precompiled('page_action_links.insert', (db, p) =>
    db.insertInto('page_action_links').values({ token_hash: p('hash'), alert_id: p('alert'), user_id: p('user'), notification_id: p('notification'), action: p('action'), created_at: p('now'), expires_at: p('expires'), used_at: null }),
  );
  for (const action of ['acknowledge', 'resolve'] as const) {
    const token = randomToken();
    await database.run(insert, { hash: hashToken(token), alert: input.alertId, user: input.userId, notification: input.notificationId, action, now: input.now, expires: expiresAt }, tx);
    links[action] = `${input.publicUrl}${actionLinkPath(token)}`;
  }
  return { ...links, expiresAt };
}

/** What a link leads to, for the confirmation and result pages. */
export type LinkLookup =
  | { kind: 'unknown' }
  | { kind: 'used'; usedAt: number }
  | { kind: 'expired'; expiresAt: number }
  | { kind: 'inactive' }
  | ({ kind: 'ready' } & LinkTarget)
  | ({ kind: 'resolved' } & LinkTarget);

interface LinkTarget {
  action: PageAction;
  alert: { number: number; title: string; status: string };
  handle: string;
  expiresAt: number;
}

export type LinkOutcome =
  | Exclude<LinkLookup, { kind: 'ready' }>
  | { kind: 'done'; action: PageAction; alert: { number: number; title: string; status: string }; handle: string; changed: boolean };

const MAX_TOKEN_LENGTH = 128;

/**
 * Acknowledge and resolve links (ADR 0023). `inspect` only reads (the GET confirmation page, which mail
 * scanners may fetch); `use` claims the link (single use) and acts as its recipient through the alert
 * service, so the action is on the timeline and in the audit log as that person.
 */
export class PageActionLinks {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; alerts: AlertService }) {}

  async inspect(token: string): Promise<LinkLookup> {
    const db = this.deps.database.db;
    const link = await this.find(db, token);
    if (!link) return { kind: 'unknown' };
    if (link.used_at !== null) return { kind: 'used', usedAt: link.used_at };
    if (link.expires_at <= this.deps.clock.now()) return { kind: 'expired', expiresAt: link.expires_at };
    const user = await db.selectFrom('users').select(['handle', 'deactivated_at']).where('id', '=', link.user_id).executeTakeFirst();
    if (!user || user.deactivated_at !== null) return { kind: 'inactive' };
    const alert = await db.selectFrom('alerts').select(['number', 'title', 'status']).where('id', '=', link.alert_id).executeTakeFirst();
    if (!alert) return { kind: 'unknown' };
    return { kind: alert.status === 'resolved' ? ('resolved' as const) : ('ready' as const), action: link.action as PageAction, alert, handle: user.handle, expiresAt: link.expires_at };
  }

  /** Claims the link and performs its action as its recipient. Nothing changes unless the link is valid. */
  async use(token: string, request: { ip: string | null; requestId: string | null }): Promise<LinkOutcome> {
    const looked = await this.inspect(token);
    if (looked.kind !== 'ready') return looked;
    const db = this.deps.database.db;
    const now = this.deps.clock.now();
    const hash = hashToken(token);
    // Single use even when two requests race: only one claim matches a row not yet used.
    const claimed = await db.updateTable('page_action_links').set({ used_at: now }).where('token_hash', '=', hash).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      // Another request claimed it (or it expired) in between.
      const again = await this.inspect(token);
      return again.kind === 'ready' ? { kind: 'used', usedAt: now } : again;
    }
    const link = (await this.find(db, token))!;
    const actor: Actor = { type: 'user', id: link.user_id, label: `@${looked.handle} via email link`, ip: request.ip, requestId: request.requestId };
    try {
      const before = looked.alert.status;
      const alert = await this.deps.alerts.act({ actor, principal: null }, link.alert_id, looked.action);
      return { kind: 'done', action: looked.action, alert: { number: alert.number, title: alert.title, status: alert.status }, handle: looked.handle, changed: alert.status !== before };
    } catch (error) {
      // Resolved in between: say so. Anything else: give the link back, so the person can try again.
      if (error instanceof AppError && error.code === 'RULE_VIOLATION') return { ...looked, kind: 'resolved' };
      await db.updateTable('page_action_links').set({ used_at: null }).where('token_hash', '=', hash).execute();
      throw error;
    }
  }

  private async find(db: Kysely<Database>, token: string) {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    return db.selectFrom('page_action_links').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  }
}
