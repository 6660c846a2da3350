import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, type TestApp } from '../../../../../test/support/app.js';
import { createHttpApp } from '../../../platform/http/app.js';
import type { ProviderLookup } from '../callbacks.js';
import { generateVapidKeys } from './vapid-keys.js';
import { webPushRoutes } from './webpush.routes.js';

// The route in the real HTTP layer with the real authenticator, over a hand-made provider lookup (the
// provider store is not part of this module); the authorization matrix walks it once it is wired in.
const keys = generateVapidKeys();

function lookupOf(providers: Array<{ id: string; kind: 'webpush' | 'smtp'; secrets: Record<string, string> }>): ProviderLookup {
  return {
    configOf: async (id) => {
      const found = providers.find((p) => p.id === id);
      return found ? { kind: found.kind, enabled: true, config: { id: found.id, name: found.id, settings: {}, secrets: found.secrets } } : null;
    },
    firstOfKind: async (kind) => {
      const found = providers.find((p) => p.kind === kind);
      return found ? { id: found.id, config: { id: found.id, name: found.id, settings: { subject: 'mailto:ops@example.com' }, secrets: found.secrets } } : null;
    },
  };
}

describe('GET /api/v1/push/config', () => {
  let t: TestApp;
  let app: FastifyInstance | null = null;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(async () => {
    await app?.close();
    app = null;
    await t.close();
  });

  const serve = async (lookup: ProviderLookup) => {
    const { services, logger, metrics } = t.firebreak;
    app = await createHttpApp({ config: t.config, logger, ids: services.ids, metrics, authenticator: services.auth, routes: webPushRoutes(lookup) });
    await app.ready();
    return app;
  };

  it('gives any signed-in person, a viewer included, the public key of the first web push provider and never the private key', async () => {
    const http = await serve(lookupOf([{ id: 'mail', kind: 'smtp', secrets: { password: 'x' } }, { id: 'push-1', kind: 'webpush', secrets: { ...keys } }]));
    const { token } = await t.userWithToken('viewer');
    const response = await http.inject({ method: 'GET', url: '/api/v1/push/config', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ publicKey: keys.publicKey });
    expect(response.body).not.toContain(keys.privateKey);
  });

  it('answers null when no web push provider is enabled, so the app explains instead of offering push', async () => {
    const http = await serve(lookupOf([{ id: 'mail', kind: 'smtp', secrets: {} }]));
    const { token } = await t.userWithToken('responder');
    const response = await http.inject({ method: 'GET', url: '/api/v1/push/config', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ publicKey: null });
  });

  it('refuses callers who are not signed in', async () => {
    const http = await serve(lookupOf([{ id: 'push-1', kind: 'webpush', secrets: { ...keys } }]));
    const response = await http.inject({ method: 'GET', url: '/api/v1/push/config' });
    expect(response.statusCode).toBe(401);
    expect(response.body).not.toContain(keys.publicKey);
  });
});
