import { contactMethodTypeNames, type ContactMethodType, type PushSubscriptionJson } from '../../../../contracts/notify.js';

/**
 * Where one message goes, per channel type. Push subscriptions and webhook URLs carry credentials;
 * they are opened from the sealed column only to build this value, right before sending.
 */
export type ContactAddress =
  | { type: 'email'; email: string; name?: string }
  | { type: 'sms' | 'voice'; phone: string }
  | { type: 'push'; subscription: PushSubscriptionJson }
  | { type: 'slack' | 'teams' | 'mattermost' | 'discord' | 'telegram'; handle: string }
  | { type: 'ntfy'; topic: string }
  | { type: 'webhook'; url: string };

/** Why a message is sent; channels may format or route by it (a page rings, a test does not). */
export type MessageKind = 'verification' | 'test' | 'notification' | 'handoff' | 'page';

/**
 * What a page (or a resolved notice) is about, for channels that render more than text: buttons,
 * cards, priorities. `actions` are the recipient's own signed one-click links (single use, expiring,
 * bound to them): a channel without its own interaction callback (Teams, Discord, ntfy, push) makes
 * its Acknowledge and Resolve buttons from them. Channels with a verified callback (Slack, Telegram,
 * Twilio) use `alertId`/`replyCode` and act through `PagingInbound`.
 */
export interface PageContext {
  alertId: string;
  /** The alert's short number (`#42`), also the code an SMS reply names: "ACK 42". */
  alertNumber: number;
  title: string;
  serviceName: string;
  severity: string;
  /** `triggered` for a page, `resolved` for a resolved notice. */
  status: string;
  /** The alert's page in the web UI. */
  url: string;
  actions: { acknowledge: string; resolve: string } | null;
  /** A drill or test page: say so everywhere, never ring as a real page would. */
  test?: boolean;
  /** A copy for a shadow participant: for their information, not theirs to answer. */
  shadow?: boolean;
}

export interface ChannelMessage {
  to: ContactAddress;
  /** At most 50 characters, and says what the message is: it is all some channels (SMS, push) show. */
  subject: string;
  text: string;
  html?: string;
  kind: MessageKind;
  /**
   * The same for every attempt at one notification (pages are delivered at least once): channels pass
   * it to the provider where it de-duplicates (an email's Message-ID), so a resend is not a second page.
   */
  idempotencyKey?: string;
  /** Set for pages, resolved notices and test pages; absent for verification codes and other mail. */
  page?: PageContext;
  /**
   * The person the message is for, when it is for one (pages, resolved notices, digests): channels
   * whose address does not say who it is (an outgoing webhook's URL) name them from this.
   */
  recipient?: { id: string; handle: string; name: string };
  /**
   * A one-click unsubscribe URL (status-page subscriber mail, ADR 0039): email sends it as
   * `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), so mail
   * clients offer an unsubscribe button that POSTs to it.
   */
  unsubscribeUrl?: string;
}

export interface SendResult {
  /** The provider's id for the message (an email's Message-ID), for tracing a delivery. */
  providerMessageId?: string;
  /** Which configured provider delivered it (set by the failover channel, `providers/failover.ts`). */
  provider?: { id: string; name: string };
  /** Every provider tried for this send, in order, with its answer (set by the failover channel). */
  attempts?: ProviderAttempt[];
}

/** One provider's answer to one send, for the alert's timeline. */
export interface ProviderAttempt {
  providerId: string;
  provider: string;
  ok: boolean;
  latencyMs: number;
  /** The provider's error text when it failed. */
  error?: string;
}

/**
 * The port every delivery channel implements (ARCHITECTURE.md, "Boundaries"): a narrow interface
 * Firebreak owns, with a real adapter and a fake that pass the same contract suite
 * (`channel.contract.ts`).
 *
 * @example
 *   await channels.email?.send({ to: { type: 'email', email: 'ana@example.com' }, subject: 'Firebreak test notification', text: '…', kind: 'test' });
 */
export interface Channel {
  readonly type: ContactMethodType;
  /**
   * Sends one message. Resolves once the provider has accepted it; rejects with a
   * {@link ChannelError} whose `permanent` says whether sending the same message again can help.
   */
  send(message: ChannelMessage, options?: { signal?: AbortSignal }): Promise<SendResult>;
}

/** The channels this instance can deliver through, by type. A missing type is not configured. */
export type Channels = Partial<Record<ContactMethodType, Channel>>;

/**
 * A failed send. `permanent`: the provider refused this message for good (no such mailbox, invalid
 * number), so retrying is pointless; otherwise the failure may pass (connection lost, 4xx greylisting).
 */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown; attempts?: ProviderAttempt[]; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = 'ChannelError';
    this.attempts = options?.attempts ?? [];
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /** Every provider tried before giving up (set by the failover channel). */
  readonly attempts: ProviderAttempt[];

  /**
   * The provider asked us to wait this long before trying again (an HTTP `Retry-After`); the job
   * runner retries no sooner, however short its own backoff would be.
   */
  readonly retryAfterMs?: number;
}

/** Longest subject every channel can show whole (an SMS preview, a lock-screen push title). */
export const MAX_SUBJECT_LENGTH = 50;

/** Checks what every channel requires of a message; throws a permanent ChannelError otherwise. */
export function assertSendable(channel: Channel, message: ChannelMessage): void {
  if (message.to.type !== channel.type) throw new ChannelError(`The ${channel.type} channel cannot send to a ${message.to.type} address`, true);
  if (message.subject.length === 0 || message.subject.length > MAX_SUBJECT_LENGTH) {
    throw new ChannelError(`A subject must be 1–${MAX_SUBJECT_LENGTH} characters; got ${message.subject.length}`, true);
  }
}

/**
 * Reads an HTTP `Retry-After` header (delta-seconds or an HTTP date) as milliseconds from `now`;
 * undefined when absent or unreadable. Capped at an hour: a page is never parked longer on a provider's word.
 */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), 3_600_000);
}

/** The honest answer when a type has no channel here, naming what an operator must configure. */
export function channelUnavailableMessage(type: ContactMethodType): string {
  const name = contactMethodTypeNames[type];
  if (type === 'email') return 'Email delivery is not configured on this instance: an operator must set FIREBREAK_SMTP_URL or add an SMTP notification provider (see docs/notifications.md)';
  return `${name} delivery is not configured on this instance: an admin must add a notification provider for ${name} (Settings → Notification providers, or a NotificationProvider document; see docs/providers.md)`;
}
