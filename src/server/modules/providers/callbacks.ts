import type { FastifyPluginAsync } from 'fastify';
import type { ProviderKind } from '../../../contracts/providers.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { PagingInbound } from '../paging/inbound.js';
import type { ProviderConfig } from './provider-adapter.js';

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
    void deps;
    void app;
  };
}
