import { describe, expect, it } from 'vitest';
import { previewEscalation, type EscalationPolicyDefinition, type EscalationTarget, type TargetResolver } from './escalation-preview.js';
import { instantFromIso, isoFromInstant, type Instant } from './time.js';

const at = instantFromIso;
const T = at('2026-03-02T10:00Z');
const schedule = (id: string): EscalationTarget => ({ type: 'schedule', id });
const user = (id: string): EscalationTarget => ({ type: 'user', id });
const team = (id: string): EscalationTarget => ({ type: 'team', id });

/** `primary` hands over from ana to ben at 10:15; `empty` never has anyone; team `ops` is cho and ana. */
const resolve: TargetResolver = (target, when: Instant) => {
  if (target.type === 'user') return [target.id];
  if (target.type === 'team') return target.id === 'ops' ? ['cho', 'ana'] : [];
  if (target.id === 'primary') return [when < at('2026-03-02T10:15Z') ? 'ana' : 'ben'];
  return [];
};
const show = (policy: EscalationPolicyDefinition) =>
  previewEscalation(policy, T, resolve).map((s) => [s.level, s.round, isoFromInstant(s.notifyAt), s.skipped, s.users.map((u) => `${u.userId} via ${u.via.type}:${u.via.id}`)]);

describe('escalation preview', () => {
  it('notifies each level after the previous level’s delay, resolving schedules when the level is reached', () => {
    const policy: EscalationPolicyDefinition = {
      levels: [{ delayMinutes: 10, targets: [schedule('primary')] }, { delayMinutes: 10, targets: [schedule('primary'), user('dev')] }],
      repeat: 0,
      fallback: null,
      skipEmptyLevels: true,
    };
    expect(show(policy)).toEqual([
      [1, 0, '2026-03-02T10:00:00Z', false, ['ana via schedule:primary']],
      [2, 0, '2026-03-02T10:10:00Z', false, ['ana via schedule:primary', 'dev via user:dev']],
    ]);
  });

  it('skips a level that resolves to nobody at once, without waiting its delay', () => {
    const policy: EscalationPolicyDefinition = {
      levels: [{ delayMinutes: 5, targets: [schedule('empty')] }, { delayMinutes: 10, targets: [schedule('primary')] }],
      repeat: 0,
      fallback: null,
      skipEmptyLevels: true,
    };
    expect(show(policy)).toEqual([
      [1, 0, '2026-03-02T10:00:00Z', true, []],
      [2, 0, '2026-03-02T10:00:00Z', false, ['ana via schedule:primary']],
    ]);
  });

  it('waits the delay of an empty level when skipping is off', () => {
    const policy: EscalationPolicyDefinition = {
      levels: [{ delayMinutes: 20, targets: [schedule('empty')] }, { delayMinutes: 10, targets: [schedule('primary')] }],
      repeat: 0,
      fallback: null,
      skipEmptyLevels: false,
    };
    expect(show(policy)).toEqual([
      [1, 0, '2026-03-02T10:00:00Z', false, []],
      [2, 0, '2026-03-02T10:20:00Z', false, ['ben via schedule:primary']],
    ]);
  });

  it('repeats the whole policy, then notifies the fallback, listing a person once per level', () => {
    const policy: EscalationPolicyDefinition = {
      levels: [{ delayMinutes: 5, targets: [team('ops'), user('ana')] }],
      repeat: 2,
      fallback: user('boss'),
      skipEmptyLevels: true,
    };
    expect(show(policy)).toEqual([
      [1, 0, '2026-03-02T10:00:00Z', false, ['cho via team:ops', 'ana via team:ops']],
      [1, 1, '2026-03-02T10:05:00Z', false, ['cho via team:ops', 'ana via team:ops']],
      [1, 2, '2026-03-02T10:10:00Z', false, ['cho via team:ops', 'ana via team:ops']],
      [null, 2, '2026-03-02T10:15:00Z', false, ['boss via user:boss']],
    ]);
  });
});
