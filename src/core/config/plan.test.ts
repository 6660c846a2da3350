import { describe, expect, it } from 'vitest';
import type { ConfigDocument, TeamDocument, UserDocument } from '../../contracts/config.js';
import { plan } from './plan.js';

const user = (name: string, spec: Partial<UserDocument['spec']> = {}): UserDocument => ({
  apiVersion: 'firebreak/v1',
  kind: 'User',
  metadata: { name },
  spec: { name: `Person ${name}`, email: `${name}@example.com`, timeZone: 'UTC', role: 'responder', ...spec },
});
const team = (name: string, spec: Partial<TeamDocument['spec']> = {}): TeamDocument => ({ apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name }, spec: { name: `Team ${name}`, ...spec } });

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

  it('gives the same plan for documents in any order', () => {
    const docs = [team('b'), user('z'), team('a'), user('m')];
    expect(plan(docs, [], { prune: false })).toEqual(plan([...docs].reverse(), [], { prune: false }));
  });
});
