import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './channel.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');

  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs(['5', '9'], now)).toBe(5_000);
    expect(retryAfterMs('Sat, 21 Nov 2026 10:01:00 GMT', now)).toBe(60_000);
  });

  it('ignores what it cannot read, never goes negative, and caps at an hour', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('86400', now)).toBe(3_600_000);
  });
});
