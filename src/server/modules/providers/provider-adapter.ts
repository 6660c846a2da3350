import type { z } from 'zod';
import type { ContactMethodType } from '../../../contracts/notify.js';
import type { ProviderField, ProviderKind } from '../../../contracts/providers.js';
import type { Clock } from '../../platform/clock.js';
import type { Channel } from '../notify/channels/channel.js';

/** One configured provider, secrets opened, as an adapter receives it. */
export interface ProviderConfig<S = Record<string, unknown>, K = Record<string, string | undefined>> {
  id: string;
  /** The provider's handle (`twilio-main`), shown on timelines. */
  name: string;
  settings: S;
  secrets: K;
}

/** What every adapter may use. Outbound HTTP goes through `platform/http/outbound.ts` with `allowPrivate`. */
export interface AdapterDeps {
  /** FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: tests point provider base URLs at local fake servers. */
  allowPrivate: boolean;
  /** Firebreak's public URL: callback URLs the provider is told about start with it. */
  publicUrl: string;
  clock: Clock;
}

/**
 * One kind of provider (docs/providers.md): its fields, how they are validated, and the channels it
 * builds from a configuration. Each adapter lives in its own folder under `modules/providers/<kind>/`
 * with a local fake server (`test/support/fakes/<kind>.ts`) that checks every request exactly as the
 * provider documents it, and runs the shared channel contract suite.
 */
export interface ProviderAdapter<S extends Record<string, unknown> = Record<string, unknown>, K extends Record<string, string | undefined> = Record<string, string | undefined>> {
  kind: ProviderKind;
  channels: readonly ContactMethodType[];
  /** Shown by the settings form and `GET /api/v1/notification-provider-kinds`, in order. */
  fields: readonly ProviderField[];
  /** Non-secret settings (a strict object: unknown keys are refused). */
  settings: z.ZodType<S, Record<string, unknown>>;
  /** Secret values, already read from the sealed column or the environment. */
  secrets: z.ZodType<K, Record<string, unknown>>;
  /** Builds the channels; must not do I/O (called whenever providers are reloaded). */
  create(config: ProviderConfig<S, K>, deps: AdapterDeps): Partial<Record<ContactMethodType, Channel>>;
  /** URLs to enter in the provider's console, by name (`status`, `inbound`, `interactions`…). */
  callbackUrls?(config: { id: string; name: string }, publicUrl: string): Record<string, string>;
}

/** Type-checks an adapter against its own schemas, then erases the types for the registry. */
export function defineAdapter<S extends Record<string, unknown>, K extends Record<string, string | undefined>>(adapter: ProviderAdapter<S, K>): ProviderAdapter {
  return adapter as unknown as ProviderAdapter;
}
