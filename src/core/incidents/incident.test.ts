import { describe, expect, it } from 'vitest';
import { changeStatus, declare, edit, isRefusal, linkAlerts, type Decision, type IncidentState, type Refusal } from './incident.js';

const T0 = Date.parse('2026-11-21T09:00:00Z');
const MIN = 60_000;
const ctx = (minutes = 0, actor = 'ana') => ({ now: T0 + minutes * MIN, actor });

function open(overrides: Partial<IncidentState> = {}): IncidentState {
  const declared = declare({ reference: 'INC-7', title: 'Checkout errors', severity: 'SEV2', summary: '', customerImpact: '', serviceIds: ['s-checkout'], links: [], alerts: [] }, ctx());
  return { ...declared.incident, ...overrides };
}

const decided = (d: Decision | Refusal): Decision => {
  if (isRefusal(d)) throw new Error(`refused: ${d.refused}`);
  return d;
};

describe('declaring an incident', () => {
  it('from scratch: investigating, detected, declared and acknowledged now, one milestone', () => {
    const d = declare({ reference: 'INC-1', title: 'Checkout errors', severity: 'SEV2', summary: '', customerImpact: '', serviceIds: ['b', 'a', 'b'], links: [], alerts: [] }, ctx());
    expect(d.incident).toMatchObject({ status: 'investigating', detectedAt: T0, declaredAt: T0, acknowledgedAt: T0, mitigatedAt: null, resolvedAt: null, serviceIds: ['a', 'b'] });
    expect(d.timeline).toEqual([{ kind: 'milestone', action: 'declare', actor: 'ana', summary: 'INC-1 declared (SEV2) by ana: Checkout errors', data: { severity: 'SEV2', status: 'investigating' } }]);
  });

  it('from alerts: detected at the first alert’s first event, acknowledged at its first acknowledgement', () => {
    const d = declare(
      {
        reference: 'INC-2', title: 'Payments down', severity: 'SEV1', summary: '', customerImpact: '', serviceIds: [], links: [],
        alerts: [
          { label: '#12', firstSeenAt: T0 - 20 * MIN, acknowledgedAt: null },
          { label: '#13', firstSeenAt: T0 - 5 * MIN, acknowledgedAt: T0 - 3 * MIN },
        ],
      },
      ctx(),
    );
    expect(d.incident).toMatchObject({ detectedAt: T0 - 20 * MIN, acknowledgedAt: T0 - 3 * MIN, declaredAt: T0 });
    expect(d.timeline.map((e) => e.summary)).toEqual(['INC-2 declared (SEV1) by ana: Payments down', 'Declared from alerts #12, #13']);
  });

  it('takes an earlier declared detection time, but never one in the future', () => {
    const base = { reference: 'INC-3', title: 'x', severity: 'SEV3', summary: '', customerImpact: '', serviceIds: [], links: [], alerts: [] };
    expect(declare({ ...base, detectedAt: T0 - 60 * MIN }, ctx()).incident.detectedAt).toBe(T0 - 60 * MIN);
    expect(declare({ ...base, detectedAt: T0 + 60 * MIN }, ctx()).incident.detectedAt).toBe(T0);
  });
});

describe('the status lifecycle', () => {
  it('records each transition as a milestone, mitigation as its own moment', () => {
    const identified = decided(changeStatus(open(), { status: 'identified' }, ctx(10)));
    expect(identified.timeline).toEqual([{ kind: 'milestone', action: 'status', actor: 'ana', summary: 'Status: investigating → identified', data: { from: 'investigating', to: 'identified' } }]);
    const monitoring = decided(changeStatus(identified.incident, { status: 'monitoring', mitigated: true, note: 'Rolled back' }, ctx(20)));
    expect(monitoring.incident).toMatchObject({ status: 'monitoring', mitigatedAt: T0 + 20 * MIN, resolvedAt: null });
    expect(monitoring.timeline.map((e) => [e.kind, e.action, e.summary])).toEqual([
      ['milestone', 'status', 'Status: identified → monitoring'],
      ['milestone', 'mitigate', 'Mitigated: customer impact ended'],
      ['note', 'note', 'Rolled back'],
    ]);
    const resolved = decided(changeStatus(monitoring.incident, { status: 'resolved' }, ctx(90, 'ben')));
    expect(resolved.incident).toMatchObject({ status: 'resolved', mitigatedAt: T0 + 20 * MIN, resolvedAt: T0 + 90 * MIN });
    expect(resolved.timeline.map((e) => e.summary)).toEqual(['Resolved by ben (was monitoring)']);
  });

  it('mitigates without a status change, and withdraws mitigation when impact comes back', () => {
    const mitigated = decided(changeStatus(open(), { status: 'investigating', mitigated: true }, ctx(5)));
    expect(mitigated.incident).toMatchObject({ status: 'investigating', mitigatedAt: T0 + 5 * MIN });
    const again = decided(changeStatus(mitigated.incident, { status: 'investigating', mitigated: true }, ctx(6)));
    expect(again).toMatchObject({ changed: false, timeline: [] });
    expect(again.incident.mitigatedAt).toBe(T0 + 5 * MIN);
    const back = decided(changeStatus(mitigated.incident, { status: 'investigating', mitigated: false }, ctx(7)));
    expect(back.incident.mitigatedAt).toBeNull();
    expect(back.timeline.map((e) => e.action)).toEqual(['unmitigate']);
  });

  it('resolving an unmitigated incident records mitigation first, at the same moment', () => {
    const d = decided(changeStatus(open({ status: 'identified' }), { status: 'resolved' }, ctx(30)));
    expect(d.incident).toMatchObject({ mitigatedAt: T0 + 30 * MIN, resolvedAt: T0 + 30 * MIN });
    expect(d.timeline.map((e) => e.summary)).toEqual(['Mitigated (recorded at resolution)', 'Resolved by ana (was identified)']);
  });

  it('moves back to an earlier stage when a fix does not hold, and says so', () => {
    const d = decided(changeStatus(open({ status: 'monitoring' }), { status: 'investigating' }, ctx(1)));
    expect(d.timeline[0]?.summary).toBe('Status: monitoring → investigating (back to an earlier stage)');
  });

  it('refuses any change once resolved, and resolving while impact continues', () => {
    const resolved = decided(changeStatus(open(), { status: 'resolved' }, ctx(1))).incident;
    expect(changeStatus(resolved, { status: 'investigating' }, ctx(2))).toEqual({ refused: 'INC-7 is resolved; its status can no longer change', fields: ['status'] });
    expect(changeStatus(open(), { status: 'resolved', mitigated: false }, ctx(2))).toMatchObject({ fields: ['mitigated'] });
  });

  it('a request that changes nothing and has no note changes nothing', () => {
    expect(decided(changeStatus(open(), { status: 'investigating' }, ctx(1)))).toMatchObject({ changed: false, timeline: [] });
  });
});

describe('editing', () => {
  it('records each changed field on the timeline; unchanged values are not changes', () => {
    const d = decided(edit(open(), { title: 'Checkout errors', severity: 'SEV1', serviceIds: ['s-pay', 's-checkout'], serviceLabels: new Map([['s-pay', 'payments'], ['s-checkout', 'checkout']]) }, ctx(3)));
    expect(d.incident).toMatchObject({ severity: 'SEV1', serviceIds: ['s-checkout', 's-pay'] });
    expect(d.timeline.map((e) => e.summary)).toEqual(['Severity: SEV2 → SEV1', 'Impacted services: checkout, payments']);
  });

  it('allows only the summary once resolved, naming every refused field', () => {
    const resolved = decided(changeStatus(open(), { status: 'resolved' }, ctx(1))).incident;
    const summary = decided(edit(resolved, { summary: 'Bad deploy of v1.42; rolled back.' }, ctx(2)));
    expect(summary.incident.summary).toBe('Bad deploy of v1.42; rolled back.');
    expect(edit(resolved, { title: 'New', severity: 'SEV1', summary: 'ok', links: [{ href: 'https://x.test', text: null }] }, ctx(2))).toEqual({
      refused: 'INC-7 is resolved: only `summary` and timeline annotations may change, not `title`, `severity`, `links`',
      fields: ['title', 'severity', 'links'],
    });
    // Sending a field with its current value is not an edit of it.
    expect(isRefusal(edit(resolved, { title: resolved.title, summary: 'again' }, ctx(3)))).toBe(false);
  });
});

describe('linking alerts later', () => {
  it('moves detection earlier for an alert that fired before it, and says so', () => {
    const d = decided(linkAlerts(open(), [{ label: '#14', firstSeenAt: T0 - 30 * MIN, acknowledgedAt: null }, { label: '#15', firstSeenAt: T0 + MIN, acknowledgedAt: null }], ctx(5)));
    expect(d.incident.detectedAt).toBe(T0 - 30 * MIN);
    expect(d.timeline.map((e) => e.summary)).toEqual(['Linked alerts #14, #15 (detection moved earlier)']);
    expect(decided(linkAlerts(open(), [{ label: '#16', firstSeenAt: T0 + MIN, acknowledgedAt: null }], ctx(5))).incident.detectedAt).toBe(T0);
  });

  it('links nothing when given nothing, and nothing once resolved', () => {
    expect(decided(linkAlerts(open(), [], ctx(1)))).toMatchObject({ changed: false });
    expect(linkAlerts(open({ status: 'resolved' }), [{ label: '#1', firstSeenAt: T0, acknowledgedAt: null }], ctx(1))).toMatchObject({ fields: ['alertIds'] });
  });
});
