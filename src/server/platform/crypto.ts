import { createCipheriv, createDecipheriv, hash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Bytes from the operating system's CSPRNG, read 4 KB at a time and each handed out once. */
let randomPool = Buffer.alloc(0);
let randomPoolAt = 0;

/**
 * A random token for people to carry (API tokens, session cookies, setup links): 256 bits, base64url.
 * Drawn from a pool of CSPRNG bytes (as ids are, `ids.ts`): every page carries two links, and a system
 * call per token showed in paging's profile.
 */
export function randomToken(prefix = ''): string {
  if (randomPoolAt + 32 > randomPool.length) {
    randomPool = randomBytes(4096);
    randomPoolAt = 0;
  }
  const bytes = randomPool.subarray(randomPoolAt, randomPoolAt + 32);
  randomPoolAt += 32;
  return prefix + bytes.toString('base64url');
}

/**
 * Hash of a high-entropy token for storage. Tokens are random 256-bit values, so a fast hash is enough
 * (no dictionary to attack); passwords use scrypt instead.
 */
export function hashToken(token: string): string {
  // The one-shot `hash` (Node ≥ 20.12; engines asks for 20.19) is a third of `createHash`'s cost, and
  // intake hashes every event's key.
  return hash('sha256', token, 'hex');
}

// scrypt parameters: N=2^15, r=8 (32 MiB, about 60 ms here). Stored with each hash so they can rise later.
const PRODUCTION_COST = { N: 32768, r: 8, p: 1 };
const TEST_COST = { N: 1024, r: 8, p: 1 };

/** Hashes a password with scrypt. There is no maximum length: scrypt takes any input. */
export async function hashPassword(password: string, fast = false): Promise<string> {
  const cost = fast ? TEST_COST : PRODUCTION_COST;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { ...cost, maxmem: 128 * cost.N * cost.r * 2 });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { ...cost, maxmem: 128 * cost.N * cost.r * 2 });
  return timingSafeEqual(actual, expected);
}

/**
 * Encrypts secrets at rest (TOTP secrets now; provider credentials and integration keys later) with
 * AES-256-GCM under the instance key. Output: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/**
 * The instance key: `FIREBREAK_SECRET_KEY` when set, otherwise `<data dir>/secret.key`, created on first
 * start with mode 0600. Several nodes sharing one PostgreSQL must all be given the same key.
 */
export function loadSecretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'base64');
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
