import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP plumbing every provider fake shares, so each fake file holds only what its provider
 * documents (paths, auth, body rules, answers). Nothing here checks a request: that stays in the fakes.
 */

/** A fake's server on 127.0.0.1 with a free port. */
export interface FakeHttp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Handles one request whose body has been read in full: `raw` as UTF-8 text (what almost every fake
 * parses) and `bytes` as sent (for binary bodies such as encrypted Web Push payloads).
 */
export type FakeHttpHandler = (req: IncomingMessage, res: ServerResponse, raw: string, bytes: Buffer) => unknown;

/**
 * Starts `handler` on 127.0.0.1 on a port the OS picks. A handler that throws (or rejects) without
 * answering gets a plain 500 naming the error, so a bug in a fake fails the test instead of hanging it.
 */
export async function startFakeHttp(handler: FakeHttpHandler): Promise<FakeHttp> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const fail = (error: unknown) => {
        if (res.headersSent) return void res.destroy();
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`The fake failed: ${String(error)}`);
      };
      try {
        void Promise.resolve(handler(req, res, bytes.toString('utf8'), bytes)).catch(fail);
      } catch (error) {
        fail(error);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Answers `body` as JSON (`application/json` unless `headers` names another content type). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/**
 * Failures a test asks a fake for: `add` queues one for the next request(s), `always` makes every
 * request fail until `clear`. `take` gives the failure for the request being handled, if any; each fake
 * decides where in its checks to call it and how to answer, as its provider would.
 */
export class FailureQueue<T> {
  private queued: T[] = [];
  private permanent: T | null = null;

  add(failure: T, times = 1): void {
    for (let i = 0; i < times; i++) this.queued.push(failure);
  }

  always(failure: T): void {
    this.permanent = failure;
  }

  take(): T | undefined {
    return this.permanent ?? this.queued.shift();
  }

  clear(): void {
    this.queued = [];
    this.permanent = null;
  }
}

/** How a test makes a fake fail and work again, for fakes whose provider tests need outages. */
export interface FailureSwitch<F> {
  /** The next `times` requests (default 1) fail this way, then the fake works again. */
  failNext(failure: F, times?: number): void;
  /** Every request fails this way until `recover()`. */
  failAll(failure: F): void;
  /** Forgets every failure asked for. */
  recover(): void;
}

/** The `FailureSwitch` over `queue`, for a fake to spread into the object it returns. */
export function failureSwitch<F>(queue: FailureQueue<F>): FailureSwitch<F> {
  return { failNext: (failure, times) => queue.add(failure, times), failAll: (failure) => queue.always(failure), recover: () => queue.clear() };
}
