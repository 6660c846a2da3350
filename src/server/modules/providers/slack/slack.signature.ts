import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses to let a signed request be replayed after five minutes; so do we. */
export const SLACK_SIGNATURE_MAX_AGE_MS = 5 * 60_000;

/**
 * Slack's request signature (docs.slack.dev, "Verifying requests from Slack"): `v0=` and the hex
 * HMAC-SHA256, keyed with the app's signing secret, of `v0:<X-Slack-Request-Timestamp>:<raw body>`.
 * The raw body is the bytes as received: re-encoding a parsed form would change them.
 */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', signingSecret);
  mac.update(`v0:${timestamp}:`);
  mac.update(rawBody);
  return `v0=${mac.digest('hex')}`;
}

export type SlackVerification = { ok: true } | { ok: false; reason: string };

/**
 * Checks a request's `X-Slack-Signature` against its timestamp and raw body in constant time, and
 * refuses timestamps more than five minutes from `nowMs` (either way), so a captured request cannot be
 * replayed later. `nowMs` comes from the injected clock.
 */
export function verifySlackSignature(input: { signingSecret: string; timestamp: string | undefined; signature: string | undefined; rawBody: string | Buffer; nowMs: number }): SlackVerification {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'X-Slack-Request-Timestamp is missing or not a number of seconds' };
  if (!signature) return { ok: false, reason: 'X-Slack-Signature is missing' };
  if (Math.abs(input.nowMs - Number(timestamp) * 1000) > SLACK_SIGNATURE_MAX_AGE_MS) return { ok: false, reason: 'X-Slack-Request-Timestamp is more than 5 minutes away from now (a replayed or delayed request)' };
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'X-Slack-Signature does not match the signing secret' };
  return { ok: true };
}
