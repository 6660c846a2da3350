import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { trackerWebhookSchema, trackerWebhookSettingsSchema } from '../../../../contracts/postmortems.js';
import type { SecretBox } from '../../../platform/crypto.js';
import type { Database } from '../../../platform/db/schema.js';
import { outboundRequest, OutboundRefused, type OutboundResponse } from '../../../platform/http/outbound.js';
import type { Actor } from '../../../platform/http/route.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import { signWebhookPayload } from '../../providers/webhook/webhook-signature.js';

/**
 * The outgoing webhook that creates tracker issues for action items (issue 8, "a link to an issue in
 * an external tracker, optionally created through an outgoing webhook"; docs/postmortems.md).
 *
 * Firebreak has no table of instance settings, so the webhook lives beside the postmortem policy: the
 * `postmortem_policy` row with id `tracker` (the policy itself is the row `default`, and only ever reads
 * that id). Its JSON holds the URL and the signing secret sealed with the instance key (`SecretBox`), so
 * a backup or a database dump never shows the secret.
 *
 * Wire format (what a receiver implements): `POST <url>`, `content-type: application/json`, the body
 * `{event, sentAt, actionItem, postmortem}`, `X-Firebreak-Event: action_item.created`,
 * `X-Firebreak-Delivery: <action item id>` (the same on every retry: a receiver de-duplicates on it) and,
 * with a secret, `X-Firebreak-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the
 * scheme of every outgoing Firebreak webhook (`t` is the body's `sentAt`). The receiver answers
 * 2xx with JSON `{"url": "<issue URL>"}`, which becomes the item's `trackerUrl`.
 */

export const TRACKER_SETTINGS_ID = 'tracker';
export const TRACKER_EVENT = 'action_item.created';

type TrackerInput = z.output<typeof trackerWebhookSchema>;
export type TrackerWebhookSettings = z.infer<typeof trackerWebhookSettingsSchema>;

interface StoredTracker {
  url: string | null;
  /** The signing secret, sealed with the instance key; null: requests are not signed. */
  secretSealed: string | null;
}

/** The configured webhook with its secret opened, for sending. */
export interface TrackerTarget {
  url: string;
  secret: string | null;
}

/** What the receiver is sent. */
export interface TrackerRequestBody {
  event: typeof TRACKER_EVENT;
  sentAt: string;
  actionItem: {
    id: string;
    reference: string;
    title: string;
    description: string;
    priority: string;
    dueDate: string | null;
    status: string;
    owner: { handle: string; name: string; email: string } | null;
    team: { handle: string; name: string } | null;
    url: string;
  };
  postmortem: { id: string; reference: string; title: string; incident: string | null; url: string };
}

/** Why a tracker call did not give a URL; `permanent` when sending the same request again cannot help. */
export class TrackerError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'TrackerError';
  }
}

/**
 * `t=<seconds>,v1=<hex>`: the outgoing-webhook signature (ADR 0038) of the exact bytes sent, timed at the
 * body's `sentAt`, so a receiver can refuse a captured request replayed later.
 */
export function trackerSignature(secret: string, rawBody: string, sentAt: string): string {
  return signWebhookPayload(secret, Math.floor(Date.parse(sentAt) / 1000), rawBody);
}

export class TrackerWebhookStore {
  constructor(private readonly deps: { secrets: SecretBox; audit: AuditLog; now: () => number }) {}

  private async stored(db: Kysely<Database>): Promise<{ value: StoredTracker; updatedAt: number; updatedBy: string } | null> {
    const row = await db.selectFrom('postmortem_policy').selectAll().where('id', '=', TRACKER_SETTINGS_ID).executeTakeFirst();
    if (!row) return null;
    const parsed = JSON.parse(row.policy_json) as Partial<StoredTracker>;
    return { value: { url: parsed.url ?? null, secretSealed: parsed.secretSealed ?? null }, updatedAt: Number(row.updated_at), updatedBy: row.updated_by };
  }

  /** The settings as admins see them: never the secret, only whether one is set. */
  async view(db: Kysely<Database>): Promise<TrackerWebhookSettings> {
    const stored = await this.stored(db);
    if (!stored) return { url: null, secretSet: false, updatedAt: null, updatedBy: null };
    return { url: stored.value.url, secretSet: stored.value.secretSealed !== null, updatedAt: new Date(stored.updatedAt).toISOString(), updatedBy: stored.updatedBy };
  }

  /** The target to send to, or null when the webhook is off. */
  async target(db: Kysely<Database>): Promise<TrackerTarget | null> {
    const stored = await this.stored(db);
    if (!stored?.value.url) return null;
    return { url: stored.value.url, secret: stored.value.secretSealed === null ? null : this.deps.secrets.open(stored.value.secretSealed) };
  }

  /**
   * Replaces the settings. A `secret` left out keeps the stored one while the URL stays set (so an admin
   * can move the URL without retyping the secret); `url: null` turns the webhook off and forgets the secret.
   */
  async put(db: Kysely<Database>, actor: Actor, input: TrackerInput): Promise<TrackerWebhookSettings> {
    const before = await this.view(db);
    const previous = await this.stored(db);
    const secretSealed = input.url === null ? null : input.secret !== undefined ? this.deps.secrets.seal(input.secret) : (previous?.value.secretSealed ?? null);
    const value: StoredTracker = { url: input.url, secretSealed };
    const now = this.deps.now();
    const json = JSON.stringify(value);
    await db
      .insertInto('postmortem_policy')
      .values({ id: TRACKER_SETTINGS_ID, policy_json: json, updated_at: now, updated_by: actor.label })
      .onConflict((oc) => oc.column('id').doUpdateSet({ policy_json: json, updated_at: now, updated_by: actor.label }))
      .execute();
    const after = await this.view(db);
    await this.deps.audit.record(db, actor, { action: 'postmortem-tracker-webhook.update', targetType: 'postmortem-settings', targetId: TRACKER_SETTINGS_ID, before, after });
    return after;
  }
}

/**
 * Sends one "create an issue" request and reads the issue URL from the answer. Throws `TrackerError`:
 * permanent for a refused target, a 4xx answer (but 408 and 429) or an answer without a usable URL;
 * transient for network errors, timeouts, 408, 429 and 5xx.
 */
export async function createTrackerIssue(target: TrackerTarget, body: TrackerRequestBody, options: { allowPrivate: boolean; deliveryId: string; signal?: AbortSignal }): Promise<string> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'x-firebreak-event': TRACKER_EVENT, 'x-firebreak-delivery': options.deliveryId, accept: 'application/json' };
  if (target.secret !== null) headers['x-firebreak-signature'] = trackerSignature(target.secret, raw, body.sentAt);
  let answer: OutboundResponse;
  try {
    answer = await outboundRequest(target.url, { method: 'POST', body: raw, contentType: 'application/json' }, { allowPrivate: options.allowPrivate, headers, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (error instanceof OutboundRefused) throw new TrackerError(`The tracker webhook URL was refused: ${error.message}`, true);
    throw new TrackerError(`The tracker webhook could not be reached: ${error instanceof Error ? error.message : String(error)}`, false);
  }
  if (answer.status < 200 || answer.status >= 300) {
    const transient = answer.status === 408 || answer.status === 429 || answer.status >= 500;
    throw new TrackerError(`The tracker webhook answered ${answer.status}: ${answer.body.slice(0, 300)}`, !transient);
  }
  let url: unknown;
  try {
    url = (JSON.parse(answer.body) as { url?: unknown }).url;
  } catch {
    throw new TrackerError('The tracker webhook answered 2xx without a JSON body; expected {"url": "<issue URL>"}', true);
  }
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/i.test(url) || url.length > 2048) {
    throw new TrackerError('The tracker webhook answered 2xx without an http(s) `url` in its JSON body', true);
  }
  return url;
}
