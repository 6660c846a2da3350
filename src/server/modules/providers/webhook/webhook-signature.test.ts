import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhookPayload, verifyWebhookSignature } from './webhook-signature.js';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const BODY = '{"version":1,"id":"n-1","event":"page"}';
const T = 1_793_620_800; // 2026-11-02T12:00:00Z
const NOW = T * 1000;

describe('webhook signatures', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256 as t=<seconds>,v1=<hex>, the documented recipe', () => {
    const hex = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhookPayload(SECRET, T, BODY)).toBe(`t=${T},v1=${hex}`);
  });

  it('accepts its own signature on the exact body', () => {
    expect(verifyWebhookSignature({ rawBody: BODY, header: signWebhookPayload(SECRET, T, BODY), secret: SECRET, nowMs: NOW })).toEqual({ ok: true, timestamp: T });
  });

  it.each([
    ['a changed body', BODY.replace('page', 'test'), SECRET],
    ['another secret', BODY, `${SECRET}x`],
  ])('refuses %s', (_name, rawBody, secret) => {
    const check = verifyWebhookSignature({ rawBody, header: signWebhookPayload(SECRET, T, BODY), secret, nowMs: NOW });
    expect(check).toMatchObject({ ok: false, problem: 'SIGNATURE_MISMATCH' });
  });

  it('refuses a replay from more than 5 minutes ago, and accepts one at exactly 5 minutes', () => {
    const header = signWebhookPayload(SECRET, T, BODY);
    expect(verifyWebhookSignature({ rawBody: BODY, header, secret: SECRET, nowMs: NOW + 300_000 }).ok).toBe(true);
    expect(verifyWebhookSignature({ rawBody: BODY, header, secret: SECRET, nowMs: NOW + 301_000 })).toMatchObject({ ok: false, problem: 'TIMESTAMP_OUT_OF_TOLERANCE' });
    expect(verifyWebhookSignature({ rawBody: BODY, header, secret: SECRET, nowMs: NOW - 301_000 })).toMatchObject({ ok: false, problem: 'TIMESTAMP_OUT_OF_TOLERANCE' });
  });

  it('refuses a body signed with a forged timestamp (the timestamp is part of the signed text)', () => {
    const original = signWebhookPayload(SECRET, T - 3600, BODY);
    const forged = original.replace(`t=${T - 3600}`, `t=${T}`);
    expect(verifyWebhookSignature({ rawBody: BODY, header: forged, secret: SECRET, nowMs: NOW })).toMatchObject({ ok: false, problem: 'SIGNATURE_MISMATCH' });
  });

  it('accepts any one of several v1 signatures, as during a secret rotation', () => {
    const old = signWebhookPayload('old-secret-old-secret-old-secret-00', T, BODY).split(',')[1];
    const header = `${signWebhookPayload(SECRET, T, BODY)},${old}`;
    expect(verifyWebhookSignature({ rawBody: BODY, header, secret: 'old-secret-old-secret-old-secret-00', nowMs: NOW }).ok).toBe(true);
    expect(verifyWebhookSignature({ rawBody: BODY, header, secret: SECRET, nowMs: NOW }).ok).toBe(true);
  });

  it.each([
    [undefined, 'MISSING_SIGNATURE'],
    ['', 'MISSING_SIGNATURE'],
    ['v1=abc', 'MALFORMED_SIGNATURE'],
    [`t=${T}`, 'MALFORMED_SIGNATURE'],
    [`t=soon,v1=${'a'.repeat(64)}`, 'MALFORMED_SIGNATURE'],
  ])('refuses the header %j as %s', (header, problem) => {
    expect(verifyWebhookSignature({ rawBody: BODY, header, secret: SECRET, nowMs: NOW })).toMatchObject({ ok: false, problem });
  });
});
