import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../platform/clock.js';
import { outboundRequest, OutboundRefused } from '../../../platform/http/outbound.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';
import { webhookPayload } from './webhook-payload.js';
import { signWebhookPayload } from './webhook-signature.js';

export interface WebhookChannelOptions {
  signingSecret: string;
  allowPrivate: boolean;
  clock: Clock;
  timeoutMs?: number;
}

/**
 * Personal webhooks (docs/providers.md): each person's own URL receives every page as signed JSON,
 * to drive a home-automation siren, a custom app or a ticket. The URL may carry a credential in its
 * path or query, so it is never repeated in errors (they reach the alert's timeline).
 */
export class WebhookChannel implements Channel {
  readonly type = 'webhook' as const;

  constructor(private readonly options: WebhookChannelOptions) {}

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'webhook') throw new ChannelError('unreachable', true);
    const now = this.options.clock.now();
    // Without a notification's key (verification codes, "send test"), every send is its own delivery.
    const id = message.idempotencyKey ?? randomUUID();
    const payload = webhookPayload(message, id, now);
    const body = JSON.stringify(payload);
    const headers = {
      'x-firebreak-signature': signWebhookPayload(this.options.signingSecret, Math.floor(now / 1000), body),
      'x-firebreak-event': payload.event,
      'x-firebreak-webhook-version': String(payload.version),
      'idempotency-key': id,
    };
    let answer;
    try {
      answer = await outboundRequest(
        message.to.url,
        { method: 'POST', body, contentType: 'application/json' },
        { allowPrivate: this.options.allowPrivate, headers, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) },
      );
    } catch (error) {
      if (error instanceof OutboundRefused) throw new ChannelError(`The webhook URL is refused: ${error.message}`, true, { cause: error });
      throw new ChannelError(`Could not reach the webhook: ${(error as Error).message}`, false, { cause: error });
    }
    if (answer.status >= 200 && answer.status < 300) return { providerMessageId: id };
    throw webhookError(answer.status, answer.body);
  }
}

/**
 * What the receiver's answer means. 2xx: delivered. 408, 429 and 5xx may pass: transient. A redirect
 * (never followed, it could lead to a private address), 410 Gone and every other 4xx are the
 * receiver's settled answer: permanent, so paging moves on to the person's next contact method.
 */
export function webhookError(status: number, body: string): ChannelError {
  const said = body.trim().slice(0, 200).replace(/\s+/g, ' ');
  const detail = said ? `: ${said}` : '';
  if (status === 408 || status === 429 || status >= 500) return new ChannelError(`The webhook answered HTTP ${status}${detail}`, false);
  if (status === 410) return new ChannelError(`The webhook answered 410 Gone: the receiver no longer accepts deliveries; remove or replace this contact method`, true);
  if (status >= 300 && status < 400) return new ChannelError(`The webhook answered with a redirect (HTTP ${status}), which Firebreak does not follow: give the final URL`, true);
  return new ChannelError(`The webhook refused the delivery (HTTP ${status})${detail}`, true);
}
