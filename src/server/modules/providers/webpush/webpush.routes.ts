import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../../platform/http/route.js';
import type { ProviderLookup } from '../callbacks.js';

export const pushConfigSchema = z.object({
  publicKey: z
    .string()
    .nullable()
    .describe('The VAPID public key (base64url) to give `pushManager.subscribe` as `applicationServerKey`; null when no web push provider is enabled'),
});
export type PushConfig = z.infer<typeof pushConfigSchema>;

/**
 * What the web app needs to subscribe a device to push: the public key of the first enabled web push
 * provider. Any signed-in person may read it (it is public by design: every browser that subscribes
 * receives it); the private key never leaves the provider's sealed secrets.
 */
export function webPushRoutes(lookup: ProviderLookup): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/push/config',
      operationId: 'getPushConfig',
      summary: 'The VAPID public key browsers subscribe to push with, or null when web push is not configured',
      tag: 'Notifications (you)',
      auth: { role: 'viewer' },
      success: { status: 200, schema: pushConfigSchema },
      handler: async () => {
        const provider = await lookup.firstOfKind('webpush');
        const publicKey = provider?.config.secrets.publicKey;
        return { publicKey: typeof publicKey === 'string' && publicKey.length > 0 ? publicKey : null };
      },
    }),
  ];
}
