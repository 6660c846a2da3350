import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { ContactMethod } from '../../src/contracts/notify.js';
import type { CallbackDeps } from '../../src/server/modules/providers/callbacks.js';
import { ManualClock } from '../../src/server/platform/clock.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { buildTestApp, json, type TestApp } from './app.js';
import { TEST_PUBLIC_URL } from './channel-harness.js';
import { requestsAs, type Person } from './people.js';
import type { SmtpSink } from './smtp-sink.js';

/**
 * Shared set-up for the provider end-to-end tests (a provider created through the API, a person paged
 * through a local fake of it, the fake calling back). What each provider sends, and how its fake
 * answers and calls back, stays in that provider's test.
 */

/**
 * The real app as the provider tests page through it: mail to `sink`, the example public URL,
 * provider URLs on 127.0.0.1 allowed (FIREBREAK_ALLOW_PRIVATE_WEBHOOKS), a manual clock at
 * 2026-11-21 09:00 UTC; `env` adds to or overrides those settings.
 */
export function buildProviderTestApp(sink: SmtpSink, env: Record<string, string> = {}): Promise<TestApp> {
  return buildTestApp({
    clock: new ManualClock('2026-11-21T09:00:00Z'),
    env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: TEST_PUBLIC_URL, FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true', ...env },
  });
}

/**
 * One provider's callback plugin on a bare fastify app, wired to the test app's services and allowed
 * to reach the fake on 127.0.0.1 for its replies (the full server wires every plugin the same way).
 */
export async function startCallbackPlugin(t: TestApp, plugin: (deps: CallbackDeps) => FastifyPluginAsync): Promise<FastifyInstance> {
  const { services } = t.firebreak;
  const app = Fastify();
  await app.register(plugin({ providers: services.providers, inbound: services.pagingInbound, clock: t.clock, logger: createLogger('silent'), publicUrl: TEST_PUBLIC_URL, ratePerMinute: 60, allowPrivate: true }));
  return app;
}

/**
 * Adds a `type` contact method at `address` for `who`, asks for a verification code, runs the due jobs
 * so the code goes out through the provider, and verifies with what `readCode` finds in the fake.
 */
export async function addVerifiedContact(t: TestApp, who: Person, type: string, address: string, readCode: () => string | undefined): Promise<ContactMethod> {
  const { ok } = requestsAs(() => t);
  const method = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', who, { type, address }));
  await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, who);
  await t.firebreak.runner.runDueJobs();
  await ok('POST', `/api/v1/me/contact-methods/${method.id}/verify`, who, { code: readCode() });
  return method;
}

