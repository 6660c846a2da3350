import { request } from 'node:http';

/** Headers that belong to one connection, not to the answer: left out when replaying an answer. */
const PER_CONNECTION_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

export interface Captured {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/**
 * One HTTP request on a fresh connection, capturing the answer's status, headers (without the
 * per-connection ones) and body, so a bare server can answer the same bytes as a baseline.
 */
export function capture(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const headers: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i] as string;
          if (!PER_CONNECTION_HEADERS.has(name.toLowerCase())) headers.push([name, res.rawHeaders[i + 1] as string]);
        }
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
