import { createHash } from 'node:crypto';
import webpush from 'web-push';
import { outboundRequest, OutboundRefused, type OutboundResponse } from '../../../platform/http/outbound.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type MessageKind, type SendResult } from '../../notify/channels/channel.js';

/**
 * What the service worker (`src/web/public/sw.js`) receives, decrypted, in a push event. Versioned by
 * shape only: the worker reads these fields and ignores the rest, so fields may be added.
 */
export interface PushPayload {
  subject: string;
  /** The message text, shortened when the whole payload would not fit a push message. */
  body: string;
  /** What a click on the notification opens: the alert's page, or the contact methods page. */
  url: string;
  kind: MessageKind;
  alertNumber: number | null;
  /**
   * The notification's tag: a later notification with the same tag replaces the earlier one on the
   * device (the resolved notice replaces the page, a resent code replaces the old one).
   */
  tag: string;
  /** The recipient's signed one-click links; the worker POSTs them for the notification's buttons. */
  actions: { acknowledge: string; resolve: string } | null;
  test: boolean;
  shadow: boolean;
}

/**
 * Largest plaintext one aes128gcm record of a 4096-byte push message holds (RFC 8291 §4: push services
 * must accept 4096 bytes; the record header is 86 bytes, the padding delimiter 1, the GCM tag 16).
 */
export const MAX_PUSH_PLAINTEXT_BYTES = 4096 - 86 - 1 - 16;

/** How long a push service keeps an undelivered message (`TTL`, seconds), by kind. */
const TTL_SECONDS: Record<MessageKind, number> = {
  page: 3600, // a page older than an hour has escalated past this person; the alert page tells the rest
  verification: 900, // the code itself expires soon after
  test: 3600,
  notification: 86_400,
  handoff: 86_400,
};

export interface WebPushChannelOptions {
  /** The VAPID `sub` claim: mailto: or https: contact for the push service's operators. */
  subject: string;
  publicKey: string;
  privateKey: string;
  /** FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: tests point subscriptions at a fake push service on 127.0.0.1. */
  allowPrivate: boolean;
  /** Firebreak's public URL, for the page a click opens when the message has no alert. */
  publicUrl: string;
  timeoutMs?: number;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291) to the
 * browsers where people enabled push. `web-push` builds the signed token and encrypts the payload;
 * the request itself goes through `outboundRequest`, so a subscription endpoint (chosen by the
 * browser, but stored from what a person posted) passes the same SSRF guard as any other URL.
 */
export class WebPushChannel implements Channel {
  readonly type = 'push' as const;

  constructor(private readonly options: WebPushChannelOptions) {}

  async send(message: ChannelMessage, options?: { signal?: AbortSignal }): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'push') throw new ChannelError('The push channel needs a push subscription', true);
    const subscription = message.to.subscription;
    const payload = JSON.stringify(pushPayload(message, this.options.publicUrl));
    const page = message.page;
    const urgent = message.kind === 'page' && !page?.test && !page?.shadow;
    const topic = pushTopic(message);
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      details = webpush.generateRequestDetails(subscription, payload, {
        vapidDetails: { subject: this.options.subject, publicKey: this.options.publicKey, privateKey: this.options.privateKey },
        contentEncoding: 'aes128gcm',
        TTL: TTL_SECONDS[message.kind],
        urgency: urgent ? 'high' : 'normal',
        ...(topic ? { topic } : {}),
      });
    } catch (error) {
      // Keys that do not make a valid point, a subject web-push refuses: nothing a retry changes.
      throw new ChannelError(`Could not encrypt the push message: ${(error as Error).message}`, true, { cause: error });
    }
    const host = safeHost(subscription.endpoint);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(details.headers)) {
      // outboundRequest sets the body's own content-type and content-length.
      if (!/^content-(type|length)$/i.test(name)) headers[name.toLowerCase()] = String(value);
    }
    let answer: OutboundResponse;
    try {
      answer = await outboundRequest(
        details.endpoint,
        { method: 'POST', body: details.body ?? Buffer.alloc(0), contentType: 'application/octet-stream' },
        { allowPrivate: this.options.allowPrivate, headers, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}), ...(options?.signal ? { signal: options.signal } : {}) },
      );
    } catch (error) {
      if (error instanceof OutboundRefused) throw new ChannelError(`The push subscription’s endpoint was refused: ${error.message}`, true, { cause: error });
      throw new ChannelError(`Could not reach the push service at ${host}: ${(error as Error).message}`, false, { cause: error });
    }
    if (answer.status >= 200 && answer.status < 300) return { providerMessageId: messageIdOf(answer, details.body) };
    throw answerError(answer, host);
  }
}

/** The payload for one message; the body is shortened (whole characters) until the JSON fits. */
export function pushPayload(message: ChannelMessage, publicUrl: string): PushPayload {
  const page = message.page;
  const base = publicUrl.replace(/\/+$/, '');
  const payload: PushPayload = {
    subject: message.subject,
    body: message.text,
    url: page?.url ?? (message.kind === 'verification' ? `${base}/settings/contact-methods` : `${base}/`),
    kind: message.kind,
    alertNumber: page?.alertNumber ?? null,
    tag: page ? `firebreak-alert-${page.alertId}` : `firebreak-${message.kind}`,
    actions: page && page.status !== 'resolved' ? page.actions : null,
    test: page?.test ?? message.kind === 'test',
    shadow: page?.shadow ?? false,
  };
  const fits = () => Buffer.byteLength(JSON.stringify(payload)) <= MAX_PUSH_PLAINTEXT_BYTES;
  if (fits()) return payload;
  // The longest prefix (whole characters) that fits with its ellipsis, found by bisection: JSON
  // escaping and UTF-8 make a character cost 1 to 6 bytes, so the size is not a simple count.
  const chars = Array.from(message.text);
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    payload.body = `${chars.slice(0, mid).join('')}…`;
    if (fits()) low = mid;
    else high = mid - 1;
  }
  // With nothing left to cut (an enormous subject or links), the push service answers 413: permanent.
  payload.body = `${chars.slice(0, low).join('')}…`;
  return payload;
}

/**
 * The push service's `Topic` (RFC 8030 §5.4: at most 32 base64url characters): a newer message with
 * the same topic replaces one the device has not fetched yet, so an offline phone that comes back
 * gets the alert's latest state once rather than the page and then its resolution.
 */
export function pushTopic(message: ChannelMessage): string | null {
  if (message.page) return createHash('sha256').update(`firebreak-alert:${message.page.alertId}`).digest('base64url').slice(0, 32);
  if (message.kind === 'verification') return 'firebreak-verification';
  return null;
}

/**
 * The push service's `Location` (the message's URL there, RFC 8030 §5) when the HTTP layer exposes
 * answer headers; otherwise a digest of the encrypted message, unique per send (fresh salt and key).
 */
function messageIdOf(answer: OutboundResponse, body: Buffer | null): string {
  const headers = 'headers' in answer ? (answer.headers as Record<string, string | string[] | undefined> | undefined) : undefined;
  const location = headers?.location;
  if (typeof location === 'string' && location.length > 0) return location;
  return `sha256:${createHash('sha256').update(body ?? Buffer.alloc(0)).digest('base64url').slice(0, 32)}`;
}

function answerError(answer: OutboundResponse, host: string): ChannelError {
  const detail = answer.body.trim().slice(0, 200);
  const said = `${host} answered ${answer.status}${detail ? ` (${detail})` : ''}`;
  switch (answer.status) {
    case 404:
    case 410:
      return new ChannelError(`The push subscription expired or was removed (${said}): re-enable push on that device`, true);
    case 413:
      return new ChannelError(`The push service refused the message as too large (${said})`, true);
    case 401:
    case 403:
      return new ChannelError(
        `The push service refused Firebreak’s VAPID signature (${said}): the subscription was probably made with other VAPID keys; re-enable push on that device, and check the provider’s keys were not changed`,
        true,
      );
    case 429:
      return new ChannelError(`The push service is rate limiting Firebreak (${said})`, false);
  }
  if (answer.status >= 500) return new ChannelError(`The push service failed (${said})`, false);
  if (answer.status >= 400) return new ChannelError(`The push service refused the message (${said})`, true);
  return new ChannelError(`The push service gave an unexpected answer (${said})`, false);
}

/** The endpoint's host only: the path is a capability (anyone holding it can push to the device). */
function safeHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'the push service';
  }
}
