import { describe, expect, it } from 'vitest';
import { reviewAgendaSchema } from '../../contracts/postmortems.js';
import { INFORMAL_ROUND, reviewAgenda, type AgendaDocument } from './agenda.js';

const timeline = Array.from({ length: 12 }, (_, i) => `- **2027-03-01 14:${String(i).padStart(2, '0')} UTC** step ${i}`).join('\n');

const doc: AgendaDocument = {
  reference: 'PM-12',
  title: 'Checkout errors',
  sections: [
    { key: 'summary', title: 'Summary', body: 'Card payments failed for **20%** of customers.\n\nImpact lasted [38 minutes](https://grafana.example.com/d/1).\n\nThird paragraph.' },
    { key: 'timeline', title: 'Timeline', body: timeline },
    { key: 'root-cause', title: 'Root cause', body: '### Changes\n\nThe retry budget was too small. Why did the canary pass?\n\nContributing: no alert on 5xx rate.' },
    { key: 'appendix', title: 'Appendix', body: 'Was the vendor told? Who owns the gateway?\n\nDashboard: https://grafana.example.com/d/x?from=now-1h and [logs](https://logs.example.com/?q=checkout).' },
  ],
  actionItems: [
    { reference: 'AI-7', title: 'Alert on 5xx rate', status: 'open', owner: 'Ana Lima' },
    { reference: 'AI-8', title: 'Canary checks payments', status: 'done', owner: null },
  ],
};

describe('reviewAgenda', () => {
  it('has the four parts in order, in the contract’s shape', () => {
    const agenda = reviewAgenda(doc);
    expect(reviewAgendaSchema.parse(agenda)).toEqual(agenda);
    expect(agenda.title).toBe('Postmortem review: PM-12 Checkout errors');
    expect(agenda.items.map((i) => i.heading)).toEqual(['Summary and timeline', 'Root cause discussion', 'Questions', 'Action items']);
  });

  it('briefs the summary (two paragraphs, as plain text) and the first and last of a long timeline', () => {
    const [brief] = reviewAgenda(doc).items;
    expect(brief?.points).toEqual([
      'Card payments failed for 20% of customers.',
      'Impact lasted 38 minutes.',
      '2027-03-01 14:00 UTC step 0',
      '2027-03-01 14:01 UTC step 1',
      '2027-03-01 14:02 UTC step 2',
      '2027-03-01 14:03 UTC step 3',
      '… 4 more entries …',
      '2027-03-01 14:08 UTC step 8',
      '2027-03-01 14:09 UTC step 9',
      '2027-03-01 14:10 UTC step 10',
      '2027-03-01 14:11 UTC step 11',
    ]);
  });

  it('discusses the root cause text with blameless prompts', () => {
    const points = reviewAgenda(doc).items[1]?.points ?? [];
    expect(points.slice(0, 2)).toEqual(['The retry budget was too small. Why did the canary pass?', 'Contributing: no alert on 5xx rate.']);
    expect(points).toContain('What made this possible, and what made it hard to see?');
  });

  it('collects the questions the document asks', () => {
    expect(reviewAgenda(doc).items[2]?.points).toEqual(['Why did the canary pass?', 'Was the vendor told?', 'Who owns the gateway?']);
  });

  it('lists action items with owner and status, and asks for the reason when there are none', () => {
    expect(reviewAgenda(doc).items[3]?.points.slice(0, 2)).toEqual(['AI-7: Alert on 5xx rate (Ana Lima, open)', 'AI-8: Canary checks payments (no owner, done)']);
    expect(reviewAgenda({ ...doc, actionItems: [] }).items[3]?.points).toEqual(['No action items yet: agree on them, or on why none are needed (cost of doing something versus nothing).']);
    expect(reviewAgenda({ ...doc, actionItems: [], noActionItemsReason: 'Vendor issue, fixed upstream.' }).items[3]?.points).toEqual(['No action items: Vendor issue, fixed upstream.']);
  });

  it('copes with an empty document', () => {
    const agenda = reviewAgenda({ reference: 'PM-1', title: 'Launch', sections: [], actionItems: [] });
    expect(agenda.items[0]?.points).toEqual(['The summary is not written yet: the author walks through what happened.']);
    expect(agenda.items[2]?.points).toEqual(['Open questions from the attendees.']);
  });

  it('offers the informal round and writes the whole as markdown', () => {
    const agenda = reviewAgenda(doc);
    expect(agenda.informalRound.map((r) => r.key)).toEqual(['worked', 'didnt', 'start', 'stop', 'improve']);
    expect(agenda.informalRound).toEqual(INFORMAL_ROUND);
    expect(agenda.markdown).toContain('# Postmortem review: PM-12 Checkout errors');
    expect(agenda.markdown).toContain('## Root cause discussion (20 min)\n\n- The retry budget was too small.');
    expect(agenda.markdown).toContain('## Informal round\n\n- What worked well');
  });
});
