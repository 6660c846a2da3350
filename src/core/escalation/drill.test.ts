import { describe, expect, it } from 'vitest';
import type { FiredStep } from './engine.js';
import { drillLifetimeMs, drillReport, type DrillFacts } from './drill.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const min = (n: number) => T0 + n * 60_000;
const fired = (level: number | null, at: number, users: string[], round = 0): FiredStep => ({ level, round, at: at as FiredStep['at'], generation: 0, users: users as FiredStep['users'], skipped: false });
const page = (level: number, userId: string, channel = 'email') => ({ level, round: 0, generation: 0, userId, channel, address: `${userId}@example.com`, status: 'sent', sentAt: T0, deliveredAt: null });

const facts = (over: Partial<DrillFacts>): DrillFacts => ({
  startedAt: T0,
  steps: [],
  pages: [],
  escalationStatus: 'active',
  alert: { status: 'triggered', acknowledgedAt: null, resolvedAt: null },
  now: min(1),
  ...over,
});

describe('drillReport', () => {
  it('reports the step acknowledged and how long it took, and the steps before as escalated after their wait', () => {
    const report = drillReport(
      facts({
        steps: [fired(1, T0, ['ana']), fired(2, min(10), ['ben'])],
        pages: [page(1, 'ana'), page(1, 'ana', 'sms'), page(2, 'ben')],
        escalationStatus: 'acknowledged',
        alert: { status: 'acknowledged', acknowledgedAt: min(12.5), resolvedAt: null },
        now: min(20),
      }),
    );
    expect(report.status).toBe('acknowledged');
    expect(report.timeToAcknowledgeMs).toBe(12.5 * 60_000);
    expect(report.steps.map((s) => [s.level, s.outcome, s.acknowledgedAfterMs, s.waitedMs, s.pages.length])).toEqual([
      [1, 'escalated', null, 10 * 60_000, 2],
      [2, 'acknowledged', 2.5 * 60_000, 2.5 * 60_000, 1],
    ]);
  });

  it('says a running drill is waiting on its last step, and an exhausted one went unanswered', () => {
    const running = drillReport(facts({ steps: [fired(1, T0, ['ana'])], now: min(4) }));
    expect(running).toMatchObject({ status: 'running', timeToAcknowledgeMs: null, steps: [{ outcome: 'waiting', waitedMs: 4 * 60_000 }] });
    const exhausted = drillReport(facts({ steps: [fired(1, T0, ['ana']), fired(null, min(10), ['ops'])], escalationStatus: 'exhausted', now: min(40) }));
    expect(exhausted.status).toBe('unanswered');
    expect(exhausted.steps.map((s) => s.outcome)).toEqual(['escalated', 'unanswered']);
  });

  it('says a drill that ran out of time without an answer ended', () => {
    const ended = drillReport(facts({ steps: [fired(1, T0, ['ana'])], alert: { status: 'resolved', acknowledgedAt: null, resolvedAt: min(40) }, now: min(60) }));
    expect(ended).toMatchObject({ status: 'ended', steps: [{ outcome: 'unanswered', waitedMs: 40 * 60_000 }] });
  });
});

describe('drillLifetimeMs', () => {
  it('is one walk through every level and repeat, plus 30 minutes, at most a day', () => {
    expect(drillLifetimeMs({ levels: [{ delayMinutes: 10 }, { delayMinutes: 15 }], repeat: 1 })).toBe((50 + 30) * 60_000);
    expect(drillLifetimeMs({ levels: [{ delayMinutes: 600 }], repeat: 9 })).toBe(24 * 60 * 60_000);
  });
});
