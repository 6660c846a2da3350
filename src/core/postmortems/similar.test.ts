import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentWords, findSimilar, similarity } from './similar.js';

describe('similarity', () => {
  it.each([
    ['Add alert on replication lag', 'add alert on replication lag', 1],
    ['Add alert on replication lag', 'Replication lag: add an alert', 1],
    ['Add alerting for disk usage', 'Add alerts for disk usage', 1],
    ['Automate certificate renewal', 'Automate the renewal of certificates', 1],
    ['Add alert on replication lag', 'Alert when replication lag is high', 0.75],
    ['Add alert on replication lag', 'Rotate the database password', 0],
    ['the', 'the', 0],
    ['', 'Add alert', 0],
  ])('%j vs %j → %f', (a, b, expected) => {
    expect(similarity(a, b)).toBeCloseTo(expected, 5);
  });

  it('folds accents and drops stop words', () => {
    expect([...contentWords('Réduire the café latency')]).toEqual(['reduir', 'caf', 'latency']);
  });

  const title = fc.array(fc.constantFrom('add', 'alert', 'on', 'the', 'disk', 'usage', 'Retry', 'budget', 'canary', 'deploys', 'for', 'TLS'), { maxLength: 8 }).map((w) => w.join(' '));

  it('is symmetric, within 0..1, and 1 for a title with itself when it has a content word', () => {
    fc.assert(
      fc.property(title, title, (a, b) => {
        const s = similarity(a, b);
        expect(s).toBe(similarity(b, a));
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        if (contentWords(a).size > 0) expect(similarity(a, a)).toBe(1);
      }),
    );
  });

  it('ignores word order and case', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('Add', 'alert', 'disk', 'usage', 'canary'), { minLength: 1, maxLength: 6 }), (words) => {
        expect(similarity(words.join(' '), [...words].reverse().join(' ').toUpperCase())).toBe(1);
      }),
    );
  });
});

describe('findSimilar', () => {
  const candidates = [
    { id: 'AI-1', title: 'Rotate the database password' },
    { id: 'AI-2', title: 'Alert when replication lag is high' },
    { id: 'AI-3', title: 'Add an alert on replication lag' },
    { id: 'AI-4', title: 'Replication dashboard' },
  ];

  it('returns the candidates at or above the threshold, best first', () => {
    expect(findSimilar('Add alert on replication lag', candidates).map((m) => [m.candidate.id, Number(m.score.toFixed(2))])).toEqual([
      ['AI-3', 1],
      ['AI-2', 0.75],
    ]);
  });

  it('takes another threshold', () => {
    expect(findSimilar('Add alert on replication lag', candidates, 0.3).map((m) => m.candidate.id)).toEqual(['AI-3', 'AI-2', 'AI-4']);
  });

  it('never matches an empty or stop-word title, even at threshold 0', () => {
    expect(findSimilar('the', candidates, 0)).toEqual([]);
  });
});
