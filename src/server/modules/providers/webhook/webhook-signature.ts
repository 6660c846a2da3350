import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures on outgoing webhooks (docs/providers.md, "Outgoing webhooks"), in the scheme Stripe made
 * familiar so receivers can reuse what they know:
 *
 *     X-Firebreak-Signature: t=1763722800,v1=5f2b…(64 hex digits)
 *
 * `v1` is HMAC-SHA256, keyed with the provider's signing secret, of `"<t>.<raw request body>"`. The
 * timestamp is inside the signed text, so a captured request cannot be replayed later than the
 * receiver's tolerance (5 minutes by default). Several `v1` entries may appear while a secret is being
 * rotated; any one matching is enough.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'x-firebreak-signature';

/** How far a receiver accepts the signature's timestamp from its own clock, either way. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** The hex HMAC-SHA256 of `"<t>.<body>"`. */
export function webhookSignatureDigest(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
}

/** The header value for a body sent at `timestampSeconds` (Unix seconds). */
export function signWebhookPayload(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  return `t=${timestampSeconds},v1=${webhookSignatureDigest(secret, timestampSeconds, rawBody)}`;
}

export type WebhookSignatureProblem = 'MISSING_SIGNATURE' | 'MALFORMED_SIGNATURE' | 'TIMESTAMP_OUT_OF_TOLERANCE' | 'SIGNATURE_MISMATCH';

export type WebhookSignatureCheck = { ok: true; timestamp: number } | { ok: false; problem: WebhookSignatureProblem; message: string };

/**
 * The receivers' reference check, exported so it is tested here: verify the raw body exactly as it
 * arrived (before any JSON parsing), with the time given by the caller.
 *
 * @example
 *   const check = verifyWebhookSignature({ rawBody, header: req.headers['x-firebreak-signature'], secret, nowMs: Date.now() });
 *   if (!check.ok) return res.status(401).send(check.message);
 */
export function verifyWebhookSignature(input: { rawBody: string | Buffer; header: string | string[] | undefined | null; secret: string; nowMs: number; toleranceSeconds?: number }): WebhookSignatureCheck {
  const header = Array.isArray(input.header) ? input.header[0] : input.header;
  if (!header) return { ok: false, problem: 'MISSING_SIGNATURE', message: 'The X-Firebreak-Signature header is missing' };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === null || signatures.length === 0) {
    return { ok: false, problem: 'MALFORMED_SIGNATURE', message: 'X-Firebreak-Signature must read t=<unix seconds>,v1=<64 hex digits>' };
  }
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const skew = Math.abs(Math.floor(input.nowMs / 1000) - timestamp);
  if (skew > tolerance) {
    return { ok: false, problem: 'TIMESTAMP_OUT_OF_TOLERANCE', message: `The signature's timestamp is ${skew} s from now; at most ${tolerance} s is accepted (a replay, or a clock out of sync)` };
  }
  const expected = Buffer.from(webhookSignatureDigest(input.secret, timestamp, input.rawBody), 'hex');
  // Compare every candidate, so the time taken does not tell which one (or whether any) matched.
  let matched = false;
  for (const candidate of signatures) matched = timingSafeEqual(expected, Buffer.from(candidate, 'hex')) || matched;
  return matched ? { ok: true, timestamp } : { ok: false, problem: 'SIGNATURE_MISMATCH', message: 'The signature does not match the body and the signing secret' };
}
