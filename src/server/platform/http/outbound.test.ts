import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutboundUrl, isBlockedAddress, OutboundRefused, postJson } from './outbound.js';

describe('outbound HTTP guarded against SSRF', () => {
  let server: Server;
  let port: number;
  const received: Array<{ url: string; body: string; headers: Record<string, unknown> }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', body, headers: req.headers });
        if (req.url === '/redirect') {
          res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ticket":"OPS-1"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['127.0.0.1', true],
    ['127.255.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00:ec2::254', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:8.8.8.8', false],
    ['2606:4700:4700::1111', false],
    ['not-an-ip', true],
  ])('%s is blocked: %s', (address, expected) => {
    expect(isBlockedAddress(address)).toBe(expected);
  });

  it('accepts only http(s) URLs without credentials', () => {
    expect(checkOutboundUrl('https://tickets.example.com/hook').hostname).toBe('tickets.example.com');
    expect(() => checkOutboundUrl('ftp://example.com/x')).toThrow(OutboundRefused);
    expect(() => checkOutboundUrl('file:///etc/passwd')).toThrow('only http:// and https://');
    expect(() => checkOutboundUrl('https://user:pw@example.com/')).toThrow('credentials');
    expect(() => checkOutboundUrl('not a url')).toThrow('is not a URL');
  });

  it('refuses loopback and metadata IP literals unless private targets are allowed', async () => {
    await expect(postJson(`http://127.0.0.1:${port}/hook`, { a: 1 }, { allowPrivate: false })).rejects.toThrow(OutboundRefused);
    await expect(postJson('http://169.254.169.254/latest/meta-data/', {}, { allowPrivate: false })).rejects.toThrow('link-local');
    await expect(postJson('http://[::1]:9/', {}, { allowPrivate: false })).rejects.toThrow(OutboundRefused);
  });

  it('checks the addresses a name resolves to, at connection time', async () => {
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    await expect(postJson(`http://tickets.example.test:${port}/hook`, {}, { allowPrivate: false, resolve })).rejects.toThrow('resolves to 127.0.0.1');
    // A name with one public and one private address is refused whichever the socket would pick.
    const mixed = async () => [{ address: '8.8.8.8', family: 4 }, { address: '10.0.0.5', family: 4 }];
    await expect(postJson(`http://mixed.example.test:${port}/hook`, {}, { allowPrivate: false, resolve: mixed })).rejects.toThrow('10.0.0.5');
    await expect(postJson('http://localhost:9/hook', {}, { allowPrivate: false })).rejects.toThrow(OutboundRefused);
  });

  it('posts JSON and reads the answer when private targets are allowed', async () => {
    const answer = await postJson(`http://127.0.0.1:${port}/hook`, { alert: { title: 'Disk full' } }, { allowPrivate: true, headers: { 'idempotency-key': 'a1' } });
    expect(answer).toMatchObject({ status: 201, body: '{"ticket":"OPS-1"}', headers: expect.objectContaining({ 'content-type': expect.any(String) }) });
    const last = received.at(-1);
    expect(JSON.parse(last?.body ?? '')).toEqual({ alert: { title: 'Disk full' } });
    expect(last?.headers['content-type']).toBe('application/json');
    expect(last?.headers['idempotency-key']).toBe('a1');
    const named = await postJson(`http://webhook.example.test:${port}/hook`, {}, { allowPrivate: true, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect(named.status).toBe(201);
  });

  it('does not follow redirects', async () => {
    const answer = await postJson(`http://127.0.0.1:${port}/redirect`, {}, { allowPrivate: true });
    expect(answer.status).toBe(302);
    expect(received.filter((r) => r.url.includes('meta-data'))).toEqual([]);
  });

  it('gives up after its timeout', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    await expect(postJson(`http://127.0.0.1:${silentPort}/`, {}, { allowPrivate: true, timeoutMs: 200 })).rejects.toThrow();
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
