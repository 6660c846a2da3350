import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { IntegrationRow, ServiceRow } from '../services/service.service.js';
import { genieKeyOf, isGenieKeyFormat, opsgenieAnswers, readOpsgenieAction, readOpsgenieCreate, type IdentifierType } from './formats/opsgenie.js';
import { INTAKE_BODY_LIMIT, parseJsonBody, rawOf, sendAs, tookOf, type IntakeContext } from './intake-shared.js';

/**
 * The Opsgenie Alert API drop-in (ADR 0016): `POST /v2/alerts`, `POST /v2/alerts/{identifier}/acknowledge`
 * and `/close` (`?identifierType=id|alias|tiny`), and `GET /v2/alerts/requests/{requestId}`.
 *
 * Opsgenie answers `202 Request will be processed` and processes later; Firebreak processes before
 * answering (the event is committed before the 202, as for every format) and records the outcome, so
 * clients that poll the request status get Opsgenie's shape. Ids are Firebreak's: `alertId` is the
 * alert id, `tiny` is the alert number (#12).
 */

type Action = 'Create' | 'Acknowledge' | 'Close';
/** How long a request's outcome can be read back (clients poll within seconds). */
export const OPSGENIE_REQUEST_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function registerOpsgenie(app: FastifyInstance, ctx: IntakeContext): void {
  /** Authenticates `Authorization: GenieKey <key>`; an answer when refused. */
  async function authenticate(request: FastifyRequest, reply: FastifyReply, requestId: string, throttle = true): Promise<{ integration: IntegrationRow; service: ServiceRow } | FastifyReply> {
    reply.header('x-request-id', requestId);
    const key = genieKeyOf(header(request, 'authorization'));
    if (key === null) return sendAs(reply, opsgenieAnswers.unauthenticated(tookOf(reply), requestId));
    if (!isGenieKeyFormat(key)) return sendAs(reply, opsgenieAnswers.keyFormat(tookOf(reply), requestId));
    const admitted = await ctx.admitKey(key, 'opsgenie', { throttle });
    if (admitted.ok) return admitted;
    switch (admitted.reason) {
      case 'unknown':
        return sendAs(reply, opsgenieAnswers.unauthenticated(tookOf(reply), requestId));
      case 'disabled':
        // Posts are logged (the integration's owners see what it refused); status polls are not.
        if (request.method === 'POST') await ctx.alerts.logRejected(admitted.integration, 'opsgenie', 'request', rawOf(request), 'disabled');
        return sendAs(reply, opsgenieAnswers.disabled(tookOf(reply), requestId));
      case 'wrong-type':
        return sendAs(reply, opsgenieAnswers.wrongType(admitted.integration.type, tookOf(reply), requestId));
      case 'throttled':
        return sendAs(reply, opsgenieAnswers.throttled(admitted.retryAfterSeconds, tookOf(reply), requestId));
    }
  }

  let prunedAt = Number.NEGATIVE_INFINITY;
  /** At most hourly per node, outcomes older than the retention are deleted (one indexed delete). */
  async function prune(): Promise<void> {
    const now = ctx.clock.now();
    if (now - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now;
    await ctx.database.db.deleteFrom('opsgenie_requests').where('processed_at', '<', now - OPSGENIE_REQUEST_RETENTION_MS).execute();
  }

  /**
   * Stores a request's outcome. Passed `db` is the event's transaction when there is an event, so the
   * outcome commits (or rolls back) with it: a 202 always has a readable status.
   */
  async function record(db: Kysely<Database>, integrationId: string, requestId: string, outcome: { action: Action; success: boolean; status: string; alertId: string | null; alias: string | null }): Promise<void> {
    await db
      .insertInto('opsgenie_requests')
      .values({ id: requestId, integration_id: integrationId, action: outcome.action, success: outcome.success ? 1 : 0, status: outcome.status, alert_id: outcome.alertId, alias: outcome.alias, processed_at: ctx.clock.now() })
      .execute();
  }

  app.post('/v2/alerts', { bodyLimit: INTAKE_BODY_LIMIT }, async (request, reply) => {
    const requestId = randomUUID();
    const admitted = await authenticate(request, reply, requestId);
    if (!('integration' in admitted)) return admitted;
    const raw = rawOf(request);
    const parsed = parseJsonBody(request.body);
    if (!parsed) {
      await ctx.alerts.logRejected(admitted.integration, 'opsgenie', 'create', raw, 'invalid');
      return sendAs(reply, opsgenieAnswers.malformedJson(tookOf(reply), requestId));
    }
    const read = readOpsgenieCreate(parsed.value, () => randomBytes(16).toString('hex'));
    if (!read.ok) {
      await ctx.alerts.logRejected(admitted.integration, 'opsgenie', 'create', raw, 'invalid');
      return sendAs(reply, opsgenieAnswers.invalid(read.errors, tookOf(reply), requestId));
    }
    await prune();
    await ctx.alerts.ingest({
      service: admitted.service,
      integration: admitted.integration,
      format: 'opsgenie',
      event: read.event,
      raw,
      actor: admitted.integration.name,
      // An open alert with the alias takes the event (its count rises): Opsgenie reports that as created too.
      alongside: (tx, result) =>
        record(tx.db, admitted.integration.id, requestId, { action: 'Create', success: true, status: result.outcome === 'dropped' ? 'Dropped by a routing rule' : 'Created alert', alertId: result.alert?.id ?? null, alias: read.alias }),
    });
    return sendAs(reply, opsgenieAnswers.accepted(tookOf(reply), requestId));
  });

  /**
   * `POST /v2/alerts/{identifier}/acknowledge|close`, routed by a wildcard rather than a path parameter:
   * identifiers may be long (aliases up to 512 characters) and may hold an encoded `/`.
   */
  app.post<{ Params: { '*': string }; Querystring: Record<string, unknown> }>('/v2/alerts/*', { bodyLimit: INTAKE_BODY_LIMIT }, async (request, reply) => {
    const match = /^(.+)\/(acknowledge|close)$/s.exec(request.params['*']);
    if (!match) return sendAs(reply, opsgenieAnswers.noSuchOperation(tookOf(reply), randomUUID()));
    return act(match[2] as 'acknowledge' | 'close', match[1] as string, request, reply);
  });

  async function act(action: 'acknowledge' | 'close', identifier: string, request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply: FastifyReply) {
    const requestId = randomUUID();
    const admitted = await authenticate(request, reply, requestId);
    if (!('integration' in admitted)) return admitted;
    const raw = rawOf(request);
    const name: Action = action === 'acknowledge' ? 'Acknowledge' : 'Close';
    await prune();
    let body: unknown = undefined;
    if (raw.trim() !== '') {
      const parsed = parseJsonBody(request.body);
      if (!parsed) {
        await ctx.alerts.logRejected(admitted.integration, 'opsgenie', action, raw, 'invalid');
        return sendAs(reply, opsgenieAnswers.malformedJson(tookOf(reply), requestId));
      }
      body = parsed.value;
    }
    const read = readOpsgenieAction(request.query.identifierType, body);
    if (!read.ok) {
      await ctx.alerts.logRejected(admitted.integration, 'opsgenie', action, raw, 'invalid');
      return sendAs(reply, opsgenieAnswers.invalid(read.errors, tookOf(reply), requestId));
    }
    const alert = await findAlert(ctx.database.db, admitted.service.id, identifier, read.identifierType);
    if (!alert) {
      // Opsgenie accepts the request and reports the failure in its status, as here.
      await record(ctx.database.db, admitted.integration.id, requestId, { action: name, success: false, status: 'Alert does not exist', alertId: null, alias: read.identifierType === 'alias' ? identifier : null });
      return sendAs(reply, opsgenieAnswers.accepted(tookOf(reply), requestId));
    }
    if (alert.status === 'resolved') {
      await record(ctx.database.db, admitted.integration.id, requestId, { action: name, success: action === 'close', status: 'Alert is already closed', alertId: alert.id, alias: alert.dedup_key });
      return sendAs(reply, opsgenieAnswers.accepted(tookOf(reply), requestId));
    }
    // The alert is open, so it is the one open alert with its dedup key: the event reaches exactly it.
    const actor = read.user ? `${read.user} via ${admitted.integration.name}` : admitted.integration.name;
    await ctx.alerts.ingest({
      service: admitted.service,
      integration: admitted.integration,
      format: 'opsgenie',
      event: { action: action === 'acknowledge' ? 'acknowledge' : 'resolve', dedupKey: alert.dedup_key },
      raw: raw || '{}',
      actor,
      alongside: (tx, result) => {
        const status = result.outcome === 'ignored' && action === 'acknowledge' ? 'Alert is already acknowledged' : action === 'acknowledge' ? 'Acknowledged alert' : 'Closed alert';
        return record(tx.db, admitted.integration.id, requestId, { action: name, success: true, status, alertId: alert.id, alias: alert.dedup_key });
      },
    });
    return sendAs(reply, opsgenieAnswers.accepted(tookOf(reply), requestId));
  }

  // The rest of the Alert API (list, get, notes, attachments, …) is not served: Opsgenie's shape, 404.
  const notServed = async (_request: FastifyRequest, reply: FastifyReply) => sendAs(reply, opsgenieAnswers.noSuchOperation(tookOf(reply), randomUUID()));
  app.get('/v2/alerts', notServed);
  app.get('/v2/alerts/*', notServed);

  app.get<{ Params: { '*': string } }>('/v2/alerts/requests/*', async (request, reply) => {
    const requestId = randomUUID();
    // Polling the status does not use up the integration's rate limit.
    const admitted = await authenticate(request, reply, requestId, false);
    if (!('integration' in admitted)) return admitted;
    const row = await ctx.database.db.selectFrom('opsgenie_requests').selectAll().where('id', '=', request.params['*'].slice(0, 64)).where('integration_id', '=', admitted.integration.id).executeTakeFirst();
    if (!row) return sendAs(reply, opsgenieAnswers.requestNotFound(tookOf(reply), requestId));
    const data: Record<string, unknown> = {
      success: row.success === 1,
      action: row.action,
      processedAt: new Date(row.processed_at).toISOString(),
      integrationId: row.integration_id,
      isSuccess: row.success === 1,
      status: row.status,
    };
    if (row.alert_id !== null) data.alertId = row.alert_id;
    if (row.alias !== null) data.alias = row.alias;
    return sendAs(reply, { status: 200, body: { data, took: tookOf(reply), requestId } });
  });
}

/** The alert an Opsgenie identifier names, on this integration's service. */
async function findAlert(db: Kysely<Database>, serviceId: string, identifier: string, type: IdentifierType) {
  const base = db.selectFrom('alerts').select(['id', 'status', 'dedup_key']).where('service_id', '=', serviceId);
  if (type === 'id') return base.where('id', '=', identifier.slice(0, 64)).executeTakeFirst();
  if (type === 'tiny') {
    if (!/^[0-9]{1,9}$/.test(identifier)) return undefined;
    return base.where('number', '=', Number(identifier)).executeTakeFirst();
  }
  // By alias: the open alert with that dedup key, else the most recent one.
  const open = await base.where('open_dedup_key', '=', identifier).executeTakeFirst();
  return open ?? base.where('dedup_key', '=', identifier).orderBy('id', 'desc').limit(1).executeTakeFirst();
}
