import { z } from 'zod';
import { defineAdapter } from '../provider-adapter.js';
import { NtfyChannel } from './ntfy.channel.js';

export const NTFY_SERVER_URL = 'https://ntfy.sh';

/**
 * An ntfy server (docs/providers.md). Each person subscribes to their own topic in the ntfy app and
 * adds it as a contact method; on ntfy.sh the topic name is the only secret, so it is sealed.
 */
export const ntfyAdapter = defineAdapter({
  kind: 'ntfy',
  channels: ['ntfy'],
  fields: [
    { key: 'serverUrl', label: 'Server', secret: false, required: false, description: `The ntfy server's base URL; default ${NTFY_SERVER_URL}`, example: 'https://ntfy.example.com' },
    { key: 'accessToken', label: 'Access token', secret: true, required: false, description: 'For servers with access control: a token (tk_…) of a user allowed to write to the topics' },
  ],
  settings: z.strictObject({
    serverUrl: z
      .string()
      .max(2048)
      .refine((v) => /^https?:\/\/[^/\s]+/.test(v) && !/^https?:\/\/[^/]*@/.test(v), 'must be an http(s) URL without credentials, such as https://ntfy.example.com (give a token as accessToken)')
      .optional(),
  }),
  secrets: z.strictObject({ accessToken: z.string().min(1).max(512).optional() }),
  create({ settings, secrets }, deps) {
    return {
      ntfy: new NtfyChannel({ serverUrl: settings.serverUrl ?? NTFY_SERVER_URL, allowPrivate: deps.allowPrivate, ...(secrets.accessToken ? { accessToken: secrets.accessToken } : {}) }),
    };
  },
});
