import { describe, expect, it } from 'vitest';
import { formatProblem, locateApiIssue, parseConfigSources, validateConfigSources, type ConfigSource } from './source.js';

const ana = `apiVersion: firebreak/v1
kind: User
metadata:
  name: ana
spec:
  name: Ana Lima
  email: ana@example.com
  timeZone: Europe/Lisbon
  role: admin
`;

const platform = `apiVersion: firebreak/v1
kind: Team
metadata:
  name: platform
spec:
  name: Platform
  members:
    - user: ana
      role: admin
`;

const problemsOf = (sources: ConfigSource[]) => validateConfigSources(sources, { mode: 'documents' }).problems.map(formatProblem);

describe('validateConfigSources', () => {
  const cases: Array<{ name: string; sources: ConfigSource[]; expected: string[] }> = [
    { name: 'accepts a valid user and team in one file', sources: [{ path: 'a.yaml', text: `${ana}---\n${platform}` }], expected: [] },
    { name: 'accepts documents split across files', sources: [{ path: 'users.yaml', text: ana }, { path: 'teams.yaml', text: platform }], expected: [] },
    {
      name: 'reports a misspelled field at its key and the field it replaced as required at its parent',
      sources: [{ path: 'users.yaml', text: ana.replace('  email:', '  emial:') }],
      expected: ['users.yaml:5:1: User/ana: spec.email: is required', 'users.yaml:7:3: User/ana: spec.emial: is not a known field (check the spelling)'],
    },
    {
      name: 'reports a bad value at the value',
      sources: [{ path: 'users.yaml', text: ana.replace('ana@example.com', 'not-an-email') }],
      expected: ['users.yaml:7:10: User/ana: spec.email: must be an email address'],
    },
    {
      name: 'reports an unknown time zone and an unknown role in the same document',
      sources: [{ path: 'users.yaml', text: ana.replace('Europe/Lisbon', 'Mars/Olympus').replace('role: admin', 'role: boss') }],
      expected: [
        'users.yaml:8:13: User/ana: spec.timeZone: must be an IANA time zone such as Europe/Lisbon or America/New_York',
        'users.yaml:9:9: User/ana: spec.role: Invalid option: expected one of "viewer"|"responder"|"admin"|"owner"',
      ],
    },
    {
      name: 'reports an unknown kind at the kind value',
      sources: [{ path: 'x.yaml', text: platform.replace('kind: Team', 'kind: Teem') }],
      expected: ['x.yaml:2:7: Teem/platform: kind: must be one of: NotificationProvider, User, Team, Schedule, EscalationPolicy, Service, MaintenanceWindow, Silence, Severity, Playbook, IncidentRule, PostmortemTemplate, PostmortemPolicy, StatusPage, Component'],
    },
    {
      name: 'reports a wrong apiVersion',
      sources: [{ path: 'x.yaml', text: platform.replace('firebreak/v1', 'firebreak/v2') }],
      expected: ['x.yaml:1:13: Team/platform: apiVersion: Invalid input: expected "firebreak/v1"'],
    },
    {
      name: 'reports a name that is not a handle',
      sources: [{ path: 'x.yaml', text: platform.replace('name: platform', 'name: Platform Team') }],
      expected: ['x.yaml:4:9: Team/Platform Team: metadata.name: must be 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit'],
    },
    {
      name: 'reports a member naming a user defined nowhere at that member’s user value',
      sources: [{ path: 'teams.yaml', text: `${platform}    - user: bob\n` }, { path: 'users.yaml', text: ana }],
      expected: ['teams.yaml:10:13: Team/platform: spec.members.1.user: User `bob` is not defined in these files (if it exists only on the server, check with `config plan`, or pass --skip-references)'],
    },
    {
      name: 'reports a member listed twice',
      sources: [{ path: 'a.yaml', text: `${ana}---\n${platform}    - user: ana\n` }],
      expected: ['a.yaml:20:13: Team/platform: spec.members.1.user: `ana` is listed twice'],
    },
    {
      name: 'reports a kind/name defined twice across files, naming where it was defined first',
      sources: [{ path: 'a.yaml', text: ana }, { path: 'b.yaml', text: `# the same person again\n${ana}` }],
      expected: ['b.yaml:5:9: User/ana: metadata.name: User `ana` is already defined at a.yaml:1:1'],
    },
    {
      name: 'reports errors in a later document with that document’s own lines',
      sources: [{ path: 'a.yaml', text: `${ana}---\n${platform.replace('    - user: ana\n      role: admin\n', '    - user: ana\n      role: owner\n')}` }],
      expected: ['a.yaml:19:13: Team/platform: spec.members.0.role: Invalid option: expected one of "member"|"admin"'],
    },
    {
      name: 'reports a YAML syntax error with its position and still checks the other files',
      sources: [{ path: 'bad.yaml', text: 'kind: Team\nspec:\n  name: "unterminated\n' }, { path: 'users.yaml', text: ana.replace('role: admin', 'role: boss') }],
      expected: [
        'bad.yaml:4:1: YAML: Missing closing "quote',
        'users.yaml:9:9: User/ana: spec.role: Invalid option: expected one of "viewer"|"responder"|"admin"|"owner"',
      ],
    },
    {
      name: 'reports a repeated key as a YAML error instead of letting the last one win',
      sources: [{ path: 'a.yaml', text: ana.replace('  role: admin\n', '  role: admin\n  role: viewer\n') }],
      expected: ['a.yaml:10:3: YAML: Map keys must be unique'],
    },
    {
      name: 'reports a document that is not a mapping at its start',
      sources: [{ path: 'a.yaml', text: '- one\n- two\n' }],
      expected: ['a.yaml:1:1: a document must be a mapping with apiVersion, kind, metadata and spec'],
    },
    { name: 'skips documents that hold only comments', sources: [{ path: 'a.yaml', text: `# users\n---\n${ana}---\n# end\n` }], expected: [] },
    { name: 'accepts an empty file', sources: [{ path: 'empty.yaml', text: '' }], expected: [] },
  ];

  it.each(cases)('$name', ({ sources, expected }) => {
    expect(problemsOf(sources)).toEqual(expected);
  });

  it('skips reference checks when told to', () => {
    const { problems, documents } = validateConfigSources([{ path: 'teams.yaml', text: platform }], { mode: 'skip' });
    expect(problems).toEqual([]);
    expect(documents).toHaveLength(1);
  });

  it('returns the parsed documents with defaults filled in', () => {
    const { documents } = validateConfigSources([{ path: 'a.yaml', text: `${ana}---\n${platform.replace('      role: admin\n', '')}` }], { mode: 'documents' });
    expect(documents[1]).toEqual({ apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name: 'platform' }, spec: { name: 'Platform', members: [{ user: 'ana', role: 'member' }] } });
  });
});

describe('locateApiIssue', () => {
  const { documents } = parseConfigSources([{ path: 'users.yaml', text: ana }, { path: 'teams.yaml', text: platform }]);
  const cases = [
    { name: 'maps a body path to the document’s file and line', path: 'body.documents.1.spec.members.0.user', expected: 'teams.yaml:8:13: Team/platform: spec.members.0.user: nope' },
    { name: 'maps a path without the body prefix', path: 'documents.0.spec.email', expected: 'users.yaml:7:10: User/ana: spec.email: nope' },
    { name: 'maps a path to a whole document', path: 'body.documents.0', expected: 'users.yaml:1:1: User/ana: nope' },
  ];
  it.each(cases)('$name', ({ path, expected }) => {
    const problem = locateApiIssue(documents, { path, message: 'nope' });
    expect(problem && formatProblem(problem)).toBe(expected);
  });

  it('returns null for issues about other parts of the body', () => {
    expect(locateApiIssue(documents, { path: 'body.prune', message: 'nope' })).toBeNull();
  });
});
