import { z } from 'zod';
import { EmailChannel } from '../../notify/channels/email.channel.js';
import { defineAdapter } from '../provider-adapter.js';

const smtpUrl = z
  .string()
  .max(2048)
  .refine((v) => /^smtps?:\/\/[^/\s]+/.test(v) && !/^smtps?:\/\/[^/]*@/.test(v), 'must be smtp://host:port (STARTTLS when offered) or smtps://host:465, without credentials (give them as username and password)');

/**
 * An SMTP relay (nodemailer). The instance's FIREBREAK_SMTP_URL is one such provider, built from the
 * environment; more can be added, for example a second relay to fail over to.
 */
export const smtpAdapter = defineAdapter({
  kind: 'smtp',
  channels: ['email'],
  fields: [
    { key: 'url', label: 'Server', secret: false, required: true, description: 'smtp://host:587 (STARTTLS when offered) or smtps://host:465', example: 'smtp://smtp.example.com:587' },
    { key: 'from', label: 'From', secret: false, required: true, description: 'The From header of every message', example: 'Firebreak <firebreak@example.com>' },
    { key: 'username', label: 'Username', secret: false, required: false, description: 'For SMTP AUTH, when the relay asks for it' },
    { key: 'password', label: 'Password', secret: true, required: false, description: 'For SMTP AUTH' },
  ],
  settings: z.strictObject({ url: smtpUrl, from: z.string().min(3).max(320), username: z.string().min(1).max(320).optional() }),
  secrets: z.strictObject({ password: z.string().min(1).optional() }),
  create({ settings, secrets }) {
    const url = new URL(settings.url);
    if (settings.username !== undefined) {
      url.username = encodeURIComponent(settings.username);
      url.password = encodeURIComponent(secrets.password ?? '');
    }
    return { email: new EmailChannel({ smtpUrl: url.toString(), from: settings.from }) };
  },
});
