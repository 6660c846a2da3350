import type { ContactMethodType, PushSubscriptionJson } from '../../../../contracts/notify.js';

/**
 * Where one message goes, per channel type. Push subscriptions and webhook URLs carry credentials;
 * they are opened from the sealed column only to build this value, right before sending.
 */
export type ContactAddress =
  | { type: 'email'; email: string; name?: string }
  | { type: 'sms' | 'voice'; phone: string }
  | { type: 'push'; subscription: PushSubscriptionJson }
  | { type: 'slack' | 'teams' | 'mattermost'; handle: string }
  | { type: 'webhook'; url: string };

/** Why a message is sent; channels may format or route by it (a page rings, a test does not). */
export type MessageKind = 'verification' | 'test' | 'notification' | 'handoff' | 'page';

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
}

export interface SendResult {
  /** The provider's id for the message (an email's Message-ID), for tracing a delivery. */
  providerMessageId?: string;
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
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChannelError';
  }
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

const releaseNote = 'it arrives with the paging release';

/** The honest answer when a type has no channel here yet, or is not configured. */
export function channelUnavailableMessage(type: ContactMethodType): string {
  switch (type) {
    case 'email':
      return 'Email delivery is not configured on this instance: an operator must set FIREBREAK_SMTP_URL (see docs/notifications.md)';
    case 'sms':
      return `SMS delivery is not configured on this instance yet; ${releaseNote}`;
    case 'voice':
      return `Voice-call delivery is not configured on this instance yet; ${releaseNote}`;
    case 'push':
      return `Push delivery to the Firebreak app is not available on this instance yet; ${releaseNote}`;
    case 'slack':
    case 'teams':
    case 'mattermost':
      return `${type === 'slack' ? 'Slack' : type === 'teams' ? 'Microsoft Teams' : 'Mattermost'} delivery is not configured on this instance yet; ${releaseNote}`;
    case 'webhook':
      return `Webhook delivery is not available on this instance yet; ${releaseNote}`;
  }
}
