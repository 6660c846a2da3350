import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { draftPostmortem, formatDuration, instantFormatter, type DraftInput } from './draft.js';
import { builtInTemplate } from './templates.js';

const at = (iso: string) => Date.parse(iso);
const standard = builtInTemplate('standard')!;

const input = (over: Partial<DraftInput> = {}, incident: Partial<DraftInput['incident']> = {}): DraftInput => ({
  incident: {
    reference: 'INC-42',
    title: 'Checkout errors',
    severity: 'SEV2',
    summary: 'Card payments failed for a fifth of customers.',
    customerImpact: '20% of card payments failed.',
    detectedAt: at('2027-03-01T14:02:00Z'),
    mitigatedAt: at('2027-03-01T14:40:00Z'),
    resolvedAt: at('2027-03-01T15:10:00Z'),
    timeZone: 'UTC',
    ...incident,
  },
  timeline: [
    { at: at('2027-03-01T14:02:00Z'), kind: 'milestone', text: 'INC-42 declared (SEV2) by ana: Checkout errors', pinned: false },
    { at: at('2027-03-01T14:05:00Z'), kind: 'note', text: 'looking at the logs', pinned: false },
    { at: at('2027-03-01T14:20:00Z'), kind: 'note', text: 'Rollback of\nthe 14:00 deploy started', pinned: true },
    { at: at('2027-03-01T14:40:00Z'), kind: 'milestone', text: 'Mitigated: customer impact ended', pinned: false },
  ],
  alerts: [{ number: 7, title: 'Checkout 5xx rate high', service: 'checkout' }],
  changes: [
    { at: at('2027-03-01T14:00:00Z'), service: 'checkout', summary: 'Deploy v2.3.1', mark: 'caused', link: 'https://ci.example.com/builds/991' },
    { at: at('2027-03-01T13:30:00Z'), service: 'payments', summary: 'Config: retries 3→5', mark: 'suspect', link: 'javascript:alert(1)' },
  ],
  updates: [{ at: at('2027-03-01T14:15:00Z'), text: 'We are investigating checkout errors.', author: 'Comms Lead' }],
  people: [{ name: 'Ana Lima', roles: ['commander'] }, { name: 'Bob Stone', roles: [] }],
  ...over,
});

const body = (sections: { key: string; body: string }[], key: string) => sections.find((s) => s.key === key)?.body ?? '';

describe('draftPostmortem', () => {
  it('keeps every milestone and pinned entry exactly once, oldest first, whatever the order given', () => {
    const entry = fc.record({ at: fc.integer({ min: at('2027-03-01T00:00:00Z'), max: at('2027-03-03T00:00:00Z') }), kind: fc.constantFrom('milestone', 'note', 'alert'), text: fc.string({ maxLength: 20 }), pinned: fc.boolean() });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 60 }), fc.constantFrom('UTC', 'Europe/Berlin'), (timeline, timeZone) => {
        const tagged = timeline.map((e, i) => ({ ...e, text: `#${i}# ${e.text}` }));
        const lines = body(draftPostmortem(input({ timeline: tagged }, { timeZone }), standard).sections, 'timeline');
        const ids = [...lines.matchAll(/^- \*\*[^*]+\*\* #(\d+)#/gm)].map((m) => Number(m[1]));
        const expected = tagged
          .map((e, i) => ({ e, i }))
          .filter(({ e }) => e.kind === 'milestone' || e.pinned)
          .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
          .map(({ i }) => i);
        expect(ids).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('fills the header: title, severity, started at detection, ended at mitigation, duration', () => {
    const d = draftPostmortem(input(), standard);
    expect(d).toMatchObject({ title: 'Checkout errors', severity: 'SEV2', occurredAt: at('2027-03-01T14:02:00Z'), endedAt: at('2027-03-01T14:40:00Z'), durationMinutes: 38 });
  });

  it('ends at resolution when never mitigated, and has no end while neither', () => {
    expect(draftPostmortem(input({}, { mitigatedAt: null }), standard)).toMatchObject({ endedAt: at('2027-03-01T15:10:00Z'), durationMinutes: 68 });
    expect(draftPostmortem(input({}, { mitigatedAt: null, resolvedAt: null }), standard)).toMatchObject({ endedAt: null, durationMinutes: null });
  });

  it('writes the timeline from milestones and pinned entries only, oldest first, one line each', () => {
    const d = draftPostmortem(input(), standard);
    expect(body(d.sections, 'timeline')).toBe(
      [
        '- **2027-03-01 14:02 UTC** INC-42 declared (SEV2) by ana: Checkout errors',
        '- **2027-03-01 14:20 UTC** Rollback of the 14:00 deploy started',
        '- **2027-03-01 14:40 UTC** Mitigated: customer impact ended',
      ].join('\n'),
    );
  });

  it('writes times in the incident’s zone, through Intl (DST offsets included)', () => {
    const d = draftPostmortem(input({}, { timeZone: 'Europe/Berlin' }), standard);
    expect(body(d.sections, 'timeline').split('\n')[0]).toBe('- **2027-03-01 15:02 GMT+1** INC-42 declared (SEV2) by ana: Checkout errors');
    const summer = draftPostmortem(input({ timeline: [{ at: at('2027-07-01T23:30:00Z'), kind: 'milestone', text: 'x', pinned: false }] }, { timeZone: 'Europe/Berlin' }), standard);
    expect(body(summer.sections, 'timeline')).toBe('- **2027-07-02 01:30 GMT+2** x');
  });

  it('writes the summary, impact and the facts of when', () => {
    const d = draftPostmortem(input(), standard);
    expect(body(d.sections, 'summary')).toBe(
      'Card payments failed for a fifth of customers.\n\nINC-42 (SEV2): detected 2027-03-01 14:02 UTC, customer impact ended 2027-03-01 14:40 UTC, resolved 2027-03-01 15:10 UTC. Duration of impact: 38 minutes.',
    );
    expect(body(d.sections, 'impact')).toBe('20% of card payments failed. Duration of impact: 38 minutes.');
  });

  it('puts changes under the root cause, caused and suspect apart, linking only http(s)', () => {
    const rc = body(draftPostmortem(input(), standard).sections, 'root-cause');
    expect(rc).toBe(
      [
        '### Changes marked as the cause',
        '',
        '- **2027-03-01 14:00 UTC** checkout: Deploy v2.3.1 ([change](https://ci.example.com/builds/991))',
        '',
        '### Suspect changes',
        '',
        '- **2027-03-01 13:30 UTC** payments: Config: retries 3→5',
      ].join('\n'),
    );
  });

  it('labels alerts, responders and stakeholder updates in the appendix', () => {
    const appendix = body(draftPostmortem(input(), standard).sections, 'appendix');
    expect(appendix).toBe(
      [
        '### Linked alerts',
        '',
        '- Alert #7: Checkout 5xx rate high (checkout)',
        '',
        '### Responders',
        '',
        '- Ana Lima: commander',
        '',
        '### Stakeholder updates',
        '',
        '- **2027-03-01 14:15 UTC**, Comms Lead: We are investigating checkout errors.',
      ].join('\n'),
    );
  });

  it('places content in the Google SRE layout: alerts under detection, appendix material in supporting information', () => {
    const d = draftPostmortem(input(), builtInTemplate('google-sre')!);
    expect(body(d.sections, 'detection')).toContain('- Alert #7: Checkout 5xx rate high');
    expect(body(d.sections, 'root-causes')).toContain('### Changes marked as the cause');
    expect(body(d.sections, 'supporting-information')).toContain('### Stakeholder updates');
    expect(body(d.sections, 'timeline')).toContain('14:20 UTC');
  });

  it('loses nothing in the short form: timeline and updates go to the summary, alerts beside the changes, labelled', () => {
    const d = draftPostmortem(input(), builtInTemplate('short')!);
    const summary = body(d.sections, 'summary');
    expect(summary).toContain('### Impact\n\n20% of card payments failed.');
    expect(summary).toContain('### Timeline\n\n- **2027-03-01 14:02 UTC**');
    expect(summary).toContain('### Stakeholder updates');
    expect(summary).not.toContain('Responders');
    expect(body(d.sections, 'root-cause')).toContain('Deploy v2.3.1');
    expect(body(d.sections, 'root-cause')).toContain('### Linked alerts\n\n- Alert #7: Checkout 5xx rate high (checkout)');
  });

  it('puts everything in the first section of a template with none of the known keys', () => {
    const d = draftPostmortem(input(), { sections: [{ key: 'notes', title: 'Notes' }, { key: 'other', title: 'Other' }] });
    expect(d.sections[0]?.body).toContain('Card payments failed');
    expect(d.sections[0]?.body).toContain('Deploy v2.3.1');
    expect(d.sections[1]?.body).toBe('');
  });

  it('leaves sections empty with nothing to say', () => {
    const d = draftPostmortem(input({ timeline: [], alerts: [], changes: [], updates: [], people: [] }, { summary: '', customerImpact: '' }), standard);
    expect(d.sections.map((s) => [s.key, s.body === ''])).toEqual([
      ['summary', false],
      ['impact', true],
      ['timeline', true],
      ['root-cause', true],
      ['action-items', true],
      ['appendix', true],
    ]);
  });

  it('names the zone when it is not one', () => {
    expect(() => draftPostmortem(input({}, { timeZone: 'Mars/Olympus' }), standard)).toThrow('timeZone "Mars/Olympus" is not an IANA time zone');
  });

  it('drafts from 2,000 timeline entries well under 50 ms', () => {
    const start = at('2027-03-01T00:00:00Z');
    const timeline = Array.from({ length: 2_000 }, (_, i) => ({ at: start + ((i * 7919) % 2_000) * 30_000, kind: i % 3 === 0 ? 'milestone' : 'note', text: `entry ${i}`, pinned: i % 5 === 0 }));
    draftPostmortem(input({ timeline }), standard); // warm up Intl
    const started = performance.now();
    const d = draftPostmortem(input({ timeline }), standard);
    const elapsed = performance.now() - started;
    const lines = body(d.sections, 'timeline').split('\n');
    expect(lines).toHaveLength(timeline.filter((e) => e.kind === 'milestone' || e.pinned).length);
    const times = lines.map((l) => l.slice(0, '- **2027-03-01 14:02 UTC**'.length));
    expect([...times].sort()).toEqual(times);
    expect(elapsed).toBeLessThan(50);
  });
});

describe('time and duration text', () => {
  it('writes the same text as Intl’s parts, for any instant in any zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') }), fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'), (ms, zone) => {
        const p: Record<string, string> = {};
        const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).formatToParts(ms);
        for (const part of parts) p[part.type] = part.value;
        expect(instantFormatter(zone)(ms)).toBe(`${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`);
      }),
      { numRuns: 300 },
    );
  });


  it('writes midnight as 00, not 24', () => {
    expect(instantFormatter('UTC')(at('2027-03-02T00:05:00Z'))).toBe('2027-03-02 00:05 UTC');
  });

  it.each([
    [0, '0 minutes'],
    [1, '1 minute'],
    [59, '59 minutes'],
    [60, '1 hour'],
    [125, '2 hours 5 minutes'],
    [1440, '1 day'],
    [1440 + 180 + 7, '1 day 3 hours'],
  ])('%i minutes is %j', (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });
});
