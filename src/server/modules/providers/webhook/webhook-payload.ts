import type { ChannelMessage } from '../../notify/channels/channel.js';

/**
 * What an outgoing webhook POSTs (docs/providers.md, "Outgoing webhooks"), version 1. Versioned so
 * receivers can rely on it: fields are only added within a version; renaming or removing one makes
 * version 2, announced in the release notes.
 */
export const WEBHOOK_PAYLOAD_VERSION = 1;

/**
 * `page`: someone must act (`actions` carries their links). `resolved`: an alert they were paged for
 * is resolved. `test`: "send test" or a contact method test. `verification`: a code to type back into
 * Firebreak to prove the URL is theirs. `notification`, `handoff`: other messages (on-call hand-offs).
 */
export type WebhookEvent = 'page' | 'resolved' | 'test' | 'verification' | 'notification' | 'handoff';

export interface WebhookPayloadV1 {
  version: 1;
  /** The same on every attempt at one notification: de-duplicate on it (also the `Idempotency-Key` header). */
  id: string;
  event: WebhookEvent;
  /** When this attempt was sent (ISO 8601, UTC); the signature's `t` is the same instant in seconds. */
  sentAt: string;
  /** At most 50 characters: what a phone notification would show. */
  subject: string;
  /** The full message, plain text. */
  text: string;
  alert: {
    id: string;
    number: number;
    title: string;
    service: string;
    severity: string;
    status: string;
    /** The alert's page in Firebreak. */
    url: string;
    /** A drill or test page: never wake anyone for it. */
    test: boolean;
    /** A shadow participant's copy: for information, not theirs to answer. */
    shadow: boolean;
  } | null;
  /**
   * The recipient's own one-click links: POST to them (no body needed) to acknowledge or resolve as
   * that person. Single use, expiring, bound to the recipient; null when there is nothing to do.
   */
  actions: { acknowledge: string; resolve: string } | null;
  /**
   * Who the message is for (added within version 1): the person paged, so one receiver URL shared by
   * several people (a team's bot) can tell whose page it is. Null for messages to nobody in particular.
   */
  recipient: { id: string; handle: string; name: string } | null;
}

export function webhookEvent(message: ChannelMessage): WebhookEvent {
  if (message.page?.status === 'resolved') return 'resolved';
  return message.kind;
}

/** Builds the version 1 payload for one attempt. */
export function webhookPayload(message: ChannelMessage, id: string, sentAtMs: number): WebhookPayloadV1 {
  const page = message.page;
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    id,
    event: webhookEvent(message),
    sentAt: new Date(sentAtMs).toISOString(),
    subject: message.subject,
    text: message.text,
    alert: page
      ? { id: page.alertId, number: page.alertNumber, title: page.title, service: page.serviceName, severity: page.severity, status: page.status, url: page.url, test: page.test === true, shadow: page.shadow === true }
      : null,
    actions: page?.actions && page.status !== 'resolved' && !page.shadow ? { acknowledge: page.actions.acknowledge, resolve: page.actions.resolve } : null,
    recipient: message.recipient ? { id: message.recipient.id, handle: message.recipient.handle, name: message.recipient.name } : null,
  };
}
