import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../contracts/errors.js';
import { mappingColumn, readMapped } from './mapping.js';

const key = () => 'generated';

describe('readMapped', () => {
  const mapping = { title: '$.name', dedupKey: '$.id', status: '$.state', severity: '$.level', statusMap: { ok: 'resolved' as const }, severityMap: { sev1: 'critical' as const } };

  it.each([
    [{ state: 'OK' }, 'resolve'],
    [{ state: 'Firing' }, 'trigger'],
    [{ state: 'resolved' }, 'resolve'],
    [{}, 'trigger'],
  ])('status %j → %s (statusMap ignores case)', (extra, action) => {
    const read = readMapped({ name: 'n', id: 1, ...extra }, mapping, key);
    expect(read.ok && read.event.action).toBe(action);
  });

  it.each([
    ['SEV1', 'critical'],
    ['warning', 'warning'],
    ['page', 'critical'],
    ['whatever', 'error'],
    [undefined, 'error'],
  ])('severity %s → %s', (level, severity) => {
    const read = readMapped({ name: 'n', level }, mapping, key);
    expect(read.ok && read.event.action === 'trigger' && read.event.severity).toBe(severity);
  });

  it('writes numbers as text, generates a dedup key, keeps the whole body as details', () => {
    const body = { name: 42, extra: { a: 1 } };
    expect(readMapped(body, { title: '$.name' }, key)).toEqual({ ok: true, dedupKeyGenerated: true, event: { action: 'trigger', dedupKey: 'generated', title: '42', description: '', source: null, severity: 'error', labels: {}, details: body, links: [], images: [] } });
  });

  it('reads links from a URL, a list of URLs or a list of objects, dropping non-web URLs', () => {
    const links = (value: unknown) => {
      const read = readMapped({ name: 'n', l: value }, { title: '$.name', links: '$.l' }, key);
      return read.ok && read.event.action === 'trigger' ? read.event.links : null;
    };
    expect(links('https://a.example')).toEqual([{ href: 'https://a.example', text: null }]);
    expect(links(['https://a.example', 'javascript:x'])).toEqual([{ href: 'https://a.example', text: null }]);
    expect(links([{ url: 'https://b.example', title: 'B' }, { href: 'https://c.example', name: 'C' }])).toEqual([{ href: 'https://b.example', text: 'B' }, { href: 'https://c.example', text: 'C' }]);
  });
});

describe('mappingColumn', () => {
  it('stores a valid mapping and refuses bad paths naming the field', () => {
    expect(mappingColumn('webhook', { title: '$.a' })).toBe('{"title":"$.a"}');
    expect(mappingColumn('webhook', null)).toBeNull();
    try {
      mappingColumn('webhook', { title: '$.a[', links: '$$' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details).toEqual({ issues: [
        { path: 'body.mapping.title', message: 'is not a JSON path we can read: at character 5: expected an array index (an integer such as 0 or -1) or a quoted key' },
        { path: 'body.mapping.links', message: 'is not a JSON path we can read: at character 2: unexpected "$"; expected "." or "["' },
      ] });
    }
  });
});
