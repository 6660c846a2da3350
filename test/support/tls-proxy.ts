import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  /** PEM: the self-signed certificate, which is also the CA a client must trust. */
  cert: string;
  key: string;
}

/**
 * A throwaway self-signed certificate for `localhost` and 127.0.0.1, valid one day, made with the
 * system `openssl` (node:crypto makes keys but not X.509 certificates).
 */
export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', keyFile, '-out', certFile],
      { stdio: 'pipe' },
    );
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TlsProxy {
  /** `127.0.0.1:<port>`: what clients that only take a host (pdjs's `server`) are given. */
  host: string;
  url: string;
  /** Requests that passed through, in order, with the status Firebreak answered (once it has). */
  requests: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined>; status: number | null }>;
  close(): Promise<void>;
}

/**
 * A TLS-terminating reverse proxy on 127.0.0.1, as an operator would put in front of Firebreak: it
 * forwards each request to `target` (plain HTTP) with `X-Forwarded-Proto: https` and streams the
 * answer back unchanged. Answers 502 when the target cannot be reached.
 */
export async function startTlsProxy(target: string, certificate: Certificate): Promise<TlsProxy> {
  const upstream = new URL(target);
  const requests: TlsProxy['requests'] = [];
  const server: Server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    const seen: TlsProxy['requests'][number] = { method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, status: null };
    requests.push(seen);
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-proto': 'https' } },
      (answer) => {
        seen.status = answer.statusCode ?? 502;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
