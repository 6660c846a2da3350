import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../contracts/errors.js';
import { takeToken, type Bucket } from '../../../core/alerts/rate-limit.js';
import { pingFromExitCode, type Ping } from '../../../core/alerts/heartbeat.js';
import type { Clock } from '../../platform/clock.js';
import { sendError } from '../../platform/http/errors.js';
import type { HeartbeatService, PingResult } from './heartbeat.service.js';

/** Pings per heartbeat per minute before 429: generous for any real job, a brake on a runaway loop. */
export const HEARTBEAT_RATE_PER_MINUTE = 600;
/** Bodies (a job's log tail) are accepted up to intake's limit; the event log keeps the first 10 KB. */
const BODY_LIMIT = 512 * 1024;

/** Refusals as the platform's errors: `sendError` maps them to HTTP in the one shape (ADR 0003). */
const refusals: Record<Exclude<PingResult, { ok: true }>['reason'], (type?: string) => AppError> = {
  'unknown-key': () => new AppError('NOT_FOUND', 'No heartbeat has this key'),
  disabled: () => new AppError('FORBIDDEN', 'This heartbeat integration is disabled'),
  'wrong-type': (type) => new AppError('VALIDATION_FAILED', `This key belongs to an ${type ?? 'other'} integration, not a heartbeat`, { issues: [{ path: 'params.key', message: `belongs to an ${type ?? 'other'} integration` }] }),
};

/** `start`, `fail` or an exit code 0–255; null for anything else. */
function pingFromSegment(segment: string | undefined): Ping | null {
  if (segment === undefined) return { kind: 'success' };
  if (segment === 'start') return { kind: 'start' };
  if (segment === 'fail') return { kind: 'fail' };
  return pingFromExitCode(segment);
}

/**
 * Heartbeat pings, outside `/api` with the key in the path so that `curl URL` is all a job needs:
 * `/integrations/heartbeat/{key}` (success), `/start`, `/fail` and `/{exit code}`, each by HEAD, GET
 * or POST (healthchecks.io's conventions, so existing scripts only change the URL). A Fastify
 * context of its own: any content type is read as raw bytes (a POST may carry a log tail), and every
 * problem (even one Fastify finds before the handler, such as 413) is answered in Firebreak's error
 * shape. The answer (`200 OK`) comes after the ping's state change, event-log row, alert change and
 * deadline timer have committed.
 */
export function heartbeatRoutes(deps: { heartbeats: HeartbeatService; clock: Clock; ratePerMinute?: number }) {
  const buckets = new Map<string, Bucket>();
  const rate = deps.ratePerMinute ?? HEARTBEAT_RATE_PER_MINUTE;

  return async function register(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
    app.setErrorHandler((error, request, reply) => sendError(error, request, reply));

    const handler = async (request: FastifyRequest<{ Params: { key: string; what?: string } }>, reply: FastifyReply) => {
      const { key, what } = request.params;
      if (key.length === 0 || key.length > 128) throw refusals['unknown-key']();
      const ping = pingFromSegment(what);
      if (!ping) throw new AppError('NOT_FOUND', `\`${what}\` is not a heartbeat action: use start, fail or an exit code from 0 to 255`);
      // Keyed by the key itself (pre-lookup), so a flood of pings never reaches the database.
      const taken = takeToken(buckets.get(key), deps.clock.now(), rate, 60_000);
      buckets.set(key, taken.bucket);
      if (buckets.size > 10_000) buckets.clear();
      if (!taken.allowed) {
        throw new AppError('RATE_LIMITED', `Too many pings for this heartbeat; retry after ${taken.retryAfterSeconds} s`, { retryAfterSeconds: taken.retryAfterSeconds }, { 'retry-after': String(taken.retryAfterSeconds) });
      }
      const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
      const header = request.headers['user-agent'];
      const result = await deps.heartbeats.ping(key, ping, { method: request.method, userAgent: typeof header === 'string' ? header.slice(0, 300) : null, remoteAddress: request.ip ?? null, body });
      if (!result.ok) throw refusals[result.reason](result.type);
      return reply.status(200).type('text/plain; charset=utf-8').send('OK\n');
    };

    // GET routes also answer HEAD (Fastify's exposeHeadRoutes), which runs the same handler.
    for (const url of ['/integrations/heartbeat/:key', '/integrations/heartbeat/:key/:what']) {
      app.route<{ Params: { key: string; what?: string } }>({ method: ['GET', 'POST'], url, bodyLimit: BODY_LIMIT, handler });
    }
  };
}
