import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { Address6 } from 'ip-address';
import { LruMap } from 'toad-cache';

/** What a request's turn in its client's window came to. */
export interface ClientTurn {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window ends (and, when refused, until the client may ask again). */
  resetSeconds: number;
}

/** The headers every answer carries: `x-ratelimit-limit`, `-remaining`, `-reset`; with `retry-after` when refused. */
export function turnHeaders(turn: ClientTurn): Record<string, string> {
  const headers: Record<string, string> = { 'x-ratelimit-limit': String(turn.limit), 'x-ratelimit-remaining': String(turn.remaining), 'x-ratelimit-reset': String(turn.resetSeconds) };
  if (!turn.allowed) headers['retry-after'] = String(turn.resetSeconds);
  return headers;
}

/**
 * The address a request comes from, as Fastify's `request.ip` gives it: the socket's peer, or with
 * trusted proxies the left-most `X-Forwarded-For` entry (the client the first proxy saw).
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return request.socket.remoteAddress ?? '';
}

/**
 * The key an address is counted under: IPv4 as written (an IPv4-mapped IPv6 address as its IPv4 form),
 * IPv6 by its /64 network, since one host can hold a whole /64 and would otherwise get a window per address.
 * The same keys @fastify/rate-limit uses for the other public routes.
 */
export function addressKey(ip: string): string {
  if (!ip.includes(':') || !isIPv6(ip)) return ip.toLowerCase();
  const address = new Address6(ip);
  if (address.isMapped4()) return address.to4().correctForm();
  return new Address6(`${ip}/64`).startAddress().correctForm();
}

/**
 * A per-client request limit (per address and bucket, `max` per `windowMs` from the client's first
 * request in the window), held in memory with the least recently seen clients forgotten past `capacity`.
 * Used where requests are answered before Fastify's router (ADR 0042) and by the Fastify routes serving
 * the same documents, so a client has one budget whichever path answers it. Same headers and semantics
 * as @fastify/rate-limit's in-memory store.
 */
export class ClientLimit {
  private readonly windows: LruMap<{ count: number; startedAt: number }>;

  constructor(private readonly options: { max: number; windowMs: number; trustProxy: boolean; now: () => number; capacity?: number }) {
    this.windows = new LruMap(options.capacity ?? 10_000);
  }

  /** Counts this request against its client's window in `bucket` and says whether it may be answered. */
  take(request: IncomingMessage, bucket: string): ClientTurn {
    const { max, windowMs } = this.options;
    const key = `${addressKey(clientAddress(request, this.options.trustProxy))} ${bucket}`;
    const now = this.options.now();
    let window = this.windows.get(key);
    if (window === undefined || window.startedAt + windowMs <= now) window = { count: 0, startedAt: now };
    window.count += 1;
    this.windows.set(key, window);
    const resetSeconds = Math.max(0, Math.ceil((window.startedAt + windowMs - now) / 1000));
    return { allowed: window.count <= max, limit: max, remaining: Math.max(0, max - window.count), resetSeconds };
  }
}
