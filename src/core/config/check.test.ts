import { describe, expect, it } from 'vitest';
import { checkDocuments, type ReferenceContext } from './check.js';

const user = (name: string) => ({ apiVersion: 'firebreak/v1', kind: 'User', metadata: { name }, spec: { name: name.toUpperCase(), email: `${name}@example.com`, timeZone: 'UTC', role: 'responder' } });
const team = (name: string, members: string[]) => ({ apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name }, spec: { name, members: members.map((m) => ({ user: m })) } });

const server = (extra: Partial<Extract<ReferenceContext, { mode: 'server' }>> = {}): ReferenceContext => ({
  mode: 'server',
  active: [{ kind: 'User', name: 'carol' }],
  deactivated: [{ kind: 'User', name: 'dave' }],
  prune: false,
  ...extra,
});

describe('checkDocuments references', () => {
  const cases: Array<{ name: string; values: unknown[]; context: ReferenceContext; expected: string[] }> = [
    { name: 'resolves a member to a user in the documents', values: [user('ana'), team('platform', ['ana'])], context: { mode: 'documents' }, expected: [] },
    { name: 'resolves a member to an active user on the server', values: [team('platform', ['carol'])], context: server(), expected: [] },
    {
      name: 'refuses a member that --prune would deactivate',
      values: [team('platform', ['carol'])],
      context: server({ prune: true }),
      expected: ['0 spec.members.0.user: User `carol` is in no document, so --prune would deactivate it; add its User document'],
    },
    {
      name: 'refuses a member who is deactivated on the server',
      values: [team('platform', ['dave'])],
      context: server(),
      expected: ['0 spec.members.0.user: User `dave` is deactivated; add its User document to reactivate it'],
    },
    { name: 'accepts a deactivated member whose document brings them back', values: [user('dave'), team('platform', ['dave'])], context: server(), expected: [] },
    {
      name: 'refuses a member who exists nowhere',
      values: [team('platform', ['erin'])],
      context: server(),
      expected: ['0 spec.members.0.user: User `erin` is not defined in these files and does not exist on the server'],
    },
    {
      name: 'counts an invalid document as defined so one mistake is reported once',
      values: [{ ...user('ana'), spec: { name: 'Ana' } }, team('platform', ['ana'])],
      context: { mode: 'documents' },
      expected: ['0 spec.email: is required', '0 spec.timeZone: is required', '0 spec.role: is required'],
    },
    {
      name: 'names the first definition of a duplicate by its API path',
      values: [user('ana'), user('ana')],
      context: { mode: 'documents' },
      expected: ['1 metadata.name: User `ana` is already defined at documents.0'],
    },
    { name: 'does not treat a User and a Team with the same name as duplicates', values: [user('ops'), team('ops', [])], context: { mode: 'documents' }, expected: [] },
  ];

  it.each(cases)('$name', ({ values, context, expected }) => {
    const { issues } = checkDocuments(values, context);
    expect(issues.map((i) => `${i.index} ${i.path.join('.')}: ${i.message}`)).toEqual(expected);
  });
});
