import type { ContactMethodType } from '../../../contracts/notify.js';
import { ChannelError, type Channel, type ChannelMessage, type ProviderAttempt, type SendResult } from '../notify/channels/channel.js';
import type { HealthBook } from './health.js';

/** One provider's channel for a contact method type, with what orders it. */
export interface RoutedChannel {
  providerId: string;
  provider: string;
  position: number;
  createdAt: number;
  channel: Channel;
}

/**
 * The channel senders see for one contact method type (ADR 0025): tries each configured provider in
 * order — healthy ones by position, then unhealthy ones — until one accepts. Every answer is recorded
 * on the provider's health and returned in `attempts`, so the alert's timeline shows "twilio-main
 * failed (503), vonage delivered". The final error is permanent only when every provider refused the
 * message for good (a recipient no provider can reach); otherwise it may be retried.
 */
export class FailoverChannel implements Channel {
  constructor(
    readonly type: ContactMethodType,
    private readonly routes: readonly RoutedChannel[],
    private readonly health: HealthBook,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The providers in the order the next send tries them. */
  order(): RoutedChannel[] {
    return [...this.routes].sort((a, b) => Number(this.health.unhealthy(a.providerId)) - Number(this.health.unhealthy(b.providerId)) || a.position - b.position || a.createdAt - b.createdAt);
  }

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    const attempts: ProviderAttempt[] = [];
    let allPermanent = true;
    let last: unknown = null;
    // The soonest any provider that may still succeed is willing to be asked again; null: one set no wait.
    let waitMs: number | null | undefined;
    for (const route of this.order()) {
      if (options.signal?.aborted) break;
      const started = this.now();
      try {
        const result = await route.channel.send(message, options);
        attempts.push({ providerId: route.providerId, provider: route.provider, ok: true, latencyMs: Math.round(this.now() - started) });
        await this.health.record(route.providerId, { ok: true });
        return { ...result, provider: { id: route.providerId, name: route.provider }, attempts };
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        const permanent = error instanceof ChannelError && error.permanent;
        attempts.push({ providerId: route.providerId, provider: route.provider, ok: false, latencyMs: Math.round(this.now() - started), error: text });
        if (!permanent) {
          allPermanent = false;
          const asked = error instanceof ChannelError ? error.retryAfterMs : undefined;
          waitMs = asked === undefined || waitMs === null ? null : Math.min(waitMs ?? asked, asked);
          await this.health.record(route.providerId, { ok: false, error: text });
        }
        last = error;
      }
    }
    const summary = attempts.map((a) => `${a.provider}: ${a.error}`).join('; ');
    throw new ChannelError(attempts.length === 1 ? (last instanceof Error ? last.message : summary) : `every provider failed (${summary})`, allPermanent && attempts.length > 0, { cause: last, attempts, ...(typeof waitMs === 'number' ? { retryAfterMs: waitMs } : {}) });
  }
}
