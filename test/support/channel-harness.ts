import { ManualClock } from '../../src/server/platform/clock.js';
import type { PageContext } from '../../src/server/modules/notify/channels/channel.js';
import type { AdapterDeps } from '../../src/server/modules/providers/provider-adapter.js';

/**
 * Shared set-up for the provider channel tests (`<kind>.channel.e2e.test.ts`), which build the real
 * adapter against a local fake of the provider. Only the parts that were the same in every test live
 * here; what each provider sends and how its fake reads it stays in that provider's test.
 */

export const TEST_PUBLIC_URL = 'https://firebreak.example.com';

/**
 * What the provider registry gives `adapter.create` on a test machine: private addresses allowed (the
 * fakes listen on 127.0.0.1), the example public URL and a manual clock, unless `overrides` say otherwise.
 */
export function adapterDeps(overrides: Partial<AdapterDeps> = {}): AdapterDeps {
  return { allowPrivate: true, publicUrl: TEST_PUBLIC_URL, clock: new ManualClock(), ...overrides };
}

/**
 * Alert #42 "Checkout 5xx above 2%" on Checkout API, critical and triggered, with the recipient's
 * one-click acknowledge and resolve links (`…/a/tok-ack`, `…/a/tok-res`).
 */
export const checkoutPage = (overrides: Partial<PageContext> = {}): PageContext => ({
  alertId: 'alr_01HZX',
  alertNumber: 42,
  title: 'Checkout 5xx above 2%',
  serviceName: 'Checkout API',
  severity: 'critical',
  status: 'triggered',
  url: `${TEST_PUBLIC_URL}/alerts/42`,
  actions: { acknowledge: `${TEST_PUBLIC_URL}/a/tok-ack`, resolve: `${TEST_PUBLIC_URL}/a/tok-res` },
  ...overrides,
});

/**
 * Alert #42 "error rate above 5%" on Checkout API, critical and triggered, with a ULID-shaped alert id
 * and the recipient's one-click links (`…/a/ack-token`, `…/a/res-token`).
 */
export const errorRatePage = (overrides: Partial<PageContext> = {}): PageContext => ({
  alertId: '01JD0000000000000000000042',
  alertNumber: 42,
  title: 'error rate above 5%',
  serviceName: 'Checkout API',
  severity: 'critical',
  status: 'triggered',
  url: `${TEST_PUBLIC_URL}/alerts/42`,
  actions: { acknowledge: `${TEST_PUBLIC_URL}/a/ack-token`, resolve: `${TEST_PUBLIC_URL}/a/res-token` },
  ...overrides,
});
