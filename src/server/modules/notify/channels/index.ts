import { EmailChannel } from './email.channel.js';
import type { Channels } from './channel.js';

/**
 * The channels this instance delivers through, from its configuration. Only email exists so far
 * (when FIREBREAK_SMTP_URL is set); SMS, voice, push, chat and webhooks arrive with the paging release.
 */
export function createChannels(config: { smtpUrl: string | undefined; emailFrom: string }): Channels {
  return config.smtpUrl ? { email: new EmailChannel({ smtpUrl: config.smtpUrl, from: config.emailFrom }) } : {};
}
