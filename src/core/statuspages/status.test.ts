import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { componentStatuses, impacts, maintenanceStatusAt, overallStatus, uptimeByDay, uptimeOver, worstStatus, type ComponentStatus } from './status.js';

const at = (iso: string) => Date.parse(iso);
const H = 3_600_000;

describe('overall status in words', () => {
  it.each<[ComponentStatus[], string, string]>([
    [['operational', 'operational'], 'none', 'All Systems Operational'],
    [['operational', 'degraded_performance'], 'minor', 'Minor Service Outage'],
    [['operational', 'partial_outage'], 'major', 'Partial System Outage'],
    [['operational', 'major_outage'], 'major', 'Partial System Outage'],
    [['major_outage', 'major_outage'], 'critical', 'Major System Outage'],
    [['major_outage', 'under_maintenance'], 'critical', 'Major System Outage'],
    [['operational', 'under_maintenance'], 'maintenance', 'Service Under Maintenance'],
    [['degraded_performance', 'under_maintenance'], 'minor', 'Minor Service Outage'],
    [[], 'none', 'All Systems Operational'],
  ])('%j → %s, “%s”', (statuses, indicator, description) => {
    expect(overallStatus(statuses.map((status) => ({ status })))).toEqual({ indicator, description });
  });

  it('takes an unresolved incident’s impact when the components say less', () => {
    expect(overallStatus([{ status: 'operational' }], ['critical'])).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(overallStatus([{ status: 'major_outage' }, { status: 'operational' }], ['minor']).indicator).toBe('major');
    expect(overallStatus([{ status: 'operational' }], ['none'], true).indicator).toBe('maintenance');
  });

  it('is “All Systems Operational” exactly when nothing is wrong (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...componentStatuses)), fc.array(fc.constantFrom(...impacts)), (statuses, open) => {
        const result = overallStatus(statuses.map((status) => ({ status })), open);
        const healthy = statuses.every((s) => s === 'operational') && open.every((i) => i === 'none');
        expect(result.indicator === 'none').toBe(healthy);
        expect(result.description === 'All Systems Operational').toBe(healthy);
      }),
    );
  });

  it('never gets better when a component gets worse (property)', () => {
    const rank = { none: 0, maintenance: 0, minor: 1, major: 2, critical: 3 } as const;
    const order: ComponentStatus[] = ['operational', 'degraded_performance', 'partial_outage', 'major_outage'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...order), { minLength: 1 }), fc.nat(), (statuses, pick) => {
        const i = pick % statuses.length;
        const current = statuses[i] as ComponentStatus;
        const worse = order[Math.min(order.indexOf(current) + 1, order.length - 1)] as ComponentStatus;
        const before = overallStatus(statuses.map((status) => ({ status })));
        const after = overallStatus(statuses.map((status, k) => ({ status: k === i ? worse : status })));
        expect(rank[after.indicator]).toBeGreaterThanOrEqual(rank[before.indicator]);
      }),
    );
  });

  it('shows a group’s worst member, maintenance over operational', () => {
    expect(worstStatus(['operational', 'partial_outage', 'degraded_performance'])).toBe('partial_outage');
    expect(worstStatus(['operational', 'under_maintenance'])).toBe('under_maintenance');
    expect(worstStatus(['under_maintenance', 'degraded_performance'])).toBe('degraded_performance');
    expect(worstStatus([])).toBe('operational');
  });
});

describe('uptime per day', () => {
  it('counts major outage fully, partial at 0.3, degraded not at all, and takes maintenance out of the day', () => {
    const history = [
      { at: at('2026-11-01T00:00:00Z'), status: 'operational' as const },
      { at: at('2026-11-20T00:00:00Z'), status: 'major_outage' as const }, // 2.4 h major
      { at: at('2026-11-20T02:24:00Z'), status: 'operational' as const },
      { at: at('2026-11-20T12:00:00Z'), status: 'partial_outage' as const }, // 4 h partial = 1.2 h down
      { at: at('2026-11-20T16:00:00Z'), status: 'degraded_performance' as const },
      { at: at('2026-11-20T18:00:00Z'), status: 'under_maintenance' as const }, // 6 h out of the day
    ];
    const [day19, day20] = uptimeByDay(history, { zone: 'UTC', now: at('2026-11-21T00:00:00Z') - 1, days: 2 });
    expect(day19?.uptime).toBe(1);
    expect(day20?.date).toBe('2026-11-20');
    expect(day20?.majorMs).toBe(2.4 * H);
    expect(day20?.partialMs).toBe(4 * H);
    expect(day20?.degradedMs).toBe(2 * H);
    expect(day20?.maintenanceMs).toBe(6 * H - 1);
    expect(day20?.uptime).toBeCloseTo(1 - (2.4 + 1.2) / 18, 6);
  });

  it('cuts days at midnight in the page’s zone, 23 hours on a spring-forward day', () => {
    const history = [{ at: at('2026-03-01T00:00:00Z'), status: 'major_outage' as const }];
    const days = uptimeByDay(history, { zone: 'America/New_York', now: at('2026-03-09T05:00:00Z'), days: 2 });
    expect(days.map((d) => d.date)).toEqual(['2026-03-08', '2026-03-09']);
    expect(days[0]?.majorMs).toBe(23 * H);
    expect(days[1]?.majorMs).toBe(1 * H); // 00:00–01:00 EDT so far
  });

  it('has no figure before the component existed, in the future, or for a day of only maintenance', () => {
    const days = uptimeByDay([{ at: at('2026-11-21T12:00:00Z'), status: 'under_maintenance' }], { zone: 'UTC', now: at('2026-11-21T18:00:00Z'), days: 3 });
    expect(days.map((d) => d.uptime)).toEqual([null, null, null]);
    expect(uptimeOver(days)).toBeNull();
  });

  it('stays within 0…1 and is 1 without outages (property)', () => {
    const start = at('2026-10-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.integer({ min: 0, max: 60 * 24 * H }), status: fc.constantFrom(...componentStatuses) }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom('UTC', 'Europe/Lisbon', 'America/New_York', 'Asia/Kolkata'),
        (changes, zone) => {
          const history = changes.map((c) => ({ at: start + c.offset, status: c.status }));
          const days = uptimeByDay(history, { zone, now: start + 61 * 24 * H, days: 90 });
          expect(days).toHaveLength(90);
          for (const d of days) {
            if (d.uptime === null) continue;
            expect(d.uptime).toBeGreaterThanOrEqual(0);
            expect(d.uptime).toBeLessThanOrEqual(1);
          }
          const clean = history.map((h) => ({ ...h, status: h.status === 'major_outage' || h.status === 'partial_outage' ? ('degraded_performance' as const) : h.status }));
          for (const d of uptimeByDay(clean, { zone, now: start + 61 * 24 * H, days: 90 })) expect(d.uptime === null || d.uptime === 1).toBe(true);
        },
      ),
    );
  });
});

describe('automatic maintenance transitions', () => {
  const window = { scheduledFor: at('2026-11-21T10:00:00Z'), scheduledUntil: at('2026-11-21T11:00:00Z') };
  it.each([
    ['scheduled', '2026-11-21T09:59:59Z', 'scheduled'],
    ['scheduled', '2026-11-21T10:00:00Z', 'in_progress'],
    ['scheduled', '2026-11-21T11:00:00Z', 'completed'],
    ['in_progress', '2026-11-21T11:30:00Z', 'completed'],
    ['verifying', '2026-11-21T10:30:00Z', 'verifying'],
    ['completed', '2026-11-21T10:30:00Z', 'completed'],
  ] as const)('%s at %s → %s (never backwards)', (current, now, expected) => {
    expect(maintenanceStatusAt(current, window, at(now))).toBe(expected);
  });
});
