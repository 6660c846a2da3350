import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readVictorOps, victorOpsAnswers } from './formats/victorops.js';
import { INTAKE_BODY_LIMIT, parseJsonBody, rawOf, sendAs, type IntakeContext } from './intake-shared.js';

/**
 * Splunk On-Call (VictorOps) REST endpoint: `POST /integrations/victorops/{key}` and
 * `POST /integrations/victorops/{key}/{routingKey}` (VictorOps URLs end in the routing key). Answers
 * `200 {"result":"success","entity_id":…}` after the event is committed, and
 * `{"result":"failure","message":…}` with a 4xx status for every problem (the message starts with the
 * field): 400 invalid, 403 disabled, 404 unknown key, 413 too large, 429 throttled (with Retry-After).
 */
export function registerVictorOps(app: FastifyInstance, ctx: IntakeContext): void {
  // A wildcard rather than path parameters, so an over-long key still gets VictorOps' answer.
  const handle = async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const [key = '', routing, ...rest] = request.params['*'].split('/');
    const routingKey = routing ? routing.slice(0, 200) : null;
    const raw = rawOf(request);
    if (key.length === 0 || key.length > 128 || rest.length > 0) return sendAs(reply, victorOpsAnswers.failure(404, 'key: no integration has this key'));
    const admitted = await ctx.admitKey(key, 'victorops');
    if (!admitted.ok) {
      switch (admitted.reason) {
        case 'unknown':
          return sendAs(reply, victorOpsAnswers.failure(404, 'key: no integration has this key'));
        case 'disabled':
          await ctx.alerts.logRejected(admitted.integration, 'victorops', 'event', raw, 'disabled');
          return sendAs(reply, victorOpsAnswers.failure(403, 'key: the integration with this key is disabled'));
        case 'wrong-type':
          return sendAs(reply, victorOpsAnswers.failure(400, `key: belongs to a ${admitted.integration.type} integration, not a VictorOps one`));
        case 'throttled':
          return sendAs(reply, victorOpsAnswers.failure(429, `Too many events for this integration; retry after ${admitted.retryAfterSeconds} s`, { 'retry-after': String(admitted.retryAfterSeconds) }));
      }
    }
    const parsed = parseJsonBody(request.body);
    if (!parsed) {
      await ctx.alerts.logRejected(admitted.integration, 'victorops', 'event', raw, 'invalid');
      return sendAs(reply, victorOpsAnswers.failure(400, 'body: is not valid JSON, or nests deeper than 64 levels'));
    }
    const read = readVictorOps(parsed.value, routingKey, () => randomBytes(16).toString('hex'));
    if (!read.ok) {
      const type = (parsed.value as { message_type?: unknown } | null)?.message_type;
      await ctx.alerts.logRejected(admitted.integration, 'victorops', typeof type === 'string' ? type.toLowerCase() : 'event', raw, 'invalid');
      return sendAs(reply, victorOpsAnswers.failure(400, read.message));
    }
    await ctx.alerts.ingest({ service: admitted.service, integration: admitted.integration, format: 'victorops', event: read.event, raw, actor: admitted.integration.name });
    return sendAs(reply, victorOpsAnswers.success(read.entityId));
  };
  app.post<{ Params: { '*': string } }>('/integrations/victorops/*', { bodyLimit: INTAKE_BODY_LIMIT }, handle);
}
