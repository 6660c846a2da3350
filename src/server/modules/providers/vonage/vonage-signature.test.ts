import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VONAGE_SIGNATURE_METHODS, verifyVonageSignature, vonageSignature } from './vonage-signature.js';

describe('vonageSignature', () => {
  // Vectors published with Vonage's own client libraries.
  it('matches Vonage’s md5hash example', () => {
    expect(vonageSignature({ a: '1', b: '2', timestamp: '1461605396' }, 'secret', 'md5hash')).toBe('6af838ef94998832dbfc29020b564830');
  });

  it('matches Vonage’s HMAC examples', () => {
    const params = { api_key: 'fake_api_key', to: '14155550100', from: 'AcmeInc', text: 'Test From Nexmo', type: 'text', timestamp: '1540924779' };
    const secret = '71efab63122f1d179f51c46bac838fb5';
    expect(vonageSignature(params, secret, 'md5hmac')).toBe('51CDAFEBB4BBCE9525B195C1617CB8D2');
    expect(vonageSignature(params, secret, 'sha1hmac')).toBe('0162AEC64BC183B2E1256545951FE5639DC98020');
  });

  it('ignores the sig parameter itself and replaces & and = in values', () => {
    expect(vonageSignature({ a: '1', b: '2', timestamp: '1461605396', sig: 'whatever' }, 'secret', 'md5hash')).toBe('6af838ef94998832dbfc29020b564830');
    expect(vonageSignature({ text: 'a&b=c' }, 's', 'sha256hmac')).toBe(vonageSignature({ text: 'a_b_c' }, 's', 'sha256hmac'));
  });
});

describe('verifyVonageSignature', () => {
  const now = 1461605396_000;
  const signed = (params: Record<string, string>, method: (typeof VONAGE_SIGNATURE_METHODS)[number] = 'sha256hmac') => ({ ...params, sig: vonageSignature(params, 'secret', method) });

  it('accepts a signed request within five minutes, in either hex case', () => {
    const params = signed({ msisdn: '14155550123', text: 'ACK 42', timestamp: '1461605396' });
    expect(verifyVonageSignature(params, 'secret', 'sha256hmac', now)).toEqual({ ok: true });
    expect(verifyVonageSignature({ ...params, sig: params.sig.toLowerCase() }, 'secret', 'sha256hmac', now + 299_000)).toEqual({ ok: true });
  });

  it('refuses unsigned, tampered, wrong-method, wrong-secret and stale requests, saying why', () => {
    const params = signed({ msisdn: '14155550123', text: 'ACK 42', timestamp: '1461605396' });
    expect(verifyVonageSignature({ msisdn: '1', timestamp: '1461605396' }, 'secret', 'sha256hmac', now)).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') });
    expect(verifyVonageSignature({ ...params, text: 'RES 42' }, 'secret', 'sha256hmac', now)).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    expect(verifyVonageSignature(params, 'secret', 'sha512hmac', now)).toMatchObject({ ok: false });
    expect(verifyVonageSignature(params, 'other', 'sha256hmac', now)).toMatchObject({ ok: false });
    expect(verifyVonageSignature(params, 'secret', 'sha256hmac', now + 301_000)).toMatchObject({ ok: false, reason: expect.stringContaining('5 minutes') });
  });

  it('never accepts a parameter changed after signing, whatever the method', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VONAGE_SIGNATURE_METHODS), fc.dictionary(fc.stringMatching(/^[a-z-]{1,8}$/), fc.string({ maxLength: 20 }), { minKeys: 1 }), fc.string({ minLength: 1, maxLength: 5 }), (method, params, extra) => {
        const base = { ...params, timestamp: '1461605396' };
        delete (base as Record<string, string>).sig;
        const sig = vonageSignature(base, 'secret', method);
        expect(verifyVonageSignature({ ...base, sig }, 'secret', method, now).ok).toBe(true);
        const key = Object.keys(base).find((k) => k !== 'timestamp') ?? 'timestamp';
        const changed = { ...base, [key]: `${base[key as keyof typeof base]}${extra}`.replace(/[&=]/g, 'x'), sig };
        if (changed[key as keyof typeof changed] !== base[key as keyof typeof base].replace(/[&=]/g, '_')) expect(verifyVonageSignature(changed, 'secret', method, now).ok).toBe(false);
      }),
    );
  });
});
