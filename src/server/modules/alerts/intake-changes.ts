import type { FastifyInstance } from 'fastify';
import { ChangeLog } from './changes.js';
import { readChangeEvent } from './formats/change-events.js';
import { INTAKE_BODY_LIMIT, parseJsonBody, sendAs, type IntakeContext } from './intake-shared.js';

const invalid = (errors: string[], status = 400) => ({ status, body: { status: 'invalid event', message: 'Event object is invalid', errors } });

/**
 * PagerDuty change events: `POST /v2/change/enqueue` with an Events API v2 integration's routing key,
 * answered `202 {"status":"success","message":"Change event processed"}` once the change is committed,
 * and in the Events API's error body otherwise (400 invalid, 403 disabled, 404 unknown key, 413, 429).
 * Change events never open alerts and never notify.
 */
export function registerChangeEvents(app: FastifyInstance, ctx: IntakeContext): void {
  const changes = new ChangeLog({ database: ctx.database, clock: ctx.clock, ids: ctx.ids, services: ctx.services });
  app.post('/v2/change/enqueue', { bodyLimit: INTAKE_BODY_LIMIT }, async (request, reply) => {
    const parsed = parseJsonBody(request.body);
    if (!parsed) return sendAs(reply, invalid(['The body must be a JSON object (the request body is not valid JSON, or nests deeper than 64 levels)']));
    const read = readChangeEvent(parsed.value);
    if (!read.routingKey) return sendAs(reply, invalid(read.ok ? [] : read.errors));
    const admitted = await ctx.admitKey(read.routingKey, 'events-v2');
    if (!admitted.ok) {
      switch (admitted.reason) {
        case 'unknown':
          return sendAs(reply, { status: 404, body: { status: 'invalid event', message: 'Invalid routing key', errors: ['routing_key: no integration has this key'] } });
        case 'disabled':
          return sendAs(reply, { status: 403, body: { status: 'invalid event', message: 'Integration is disabled', errors: ['routing_key: the integration with this key is disabled'] } });
        case 'wrong-type':
          return sendAs(reply, invalid([`routing_key: belongs to an ${admitted.integration.type} integration; change events use an Events API v2 integration's routing key`]));
        case 'throttled':
          return sendAs(reply, { status: 429, body: { status: 'throttle event', message: `Too many events for this integration; retry after ${admitted.retryAfterSeconds} s`, errors: [] }, headers: { 'retry-after': String(admitted.retryAfterSeconds) } });
      }
    }
    if (!read.ok) return sendAs(reply, invalid(read.errors));
    // The change and the integration's last-event time commit together, before the 202.
    await ctx.database.transaction((tx) => changes.record(tx.db, { serviceId: admitted.service.id, integrationId: admitted.integration.id }, read.change));
    return sendAs(reply, { status: 202, body: { status: 'success', message: 'Change event processed' } });
  });
}
