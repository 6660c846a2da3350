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

describe('renderConfigFiles', () => {
  it('writes one file per kind, users first', () => {
    expect(renderConfigFiles([platform, ana]).map((f) => f.name)).toEqual(['users.yaml', 'teams.yaml']);
  });

  it('writes an empty file for a kind with no documents, so a re-export leaves nothing stale', () => {
    expect(renderConfigFiles([ana])).toEqual([{ name: 'users.yaml', text: renderConfigYaml([ana]) }, { name: 'teams.yaml', text: '' }]);
  });
});
