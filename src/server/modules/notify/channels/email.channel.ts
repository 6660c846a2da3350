import { createTransport } from 'nodemailer';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from './channel.js';

export interface EmailChannelOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the start). */
  smtpUrl: string;
  /** The From header: `Firebreak <firebreak@example.com>`. */
  from: string;
  /** Connection and greeting timeouts in milliseconds. Default 10 s: a stuck relay must not hold a delivery worker for minutes. */
  timeoutMs?: number;
}

/**
 * Email over SMTP with nodemailer. One connection per message (no pool): verification codes and test
 * messages are rare, and a fresh connection never reuses a socket the relay has silently dropped.
 */
export class EmailChannel implements Channel {
  readonly type = 'email' as const;
  private readonly transport;

  constructor(private readonly options: EmailChannelOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.transport = createTransport({
      url: options.smtpUrl,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
      // Messages are built from Firebreak's own text; never let content pull in files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'email') throw new ChannelError('unreachable', true);
    const to = message.to.name ? { name: message.to.name, address: message.to.email } : message.to.email;
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to,
        subject: message.subject,
        text: message.text,
        ...(message.html !== undefined ? { html: message.html } : {}),
        // A resent page keeps its Message-ID, so mail clients and relays show it once.
        ...(message.idempotencyKey !== undefined ? { messageId: `<${message.idempotencyKey.replace(/[^A-Za-z0-9._-]/g, '.')}@firebreak>` } : {}),
        headers: {
          'X-Firebreak-Kind': message.kind,
          // RFC 8058 one-click unsubscribe: the client POSTs `List-Unsubscribe=One-Click` to the URL.
          ...(message.unsubscribeUrl !== undefined ? { 'List-Unsubscribe': `<${message.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return info.messageId ? { providerMessageId: info.messageId } : {};
    } catch (error) {
      throw toChannelError(error);
    }
  }
}

/** Nodemailer marks SMTP replies 5xx (except 503) as permanent; connection failures carry no reply and may pass. */
function toChannelError(error: unknown): ChannelError {
  const e = error as { message?: string; responseCode?: number; permanent?: boolean; code?: string };
  const permanent = e.permanent === true;
  const reply = e.responseCode ? ` (SMTP ${e.responseCode})` : e.code ? ` (${e.code})` : '';
  // The message never holds the SMTP URL's password: nodemailer reports the host, not the URL.
  return new ChannelError(`The mail server did not accept the message${reply}: ${e.message ?? String(error)}`, permanent, { cause: error });
}
