import { createECDH } from 'node:crypto';
import webpush from 'web-push';

/**
 * VAPID keys (RFC 8292): the P-256 key pair that identifies this Firebreak instance to browsers'
 * push services. Browsers bind each subscription to the public key it was made with, so changing the
 * keys silently orphans every subscription: generate them once, keep them, and expect everyone to
 * re-enable push on their devices if they ever change.
 */
export interface VapidKeys {
  /** The 65-byte uncompressed P-256 public key, base64url (what `pushManager.subscribe` takes). */
  publicKey: string;
  /** The 32-byte P-256 private scalar, base64url. */
  privateKey: string;
}

/**
 * A new key pair, for `firebreak` CLI wiring or a one-off script. The same as `npx web-push
 * generate-vapid-keys` (the library's own command), which operators may run instead.
 *
 * @example
 *   const { publicKey, privateKey } = generateVapidKeys(); // store both as the provider's secrets
 */
export function generateVapidKeys(): VapidKeys {
  return webpush.generateVAPIDKeys();
}

/** Bytes of base64url text (padding tolerated), or null when it is not base64url at all. */
export function base64UrlLength(value: string): number | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return null;
  const bare = value.replace(/=+$/, '');
  if (bare.length % 4 === 1) return null;
  return Math.floor((bare.length * 3) / 4);
}

/** Why a VAPID public key is unusable, or null: 65 bytes, uncompressed point (first byte 0x04). */
export function vapidPublicKeyProblem(value: string): string | null {
  const length = base64UrlLength(value);
  if (length === null) return 'must be base64url text (A–Z, a–z, 0–9, - and _), as `web-push generate-vapid-keys` prints it';
  if (length !== 65) return `must be the 65-byte uncompressed P-256 public key; this one decodes to ${length} bytes`;
  if (Buffer.from(value, 'base64url')[0] !== 0x04) return 'must be an uncompressed P-256 point (its first byte is 0x04)';
  return null;
}

/** Why a VAPID private key is unusable, or null: 32 bytes of base64url. */
export function vapidPrivateKeyProblem(value: string): string | null {
  const length = base64UrlLength(value);
  if (length === null) return 'must be base64url text (A–Z, a–z, 0–9, - and _), as `web-push generate-vapid-keys` prints it';
  if (length !== 32) return `must be the 32-byte P-256 private key; this one decodes to ${length} bytes`;
  return null;
}

/**
 * Whether the private key belongs to the public key. A mismatch signs tokens push services refuse
 * (403) for every subscription, so it is caught when the provider is saved rather than at 3 a.m.
 */
export function vapidKeysMatch(keys: VapidKeys): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(keys.privateKey, 'base64url'));
    return ecdh.getPublicKey().equals(Buffer.from(keys.publicKey, 'base64url'));
  } catch {
    return false; // not a valid scalar on the curve
  }
}
