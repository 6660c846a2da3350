import { describe, expect, it } from 'vitest';
import type { ConfigDocument, EscalationPolicyDocument, ScheduleDocument, TeamDocument, UserDocument } from '../../contracts/config.js';
import { plan } from './plan.js';

const user = (name: string, spec: Partial<UserDocument['spec']> = {}): UserDocument => ({
  apiVersion: 'firebreak/v1',
  kind: 'User',
  metadata: { name },
  spec: { name: `Person ${name}`, email: `${name}@example.com`, timeZone: 'UTC', role: 'responder', ...spec },
});
const team = (name: string, spec: Partial<TeamDocument['spec']> = {}): TeamDocument => ({ apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name }, spec: { name: `Team ${name}`, ...spec } });
type Layer = ScheduleDocument['spec']['layers'][number];
const layer = (id: string, extra: Partial<Layer> = {}): Layer => ({
  id,
  name: `Layer ${id}`,
  participants: ['ana', 'bob', 'carol'],
  start: '2026-03-02T09:00:00Z',
  handoffTime: '09:00',
  turn: { unit: 'weeks', count: 1 },
  advance: 'calendar',
  ...extra,
});
const schedule = (name: string, spec: Partial<ScheduleDocument['spec']> = {}): ScheduleDocument => ({
  apiVersion: 'firebreak/v1',
  kind: 'Schedule',
  metadata: { name },
  spec: { name: `Schedule ${name}`, timeZone: 'Europe/Lisbon', layers: [layer('weekly')], ...spec },
});
const policy = (name: string, spec: Partial<EscalationPolicyDocument['spec']> = {}): EscalationPolicyDocument => ({
  apiVersion: 'firebreak/v1',
  kind: 'EscalationPolicy',
  metadata: { name },
  spec: { name: `Policy ${name}`, levels: [{ delayMinutes: 10, targets: [{ schedule: 'primary' }] }], repeat: 0, skipEmptyLevels: true, ...spec },
});
const heads = (desired: ConfigDocument[], current: ConfigDocument[], options: Parameters<typeof plan>[2]) => plan(desired, current, options).changes.map((c) => `${c.action} ${c.kind} ${c.name}`);

const lines = (desired: ConfigDocument[], current: ConfigDocument[], options: Parameters<typeof plan>[2]) =>
  plan(desired, current, options).changes.map((c) => [`${c.action} ${c.kind} ${c.name}`, ...c.diff.map((d) => `  ${d.field}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`)].join('\n'));

describe('plan', () => {
  const cases: Array<{ name: string; desired: ConfigDocument[]; current: ConfigDocument[]; prune?: boolean; deactivated?: ConfigDocument[]; expected: string[] }> = [
    {
      name: 'creates users before the teams that name them, whatever the file order',
      desired: [team('platform', { members: [{ user: 'ana', role: 'admin' }] }), user('ana')],
      current: [],
      expected: [
        'create User ana\n  spec.name: null → "Person ana"\n  spec.email: null → "ana@example.com"\n  spec.timeZone: null → "UTC"\n  spec.role: null → "responder"',
        'create Team platform\n  spec.name: null → "Team platform"\n  spec.members[ana].role: null → "admin"',
      ],
    },
    { name: 'leaves identical documents unchanged', desired: [user('ana'), team('ops')], current: [user('ana'), team('ops')], expected: ['unchanged User ana', 'unchanged Team ops'] },
    {
      name: 'treats written-out defaults and member order as no change',
      desired: [team('ops', { description: '', members: [{ user: 'bob', role: 'member' }, { user: 'ana', role: 'member' }] })],
      current: [team('ops', { members: [{ user: 'ana', role: 'member' }, { user: 'bob', role: 'member' }] })],
      expected: ['unchanged Team ops'],
    },
    {
      name: 'updates only the fields that differ',
      desired: [user('ana', { name: 'Ana Lima', role: 'admin' })],
      current: [user('ana')],
      expected: ['update User ana\n  spec.name: "Person ana" → "Ana Lima"\n  spec.role: "responder" → "admin"'],
    },
    {
      name: 'diffs team members by user: added, changed and removed',
      desired: [team('ops', { members: [{ user: 'ana', role: 'admin' }, { user: 'carol', role: 'member' }] })],
      current: [team('ops', { description: 'Old', members: [{ user: 'ana', role: 'member' }, { user: 'bob', role: 'member' }] })],
      expected: ['update Team ops\n  spec.members[ana].role: "member" → "admin"\n  spec.members[carol].role: null → "member"\n  spec.description: "Old" → null\n  spec.members[bob].role: "member" → null'],
    },
    {
      name: 'leaves things in no document alone without prune',
      desired: [user('ana')],
      current: [user('ana'), user('bob'), team('ops')],
      expected: ['unchanged User ana'],
    },
    {
      name: 'deletes things in no document with prune, teams before users',
      desired: [user('ana')],
      current: [user('zoe'), user('bob'), user('ana'), team('ops'), team('dev')],
      prune: true,
      expected: ['unchanged User ana', 'delete Team dev\n  spec.name: "Team dev" → null', 'delete Team ops\n  spec.name: "Team ops" → null', expect.stringMatching(/^delete User bob\n/), expect.stringMatching(/^delete User zoe\n/)] as string[],
    },
    {
      name: 'reactivates a deactivated thing named by a document, with its other changes',
      desired: [user('ana', { role: 'admin' })],
      current: [],
      deactivated: [user('ana')],
      expected: ['update User ana\n  status: "deactivated" → "active"\n  spec.role: "responder" → "admin"'],
    },
  ];

  it.each(cases)('$name', ({ desired, current, prune, deactivated, expected }) => {
    expect(lines(desired, current, { prune: prune ?? false, ...(deactivated ? { deactivated } : {}) })).toEqual(expected);
  });

  it('lists things in no document as unmanaged when not pruning, in kind order', () => {
    const result = plan([user('ana')], [team('ops'), user('bob'), user('ana')], { prune: false });
    expect(result.unmanaged).toEqual([{ kind: 'User', name: 'bob' }, { kind: 'Team', name: 'ops' }]);
    expect(result.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 1 });
  });

  it('lists nothing as unmanaged when pruning, and counts each action', () => {
    const result = plan([user('ana', { name: 'A' }), user('new')], [user('ana'), user('old'), user('same')], { prune: true });
    expect(result.unmanaged).toEqual([]);
    expect(result.summary).toEqual({ create: 1, update: 1, delete: 2, unchanged: 0 });
  });

  it('creates in kind order whatever the file order: users, teams, schedules, then policies', () => {
    expect(heads([policy('platform'), schedule('primary'), team('ops'), user('ana')], [], { prune: false })).toEqual([
      'create User ana',
      'create Team ops',
      'create Schedule primary',
      'create EscalationPolicy platform',
    ]);
  });

  it('deletes in reverse kind order, so no policy still targets a schedule being deleted and no schedule names a user being deactivated', () => {
    expect(heads([user('root')], [user('root'), user('ana'), team('ops'), schedule('primary'), policy('platform')], { prune: true })).toEqual([
      'unchanged User root',
      'delete EscalationPolicy platform',
      'delete Schedule primary',
      'delete Team ops',
      'delete User ana',
    ]);
  });

  it('sees the same instant written with an offset as no change against the UTC text the server exports', () => {
    const desired = schedule('primary', { layers: [layer('weekly', { start: '2026-03-02T09:00:00+00:00', restrictions: [], shadows: [] })] });
    expect(heads([desired], [schedule('primary')], { prune: false })).toEqual(['unchanged Schedule primary']);
  });

  it('shows a change of layer priority, which the layers’ fields alone would not', () => {
    const two = schedule('primary', { layers: [layer('weekly'), layer('nights', { handoffTime: '21:00' })] });
    const swapped = schedule('primary', { layers: [layer('nights', { handoffTime: '21:00' }), layer('weekly')] });
    expect(lines([swapped], [two], { prune: false })).toEqual(['update Schedule primary\n  spec.layers: ["weekly","nights"] → ["nights","weekly"]']);
  });

  it('diffs layers by id and policy levels by position', () => {
    const current = [schedule('primary'), policy('platform')];
    const desired = [
      schedule('primary', { layers: [layer('weekly', { turn: { unit: 'days', count: 7 } })] }),
      policy('platform', { levels: [{ delayMinutes: 10, targets: [{ schedule: 'primary' }] }, { delayMinutes: 5, targets: [{ user: 'ana' }] }] }),
    ];
    expect(lines(desired, current, { prune: false })).toEqual([
      'update Schedule primary\n  spec.layers[weekly].turn.unit: "weeks" → "days"\n  spec.layers[weekly].turn.count: 1 → 7',
      'update EscalationPolicy platform\n  spec.levels.1.delayMinutes: null → 5\n  spec.levels.1.targets: null → [{"user":"ana"}]',
    ]);
  });

  describe('a person’s contact methods and notification rules', () => {
    const email = { type: 'email' as const, address: 'ana@example.com' };
    const sms = { type: 'sms' as const, address: '+14155550100', label: 'Work phone' };
    const onServer = user('ana', { contactMethods: [email, sms], notificationRules: { high: [{ afterMinutes: 0, contactMethod: 'email:ana@example.com' }], low: [] } });

    it('leaves them alone when the document leaves them out', () => {
      expect(lines([user('ana')], [onServer], { prune: false })).toEqual(['unchanged User ana']);
    });

    it('removes them all when the document lists none', () => {
      expect(lines([user('ana', { contactMethods: [], notificationRules: { high: [], low: [] } })], [onServer], { prune: false })).toEqual([
        'update User ana\n  spec.notificationRules.high: [{"afterMinutes":0,"contactMethod":"email:ana@example.com"}] → []\n  spec.contactMethods[email:ana@example.com]: "email:ana@example.com" → null\n  spec.contactMethods[sms:+14155550100].label: "Work phone" → null',
      ]);
    });

    it('finds nothing to change when methods come in another order and rules name them by label', () => {
      const desired = user('ana', { contactMethods: [sms, email], notificationRules: { high: [{ afterMinutes: 0, contactMethod: 'email:ana@example.com' }], low: [] } });
      expect(heads([desired], [onServer], { prune: false })).toEqual(['unchanged User ana']);
      const byLabel = user('ana', { contactMethods: [email, sms], notificationRules: { high: [{ afterMinutes: 0, contactMethod: 'email:ana@example.com' }, { afterMinutes: 5, contactMethod: 'Work phone' }], low: [] } });
      expect(lines([byLabel], [onServer], { prune: false })).toEqual([
        'update User ana\n  spec.notificationRules.high: [{"afterMinutes":0,"contactMethod":"email:ana@example.com"}] → [{"afterMinutes":0,"contactMethod":"email:ana@example.com"},{"afterMinutes":5,"contactMethod":"sms:+14155550100"}]',
      ]);
    });

    it('treats a person with no methods as having none when the document lists none', () => {
      expect(heads([user('ana', { contactMethods: [], notificationRules: { high: [], low: [] } })], [user('ana')], { prune: false })).toEqual(['unchanged User ana']);
    });
  });

  it('gives the same plan for documents in any order', () => {
    const docs = [team('b'), user('z'), team('a'), user('m')];
    expect(plan(docs, [], { prune: false })).toEqual(plan([...docs].reverse(), [], { prune: false }));
  });
});
