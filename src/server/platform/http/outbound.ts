import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Outbound HTTP to URLs that people configure (backlog webhooks today; chat and probe targets later),
 * guarded against server-side request forgery (ARCHITECTURE.md, "Security model"). Whoever can edit a
 * service could otherwise make Firebreak POST to its own admin port, a cloud metadata endpoint
 * (169.254.169.254) or a database on the private network.
 *
 * The check runs on the addresses the name resolves to, inside the socket's own `lookup`, so the
 * address that is checked is the address that is connected to: a DNS answer that changes between a
 * check and the connection (rebinding) cannot slip through. Redirects are never followed (a public
 * URL could redirect to a private one). Operators who post to their own network on purpose set
 * `FIREBREAK_ALLOW_PRIVATE_WEBHOOKS=true`.
 */

/** Addresses outbound requests refuse: loopback, private, link-local (metadata), shared, reserved, multicast. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local (includes AWS's fd00:ec2::254 metadata)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['64:ff9b::', 96], // NAT64 (maps onto IPv4, which may be private)
  ['100::', 64], // discard
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** True when an outbound request must not connect to this IP address (v4, v6, or v4-mapped v6). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1] as string, 'ipv4');
    if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(address)) return true; // mapped, hex form: refuse rather than decode
    return blocked.check(address, 'ipv6');
  }
  return true; // not an IP address at all
}

export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

export interface OutboundOptions {
  /** Allow loopback, private and link-local targets (FIREBREAK_ALLOW_PRIVATE_WEBHOOKS). */
  allowPrivate: boolean;
  /** Whole-request budget; default 10 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Name resolution, for tests; default `dns.lookup`. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

export interface OutboundResponse {
  status: number;
  /** The first 64 KB of the body, as text. */
  body: string;
  /** Response headers, lower-case names (a push service's `Location`, a provider's `Retry-After`). */
  headers: IncomingHttpHeaders;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** Checks the URL's shape: absolute http(s), no credentials. Returns the parsed URL or throws `OutboundRefused`. */
export function checkOutboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused(`\`${raw.slice(0, 200)}\` is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefused(`only http:// and https:// URLs are allowed, not ${url.protocol}`);
  if (url.username || url.password) throw new OutboundRefused('URLs with credentials are not allowed');
  return url;
}

const defaultResolve = (hostname: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/**
 * A socket `lookup` that resolves the name, refuses when any address is blocked (a name that resolves to
 * both a public and a private address is refused, whichever the socket would pick) and answers with the
 * checked address.
 */
function guardedLookup(options: OutboundOptions): LookupFunction {
  const resolve = options.resolve ?? defaultResolve;
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(new OutboundRefused(`\`${hostname}\` does not resolve`), '', 4);
        const bad = addresses.find((a) => isBlockedAddress(a.address));
        if (bad && !options.allowPrivate) return callback(new OutboundRefused(`\`${hostname}\` resolves to ${bad.address}, a loopback, private or link-local address (set FIREBREAK_ALLOW_PRIVATE_WEBHOOKS=true to allow)`), '', 4);
        const first = addresses[0] as LookupAddress;
        if ((lookupOptions as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
}

/**
 * POSTs JSON to a configured URL, refusing private targets (see the module comment). Resolves with the
 * status and the start of the body for any HTTP answer (3xx included: redirects are not followed);
 * rejects with `OutboundRefused` for a refused target and with the network error otherwise.
 *
 * @example
 *   const answer = await postJson('https://tickets.example.com/hooks/firebreak', { alert }, { allowPrivate: false });
 *   if (answer.status >= 300) throw new Error(`webhook answered ${answer.status}`);
 */
export function postJson(rawUrl: string, body: unknown, options: OutboundOptions): Promise<OutboundResponse> {
  return outboundRequest(rawUrl, { method: 'POST', body: JSON.stringify(body), contentType: 'application/json' }, options);
}

/** One outbound request: any method, a text or binary body with its content type. */
export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: string | Buffer;
  /** Sent as `content-type` when there is a body. */
  contentType?: string;
}

/**
 * Sends one request through the SSRF guard (provider APIs such as Twilio's or Slack's, form-encoded or
 * JSON); the same rules and answers as {@link postJson}. Provider base URLs are configurable (tests point
 * them at local fake servers), so they pass the same guard as any URL a person typed.
 *
 * @example
 *   await outboundRequest(`${base}/2010-04-01/Accounts/${sid}/Messages.json`, { method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded' }, { allowPrivate, headers: { authorization } });
 */
export async function outboundRequest(rawUrl: string, requestSpec: OutboundRequest, options: OutboundOptions): Promise<OutboundResponse> {
  const url = checkOutboundUrl(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // IP literals never reach `lookup`: check them here.
  if (isIP(host) && isBlockedAddress(host) && !options.allowPrivate) {
    throw new OutboundRefused(`${host} is a loopback, private or link-local address (set FIREBREAK_ALLOW_PRIVATE_WEBHOOKS=true to allow)`);
  }
  const payload = requestSpec.body === undefined ? null : Buffer.isBuffer(requestSpec.body) ? requestSpec.body : Buffer.from(requestSpec.body);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const bodyHeaders: Record<string, string> = payload === null ? {} : { 'content-type': requestSpec.contentType ?? 'application/octet-stream', 'content-length': String(payload.length) };
  return new Promise<OutboundResponse>((resolve, reject) => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
    const req = request(
      url,
      {
        method: requestSpec.method,
        lookup: guardedLookup(options),
        signal: AbortSignal.any(signals),
        headers: { ...bodyHeaders, 'user-agent': 'Firebreak', ...options.headers },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
          size += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => reject(error));
    req.end(payload ?? undefined);
  });
}
