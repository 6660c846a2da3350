import { z } from 'zod';
import { callbackPath } from '../callbacks.js';
import { defineAdapter } from '../provider-adapter.js';
import { TELEGRAM_API_URL } from './telegram.api.js';
import { TelegramChannel } from './telegram.channel.js';

/**
 * A Telegram bot (docs/providers.md). People send `/start` to it, add the chat id it answers with as a
 * contact method, and receive pages with Acknowledge and Resolve buttons. Button presses arrive at the
 * `updates` callback URL, which the admin registers once with `setWebhook` and the webhook secret.
 */
export const telegramAdapter = defineAdapter({
  kind: 'telegram',
  channels: ['telegram'],
  fields: [
    { key: 'botToken', label: 'Bot token', secret: true, required: true, description: 'From @BotFather (/newbot), such as 123456789:AAE…' },
    {
      key: 'webhookSecret',
      label: 'Webhook secret',
      secret: true,
      required: true,
      description: 'Any 16–256 letters, digits, _ or - (openssl rand -hex 32 gives one); pass it as secret_token to setWebhook so Firebreak can tell Telegram’s button presses from forgeries',
      example: '3f9a1c2e8b7d4f60a1b2c3d4e5f60718',
    },
    { key: 'apiUrl', label: 'API URL', secret: false, required: false, description: `The Bot API server; default ${TELEGRAM_API_URL} (or your own telegram-bot-api server)`, example: TELEGRAM_API_URL },
  ],
  settings: z.strictObject({
    apiUrl: z
      .string()
      .max(2048)
      .refine((v) => /^https?:\/\/[^/\s]+/.test(v) && !/^https?:\/\/[^/]*@/.test(v), 'must be an http(s) URL without credentials, such as https://api.telegram.org')
      .optional(),
  }),
  secrets: z.strictObject({
    botToken: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'must be a bot token from @BotFather: digits, a colon, then letters, digits, _ and -'),
    webhookSecret: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 letters, digits, _ or - (Telegram’s rule for secret_token); openssl rand -hex 32 gives one'),
  }),
  create({ settings, secrets }, deps) {
    return { telegram: new TelegramChannel({ apiUrl: settings.apiUrl ?? TELEGRAM_API_URL, botToken: secrets.botToken, allowPrivate: deps.allowPrivate }) };
  },
  callbackUrls: ({ id }, publicUrl) => ({ updates: `${publicUrl.replace(/\/+$/, '')}${callbackPath('telegram', id, 'updates')}` }),
});
