import { describe, expect, it } from 'vitest';
import { applyResolutions, changedFields, handMergeStart, threeWayMerge, type EditableDoc } from './conflict-merge.js';

const doc = (changes: Partial<EditableDoc> = {}): EditableDoc => ({
  title: 'Checkout errors',
  tags: ['payments'],
  noActionItemsReason: '',
  sections: [
    { key: 'summary', title: 'Summary', body: 'Checkout failed.', internal: false },
    { key: 'root-cause', title: 'Root cause', body: 'A pool was too small.', internal: false },
    { key: 'appendix', title: 'Appendix', body: '', internal: true },
  ],
  header: { owner: 'ana', authors: 'ana', people: 'ana, ben', severity: 'SEV2', services: 'checkout', occurredAt: '2026-11-21T09:00:00.000Z', endedAt: '', dueAt: '' },
  ...changes,
});

const withBody = (base: EditableDoc, key: string, body: string): EditableDoc => ({ ...base, sections: base.sections.map((s) => (s.key === key ? { ...s, body } : s)) });

describe('merging two saves of a postmortem', () => {
  it('takes what only one side changed without asking', () => {
    const base = doc();
    const mine = withBody(base, 'summary', 'Checkout failed for 40 minutes.');
    const theirs = { ...withBody(base, 'root-cause', 'The pool size was lowered from 50 to 10.'), title: 'Checkout errors on 3 March' };
    const result = threeWayMerge(base, mine, theirs);
    expect(result.conflicts).toEqual([]);
    expect(result.tookTheirs).toEqual(['title', 'sections.root-cause']);
    expect(result.merged.title).toBe('Checkout errors on 3 March');
    expect(result.merged.sections.map((s) => s.body)).toEqual(['Checkout failed for 40 minutes.', 'The pool size was lowered from 50 to 10.', '']);
  });

  it('asks about a section both changed differently, and applies keep mine / take theirs / by hand', () => {
    const base = doc();
    const mine = withBody(base, 'root-cause', 'Mine.');
    const theirs = { ...withBody(base, 'root-cause', 'Theirs.'), title: 'Other title' };
    const both = { ...mine, title: 'My title' };
    const result = threeWayMerge(base, both, theirs);
    expect(result.conflicts).toEqual([
      { field: 'title', label: 'Title', mine: 'My title', theirs: 'Other title' },
      { field: 'sections.root-cause', label: 'Root cause', mine: 'Mine.', theirs: 'Theirs.' },
    ]);
    const rootCause = (d: EditableDoc) => d.sections.find((s) => s.key === 'root-cause')?.body;
    const keep = applyResolutions(result, theirs, new Map([['title', { choice: 'mine' }], ['sections.root-cause', { choice: 'mine' }]]));
    expect([keep.title, rootCause(keep)]).toEqual(['My title', 'Mine.']);
    const take = applyResolutions(result, theirs, new Map([['title', { choice: 'theirs' }], ['sections.root-cause', { choice: 'theirs' }]]));
    expect([take.title, rootCause(take)]).toEqual(['Other title', 'Theirs.']);
    const hand = applyResolutions(result, theirs, new Map([['title', { choice: 'mine' }], ['sections.root-cause', { choice: 'hand', text: 'Both.' }]] as const));
    expect(rootCause(hand)).toBe('Both.');
    expect(() => applyResolutions(result, theirs, new Map())).toThrow(/Title is not settled/);
    expect(handMergeStart(result.conflicts[1]!)).toBe('<<<<<<< mine\nMine.\n=======\nTheirs.\n>>>>>>> theirs');
  });

  it('keeps a section only they added, after the one it follows, and a removal only one side made', () => {
    const base = doc();
    const theirs = { ...base, sections: [...base.sections.slice(0, 1), { key: 'impact', title: 'Impact', body: '40 % of orders', internal: false }, ...base.sections.slice(1)] };
    const mine = { ...base, sections: base.sections.filter((s) => s.key !== 'appendix') };
    const result = threeWayMerge(base, mine, theirs);
    expect(result.conflicts).toEqual([]);
    expect(result.merged.sections.map((s) => s.key)).toEqual(['summary', 'impact', 'root-cause']);
  });

  it('asks when one side removed a section the other edited', () => {
    const base = doc();
    const mine = { ...base, sections: base.sections.filter((s) => s.key !== 'appendix') };
    const theirs = withBody(base, 'appendix', 'Chat log');
    const result = threeWayMerge(base, mine, theirs);
    expect(result.conflicts).toEqual([{ field: 'sections.appendix', label: 'Appendix', mine: null, theirs: 'Chat log' }]);
    expect(applyResolutions(result, theirs, new Map([['sections.appendix', { choice: 'mine' }]])).sections.map((s) => s.key)).toEqual(['summary', 'root-cause']);
    expect(applyResolutions(result, theirs, new Map([['sections.appendix', { choice: 'theirs' }]])).sections.at(-1)).toEqual({ key: 'appendix', title: 'Appendix', body: 'Chat log', internal: true });
  });

  it('names the changed fields', () => {
    expect(changedFields(doc(), { ...withBody(doc(), 'summary', 'x'), tags: [] })).toEqual(['tags', 'sections.summary']);
    expect(changedFields(doc(), doc())).toEqual([]);
  });

  it('merges the header: lists by their items, times by their instant, and asks when both changed one field', () => {
    const base = doc();
    const header = (changes: Partial<EditableDoc['header']>) => ({ ...base, header: { ...base.header, ...changes } });
    // Spelling a list or an instant differently is no change.
    expect(changedFields(base, header({ people: 'ana,ben,', occurredAt: '2026-11-21T09:00:00Z' }))).toEqual([]);
    expect(changedFields(base, header({ owner: 'ben', dueAt: '2026-11-26T10:00:00Z' }))).toEqual(['owner', 'dueAt']);
    const mine = header({ owner: 'ben', severity: 'SEV1' });
    const theirs = header({ owner: 'cy', services: 'checkout, search' });
    const result = threeWayMerge(base, mine, theirs);
    expect(result.tookTheirs).toEqual(['services']);
    expect(result.conflicts).toEqual([{ field: 'owner', label: 'Owner', mine: 'ben', theirs: 'cy' }]);
    const settled = applyResolutions(result, theirs, new Map([['owner', { choice: 'theirs' }]]));
    expect(settled.header).toMatchObject({ owner: 'cy', severity: 'SEV1', services: 'checkout, search' });
  });
});
