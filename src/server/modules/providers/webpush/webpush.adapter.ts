import { z } from 'zod';
import { defineAdapter } from '../provider-adapter.js';
import { vapidKeysMatch, vapidPrivateKeyProblem, vapidPublicKeyProblem } from './vapid-keys.js';
import { WebPushChannel } from './webpush.channel.js';

/**
 * The VAPID `sub` claim (RFC 8292 §2.1): how a push service's operators reach whoever runs this
 * instance. Apple's service refuses `localhost` subjects, so a real host is required.
 */
const vapidSubject = z
  .string()
  .trim()
  .max(512)
  .refine((v) => {
    try {
      const url = new URL(v);
      if (url.protocol === 'mailto:') return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(decodeURIComponent(url.pathname));
      return url.protocol === 'https:' && url.hostname !== 'localhost' && url.hostname.includes('.');
    } catch {
      return false;
    }
  }, 'must be a mailto: address (mailto:oncall-admins@example.com) or an https: URL of a real host, where push services can reach whoever runs Firebreak');

const keyField = (problem: (v: string) => string | null) =>
  z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      const found = problem(v);
      if (found) ctx.addIssue({ code: 'custom', message: found });
    });

/**
 * Web push (VAPID) to the Firebreak web app installed on people's devices (a PWA). The first enabled
 * provider of this kind also gives browsers the public key they subscribe with
 * (`GET /api/v1/push/config`); a second one can serve as failover only with the same keys, since
 * every subscription is bound to the key it was made with.
 */
export const webPushAdapter = defineAdapter({
  kind: 'webpush',
  channels: ['push'],
  fields: [
    { key: 'subject', label: 'Contact (VAPID subject)', secret: false, required: true, description: 'A mailto: address or https: URL where push services can reach whoever runs Firebreak', example: 'mailto:oncall-admins@example.com' },
    { key: 'publicKey', label: 'VAPID public key', secret: true, required: true, description: 'From `npx web-push generate-vapid-keys`: the 65-byte public key, base64url. Changing it means everyone re-enables push' },
    { key: 'privateKey', label: 'VAPID private key', secret: true, required: true, description: 'From the same command: the 32-byte private key, base64url' },
  ],
  settings: z.strictObject({ subject: vapidSubject }),
  secrets: z
    .strictObject({ publicKey: keyField(vapidPublicKeyProblem), privateKey: keyField(vapidPrivateKeyProblem) })
    .superRefine((keys, ctx) => {
      // Only a well-formed pair can be compared; malformed keys already carry their own issue.
      // (The provider API also checks each secret alone, with the other one absent.)
      if (typeof keys.publicKey !== 'string' || typeof keys.privateKey !== 'string') return;
      if (vapidPublicKeyProblem(keys.publicKey) || vapidPrivateKeyProblem(keys.privateKey)) return;
      if (!vapidKeysMatch(keys)) ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'is not the private key of this public key: give the pair `web-push generate-vapid-keys` printed together' });
    }),
  create({ settings, secrets }, deps) {
    return {
      push: new WebPushChannel({ subject: settings.subject, publicKey: secrets.publicKey, privateKey: secrets.privateKey, allowPrivate: deps.allowPrivate, publicUrl: deps.publicUrl }),
    };
  },
});
