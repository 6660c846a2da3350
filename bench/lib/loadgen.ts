/**
 * The fallback load generator, used when `wrk` is not installed: keep-alive HTTP/1.1 GETs from a fixed
 * number of connections for a fixed time, each connection sending its next request as soon as the
 * previous answer is read (closed loop, like wrk). Runs as its own process so it does not share an event
 * loop with anything measured:
 *
 *   node --import tsx bench/lib/loadgen.ts <url> <connections> <seconds>
 *
 * Prints one JSON line: {requests, non2xx, errors, seconds, requestsPerSecond, latencyMs: {p50, p99}}.
 * One Node process is slower than wrk at generating load, so against a fast server it can be the
 * bottleneck; compare servers only within one run, with the same generator.
 */
import { Agent, request } from 'node:http';

const [target, connectionsArg = '64', secondsArg = '10'] = process.argv.slice(2);
if (!target) {
  process.stderr.write('usage: loadgen.ts <url> [connections] [seconds]\n');
  process.exit(2);
}
const url = new URL(target);
const connections = Number(connectionsArg);
const seconds = Number(secondsArg);
const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });

let requests = 0;
let non2xx = 0;
let errors = 0;
// Latency samples in microseconds, kept for one request in 16 so memory stays flat on long runs.
const samples: number[] = [];

function once(): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET' }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        requests++;
        if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
        if ((requests & 15) === 0) samples.push((performance.now() - started) * 1000);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end();
  });
}

const started = performance.now();
const deadline = started + seconds * 1000;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) await once();
  }),
);
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
samples.sort((a, b) => a - b);
const pct = (p: number) => (samples.length ? (samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] as number) / 1000 : 0);
process.stdout.write(`${JSON.stringify({ requests, non2xx, errors, seconds: elapsed, requestsPerSecond: requests / elapsed, latencyMs: { p50: pct(50), p99: pct(99) } })}\n`);
