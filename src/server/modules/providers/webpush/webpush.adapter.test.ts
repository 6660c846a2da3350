import { Writable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerWebPushCommands } from './vapid-keys.command.js';
import { generateVapidKeys, vapidKeysMatch } from './vapid-keys.js';
import { webPushAdapter } from './webpush.adapter.js';
import { MAX_PUSH_PLAINTEXT_BYTES, pushPayload, pushTopic } from './webpush.channel.js';

const keys = generateVapidKeys();

const issuesOf = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  (result.error?.issues ?? []).map((i) => `${i.path.map(String).join('.')}: ${i.message}`);

describe('web push provider settings', () => {
  it.each(['mailto:oncall-admins@example.com', 'https://status.example.com/contact'])('accepts the VAPID subject %s', (subject) => {
    expect(webPushAdapter.settings.safeParse({ subject }).success).toBe(true);
  });

  it.each([
    ['oncall@example.com', 'no scheme'],
    ['http://example.com', 'plain http'],
    ['https://localhost/contact', 'localhost, which Apple refuses'],
    ['mailto:nobody', 'no address'],
  ])('refuses the VAPID subject %s (%s), naming what it must be', (subject) => {
    expect(issuesOf(webPushAdapter.settings.safeParse({ subject }))).toEqual([expect.stringMatching(/^subject: must be a mailto: address/)]);
  });

  it('refuses unknown settings', () => {
    expect(webPushAdapter.settings.safeParse({ subject: 'mailto:a@example.com', ttl: 60 }).success).toBe(false);
  });
});

describe('web push provider secrets', () => {
  it('accepts a key pair `web-push generate-vapid-keys` makes', () => {
    expect(webPushAdapter.secrets.safeParse(keys).success).toBe(true);
    expect(vapidKeysMatch(keys)).toBe(true);
  });

  it('names the key and the byte count when a key has the wrong length', () => {
    const short = Buffer.alloc(33, 4).toString('base64url');
    expect(issuesOf(webPushAdapter.secrets.safeParse({ publicKey: short, privateKey: keys.privateKey }))).toEqual([
      'publicKey: must be the 65-byte uncompressed P-256 public key; this one decodes to 33 bytes',
    ]);
    expect(issuesOf(webPushAdapter.secrets.safeParse({ publicKey: keys.publicKey, privateKey: keys.publicKey }))).toEqual([
      'privateKey: must be the 32-byte P-256 private key; this one decodes to 65 bytes',
    ]);
  });

  it('refuses a compressed or non-base64url public key', () => {
    const compressed = Buffer.concat([Buffer.from([0x02]), Buffer.alloc(64, 1)]).toString('base64url');
    expect(issuesOf(webPushAdapter.secrets.safeParse({ publicKey: compressed, privateKey: keys.privateKey }))).toEqual([expect.stringMatching(/^publicKey: .*uncompressed/)]);
    expect(issuesOf(webPushAdapter.secrets.safeParse({ publicKey: 'not base64url!', privateKey: keys.privateKey }))).toEqual([expect.stringMatching(/^publicKey: must be base64url/)]);
  });

  it('refuses a private key that does not belong to the public key', () => {
    const other = generateVapidKeys();
    expect(issuesOf(webPushAdapter.secrets.safeParse({ publicKey: keys.publicKey, privateKey: other.privateKey }))).toEqual([expect.stringMatching(/^privateKey: is not the private key of this public key/)]);
  });
});

describe('push payload', () => {
  const page = { alertId: 'a1', alertNumber: 7, title: 'Disk full', serviceName: 'db', severity: 'critical', status: 'triggered', url: 'https://fb.example.com/alerts/a1', actions: { acknowledge: 'https://fb.example.com/a/x', resolve: 'https://fb.example.com/a/y' } };

  it('fits the largest text into one push message, cut on a character boundary', () => {
    const payload = pushPayload({ to: { type: 'email', email: 'x@example.com' }, subject: 'Disk full', text: '東京☕\n'.repeat(3000), kind: 'page', page }, 'https://fb.example.com');
    const bytes = Buffer.byteLength(JSON.stringify(payload));
    expect(bytes).toBeLessThanOrEqual(MAX_PUSH_PLAINTEXT_BYTES);
    expect(bytes).toBeGreaterThan(MAX_PUSH_PLAINTEXT_BYTES - 40);
    expect(payload.body).toMatch(/^(東京☕\n)+[東京☕\n]*…$/u);
  });

  it('keeps a text that fits whole', () => {
    expect(pushPayload({ to: { type: 'email', email: 'x@example.com' }, subject: 's', text: 'short', kind: 'test' }, 'https://fb.example.com/').body).toBe('short');
  });

  it('makes a Topic of at most 32 base64url characters, one per alert', () => {
    const message = { to: { type: 'email' as const, email: 'x@example.com' }, subject: 's', text: 't', kind: 'page' as const, page };
    expect(pushTopic(message)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(pushTopic({ ...message, page: { ...page, alertId: 'a2' } })).not.toBe(pushTopic(message));
    expect(pushTopic({ ...message, page: undefined, kind: 'test' })).toBeNull();
  });
});

describe('firebreak webpush generate-keys', () => {
  const run = async (args: string[]) => {
    let printed = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        printed += chunk.toString();
        done();
      },
    });
    const program = new Command().exitOverride();
    registerWebPushCommands(program, out);
    await program.parseAsync(['webpush', 'generate-keys', ...args], { from: 'user' });
    return printed;
  };

  it('prints a fresh pair the provider accepts, as JSON for scripts', async () => {
    const first = JSON.parse(await run(['--json'])) as { publicKey: string; privateKey: string };
    const second = JSON.parse(await run(['--json'])) as { publicKey: string; privateKey: string };
    expect(webPushAdapter.secrets.safeParse(first).success).toBe(true);
    expect(second.publicKey).not.toBe(first.publicKey);
  });

  it('prints both keys labelled, with where to put them', async () => {
    const text = await run([]);
    const publicKey = /^publicKey: +(\S+)$/m.exec(text)?.[1];
    const privateKey = /^privateKey: +(\S+)$/m.exec(text)?.[1];
    expect(vapidKeysMatch({ publicKey: publicKey ?? '', privateKey: privateKey ?? '' })).toBe(true);
    expect(text).toContain('web push provider');
  });
});
