import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emailInDomains, signCookie, verifyCookie } from './visitor-access.js';

describe('private page access cookies', () => {
  const key = randomBytes(32);

  it('round-trips the page, the address and the expiry', () => {
    const value = signCookie(key, 'page1', 'pat@eu.acme.example', 1_800_000_000_000);
    expect(value).toMatch(/^v1\.page1\.[A-Za-z0-9_-]+\.1800000000000\.[A-Za-z0-9_-]{43}$/);
    expect(verifyCookie(key, value)).toEqual({ pageId: 'page1', email: 'pat@eu.acme.example', expiresAt: 1_800_000_000_000 });
  });

  it('refuses another key, any changed part, and malformed values', () => {
    const value = signCookie(key, 'page1', 'pat@acme.example', 1_800_000_000_000);
    expect(verifyCookie(randomBytes(32), value)).toBeNull();
    const parts = value.split('.');
    for (let i = 1; i < 5; i++) {
      const changed = [...parts];
      changed[i] = `${changed[i] as string}x`;
      expect(verifyCookie(key, changed.join('.')), `part ${i}`).toBeNull();
    }
    for (const bad of ['', 'v1', 'v2.page1.e.1.mac', `${value}.extra`, value.replace('v1.', 'v0.')]) expect(verifyCookie(key, bad)).toBeNull();
  });
});

describe('emailInDomains', () => {
  it('takes the domain and its subdomains, case-insensitively, and nothing that merely ends alike', () => {
    const domains = ['Acme.Example'];
    expect(emailInDomains('pat@acme.example', domains)).toBe(true);
    expect(emailInDomains('pat@EU.acme.example', domains)).toBe(true);
    expect(emailInDomains('eve@notacme.example', domains)).toBe(false);
    expect(emailInDomains('eve@acme.example.evil', domains)).toBe(false);
    expect(emailInDomains('no-at-sign', domains)).toBe(false);
    expect(emailInDomains('pat@acme.example', [])).toBe(false);
  });
});
