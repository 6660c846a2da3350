import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigSources, type ConfigSource } from './source.js';

// Schedules, escalation policies and a person's contact methods as config documents: every problem
// reported at its file, line and column, whether the schema or the schedule engine finds it.

const users = ['ana', 'bob', 'carol']
  .map((h) => `apiVersion: firebreak/v1
kind: User
metadata:
  name: ${h}
spec:
  name: ${h.toUpperCase()}
  email: ${h}@example.com
  timeZone: Europe/Lisbon
  role: responder
`)
  .join('---\n');

// Line numbers below count from the `apiVersion` line (1) of this document.
const schedule = `apiVersion: firebreak/v1
kind: Schedule
metadata:
  name: platform-primary
spec:
  name: Platform primary
  timeZone: America/New_York
  layers:
    - id: weekly
      name: Weekly
      participants: [ana, bob, carol]
      start: 2026-03-02T14:00:00Z
      handoffTime: "09:00"
      turn:
        unit: weeks
        count: 1
      restrictions:
        - kind: daily
          start: "09:00"
          end: "17:00"
`;

const policy = `apiVersion: firebreak/v1
kind: EscalationPolicy
metadata:
  name: platform
spec:
  name: Platform
  levels:
    - delayMinutes: 10
      targets:
        - schedule: platform-primary
    - delayMinutes: 15
      targets:
        - user: ana
  fallback:
    team: platform
`;

const team = `apiVersion: firebreak/v1
kind: Team
metadata:
  name: platform
spec:
  name: Platform
`;

const ana = `apiVersion: firebreak/v1
kind: User
metadata:
  name: ana
spec:
  name: Ana Lima
  email: ana@example.com
  timeZone: Europe/Lisbon
  role: admin
  contactMethods:
    - type: email
      address: ana@example.com
      label: Work email
    - type: sms
      address: +1 (415) 555-0100
  notificationRules:
    high:
      - afterMinutes: 0
        contactMethod: Work email
      - afterMinutes: 5
        contactMethod: sms:+14155550100
`;

const problemsOf = (sources: ConfigSource[]) => validateConfigSources(sources, { mode: 'documents' }).problems.map(formatProblem);
const withSchedule = (text: string): ConfigSource[] => [{ path: 'users.yaml', text: users }, { path: 'schedules.yaml', text }];

describe('Schedule documents', () => {
  const cases: Array<{ name: string; text: string; expected: string[] }> = [
    { name: 'accepts a valid schedule whose people are defined in the files', text: schedule, expected: [] },
    {
      name: 'reports a zero turn length at the count',
      text: schedule.replace('count: 1', 'count: 0'),
      expected: ['schedules.yaml:16:16: Schedule/platform-primary: spec.layers.0.turn.count: must be at least 1'],
    },
    {
      name: 'reports a negative turn length at the count',
      text: schedule.replace('count: 1', 'count: -2'),
      expected: ['schedules.yaml:16:16: Schedule/platform-primary: spec.layers.0.turn.count: must be at least 1'],
    },
    {
      name: 'reports an unknown time zone of the schedule and of a layer, each at its value',
      text: schedule.replace('America/New_York', 'America/Nowhere').replace('      handoffTime:', '      timeZone: Mars/Olympus\n      handoffTime:'),
      expected: [
        'schedules.yaml:7:13: Schedule/platform-primary: spec.timeZone: must be an IANA time zone such as Europe/Lisbon or America/New_York',
        'schedules.yaml:13:17: Schedule/platform-primary: spec.layers.0.timeZone: must be an IANA time zone such as Europe/Lisbon or America/New_York',
      ],
    },
    {
      name: 'reports empty participants at the list',
      text: schedule.replace('participants: [ana, bob, carol]', 'participants: []'),
      expected: ['schedules.yaml:11:21: Schedule/platform-primary: spec.layers.0.participants: a rotation needs at least one participant'],
    },
    {
      name: 'reports a restriction window that never matches, found by the schedule engine, at the window',
      text: schedule.replace('end: "17:00"', 'end: "09:00"'),
      expected: ['schedules.yaml:18:11: Schedule/platform-primary: spec.layers.0.restrictions.0: never matches: it starts and ends at 09:00 (zero length); to be on duty all day, remove the restriction'],
    },
    {
      name: 'reports a layer that ends before it starts, found by the schedule engine, at the end',
      text: schedule.replace('      handoffTime:', '      end: 2026-03-01T00:00:00+01:00\n      handoffTime:'),
      expected: ['schedules.yaml:13:12: Schedule/platform-primary: spec.layers.0.end: must be after start'],
    },
    {
      name: 'reports two layers with the same id at the second id',
      text: `${schedule}    - id: weekly\n      name: Nights\n      participants: [ana]\n      start: 2026-03-02T14:00:00Z\n      handoffTime: "21:00"\n      turn: { unit: days, count: 1 }\n`,
      expected: ['schedules.yaml:21:11: Schedule/platform-primary: spec.layers.1.id: duplicates layers.0.id (weekly)'],
    },
    {
      name: 'refuses a start without an offset, which would depend on the machine’s zone',
      text: schedule.replace('2026-03-02T14:00:00Z', '2026-03-02T09:00:00'),
      expected: ['schedules.yaml:12:14: Schedule/platform-primary: spec.layers.0.start: must be an ISO 8601 instant with Z or an offset, such as 2026-01-05T09:00:00Z'],
    },
    {
      name: 'refuses a date that does not exist',
      text: schedule.replace('2026-03-02T14:00:00Z', '2026-02-30T14:00:00Z'),
      expected: ['schedules.yaml:12:14: Schedule/platform-primary: spec.layers.0.start: is not a date that exists: 2026-02-30'],
    },
    {
      name: 'reports a participant and a team defined nowhere at their values',
      text: schedule.replace('participants: [ana, bob, carol]', 'participants: [ana, dave, carol]').replace('  timeZone: America/New_York', '  team: platform\n  timeZone: America/New_York'),
      expected: [
        'schedules.yaml:7:9: Schedule/platform-primary: spec.team: Team `platform` is not defined in these files (if it exists only on the server, check with `config plan`, or pass --skip-references)',
        'schedules.yaml:12:27: Schedule/platform-primary: spec.layers.0.participants.1: User `dave` is not defined in these files (if it exists only on the server, check with `config plan`, or pass --skip-references)',
      ],
    },
    {
      name: 'reports overrides as an unknown field: they are not config',
      text: `${schedule}  overrides: []\n`,
      expected: ['schedules.yaml:21:3: Schedule/platform-primary: spec.overrides: is not a known field (check the spelling)'],
    },
  ];

  it.each(cases)('$name', ({ text, expected }) => {
    expect(problemsOf(withSchedule(text))).toEqual(expected);
  });
});

describe('EscalationPolicy documents', () => {
  const sources = (text: string): ConfigSource[] => [...withSchedule(schedule), { path: 'teams.yaml', text: team }, { path: 'policies.yaml', text }];
  const cases: Array<{ name: string; text: string; expected: string[] }> = [
    { name: 'accepts a policy naming a schedule, a user and a team defined in the files', text: policy, expected: [] },
    {
      name: 'reports a target naming two things at the target',
      text: policy.replace('        - user: ana\n', '        - user: ana\n          team: platform\n'),
      expected: ['policies.yaml:13:11: EscalationPolicy/platform: spec.levels.1.targets.0: must name exactly one of user, schedule or team (it names 2)'],
    },
    {
      name: 'reports a schedule defined nowhere at its handle',
      text: policy.replace('schedule: platform-primary', 'schedule: platform-secondary'),
      expected: ['policies.yaml:10:21: EscalationPolicy/platform: spec.levels.0.targets.0.schedule: Schedule `platform-secondary` is not defined in these files (if it exists only on the server, check with `config plan`, or pass --skip-references)'],
    },
    {
      name: 'reports a zero delay',
      text: policy.replace('delayMinutes: 10', 'delayMinutes: 0'),
      expected: ['policies.yaml:8:21: EscalationPolicy/platform: spec.levels.0.delayMinutes: must be at least 1 minute'],
    },
  ];
  it.each(cases)('$name', ({ text, expected }) => {
    expect(problemsOf(sources(text))).toEqual(expected);
  });
});

describe('User contact methods and notification rules', () => {
  const cases: Array<{ name: string; text: string; expected: string[] }> = [
    { name: 'accepts methods and rules naming them by label and by type:address', text: ana, expected: [] },
    {
      name: 'reports a rule naming a method that is not listed',
      text: ana.replace('contactMethod: sms:+14155550100', 'contactMethod: voice:+14155550100'),
      expected: ['users.yaml:21:24: User/ana: spec.notificationRules.high.1.contactMethod: `voice:+14155550100` is not one of spec.contactMethods; name a method by its label or as type:address, such as email:ana@example.com'],
    },
    {
      name: 'reports a method listed twice, however its address is written',
      text: ana.replace('      address: +1 (415) 555-0100\n', '      address: +1 (415) 555-0100\n    - type: sms\n      address: "+14155550100"\n'),
      expected: ['users.yaml:17:16: User/ana: spec.contactMethods.2.address: repeats contactMethods.1 (same type and address)'],
    },
    {
      name: 'refuses push and webhook methods, which are made in the UI',
      text: ana.replace('    - type: sms\n      address: +1 (415) 555-0100\n', '    - type: webhook\n      address: https://hooks.example.com/x\n'),
      expected: ['users.yaml:14:13: User/ana: spec.contactMethods.1.type: must be one of email, sms, voice, slack, teams, mattermost (push and webhook methods are added in the UI, not in config)'],
    },
    {
      name: 'reports a bad phone number at the address',
      text: ana.replace('+1 (415) 555-0100', '555-0100'),
      expected: [
        'users.yaml:15:16: User/ana: spec.contactMethods.1.address: must be a phone number in international E.164 form: +, the country code and the number (7–15 digits), such as +14155550100',
      ],
    },
    {
      name: 'reports rules without contactMethods to name',
      text: ana.replace(/ {2}contactMethods:\n(?: {4}.*\n)+/, ''),
      expected: ['users.yaml:11:5: User/ana: spec.notificationRules: needs contactMethods in the same document: rules name those methods'],
    },
    {
      name: 'reports a verification field: verification is not config',
      text: ana.replace('      label: Work email\n', '      label: Work email\n      verified: true\n'),
      expected: ['users.yaml:14:7: User/ana: spec.contactMethods.0.verified: is not a known field (check the spelling)'],
    },
  ];
  it.each(cases)('$name', ({ text, expected }) => {
    expect(problemsOf([{ path: 'users.yaml', text }])).toEqual(expected);
  });

  it('normalizes addresses as the contact method API does', () => {
    const { documents } = validateConfigSources([{ path: 'users.yaml', text: ana }], { mode: 'documents' });
    expect(documents[0]?.kind === 'User' && documents[0].spec.contactMethods).toEqual([
      { type: 'email', address: 'ana@example.com', label: 'Work email' },
      { type: 'sms', address: '+14155550100' },
    ]);
  });
});
