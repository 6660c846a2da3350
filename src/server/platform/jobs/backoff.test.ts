import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, resolveBackoff } from './backoff.js';

const highest = () => 1;
const lowest = () => 0;

describe('backoffDelay', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [10, 512_000],
    [12, 2_048_000],
    [13, 3_600_000],
    [25, 3_600_000],
    [10_000, 3_600_000],
  ])('waits the full ceiling after failure %i when the jitter draw is highest (%i ms)', (attempts, expected) => {
    expect(backoffDelay(attempts, DEFAULT_BACKOFF, highest)).toBe(expected);
  });

  it.each([
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [13, 1_800_000],
  ])('waits half the ceiling after failure %i when the jitter draw is lowest (%i ms)', (attempts, expected) => {
    expect(backoffDelay(attempts, DEFAULT_BACKOFF, lowest)).toBe(expected);
  });

  it('treats zero or negative attempt counts as the first failure', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, highest)).toBe(1_000);
    expect(backoffDelay(-3, DEFAULT_BACKOFF, highest)).toBe(1_000);
  });

  it('uses a per-task base and cap', () => {
    const policy = { baseMs: 250, capMs: 2_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, highest))).toEqual([250, 500, 1_000, 2_000, 2_000]);
  });

  it('stays within half and all of the capped exponential ceiling for any attempt and any jitter draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, r) => {
        const ceiling = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** Math.min(attempts - 1, 52));
        const delay = backoffDelay(attempts, DEFAULT_BACKOFF, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.capMs);
      }),
    );
  });

  it('never waits less after more failures for the same jitter draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, r) => {
        expect(backoffDelay(attempts + 1, DEFAULT_BACKOFF, () => r)).toBeGreaterThanOrEqual(backoffDelay(attempts, DEFAULT_BACKOFF, () => r));
      }),
    );
  });

  it('clamps a random source that strays outside [0, 1]', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 7)).toBe(1_000);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => -1)).toBe(500);
  });

  it('retries immediately with a zero base instead of producing NaN', () => {
    expect(backoffDelay(10_000, { baseMs: 0, capMs: 0 }, highest)).toBe(0);
  });
});

describe('resolveBackoff', () => {
  it('fills a partial per-task policy from the defaults', () => {
    expect(resolveBackoff({ baseMs: 5_000 }, 'task `probe`')).toEqual({ baseMs: 5_000, capMs: 3_600_000 });
  });

  it('rejects a cap below the base, naming the task', () => {
    expect(() => resolveBackoff({ baseMs: 5_000, capMs: 1_000 }, 'task `probe`')).toThrow(/task `probe`: capMs must be .* >= baseMs/);
  });
});
