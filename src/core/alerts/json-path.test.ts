import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePath, formatPath, parsePath, readPath, type PathSegment } from './json-path.js';

const doc = {
  alert: { name: 'Disk full', 'odd key': 1, 'a.b': { c: true }, "it's": 'quoted', 'back\\slash': 'b' },
  items: [{ id: 'first' }, { id: 'second' }, { id: 'last' }],
  'with-dash': 'dash',
  nothing: null,
  zero: 0,
};

describe('parsePath', () => {
  it.each([
    ['$', []],
    ['$.alert.name', ['alert', 'name']],
    ['alert.name', ['alert', 'name']],
    ['$.items[0].id', ['items', 0, 'id']],
    ['$.items[-1]', ['items', -1]],
    ["$['odd key']", ['odd key']],
    ['$["a.b"].c', ['a.b', 'c']],
    ["$['it\\'s']", ["it's"]],
    ["$['back\\\\slash']", ['back\\slash']],
    ['$.with-dash', ['with-dash']],
    ['$[0][1]', [0, 1]],
  ] as Array<[string, PathSegment[]]>)('reads %s', (path, segments) => {
    expect(parsePath(path)).toEqual({ ok: true, segments });
  });

  it.each([
    ['', 'is empty'],
    ['$.', 'at character 3: expected a name after "."'],
    ['$.items[', 'at character 9: expected an array index (an integer such as 0 or -1) or a quoted key'],
    ['$.items[0', 'at character 10: expected a closing ]'],
    ['$.items[01]', 'at character 9: expected an array index (an integer such as 0 or -1) or a quoted key'],
    ["$['open", 'at character 8: expected a closing \''],
    ['$ alert', 'at character 2: unexpected " "; expected "." or "["'],
    ['$.a[*]', 'at character 5: expected an array index (an integer such as 0 or -1) or a quoted key'],
    ["$['\\n']", "at character 4: only \\' and \\\\ are escapes inside a quoted key"],
  ])('refuses %j: %s', (path, error) => {
    expect(parsePath(path)).toEqual({ ok: false, error });
  });

  it('refuses paths that are too long or too deep', () => {
    expect(parsePath(`$.${'a'.repeat(600)}`)).toMatchObject({ ok: false, error: 'must be at most 500 characters' });
    expect(parsePath('$' + '.a'.repeat(40))).toMatchObject({ ok: false, error: 'must have at most 32 steps' });
  });
});

describe('readPath', () => {
  it.each([
    ['$.alert.name', 'Disk full'],
    ['$.items[1].id', 'second'],
    ['$.items[-1].id', 'last'],
    ["$.alert['odd key']", 1],
    ['$.alert["a.b"].c', true],
    ['$.with-dash', 'dash'],
    ['$.nothing', null],
    ['$.zero', 0],
    ['$.items[3]', undefined],
    ['$.items[-4]', undefined],
    ['$.alert[0]', undefined],
    ['$.items.id', undefined],
    ['$.missing.deeper', undefined],
    ['$.alert.name.length', undefined],
    ['$.__proto__', undefined],
    ['$.constructor', undefined],
    ['$.items[', undefined],
  ])('%s → %j', (path, value) => {
    expect(readPath(doc, path)).toEqual(value);
  });

  it('$ is the whole document', () => {
    expect(readPath(doc, '$')).toBe(doc);
  });
});

describe('properties', () => {
  const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('a', 'b.c', "it's", '\\', '[0]', '$', '-1', '__proto__'));
  const segment: fc.Arbitrary<PathSegment> = fc.oneof(key, fc.integer({ min: -5, max: 20 }));

  it('formatPath writes every path so parsePath reads the same segments back', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 10 }), (segments) => {
        expect(parsePath(formatPath(segments))).toEqual({ ok: true, segments });
      }),
    );
  });

  it('a value placed at a path is read back from it', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(key, fc.nat({ max: 4 })), { maxLength: 6 }), fc.jsonValue(), (segments, leaf) => {
        // Build a document holding `leaf` exactly at `segments`.
        let document: unknown = leaf;
        for (const s of [...segments].reverse()) {
          if (typeof s === 'number') {
            const array: unknown[] = Array.from({ length: s + 1 }, () => null);
            array[s] = document;
            document = array;
          } else {
            const object: Record<string, unknown> = {};
            Object.defineProperty(object, s, { value: document, enumerable: true, writable: true, configurable: true });
            document = object;
          }
        }
        expect(evaluatePath(document, segments)).toEqual(leaf);
        expect(readPath(document, formatPath(segments))).toEqual(leaf);
      }),
    );
  });

  it('never throws, whatever the path and document', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 3 }), (path, document) => {
        const parsed = parsePath(path);
        if (parsed.ok) evaluatePath(document, parsed.segments);
        else expect(parsed.error.length).toBeGreaterThan(0);
      }),
    );
  });
});
