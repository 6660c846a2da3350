import { describe, expect, it } from 'vitest';
import { changedFields, type PostmortemSnapshot } from './postmortem.repo.js';

const base: PostmortemSnapshot = {
  title: 'Checkout errors',
  status: 'draft',
  sections: [
    { key: 'summary', title: 'Summary', body: 'What happened', internal: false },
    { key: 'root-cause', title: 'Root cause', body: '', internal: false },
    { key: 'appendix', title: 'Appendix', body: 'logs', internal: true },
  ],
  tags: ['database'],
  serviceIds: ['s1'],
  ownerUserId: 'u1',
  authorIds: ['u1'],
  peopleIds: [],
  severity: 'SEV2',
  occurredAt: 1,
  endedAt: 2,
  dueAt: null,
  noActionItemsReason: null,
  reviewNotes: null,
};

describe('changedFields: what a conflict and a revision say changed', () => {
  it.each<[string, Partial<PostmortemSnapshot>, string[]]>([
    ['nothing', {}, []],
    ['the title', { title: 'Card payments failed' }, ['title']],
    ['tags, services, owner and the due date, by their API names', { tags: ['db'], serviceIds: ['s2'], ownerUserId: null, dueAt: 5 }, ['tags', 'services', 'owner', 'dueAt']],
    ['one section’s body', { sections: base.sections.map((s) => (s.key === 'root-cause' ? { ...s, body: 'A bad deploy' } : s)) }, ['sections.root-cause']],
    ['a section marked internal', { sections: base.sections.map((s) => (s.key === 'summary' ? { ...s, internal: true } : s)) }, ['sections.summary']],
    ['a removed and an added section', { sections: [...base.sections.slice(0, 2), { key: 'lessons', title: 'Lessons', body: '', internal: false }] }, ['sections.appendix', 'sections.lessons']],
    ['only the order', { sections: [base.sections[1], base.sections[0], base.sections[2]] as PostmortemSnapshot['sections'] }, ['sections.order']],
    ['review notes', { reviewNotes: { worked: 'the rollback' } }, ['reviewNotes']],
  ])('names %s', (_what, change, fields) => {
    expect(changedFields(base, { ...base, ...change })).toEqual(fields);
  });
});
