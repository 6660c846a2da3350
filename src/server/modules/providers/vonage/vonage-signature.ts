import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The signing methods a Vonage account can choose in its dashboard (API settings). */
export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5hmac', 'sha1hmac', 'sha256hmac', 'sha512hmac'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

const HMAC_ALGORITHMS: Record<Exclude<VonageSignatureMethod, 'md5hash'>, string> = { md5hmac: 'md5', sha1hmac: 'sha1', sha256hmac: 'sha256', sha512hmac: 'sha512' };

/**
 * Vonage's SMS API request signature ("Signing messages"): every parameter but `sig`, sorted by name,
 * written `&name=value` with `&` and `=` in values replaced by `_`. `md5hash` is the MD5 of that text
 * followed by the signature secret (lowercase hex); the HMAC methods key the text with the secret
 * (uppercase hex). Pure.
 */
export function vonageSignature(params: Readonly<Record<string, string>>, secret: string, method: VonageSignatureMethod): string {
  const text = Object.keys(params)
    .filter((name) => name !== 'sig')
    .sort()
    .map((name) => `&${name}=${(params[name] ?? '').replace(/[&=]/g, '_')}`)
    .join('');
  if (method === 'md5hash') return createHash('md5').update(text + secret).digest('hex');
  return createHmac(HMAC_ALGORITHMS[method], secret).update(text).digest('hex').toUpperCase();
}

/** A signed request's `timestamp` may differ from our clock by this much: older ones are replays. */
export const VONAGE_SIGNATURE_WINDOW_MS = 5 * 60_000;

export type VonageVerification = { ok: true } | { ok: false; reason: string };

/**
 * Checks a signed Vonage webhook: a `sig` matching the parameters (constant time, hex in either case),
 * and a `timestamp` (Unix seconds, UTC) within five minutes of `now`, so a captured request cannot be
 * replayed later.
 */
export function verifyVonageSignature(params: Readonly<Record<string, string>>, secret: string, method: VonageSignatureMethod, now: number): VonageVerification {
  const given = params.sig;
  if (!given) return { ok: false, reason: 'the request is not signed (no sig parameter): turn on signed webhooks for this Vonage account' };
  const expected = vonageSignature(params, secret, method);
  const a = Buffer.from(given.toLowerCase());
  const b = Buffer.from(expected.toLowerCase());
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: `the sig does not match (check the signature secret and that the method is ${method})` };
  const timestamp = Number(params.timestamp);
  if (!Number.isInteger(timestamp)) return { ok: false, reason: 'the signed request has no timestamp' };
  if (Math.abs(now - timestamp * 1000) > VONAGE_SIGNATURE_WINDOW_MS) return { ok: false, reason: 'the signed timestamp is more than 5 minutes away from our clock (a replay, or a clock that is off)' };
  return { ok: true };
}
