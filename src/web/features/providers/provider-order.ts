import { contactMethodTypes, type ContactMethodType } from '../../../contracts/notify.js';
import type { Provider } from '../../../contracts/providers.js';

/** A provider as one channel sees it: its place in the failover order, or why it is skipped. */
export interface ChannelEntry {
  provider: Provider;
  /** 1 for the provider tried first; null when it is not tried at all (disabled, or it has problems). */
  place: number | null;
}

/** Whether the server's failover would try this provider at all (disabled ones and ones with problems are left out). */
export function isActive(provider: Provider): boolean {
  return provider.enabled && provider.problems.length === 0;
}

/**
 * The providers of each channel in the order a page is tried, mirroring the server's FailoverChannel:
 * healthy (and not yet used) providers before unhealthy ones, then by position, then oldest first.
 * Providers that are not tried follow, unnumbered, so the list still shows every one.
 * Channels without any provider are left out.
 */
export function providersByChannel(providers: readonly Provider[]): { channel: ContactMethodType; entries: ChannelEntry[] }[] {
  const created = (p: Provider) => (p.createdAt ? Date.parse(p.createdAt) : 0);
  const order = (a: Provider, b: Provider) =>
    Number(a.health.status === 'unhealthy') - Number(b.health.status === 'unhealthy') || a.position - b.position || created(a) - created(b);
  return contactMethodTypes.flatMap((channel) => {
    const serving = providers.filter((p) => p.channels.includes(channel));
    if (serving.length === 0) return [];
    const active = serving.filter(isActive).sort(order);
    const skipped = serving.filter((p) => !isActive(p)).sort(order);
    return [{ channel, entries: [...active.map((provider, i) => ({ provider, place: i + 1 })), ...skipped.map((provider) => ({ provider, place: null }))] }];
  });
}
