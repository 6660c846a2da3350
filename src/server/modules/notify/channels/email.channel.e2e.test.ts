import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import { ChannelError } from './channel.js';
import { channelContract } from './channel.contract.js';
import { EmailChannel } from './email.channel.js';

// The real adapter against a real SMTP server in this process.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

channelContract('email over SMTP (nodemailer → smtp-server)', async () => {
  sink.clear();
  sink.refuse.add('nobody@example.com');
  return {
    channel: new EmailChannel({ smtpUrl: sink.url, from: 'Firebreak <firebreak@example.com>' }),
    deliverable: { type: 'email', email: 'ana@example.com' },
    refused: { type: 'email', email: 'nobody@example.com' },
    delivered: async () => sink.messages.map((m) => ({ recipient: m.envelope.to.join(','), subject: m.subject, text: m.text })),
    close: async () => {},
  };
});

describe('email channel specifics', () => {
  it('sends From as configured, To with the person’s name, and marks what kind of message it is', async () => {
    sink.clear();
    const channel = new EmailChannel({ smtpUrl: sink.url, from: 'Firebreak <pager@example.com>' });
    await channel.send({ to: { type: 'email', email: 'ana@example.com', name: 'Ana Lima' }, subject: 'Firebreak test notification', text: 'hello', kind: 'test' });
    const [mail] = sink.messages;
    expect(mail?.from).toBe('Firebreak <pager@example.com>');
    expect(mail?.to).toBe('Ana Lima <ana@example.com>');
    expect(mail?.envelope).toEqual({ from: 'pager@example.com', to: ['ana@example.com'] });
    expect(mail?.headers['x-firebreak-kind']).toBe('test');
  });

  it('reports an unreachable mail server as a failure that may pass, without the URL’s password', async () => {
    const closed = await startSmtpSink();
    const url = `smtp://firebreak:s3cret-pass@127.0.0.1:${closed.port}`;
    await closed.close();
    const channel = new EmailChannel({ smtpUrl: url, from: 'firebreak@example.com', timeoutMs: 2_000 });
    const error = await channel.send({ to: { type: 'email', email: 'ana@example.com' }, subject: 'Firebreak test notification', text: 'x', kind: 'test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(false);
    expect((error as ChannelError).message).not.toContain('s3cret-pass');
  });
});
