import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { bufferedRandom, createIdGenerator } from './ids.js';

describe('ids', () => {
  it('draws uniform floats in [0, 1) across buffer refills', () => {
    const random = bufferedRandom(16);
    const values = Array.from({ length: 4000 }, random);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(3990);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('makes distinct ULIDs that sort by time, and by creation within one millisecond', () => {
    const clock = new ManualClock('2026-11-21T10:00:00Z');
    const id = createIdGenerator(clock);
    const same = Array.from({ length: 1000 }, id);
    clock.advance(1);
    const later = id();
    expect(new Set(same).size).toBe(1000);
    expect([...same].sort()).toEqual(same);
    expect(later > same[999]!).toBe(true);
    expect(same[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
