import { z } from 'zod';
import { callbackPath } from '../callbacks.js';
import { defineAdapter } from '../provider-adapter.js';
import { MattermostChannel } from './mattermost.channel.js';

const actionsUrl = (publicUrl: string, id: string) => `${publicUrl.replace(/\/+$/, '')}${callbackPath('mattermost', id, 'actions')}`;

/**
 * A Mattermost bot account (docs/providers.md): pages arrive as direct messages with Acknowledge and
 * Resolve buttons whose clicks Mattermost posts to the `actions` callback (`mattermost.callbacks.ts`).
 */
export const mattermostAdapter = defineAdapter({
  kind: 'mattermost',
  channels: ['mattermost'],
  fields: [
    { key: 'serverUrl', label: 'Server URL', secret: false, required: true, description: 'The Mattermost server’s address, as people open it', example: 'https://chat.example.com' },
    { key: 'botToken', label: 'Bot access token', secret: true, required: true, description: 'An access token of a bot account (Integrations → Bot Accounts → Create New Token)' },
    {
      key: 'callbackSecret',
      label: 'Callback secret',
      secret: true,
      required: true,
      description: 'A long random string (openssl rand -hex 32). Mattermost does not sign button clicks, so Firebreak puts this in each button and accepts only clicks that bring it back',
    },
  ],
  settings: z.strictObject({
    serverUrl: z
      .string()
      .max(2048)
      .refine((v) => /^https?:\/\/[^/\s]+/.test(v), 'must be the server’s http(s) URL such as https://chat.example.com'),
  }),
  secrets: z.strictObject({
    botToken: z.string().regex(/^[A-Za-z0-9]{20,64}$/, 'must be a Mattermost access token: 26 letters and digits'),
    callbackSecret: z.string().min(24, 'must be at least 24 characters; use a long random string such as `openssl rand -hex 32`').max(256),
  }),
  create({ id, settings, secrets }, deps) {
    return {
      mattermost: new MattermostChannel({ serverUrl: settings.serverUrl, botToken: secrets.botToken, callbackSecret: secrets.callbackSecret, actionsUrl: actionsUrl(deps.publicUrl, id), allowPrivate: deps.allowPrivate }),
    };
  },
  callbackUrls: ({ id }, publicUrl) => ({ actions: actionsUrl(publicUrl, id) }),
});
