import { describe, expect, it } from 'vitest';
import { maskRoutingKey, nestedDeeperThan } from './intake-shared.js';

const KEY = 'R0ut1ngKeyR0ut1ngKeyR0ut1ngKey32';

/** What the event log must hold: the body as sent, with only the first six characters of the key. */
function masked(text: string): string {
  return maskRoutingKey(text, JSON.parse(text) as Record<string, unknown>, KEY);
}

describe('maskRoutingKey (the event log copy of an Events API v2 body)', () => {
  it('replaces the key in the text as sent, keeping the rest verbatim', () => {
    const text = `{"routing_key":"${KEY}","event_action":"trigger","payload":{"summary":"Disk full","source":"db-1","severity":"error"}}`;
    const stored = masked(text);
    expect(stored).toBe(`{"routing_key":"R0ut1n…","event_action":"trigger","payload":{"summary":"Disk full","source":"db-1","severity":"error"}}`);
    expect(stored).not.toContain(KEY);
  });

  it('writes the body out again when the key is not written plainly once (spaces, escapes, a second routing_key)', () => {
    const spaced = `{ "routing_key" : "${KEY}", "event_action": "trigger" }`;
    const escaped = `{"routing_key":"\\u0052${KEY.slice(1)}","event_action":"trigger"}`;
    const nested = `{"payload":{"routing_key":"other"},"routing_key":"${KEY}","event_action":"trigger"}`;
    for (const text of [spaced, escaped, nested]) {
      const stored = masked(text);
      expect((JSON.parse(stored) as { routing_key: string }).routing_key).toBe('R0ut1n…');
      expect(stored).not.toContain(KEY);
      expect(stored).not.toContain('\\u0052');
    }
  });

  it('reads back as the same event apart from the key', () => {
    const text = `{"routing_key":"${KEY}","dedup_key":"k-1","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info","custom_details":{"n":1}}}`;
    expect(JSON.parse(masked(text))).toEqual({ ...(JSON.parse(text) as object), routing_key: 'R0ut1n…' });
  });
});

describe('nestedDeeperThan', () => {
  const nest = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

  it('counts depth exactly at the bound, with either bracket', () => {
    expect(nestedDeeperThan(nest(64), 64)).toBe(false);
    expect(nestedDeeperThan(nest(65), 64)).toBe(true);
    expect(nestedDeeperThan(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`, 64)).toBe(true);
    expect(nestedDeeperThan(`${'[{"a":'.repeat(33)}1${'}]'.repeat(33)}`, 64)).toBe(true);
    expect(nestedDeeperThan(`${'[{"a":'.repeat(32)}1${'}]'.repeat(32)}`, 64)).toBe(false);
  });

  it('reads many shallow brackets as shallow, and ignores brackets inside strings', () => {
    expect(nestedDeeperThan(`[${Array.from({ length: 500 }, () => '[]').join(',')}]`, 64)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify({ text: '['.repeat(200) }), 64)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify({ text: '\\"'.concat('['.repeat(200)) }), 64)).toBe(false);
  });
});
