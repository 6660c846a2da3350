import type { ProviderKind } from '../../../contracts/providers.js';
import type { ProviderAdapter } from './provider-adapter.js';
import { smtpAdapter } from './smtp/smtp.adapter.js';
import { twilioAdapter } from './twilio/twilio.adapter.js';
import { vonageAdapter } from './vonage/vonage.adapter.js';
import { webPushAdapter } from './webpush/webpush.adapter.js';
import { discordAdapter } from './discord/discord.adapter.js';
import { ntfyAdapter } from './ntfy/ntfy.adapter.js';
import { telegramAdapter } from './telegram/telegram.adapter.js';
import { webhookAdapter } from './webhook/webhook.adapter.js';
import { slackAdapter } from './slack/slack.adapter.js';
import { mattermostAdapter } from './mattermost/mattermost.adapter.js';
import { teamsAdapter } from './teams/teams.adapter.js';

/**
 * Every provider kind Firebreak can deliver through. A kind missing here is refused by the API with a
 * clear error (it has not been built).
 */
export const providerAdapters: Partial<Record<ProviderKind, ProviderAdapter>> = {
  smtp: smtpAdapter,
  webpush: webPushAdapter,
  twilio: twilioAdapter,
  vonage: vonageAdapter,
  discord: discordAdapter,
  telegram: telegramAdapter,
  ntfy: ntfyAdapter,
  webhook: webhookAdapter,
  slack: slackAdapter,
  mattermost: mattermostAdapter,
  teams: teamsAdapter,
};
