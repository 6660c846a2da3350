import { z } from 'zod';
import { callbackPath } from '../callbacks.js';
import { defineAdapter } from '../provider-adapter.js';
import { SLACK_API_URL } from './slack.api.js';
import { SlackChannel } from './slack.channel.js';

const httpsUrl = z
  .string()
  .max(2048)
  .refine((v) => /^https?:\/\/[^/\s]+/.test(v), 'must be an http(s) URL such as https://slack.com/api');

/**
 * A Slack app (docs/providers.md): pages arrive as direct messages from its bot, with Acknowledge and
 * Resolve buttons that come back, signed, to the `interactions` callback (`slack.callbacks.ts`).
 */
export const slackAdapter = defineAdapter({
  kind: 'slack',
  channels: ['slack'],
  fields: [
    { key: 'apiUrl', label: 'API URL', secret: false, required: false, description: 'Slack’s Web API base URL; change it only for GovSlack or a test server', example: SLACK_API_URL },
    { key: 'botToken', label: 'Bot token', secret: true, required: true, description: 'The Bot User OAuth Token from the app’s OAuth & Permissions page (scopes chat:write and im:write)', example: 'xoxb-…' },
    { key: 'signingSecret', label: 'Signing secret', secret: true, required: true, description: 'From the app’s Basic Information page; verifies button clicks' },
  ],
  settings: z.strictObject({ apiUrl: httpsUrl.optional() }),
  secrets: z.strictObject({
    botToken: z.string().regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a bot token starting xoxb- (OAuth & Permissions → Bot User OAuth Token)'),
    signingSecret: z.string().min(16).max(128),
  }),
  create({ settings, secrets }, deps) {
    return { slack: new SlackChannel({ apiUrl: settings.apiUrl ?? SLACK_API_URL, botToken: secrets.botToken, allowPrivate: deps.allowPrivate, now: () => deps.clock.now() }) };
  },
  callbackUrls: ({ id }, publicUrl) => ({ interactions: `${publicUrl.replace(/\/+$/, '')}${callbackPath('slack', id, 'interactions')}` }),
});
