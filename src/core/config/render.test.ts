import { describe, expect, it } from 'vitest';
import type { ConfigDocument } from '../../contracts/config.js';
import { renderConfigFiles, renderConfigYaml } from './render.js';
import { validateConfigSources } from './source.js';

const ana: ConfigDocument = { apiVersion: 'firebreak/v1', kind: 'User', metadata: { name: 'ana' }, spec: { role: 'admin', timeZone: 'Europe/Lisbon', email: 'ana@example.com', name: 'Ana Lima' } };
const bob: ConfigDocument = { apiVersion: 'firebreak/v1', kind: 'User', metadata: { name: 'bob' }, spec: { name: '1234', email: 'bob@example.com', timeZone: 'UTC', role: 'viewer' } };
const platform: ConfigDocument = {
  apiVersion: 'firebreak/v1',
  kind: 'Team',
  metadata: { name: 'platform' },
  spec: { name: 'Platform', description: 'Runs the platform.\nPages at night.', members: [{ user: 'bob', role: 'member' }, { user: 'ana', role: 'admin' }] },
};

describe('renderConfigYaml', () => {
  it('writes canonical YAML: kind order, name order, fixed keys, sorted members', () => {
    expect(renderConfigYaml([platform, bob, ana])).toBe(`apiVersion: firebreak/v1
kind: User
metadata:
  name: ana
spec:
  name: Ana Lima
  email: ana@example.com
  timeZone: Europe/Lisbon
  role: admin
---
apiVersion: firebreak/v1
kind: User
metadata:
  name: bob
spec:
  name: "1234"
  email: bob@example.com
  timeZone: UTC
  role: viewer
---
apiVersion: firebreak/v1
kind: Team
metadata:
  name: platform
spec:
  name: Platform
  description: |-
    Runs the platform.
    Pages at night.
  members:
    - user: ana
      role: admin
    - user: bob
      role: member
`);
  });

  it('leaves out an empty description and an empty member list', () => {
    const empty: ConfigDocument = { apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name: 'ops' }, spec: { name: 'Ops', description: '', members: [] } };
    expect(renderConfigYaml([empty])).toBe('apiVersion: firebreak/v1\nkind: Team\nmetadata:\n  name: ops\nspec:\n  name: Ops\n');
  });

  it('reads back to the same documents and writes the same bytes again', () => {
    const text = renderConfigYaml([platform, bob, ana]);
    const { documents, problems } = validateConfigSources([{ path: 'export.yaml', text }], { mode: 'documents' });
    expect(problems).toEqual([]);
    expect(renderConfigYaml(documents)).toBe(text);
  });
});

describe('renderConfigYaml for on-call kinds', () => {
  const schedule: ConfigDocument = {
    apiVersion: 'firebreak/v1',
    kind: 'Schedule',
    metadata: { name: 'platform-primary' },
    spec: {
      name: 'Platform primary',
      description: '',
      team: 'platform',
      timeZone: 'America/New_York',
      layers: [
        {
          id: 'weekly',
          name: 'Weekly',
          participants: ['carol', 'ana', 'bob'],
          start: '2026-03-02T09:00:00-05:00',
          handoffTime: '09:00',
          turn: { unit: 'weeks', count: 1 },
          restrictions: [{ kind: 'daily', start: '09:00', end: '17:00', days: [5, 1, 2, 3, 4] }],
          advance: 'calendar',
          shadows: ['erin', 'dave'],
        },
        { id: 'follow-the-sun', name: 'Sydney', participants: ['eve'], start: '2026-03-02T00:00:00.000Z', end: '2026-06-01T00:00:00.500+10:00', handoffTime: '08:00', turn: { unit: 'days', count: 1 }, restrictions: [], advance: 'on-duty', shadows: [], timeZone: 'Australia/Sydney' },
      ],
    },
  };
  const policy: ConfigDocument = {
    apiVersion: 'firebreak/v1',
    kind: 'EscalationPolicy',
    metadata: { name: 'platform' },
    spec: { name: 'Platform', levels: [{ delayMinutes: 10, targets: [{ schedule: 'platform-primary' }, { user: 'ana' }] }], repeat: 2, fallback: { team: 'platform' }, skipEmptyLevels: true },
  };
  const user: ConfigDocument = {
    apiVersion: 'firebreak/v1',
    kind: 'User',
    metadata: { name: 'ana' },
    spec: {
      name: 'Ana Lima',
      email: 'ana@example.com',
      timeZone: 'Europe/Lisbon',
      role: 'admin',
      contactMethods: [{ type: 'sms', address: '+14155550100', label: 'Work phone' }, { type: 'email', address: 'ana@example.com', label: '' }],
      notificationRules: { high: [{ afterMinutes: 5, contactMethod: 'Work phone' }, { afterMinutes: 0, contactMethod: 'email:ana@example.com' }], low: [] },
    },
  };

  it('writes instants in UTC, keeps layer and participant order, sorts shadows and days, quotes times of day', () => {
    expect(renderConfigYaml([policy, schedule])).toBe(`apiVersion: firebreak/v1
kind: Schedule
metadata:
  name: platform-primary
spec:
  name: Platform primary
  team: platform
  timeZone: America/New_York
  layers:
    - id: weekly
      name: Weekly
      participants: [carol, ana, bob]
      start: 2026-03-02T14:00:00Z
      handoffTime: "09:00"
      turn:
        unit: weeks
        count: 1
      restrictions:
        - kind: daily
          start: "09:00"
          end: "17:00"
          days: [1, 2, 3, 4, 5]
      advance: calendar
      shadows: [dave, erin]
    - id: follow-the-sun
      name: Sydney
      participants: [eve]
      start: 2026-03-02T00:00:00Z
      end: 2026-05-31T14:00:00.5Z
      handoffTime: "08:00"
      turn:
        unit: days
        count: 1
      advance: on-duty
      timeZone: Australia/Sydney
---
apiVersion: firebreak/v1
kind: EscalationPolicy
metadata:
  name: platform
spec:
  name: Platform
  levels:
    - delayMinutes: 10
      targets:
        - schedule: platform-primary
        - user: ana
  repeat: 2
  fallback:
    team: platform
  skipEmptyLevels: true
`);
  });

  it('writes contact methods in type order and rules in delay order, naming methods as type:address', () => {
    expect(renderConfigYaml([user])).toBe(`apiVersion: firebreak/v1
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
    - type: sms
      address: "+14155550100"
      label: Work phone
  notificationRules:
    high:
      - afterMinutes: 0
        contactMethod: email:ana@example.com
      - afterMinutes: 5
        contactMethod: sms:+14155550100
    low: []
`);
  });

  it('reads its own output back to the same bytes', () => {
    const text = renderConfigYaml([user, schedule, policy]);
    const { documents, problems } = validateConfigSources([{ path: 'export.yaml', text }], { mode: 'skip' });
    expect(problems).toEqual([]);
    expect(renderConfigYaml(documents)).toBe(text);
  });
});

describe('renderConfigFiles', () => {
  it('writes one file per kind, in kind order', () => {
    expect(renderConfigFiles([platform, ana]).map((f) => f.name)).toEqual(['notification-providers.yaml', 'users.yaml', 'teams.yaml', 'schedules.yaml', 'escalation-policies.yaml', 'services.yaml', 'maintenance-windows.yaml', 'silences.yaml', 'severities.yaml', 'playbooks.yaml', 'incident-rules.yaml', 'postmortem-templates.yaml', 'postmortem-policy.yaml', 'status-pages.yaml', 'status-components.yaml']);
  });

  it('writes an empty file for a kind with no documents, so a re-export leaves nothing stale', () => {
    expect(renderConfigFiles([ana])).toEqual([
      { name: 'notification-providers.yaml', text: '' },
      { name: 'users.yaml', text: renderConfigYaml([ana]) },
      { name: 'teams.yaml', text: '' },
      { name: 'schedules.yaml', text: '' },
      { name: 'escalation-policies.yaml', text: '' },
      { name: 'services.yaml', text: '' },
      { name: 'maintenance-windows.yaml', text: '' },
      { name: 'silences.yaml', text: '' },
      { name: 'severities.yaml', text: '' },
      { name: 'playbooks.yaml', text: '' },
      { name: 'incident-rules.yaml', text: '' },
      { name: 'postmortem-templates.yaml', text: '' },
      { name: 'postmortem-policy.yaml', text: '' },
      { name: 'status-pages.yaml', text: '' },
      { name: 'status-components.yaml', text: '' },
    ]);
  });
});
