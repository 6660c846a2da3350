import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, ClientLimit, turnHeaders } from './client-limit.js';

const request = (remoteAddress: string, forwardedFor?: string) => ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('client address', () => {
  it('is the peer, or the left-most X-Forwarded-For entry only when proxies are trusted', () => {
    expect(clientAddress(request('10.0.0.9', '203.0.113.7, 10.0.0.1'), false)).toBe('10.0.0.9');
    expect(clientAddress(request('10.0.0.9', '203.0.113.7, 10.0.0.1'), true)).toBe('203.0.113.7');
    expect(clientAddress(request('10.0.0.9', ' 198.51.100.2 '), true)).toBe('198.51.100.2');
    expect(clientAddress(request('10.0.0.9', ''), true)).toBe('10.0.0.9');
    expect(clientAddress(request('10.0.0.9'), true)).toBe('10.0.0.9');
  });

  it('counts IPv4 as written, an IPv4-mapped address as IPv4, and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:DB8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    // Whatever a trusted proxy wrote is still a key, never an exception.
    expect(addressKey('Unknown')).toBe('unknown');
  });
});

describe('client limit', () => {
  it('allows max requests per window from the first one, then refuses with the time left, per client and bucket', () => {
    let now = 1_000_000;
    const limit = new ClientLimit({ max: 3, windowMs: 60_000, trustProxy: false, now: () => now });
    const ana = request('203.0.113.7');
    const turns = [1, 2, 3, 4].map(() => limit.take(ana, '/status/:slug'));
    expect(turns.map((t) => t.allowed)).toEqual([true, true, true, false]);
    expect(turns.map((t) => t.remaining)).toEqual([2, 1, 0, 0]);
    expect(turnHeaders(turns[0]!)).toEqual({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': '60' });
    // Another route's bucket and another client are counted apart.
    expect(limit.take(ana, '/status/:slug/api/v2/summary.json').allowed).toBe(true);
    expect(limit.take(request('198.51.100.2'), '/status/:slug').allowed).toBe(true);

    now += 45_500;
    const refused = limit.take(ana, '/status/:slug');
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 15 });
    expect(turnHeaders(refused)).toEqual({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '15', 'retry-after': '15' });
    // Refused requests do not stretch the window: it ends a minute after the first request.
    now += 14_500;
    expect(limit.take(ana, '/status/:slug')).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
  });

  it('forgets the least recently seen clients past its capacity (a flood of addresses cannot grow it without bound)', () => {
    const limit = new ClientLimit({ max: 1, windowMs: 60_000, trustProxy: false, now: () => 0, capacity: 2 });
    expect(limit.take(request('192.0.2.1'), 'b').allowed).toBe(true);
    expect(limit.take(request('192.0.2.1'), 'b').allowed).toBe(false);
    limit.take(request('192.0.2.2'), 'b');
    limit.take(request('192.0.2.3'), 'b');
    // 192.0.2.1 was forgotten: it starts a new window.
    expect(limit.take(request('192.0.2.1'), 'b').allowed).toBe(true);
  });
});
