import { z } from 'zod';
import { defineAdapter } from '../provider-adapter.js';
import { DiscordChannel } from './discord.channel.js';

export const DISCORD_API_URL = 'https://discord.com/api/v10';

const httpUrl = z
  .string()
  .max(2048)
  .refine((v) => /^https?:\/\/[^/\s]+/.test(v) && !/^https?:\/\/[^/]*@/.test(v), 'must be an http(s) URL without credentials, such as https://discord.com/api/v10');

/**
 * A Discord bot that pages people by direct message (docs/providers.md). The bot must share a server
 * with each person, and they must allow direct messages from that server's members.
 */
export const discordAdapter = defineAdapter({
  kind: 'discord',
  channels: ['discord'],
  fields: [
    { key: 'botToken', label: 'Bot token', secret: true, required: true, description: 'Discord Developer Portal → your application → Bot → Reset Token' },
    { key: 'apiUrl', label: 'API URL', secret: false, required: false, description: `Discord's REST API; default ${DISCORD_API_URL}`, example: DISCORD_API_URL },
  ],
  settings: z.strictObject({ apiUrl: httpUrl.optional() }),
  secrets: z.strictObject({ botToken: z.string().min(1).max(512) }),
  create({ settings, secrets }, deps) {
    return { discord: new DiscordChannel({ apiUrl: settings.apiUrl ?? DISCORD_API_URL, botToken: secrets.botToken, userAgentUrl: deps.publicUrl, allowPrivate: deps.allowPrivate }) };
  },
});
