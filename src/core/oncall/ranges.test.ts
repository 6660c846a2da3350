import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clipIntervals,
  containsInstant,
  intersectIntervals,
  interval,
  mergeIntervals,
  subtractIntervals,
  totalLength,
  unionIntervals,
  type Interval,
} from './ranges.js';

const list = (...pairs: Array<[number, number]>): Interval[] => pairs.map(([s, e]) => interval(s, e));
const pairs = (l: readonly Interval[]) => l.map((i) => [i.start, i.end]);

describe('mergeIntervals', () => {
  it.each([
    ['empty', [], []],
    ['drops empty and reversed intervals', [[5, 5], [7, 6]], []],
    ['sorts', [[10, 12], [1, 2]], [[1, 2], [10, 12]]],
    ['joins overlapping', [[1, 5], [3, 8]], [[1, 8]]],
    ['joins touching', [[1, 5], [5, 8]], [[1, 8]]],
    ['swallows contained', [[1, 10], [2, 3], [4, 5]], [[1, 10]]],
    ['keeps apart', [[1, 2], [3, 4]], [[1, 2], [3, 4]]],
  ] as Array<[string, Array<[number, number]>, Array<[number, number]>]>)('%s', (_name, input, expected) => {
    expect(pairs(mergeIntervals(list(...input)))).toEqual(expected);
  });

  it('does not change its input', () => {
    const input = list([1, 5], [3, 8]);
    mergeIntervals(input);
    expect(pairs(input)).toEqual([[1, 5], [3, 8]]);
  });
});

describe('intersectIntervals', () => {
  it.each([
    ['nothing with empty', [[1, 5]], [], []],
    ['overlap', [[1, 5]], [[3, 8]], [[3, 5]]],
    ['touching is not overlap', [[1, 5]], [[5, 8]], []],
    ['one across many', [[0, 100]], [[1, 2], [10, 20]], [[1, 2], [10, 20]]],
    ['many across many', [[0, 5], [10, 15]], [[4, 11], [14, 20]], [[4, 5], [10, 11], [14, 15]]],
  ] as Array<[string, Array<[number, number]>, Array<[number, number]>, Array<[number, number]>]>)('%s', (_name, a, b, expected) => {
    expect(pairs(intersectIntervals(list(...a), list(...b)))).toEqual(expected);
  });
});

describe('subtractIntervals', () => {
  it.each([
    ['nothing to cut', [[1, 5]], [], [[1, 5]]],
    ['cut the middle', [[0, 10]], [[3, 5]], [[0, 3], [5, 10]]],
    ['cut both ends', [[0, 10]], [[-5, 2], [8, 20]], [[2, 8]]],
    ['cut everything', [[0, 10]], [[0, 10]], []],
    ['cut across items', [[0, 4], [4, 8], [10, 12]], [[3, 11]], [[0, 3], [11, 12]]],
    ['touching cut leaves the item whole', [[5, 10]], [[0, 5], [10, 15]], [[5, 10]]],
  ] as Array<[string, Array<[number, number]>, Array<[number, number]>, Array<[number, number]>]>)('%s', (_name, a, cut, expected) => {
    expect(pairs(subtractIntervals(list(...a), list(...cut)))).toEqual(expected);
  });

  it('keeps what each piece carries', () => {
    const items = [{ ...interval(0, 10), userId: 'ana' }, { ...interval(10, 20), userId: 'ben' }];
    expect(subtractIntervals(items, list([5, 15]))).toEqual([
      { start: 0, end: 5, userId: 'ana' },
      { start: 15, end: 20, userId: 'ben' },
    ]);
  });
});

describe('unionIntervals, clipIntervals, totalLength, containsInstant', () => {
  it('unions two normalized lists into one', () => {
    expect(pairs(unionIntervals(list([0, 2], [10, 12]), list([2, 4], [11, 20], [30, 31])))).toEqual([
      [0, 4],
      [10, 20],
      [30, 31],
    ]);
  });

  it('clips to a window and drops what falls outside', () => {
    expect(pairs(clipIntervals(list([0, 5], [6, 8], [9, 20]), interval(4, 10)))).toEqual([
      [4, 5],
      [6, 8],
      [9, 10],
    ]);
  });

  it('measures and tests membership half-open', () => {
    expect(totalLength(list([0, 5], [10, 12]))).toBe(7);
    expect(containsInstant(interval(0, 5), 0)).toBe(true);
    expect(containsInstant(interval(0, 5), 5)).toBe(false);
  });
});

describe('range algebra against a brute-force model', () => {
  // Intervals on a small integer grid, checked point by point (each point p stands for [p, p+1)).
  const raw = fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })), { maxLength: 6 });
  const points = (l: readonly Interval[]) => {
    const set = new Set<number>();
    for (const i of l) for (let p = i.start; p < i.end; p++) set.add(p);
    return [...set].sort((a, b) => a - b);
  };
  const normalized = (l: readonly Interval[]) =>
    l.every((i, k) => i.start < i.end && (k === 0 || (l[k - 1] as Interval).end < i.start));

  it('merge, union, intersect and subtract agree with sets of points', () => {
    fc.assert(
      fc.property(raw, raw, (ra, rb) => {
        const a = mergeIntervals(list(...ra));
        const b = mergeIntervals(list(...rb));
        const pa = new Set(points(a));
        const pb = new Set(points(b));
        expect(points(a)).toEqual(points(list(...ra)));
        for (const result of [a, unionIntervals(a, b), intersectIntervals(a, b), mergeIntervals(subtractIntervals(a, b))]) {
          expect(normalized(result)).toBe(true);
        }
        expect(points(unionIntervals(a, b))).toEqual([...new Set([...pa, ...pb])].sort((x, y) => x - y));
        expect(points(intersectIntervals(a, b))).toEqual([...pa].filter((p) => pb.has(p)));
        expect(points(subtractIntervals(a, b))).toEqual([...pa].filter((p) => !pb.has(p)));
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
