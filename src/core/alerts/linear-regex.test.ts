import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLinearRegex, MAX_PATTERN_LENGTH, RegexSyntaxError } from './linear-regex.js';

describe('linear-time regular expressions for routing rules', () => {
  it.each([
    ['^db-\\d+$', 'db-12', true],
    ['^db-\\d+$', 'db-12a', false],
    ['disk', 'the disk is full', true],
    ['(?i)DISK full', 'Disk FULL', true],
    ['DISK', 'disk', false],
    ['^(prod|staging)-[a-z]+$', 'staging-api', true],
    ['^(prod|staging)-[a-z]+$', 'dev-api', false],
    ['[^0-9]', '1234', false],
    ['colou?r', 'color', true],
    ['a{2,3}b', 'aab', true],
    ['^a{2,3}b', 'ab', false],
    ['^a{2}$', 'aa', true],
    ['\\bcpu\\b', 'high cpu load', true],
    ['\\bcpu\\b', 'cpus', false],
    ['x{', 'x{', true],
    ['^$', '', true],
    ['(?P<env>prod)', 'prod-1', true],
    ['[\\w.-]+@example\\.com', 'ops.team@example.com', true],
    ['é+', 'café', true],
  ])('%s on %j → %s', (pattern, subject, expected) => {
    expect(compileLinearRegex(pattern).test(subject)).toBe(expected);
  });

  it.each([
    ['(a)\\1', 'backreferences are not supported'],
    ['(?=a)', 'lookaround is not supported'],
    ['(?<!a)b', 'lookaround is not supported'],
    ['(ab', 'missing `)`'],
    ['ab)', 'unmatched `)`'],
    ['[ab', 'missing `]`'],
    ['*a', 'nothing to repeat'],
    ['a**', 'a quantifier cannot follow another quantifier'],
    ['a{3,2}', 'out of order'],
    ['a{1001}', 'above 1000'],
    ['[z-a]', 'out of order'],
    ['\\q', 'unsupported escape'],
    ['a(?i)b', 'only allowed at the start'],
  ])('refuses %s (%s)', (pattern, message) => {
    expect(() => compileLinearRegex(pattern)).toThrow(RegexSyntaxError);
    expect(() => compileLinearRegex(pattern)).toThrow(message);
  });

  it('refuses patterns over the length cap', () => {
    expect(() => compileLinearRegex('a'.repeat(MAX_PATTERN_LENGTH + 1))).toThrow('longer than');
  });

  it('answers patterns that make backtracking engines explode in linear time', () => {
    const subject = `${'a'.repeat(4000)}!`;
    for (const pattern of ['(a+)+$', '^(a|a)*$', '(a*)*b', '^(a|aa)+$', 'a*a*a*a*a*a*a*a*b']) {
      expect(compileLinearRegex(pattern).test(subject)).toBe(false);
    }
  });

  it('agrees with JavaScript RegExp on the supported subset', () => {
    // Patterns over a tiny alphabet, built from the grammar the engine supports.
    const { pattern } = fc.letrec<{ pattern: string; atom: string }>((tie) => ({
      atom: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\w', 'c'),
        tie('pattern').map((p) => `(?:${p})`),
      ),
      pattern: fc.oneof(
        { depthSize: 'small' },
        tie('atom'),
        fc.tuple(tie('atom'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,}', '*?')).map(([a, q]) => a + q),
        fc.tuple(tie('pattern'), tie('pattern')).map(([a, b]) => a + b),
        fc.tuple(tie('pattern'), tie('pattern')).map(([a, b]) => `${a}|${b}`),
        fc.tuple(fc.constantFrom('^', ''), tie('pattern'), fc.constantFrom('$', '')).map(([s, p, e]) => s + p + e),
      ),
    }));
    fc.assert(
      fc.property(pattern, fc.stringMatching(/^[abc]{0,8}$/), (p, s) => {
        expect(compileLinearRegex(p).test(s)).toBe(new RegExp(p, 'u').test(s));
      }),
      { numRuns: 2000 },
    );
  });
});
