/**
 * The baseline for the /healthz throughput comparison: a bare `node:http` server that answers every
 * request with exactly the bytes Firebreak's /healthz answers (same status, headers and body), so the
 * difference measured is Firebreak's own per-request work (routing, hooks, auth lookup, metrics).
 *
 *   FIREBREAK_BENCH_RESPONSE='{"status":200,"headers":[["content-type","…"],…],"body":"…"}' \
 *     node --import tsx bench/lib/bare-server.ts <port>
 *
 * Prints `listening` once it accepts connections.
 */
import { createServer } from 'node:http';

interface CannedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

const port = Number(process.argv[2]);
const canned = JSON.parse(process.env.FIREBREAK_BENCH_RESPONSE ?? 'null') as CannedResponse | null;
if (!port || !canned) {
  process.stderr.write('usage: FIREBREAK_BENCH_RESPONSE=<json> bare-server.ts <port>\n');
  process.exit(2);
}
const body = Buffer.from(canned.body);
const headers = Object.fromEntries(canned.headers);

const server = createServer((_req, res) => {
  res.writeHead(canned.status, headers);
  res.end(body);
});
// Fastify's default, so idle keep-alive connections are treated alike.
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
