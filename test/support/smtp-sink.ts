import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the sink accepted, with the parts tests check decoded from its MIME form. */
export interface ReceivedMail {
  /** The SMTP envelope: MAIL FROM and RCPT TO. */
  envelope: { from: string | null; to: string[] };
  /** Header fields, lowercase names, encoded words decoded. */
  headers: Record<string, string>;
  from: string;
  to: string;
  subject: string;
  /** The text/plain body, transfer encoding undone, line endings as `\n`. */
  text: string;
  raw: string;
}

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:<port>`, for FIREBREAK_SMTP_URL. */
  url: string;
  messages: ReceivedMail[];
  /** Recipients answered `550 No such user` at RCPT TO, like a real relay refusing a mailbox. */
  refuse: Set<string>;
  /** Resolves with the first message (already received or arriving later) that matches. */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  clear(): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server inside the test process (ENVIRONMENT.md, "Email"): port 0, no root, no reverse
 * DNS wait, any or no authentication. STARTTLS is not offered, so a plain `smtp://` URL sends in clear
 * text to it without extra client options, exactly as Firebreak is configured in production.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address.toLowerCase())) {
        callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, to: session.envelope.rcptTo.map((r) => r.address) };
        messages.push({ envelope, ...parseMessage(raw), raw });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  const listening = server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    listening.once('listening', resolve);
    listening.once('error', reject);
  });
  const port = (listening.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuse,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(onMessage);
          resolve(found);
          return true;
        };
        const onMessage = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(onMessage);
          reject(new Error(`No matching mail within ${timeoutMs} ms; received: ${JSON.stringify(messages.map((m) => m.subject))}`));
        }, timeoutMs);
        waiters.add(onMessage);
        check();
      });
    },
    clear() {
      messages.length = 0;
      refuse.clear();
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Splits a MIME entity into unfolded header fields and its body. */
function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** RFC 2047 encoded words (`=?UTF-8?Q?caf=C3=A9?=`, `=?UTF-8?B?…?=`); adjacent words join without the space between them. */
function decodeWords(value: string): string {
  return value.replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1').replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, enc: string, text: string) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text.replace(/_/g, ' '));
    return bytes.toString('utf8');
  });
}

function qpBytes(text: string): Buffer {
  const out: number[] = [];
  const source = text.replace(/=\n/g, '');
  for (let i = 0; i < source.length; i++) {
    const hex = source.slice(i + 1, i + 3);
    if (source[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(...Buffer.from(source[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(out);
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return qpBytes(body).toString('utf8');
    default:
      return body;
  }
}

/** The first text/plain part, looking inside multipart entities. */
function textOf(headers: Record<string, string>, body: string): string | null {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const entity = splitEntity(part.replace(/^\n/, ''));
      const text = textOf(entity.headers, entity.body);
      if (text !== null) return text;
    }
    return null;
  }
  if (!/^text\/plain/i.test(type)) return null;
  return decodeBody(body, headers['content-transfer-encoding']).replace(/\n$/, '');
}

function parseMessage(raw: string): Omit<ReceivedMail, 'envelope' | 'raw'> {
  const { headers, body } = splitEntity(raw);
  return { headers, from: headers.from ?? '', to: headers.to ?? '', subject: headers.subject ?? '', text: textOf(headers, body) ?? '' };
}
