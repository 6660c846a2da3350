import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ftsMatchExpression, MAX_SEARCH_TERMS, parseSearchQuery, searchTextOf, snippetOf, tsQueryExpression } from './search.js';

describe('parseSearchQuery', () => {
  it.each([
    ['checkout', { terms: ['checkout'], prefix: [false] }],
    ['  Checkout   TLS ', { terms: ['checkout', 'tls'], prefix: [false, false] }],
    ['certif*', { terms: ['certif'], prefix: [true] }],
    ['root-cause', { terms: ['root', 'cause'], prefix: [false, false] }],
    ['"checkout" OR (db) NOT x:y', { terms: ['checkout', 'or', 'db', 'not', 'x', 'y'], prefix: [false, false, false, false, false, false] }],
    ['checkout checkout*', { terms: ['checkout'], prefix: [false] }],
    ['cert* cert*', { terms: ['cert'], prefix: [true] }],
    ['Überlast café', { terms: ['überlast', 'café'], prefix: [false, false] }],
    ['', { terms: [], prefix: [] }],
    ['* -- ""', { terms: [], prefix: [] }],
  ])('%j → %j', (q, expected) => {
    expect(parseSearchQuery(q)).toEqual(expected);
  });

  it(`keeps at most ${MAX_SEARCH_TERMS} words`, () => {
    expect(parseSearchQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')).terms).toHaveLength(MAX_SEARCH_TERMS);
  });

  it('builds FTS5 and tsquery expressions from letters and digits only, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (q) => {
        const parsed = parseSearchQuery(q);
        expect(parsed.terms.length).toBe(parsed.prefix.length);
        for (const t of parsed.terms) expect(t).toMatch(/^[\p{L}\p{N}]+$/u);
        expect(ftsMatchExpression(parsed)).toMatch(/^("[\p{L}\p{N}]+"\*? ?)*$/u);
        expect(tsQueryExpression(parsed)).toMatch(/^([\p{L}\p{N}]+(:\*)?( & )?)*$/u);
      }),
    );
  });

  it('writes the dialects’ expressions', () => {
    const q = parseSearchQuery('checkout certif*');
    expect(ftsMatchExpression(q)).toBe('"checkout" "certif"*');
    expect(tsQueryExpression(q)).toBe('checkout & certif:*');
  });
});

describe('searchTextOf', () => {
  it('indexes tags, services, section bodies without link targets, and action item titles', () => {
    const text = searchTextOf({
      tags: ['tls', 'vendor'],
      services: [{ handle: 'checkout', name: 'Checkout API' }, 'payments'],
      sections: [
        { title: 'Summary', body: 'The certificate expired. See ![graph](/api/v1/postmortems/PM-1/attachments/01J) and [runbook](https://wiki.example.com/x "Runbook").' },
        { title: 'Impact', body: '' },
      ],
      actionItems: [{ title: 'Automate certificate renewal' }, 'Alert 14 days before expiry'],
    });
    expect(text).toBe(
      ['tls vendor', 'checkout Checkout API payments', 'The certificate expired. See ![graph] and [runbook].', 'Automate certificate renewal', 'Alert 14 days before expiry'].join('\n'),
    );
  });
});

describe('snippetOf', () => {
  const text = 'On 3 March the checkout service returned errors because the TLS certificate of the payments gateway expired at 02:00 UTC, and renewals had been failing silently for a week.';

  it('marks whole-word and prefix matches with « »', () => {
    expect(snippetOf(text, parseSearchQuery('certif* checkout'))).toBe(
      'On 3 March the «checkout» service returned errors because the TLS «certificate» of the payments gateway expired at 02:00 UTC, and renewals had been failing silently…',
    );
  });

  it('does not match inside words unless asked for a prefix', () => {
    expect(snippetOf(text, parseSearchQuery('cert'))).toBeNull();
    expect(snippetOf(text, parseSearchQuery('renew*'))).toContain('«renewals»');
  });

  it('cuts around the first match on word boundaries', () => {
    const s = snippetOf(text, parseSearchQuery('silently'), 60)!;
    expect(s.startsWith('…')).toBe(true);
    expect(s).toContain('«silently»');
    expect(s.replace(/[…«»]/g, '').length).toBeLessThanOrEqual(60);
    expect(text).toContain(s.replace(/[…«»]/g, '').trim());
  });

  it('is null without words', () => {
    expect(snippetOf(text, parseSearchQuery(''))).toBeNull();
  });
});
