import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox, hashPassword, hashToken, loadSecretKey, randomToken, verifyPassword } from './crypto.js';

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', true);
    expect(hash.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
  });

  it('accepts passwords of any length', async () => {
    const long = 'x'.repeat(100_000);
    expect(await verifyPassword(long, await hashPassword(long, true))).toBe(true);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password', true)).not.toBe(await hashPassword('same password', true));
  });

  it('refuses a malformed stored hash instead of throwing', async () => {
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('tokens', () => {
  it('are long, random and url-safe, and hash deterministically', () => {
    const token = randomToken('fbk_');
    expect(token).toMatch(/^fbk_[A-Za-z0-9_-]{43}$/);
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).not.toBe(hashToken(randomToken('fbk_')));
  });

  it('never repeats, across many refills of the random pool', () => {
    const tokens = Array.from({ length: 1000 }, () => randomToken());
    expect(new Set(tokens).size).toBe(1000);
    expect(tokens.every((t) => /^[A-Za-z0-9_-]{43}$/.test(t))).toBe(true);
  });
});

describe('secrets at rest', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plain text', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('detects tampering and a different key', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
  });

  it('creates the instance key once, with owner-only permissions, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-key-'));
    const first = loadSecretKey(undefined, dir);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(undefined, dir).equals(first)).toBe(true);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('prefers the configured key', () => {
    const key = randomBytes(32);
    expect(loadSecretKey(key.toString('base64'), '/nonexistent').equals(key)).toBe(true);
  });
});
