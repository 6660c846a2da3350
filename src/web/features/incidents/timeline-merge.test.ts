import { describe, expect, it } from 'vitest';
import type { IncidentTimelineEntry } from './incidents.api.js';
import { liveFetchAfter, mergeNewEntries, reconcileTimeline } from './timeline-merge.js';

const entry = (id: string, changes: Partial<IncidentTimelineEntry> = {}): IncidentTimelineEntry => ({
  id, at: '2026-11-21T09:00:00.000Z', kind: 'note', action: 'note', actor: 'ana', summary: `note ${id}`, data: null, pinned: false, editedAt: null, history: [], ...changes,
});

describe('the war room timeline, grown at its end', () => {
  it('fetches from a few entries before the last one, or everything when nothing is shown', () => {
    const shown = Array.from({ length: 30 }, (_, i) => entry(`e${String(i).padStart(2, '0')}`));
    expect(liveFetchAfter([])).toBeUndefined();
    expect(liveFetchAfter(shown)).toBe('e09');
    expect(liveFetchAfter(shown.slice(0, 5))).toBe('e00');
    expect(liveFetchAfter(shown, 0)).toBe('e29');
  });

  it('adds only unknown entries, keeps the objects it had, and returns the same array when nothing is new', () => {
    const a = entry('a');
    const b = entry('b');
    const current = [a, b];
    expect(mergeNewEntries(current, [entry('b')])).toBe(current);
    const merged = mergeNewEntries(current, [entry('b'), entry('c')]);
    expect(merged.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(merged[0]).toBe(a);
    expect(merged[1]).toBe(b);
  });

  it('puts an entry that committed late (an id before the last one shown) in its place', () => {
    const merged = mergeNewEntries([entry('a'), entry('c')], [entry('b'), entry('c'), entry('d')]);
    expect(merged.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('on a full re-read keeps unchanged entries’ objects and takes changed ones (pinned, reworded)', () => {
    const a = entry('a');
    const b = entry('b');
    const c = entry('c');
    const next = reconcileTimeline([a, b, c], [entry('a'), entry('b', { pinned: true }), entry('c', { summary: 'fixed', editedAt: '2026-11-21T09:05:00.000Z' }), entry('d')]);
    expect(next[0]).toBe(a);
    expect(next[1]).not.toBe(b);
    expect(next[1]?.pinned).toBe(true);
    expect(next[2]?.summary).toBe('fixed');
    expect(next.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
