import { describe, expect, it } from 'vitest';
import { readChangeEvent } from './change-events.js';

describe('readChangeEvent', () => {
  it('reads PagerDuty’s change event fields', () => {
    expect(readChangeEvent({ routing_key: 'k', payload: { summary: 'Deployed v2', source: 'ci', timestamp: '2026-11-21T05:00:00+01:00', custom_details: { build: 1 } }, links: [{ href: 'https://ci.example/1', text: 'Build' }, { href: 'ftp://x' }], extra: true })).toEqual({
      ok: true, routingKey: 'k',
      change: { summary: 'Deployed v2', source: 'ci', timestamp: Date.UTC(2026, 10, 21, 4), links: [{ href: 'https://ci.example/1', text: 'Build' }], details: { build: 1 } },
    });
  });
  it('cuts long summaries and leaves absent fields null', () => {
    const read = readChangeEvent({ routing_key: 'k', payload: { summary: 's'.repeat(2000) } });
    expect(read.ok && [read.change.summary.length, read.change.source, read.change.timestamp, read.change.details]).toEqual([1024, null, null, null]);
  });
  it('names every field that is wrong', () => {
    expect(readChangeEvent({ routing_key: 3, payload: { summary: '', timestamp: '21/11/2026' }, links: {} })).toEqual({
      ok: false, routingKey: null, errors: ['routing_key: must be a string', 'payload.summary: is missing or blank', 'payload.timestamp: must be an ISO 8601 date and time, such as 2026-11-21T05:00:00.000Z', 'links: must be an array'],
    });
    expect(readChangeEvent('x')).toEqual({ ok: false, routingKey: null, errors: ['The event must be a JSON object'] });
  });
});
