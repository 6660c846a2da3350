import { z } from 'zod';
import { defineAdapter } from '../provider-adapter.js';
import { WebhookChannel } from './webhook.channel.js';

/**
 * Outgoing webhooks (docs/providers.md): one provider signs every person's webhook deliveries with its
 * secret; the URLs themselves are the people's contact methods.
 */
export const webhookAdapter = defineAdapter({
  kind: 'webhook',
  channels: ['webhook'],
  fields: [
    { key: 'signingSecret', label: 'Signing secret', secret: true, required: true, description: 'Receivers verify X-Firebreak-Signature with it: HMAC-SHA256 of "<t>.<body>" (at least 32 characters; openssl rand -hex 32)' },
    { key: 'timeoutSeconds', label: 'Timeout (seconds)', secret: false, required: false, description: 'How long a receiver may take to answer before the attempt counts as failed; default 10', example: '10' },
  ],
  settings: z.strictObject({ timeoutSeconds: z.coerce.number().int().min(1).max(30).optional() }),
  secrets: z.strictObject({ signingSecret: z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)').max(512) }),
  create({ settings, secrets }, deps) {
    return { webhook: new WebhookChannel({ signingSecret: secrets.signingSecret, allowPrivate: deps.allowPrivate, clock: deps.clock, timeoutMs: (settings.timeoutSeconds ?? 10) * 1000 }) };
  },
});
