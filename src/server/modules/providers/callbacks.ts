import type { FastifyPluginAsync } from 'fastify';
import type { ProviderKind } from '../../../contracts/providers.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { PagingInbound } from '../paging/inbound.js';
import type { ProviderConfig } from './provider-adapter.js';
import { telegramCallbacks } from './telegram/telegram.callbacks.js';
import { twilioCallbacks } from './twilio/twilio.callbacks.js';
import { slackCallbacks } from './slack/slack.callbacks.js';
import { mattermostCallbacks } from './mattermost/mattermost.callbacks.js';
import { vonageCallbacks } from './vonage/vonage.callbacks.js';

/** Finds a configured provider with its secrets opened, for verifying a callback it signed. */
export interface ProviderLookup {
  configOf(id: string): Promise<{ kind: ProviderKind; enabled: boolean; config: ProviderConfig } | null>;
  /** The first enabled provider of a kind by position (the VAPID keys for web push), or null. */
  firstOfKind(kind: ProviderKind): Promise<{ id: string; config: ProviderConfig } | null>;
}

export interface CallbackDeps {
  providers: ProviderLookup;
  inbound: PagingInbound;
  clock: Clock;
  logger: Logger;
  /** Firebreak's public URL: signatures that cover the URL (Twilio's) are checked against it. */
  publicUrl: string;
  /** Per client address and minute, like the other public endpoints (FIREBREAK_PUBLIC_RATE_LIMIT). */
  ratePerMinute: number;
  /** FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: replies to the provider (Slack response_url, Telegram) may go to private addresses. */
  allowPrivate?: boolean;
}

/** Where a provider's callbacks arrive: `/integrations/providers/<kind>/<provider id>/<what>`. */
export const callbackPath = (kind: ProviderKind, providerId: string, what: string) => `/integrations/providers/${kind}/${providerId}/${what}`;

/**
 * Inbound requests from providers (status callbacks, SMS replies, voice key presses, chat button
 * interactions): outside `/api`, in each provider's own wire format, verified by the provider's own
 * signature scheme before anything is read (docs/providers.md). A wrong signature answers 401/403 and
 * changes nothing.
 */
export function providerCallbacks(deps: CallbackDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(twilioCallbacks(deps));
    await app.register(telegramCallbacks(deps));
    await app.register(slackCallbacks(deps));
    await app.register(mattermostCallbacks(deps));
    await app.register(vonageCallbacks(deps));
  };
}
