import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../../platform/logger.js';
import { EMAIL_SIZE_LIMIT, EmailRefusal, type EmailIntakeService } from './email-intake.service.js';

export interface EmailListener {
  /** The port it listens on (the one asked for, or the free port chosen for 0). */
  port: number;
  /** Stops accepting connections and waits (up to `closeTimeoutMs`) for sessions in progress. */
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/**
 * The opt-in SMTP listener for email intake (FIREBREAK_INTAKE_SMTP_PORT; ADR 0017). It speaks plain
 * SMTP without AUTH or STARTTLS: put it behind your MTA (or a port only your monitoring reaches), as
 * with any MX. Replies follow the durability contract:
 *
 * - RCPT TO an unknown key or a non-email integration → 550; a disabled integration → 550 with why.
 * - A message over 512 KB → 552 (also refused up front when the client announces SIZE).
 * - 250 only after every recipient's event has committed; a database fault → 451, so the sending
 *   MTA keeps the message and retries later instead of bouncing it.
 */
export async function startEmailListener(options: { intake: EmailIntakeService; port: number; host: string; logger: Logger; closeTimeoutMs?: number }): Promise<EmailListener> {
  const { intake, logger } = options;
  const fault = (error: unknown, what: string) => {
    if (error instanceof EmailRefusal) return smtpError(error.responseCode, error.message);
    logger.error({ err: error }, `email intake failed at ${what}`);
    return smtpError(451, '4.3.0 Temporary failure storing the message; try again later');
  };

  const server = new SMTPServer({
    banner: 'Firebreak email intake',
    size: EMAIL_SIZE_LIMIT,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: options.closeTimeoutMs ?? 5_000,
    onRcptTo(address, _session, callback) {
      intake.recipient(address.address).then(
        () => callback(),
        (error: unknown) => callback(fault(error, 'RCPT TO')),
      );
    },
    onData(stream, session, reply) {
      // One reply per message, whichever of `error` and `end` comes first.
      let replied = false;
      const callback = (error: Error | null, message?: string) => {
        if (replied) return;
        replied = true;
        reply(error, message);
      };
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Keep reading past the limit (the client is still sending) but stop keeping it.
        if (size <= EMAIL_SIZE_LIMIT) chunks.push(chunk);
      });
      stream.on('error', (error) => callback(fault(error, 'DATA')));
      stream.on('end', () => {
        if (stream.sizeExceeded || size > EMAIL_SIZE_LIMIT) {
          callback(smtpError(552, `5.3.4 Message too big: the limit is ${EMAIL_SIZE_LIMIT / 1024} KB`));
          return;
        }
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        intake.receive(recipients, Buffer.concat(chunks)).then(
          (results) => {
            logger.info({ recipients: results.length, outcomes: results.map((r) => r.outcome) }, 'email intake: message accepted');
            callback(null, `Accepted: ${results.map((r) => r.outcome).join(', ')}`);
          },
          (error: unknown) => callback(fault(error, 'DATA')),
        );
      });
    },
  });
  server.on('error', (error) => logger.error({ err: error }, 'email intake listener error'));

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  logger.info({ port, host: options.host }, `email intake listening for SMTP on ${options.host}:${port}`);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
