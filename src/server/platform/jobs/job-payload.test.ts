import { describe, expect, it } from 'vitest';
import { serializePayload } from './job-payload.js';

describe('serializePayload', () => {
  it('stores plain JSON values as JSON text', () => {
    expect(serializePayload('t', { alertId: 'a1', fence: 3, tags: ['db', null, true], nested: { ok: false } })).toBe(
      '{"alertId":"a1","fence":3,"tags":["db",null,true],"nested":{"ok":false}}',
    );
    expect(serializePayload('t', 'text')).toBe('"text"');
  });

  it('stores an omitted payload as null', () => {
    expect(serializePayload('t', undefined)).toBe('null');
  });

  it('drops object properties that are undefined, as optional fields are', () => {
    expect(serializePayload('t', { a: 1, b: undefined })).toBe('{"a":1}');
  });

  it.each([
    ['a Date', { at: new Date(0) }, /payload\.at is a Date, not a plain object/],
    ['NaN', { n: Number.NaN }, /payload\.n is NaN/],
    ['Infinity', [1, Number.POSITIVE_INFINITY], /payload\[1\] is Infinity/],
    ['a bigint', { id: 1n }, /payload\.id is a bigint/],
    ['a function', { f: () => 1 }, /payload\.f is a function/],
    ['a Map', new Map(), /payload is a Map/],
    ['undefined inside an array', [undefined], /payload\[0\] is undefined/],
  ])('rejects %s, naming the task and the path', (_kind, payload, message) => {
    expect(() => serializePayload('deliver-notification', payload)).toThrow(message);
    expect(() => serializePayload('deliver-notification', payload)).toThrow(/Job `deliver-notification` payload is not plain JSON/);
  });

  it('rejects a payload that contains itself', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(() => serializePayload('t', loop)).toThrow(/payload\.self refers back to one of its parents/);
  });

  it('accepts the same object twice when it is not its own ancestor', () => {
    const shared = { x: 1 };
    expect(serializePayload('t', { a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 'v' });
    expect(serializePayload('t', bare)).toBe('{"k":"v"}');
  });
});
