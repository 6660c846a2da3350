import { describe, expect, it } from 'vitest';
import { genieKeyOf, isGenieKeyFormat, readOpsgenieAction, readOpsgenieCreate } from './opsgenie.js';

const newAlias = () => 'generated';

describe('readOpsgenieCreate', () => {
  it.each([
    ['P1', 'critical'],
    ['P2', 'error'],
    ['P3', 'warning'],
    ['P4', 'info'],
    ['P5', 'info'],
    [undefined, 'warning'],
  ])('priority %s is severity %s', (priority, severity) => {
    const read = readOpsgenieCreate({ message: 'm', priority }, newAlias);
    expect(read.ok && read.event.severity).toBe(severity);
  });

  it('maps message, alias, description, tags, details, entity and source', () => {
    const read = readOpsgenieCreate({ message: '  Disk full  ', alias: 'disk', description: 'd', tags: ['env:prod', 'db', ' ', 'team: dba'], details: { host: 'db-1', n: 3, nested: { a: 1 } }, entity: 'db-1', source: 'nagios', user: 'rita', note: 'n', visibleTo: [] }, newAlias);
    expect(read).toEqual({
      ok: true,
      alias: 'disk',
      aliasGenerated: false,
      event: {
        action: 'trigger', dedupKey: 'disk', title: 'Disk full', description: 'd', source: 'nagios', severity: 'warning',
        labels: { env: 'prod', db: '', team: 'dba', host: 'db-1', n: '3', nested: '{"a":1}', entity: 'db-1' },
        details: { priority: 'P3', details: { host: 'db-1', n: '3', nested: '{"a":1}' }, entity: 'db-1', user: 'rita', note: 'n' },
        links: [], images: [],
      },
    });
  });

  it('generates an alias when there is none, and cuts an over-long message as Opsgenie does', () => {
    const read = readOpsgenieCreate({ message: 'x'.repeat(200) }, newAlias);
    expect(read.ok && [read.alias, read.aliasGenerated, read.event.title.length]).toEqual(['generated', true, 130]);
  });

  it('reports every problem by field, in Opsgenie’s words where known', () => {
    expect(readOpsgenieCreate({ alias: 'a'.repeat(513), priority: 'P0', tags: [1], details: [], responders: [{ type: 'team' }], actions: 'x', description: 5 }, newAlias)).toEqual({
      ok: false,
      errors: {
        message: 'Message can not be empty.', alias: 'should be at most 512 characters', description: 'should be a string', priority: 'should be one of [ P1, P2, P3, P4, P5 ]',
        actions: 'should be an array', 'responders[0]': 'id, name or username should be provided', 'tags[0]': 'should be a string', details: 'should be a map of key-value pairs',
      },
    });
    expect(readOpsgenieCreate([], newAlias)).toEqual({ ok: false, errors: { body: 'should be a JSON object' } });
  });
});

describe('readOpsgenieAction', () => {
  it('defaults to identifierType id and accepts an empty body', () => {
    expect(readOpsgenieAction(undefined, undefined)).toEqual({ ok: true, identifierType: 'id', note: null, user: null });
    expect(readOpsgenieAction('alias', { user: 'rita', note: 'on it', source: 's' })).toEqual({ ok: true, identifierType: 'alias', note: 'on it', user: 'rita' });
  });
  it('refuses other identifier types and non-object bodies', () => {
    expect(readOpsgenieAction('name', 'x')).toEqual({ ok: false, errors: { identifierType: 'should be one of [ id, alias, tiny ]', body: 'should be a JSON object' } });
  });
});

describe('GenieKey header', () => {
  it.each([
    ['GenieKey 0123456789abcdef0123456789abcdef', '0123456789abcdef0123456789abcdef'],
    ['geniekey   abc ', 'abc'],
    ['Bearer abc', null],
    [undefined, null],
  ])('%s → %s', (header, key) => expect(genieKeyOf(header)).toBe(key));
  it('accepts Firebreak keys and Opsgenie UUID keys only', () => {
    expect(['0123456789abcdef0123456789abcdef', 'eb243592-faa2-4ba2-a551-1afdf565c889', 'nope', ''].map(isGenieKeyFormat)).toEqual([true, true, false, false]);
  });
});
