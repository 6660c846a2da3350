import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../../contracts/errors.js';
import { takeToken, type Bucket } from '../../../core/alerts/rate-limit.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { IntegrationAuth, IntegrationRow, ServiceCatalog, ServiceRow } from '../services/service.service.js';
import type { AlertService } from './alert.service.js';
import type { AlertEvent } from '../../../core/alerts/alert.js';
import { readAlertmanager } from './formats/alertmanager.js';
import { GRAFANA_SIGNATURE_HEADER, GRAFANA_TIMESTAMP_HEADER, readGrafana, verifyGrafanaSignature } from './formats/grafana.js';
import { readEventsV2 } from './formats/events-v2.js';
import { readWebhook } from './formats/webhook.js';
import { mappingOf, readMapped } from './formats/mapping.js';
import { opsgenieAnswers } from './formats/opsgenie.js';
import { victorOpsAnswers } from './formats/victorops.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { SECURITY_HEADERS } from '../../platform/http/app.js';
import type { EarlyAnswers } from '../../platform/http/early-answers.js';
import type { Metrics } from '../../platform/metrics.js';
import { registerOpsgenie } from './intake-opsgenie.js';
import { registerVictorOps } from './intake-victorops.js';
import { registerChangeEvents } from './intake-changes.js';
import { INTAKE_BODY_LIMIT, maskRoutingKey, parseJsonText, sendAs, tookOf, type Admission, type IntakeContext } from './intake-shared.js';

export { INTAKE_BODY_LIMIT };
/** Events per integration per minute (token bucket; bursts up to this many at once). */
export const INTAKE_RATE_PER_MINUTE = 3000;

type Format = 'events-v2' | 'alertmanager' | 'grafana' | 'webhook';
/** The formats that post to `/integrations/<format>/<key>` and answer in Firebreak's error shape. */
type KeyedFormat = Exclude<Format, 'events-v2'>;
type Read = { ok: true; event: AlertEvent } | { ok: false; issues: FieldIssue[] };
/** Every format, for answering problems found before a handler runs (413, unreadable bodies). */
type AnyFormat = Format | 'opsgenie' | 'victorops';

/** Where each integration type posts, for the "wrong endpoint" error. */
const endpoints: Record<string, string> = { 'events-v2': 'POST /v2/enqueue', alertmanager: 'POST /integrations/alertmanager/<key>', grafana: 'POST /integrations/grafana/<key>', webhook: 'POST /integrations/webhook/<key>' };

/** An answer in the sending format's own shape. */
interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * How each format says what went wrong. Events API v2 has its own body
 * (`{status, message, errors[]}`); Alertmanager ignores bodies, so it gets Firebreak's error shape
 * (`{code, message, details, errorId}`), whose `details.issues` name the fields.
 */
const answers = {
  'events-v2': {
    invalid: (errors: string[], status = 400): Answer => ({ status, body: { status: 'invalid event', message: 'Event object is invalid', errors } }),
    unknownKey: (): Answer => ({ status: 404, body: { status: 'invalid event', message: 'Invalid routing key', errors: ['routing_key: no integration has this key'] } }),
    disabled: (): Answer => ({ status: 403, body: { status: 'invalid event', message: 'Integration is disabled', errors: ['routing_key: the integration with this key is disabled'] } }),
    throttled: (seconds: number): Answer => ({ status: 429, body: { status: 'throttle event', message: `Too many events for this integration; retry after ${seconds} s`, errors: [] }, headers: { 'retry-after': String(seconds) } }),
    tooLarge: (): Answer => ({ status: 413, body: { status: 'invalid event', message: 'Event object is invalid', errors: [`The request body is larger than ${INTAKE_BODY_LIMIT / 1024} KB`] } }),
    fault: (errorId: string): Answer => ({ status: 500, body: { status: 'error', message: `Internal error; retry later (errorId ${errorId})`, errors: [] } }),
  },
  alertmanager: {
    invalid: (issues: FieldIssue[], code = 'VALIDATION_FAILED'): Answer => ({ status: 400, body: { code, message: `Invalid notification. ${issues[0]?.path ?? 'body'}: ${issues[0]?.message ?? 'invalid'}`, details: { issues } } }),
    unknownKey: (): Answer => ({ status: 404, body: { code: 'NOT_FOUND', message: 'No integration has this key', details: null } }),
    disabled: (): Answer => ({ status: 403, body: { code: 'FORBIDDEN', message: 'This integration is disabled', details: null } }),
    throttled: (seconds: number): Answer => ({ status: 429, body: { code: 'RATE_LIMITED', message: `Too many notifications for this integration; retry after ${seconds} s`, details: { retryAfterSeconds: seconds } }, headers: { 'retry-after': String(seconds) } }),
    tooLarge: (): Answer => ({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${INTAKE_BODY_LIMIT / 1024} KB`, details: null } }),
    fault: (errorId: string): Answer => ({ status: 500, body: { code: 'INTERNAL', message: `Internal error; quote errorId ${errorId} when reporting it`, details: null } }),
  },
  /** Grafana, like Alertmanager, ignores bodies: Firebreak's error shape. */
  get grafana() {
    return this.alertmanager;
  },
  /** The generic webhook is Firebreak's own: its error shape. */
  get webhook() {
    return this.alertmanager;
  },
};

/** An answer as it goes on the wire: its JSON body already written out. */
interface Wire {
  status: number;
  body: string;
  headers?: Record<string, string> | undefined;
}

/** An Events API v2 answer on the wire: PagerDuty's body as is (no errorId added). */
const v2 = (answer: Answer): Wire => ({ status: answer.status, body: JSON.stringify(answer.body), headers: answer.headers });

const JSON_TYPE = 'application/json; charset=utf-8';

/** Refused by the integration's verification settings: 401, nothing stored. */
const unauthenticated = (message: string): Answer => ({ status: 401, body: { code: 'UNAUTHENTICATED', message, details: null }, headers: { 'www-authenticate': 'Bearer realm="firebreak-intake"' } });

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Checks a Grafana or generic webhook post against its integration's settings: every configured check
 * must pass (HMAC signature over the raw body, Grafana only; `Authorization: Bearer`; HTTP basic).
 * Null when it passes.
 */
function verify(auth: IntegrationAuth | null, request: FastifyRequest, raw: Buffer): Answer | null {
  if (!auth) return null;
  const header = (name: string): string | undefined => {
    const v = request.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  if (auth.hmacSecret && !verifyGrafanaSignature(auth.hmacSecret, raw, header(GRAFANA_SIGNATURE_HEADER), header(GRAFANA_TIMESTAMP_HEADER))) {
    return unauthenticated('The X-Grafana-Alerting-Signature header is missing or does not match the body (HMAC-SHA256, hex, with this integration’s secret)');
  }
  const authorization = header('authorization') ?? '';
  if (auth.bearerToken && !(authorization.startsWith('Bearer ') && sameSecret(authorization.slice(7).trim(), auth.bearerToken))) {
    return unauthenticated('The Authorization header is missing or does not carry this integration’s bearer token');
  }
  if (auth.basicAuth) {
    const expected = Buffer.from(`${auth.basicAuth.username}:${auth.basicAuth.password}`).toString('base64');
    if (!(authorization.startsWith('Basic ') && sameSecret(authorization.slice(6).trim(), expected))) return unauthenticated('The Authorization header is missing or does not carry this integration’s basic auth credentials');
  }
  return null;
}

function send(reply: FastifyReply, request: FastifyRequest, format: Format, answer: Answer): FastifyReply {
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  const body = format !== 'events-v2' ? { ...answer.body, errorId: String(request.id) } : answer.body;
  return reply.status(answer.status).type('application/json; charset=utf-8').send(body);
}

/** Parses the raw body as JSON; null when it is not JSON at all. */
function parseJson(raw: string): { value: unknown } | null {
  return parseJsonText(raw);
}

const formatOf = (request: FastifyRequest): AnyFormat =>
  request.url.startsWith('/v2/alerts')
    ? 'opsgenie'
    : request.url.startsWith('/v2/')
      ? 'events-v2'
      : request.url.startsWith('/integrations/victorops/')
        ? 'victorops'
        : request.url.startsWith('/integrations/grafana/')
          ? 'grafana'
          : request.url.startsWith('/integrations/webhook/')
            ? 'webhook'
            : 'alertmanager';

/**
 * The inbound integration endpoints, outside `/api` because senders fix their paths: PagerDuty Events
 * API v2 at `POST /v2/enqueue` (clients such as pdjs let users change only the host), Alertmanager
 * at `POST /integrations/alertmanager/{key}`, Grafana at `POST /integrations/grafana/{key}` and the
 * generic JSON webhook at `POST /integrations/webhook/{key}` (read through the integration's JSON-path
 * mapping when it has one), plus, in their own files, the Opsgenie Alert API (`intake-opsgenie.ts`),
 * Splunk On-Call (`intake-victorops.ts`) and PagerDuty change events (`intake-changes.ts`). Registered as their own Fastify context so they read any
 * content type as raw bytes (senders label JSON loosely), cap bodies at 512 KB and answer every
 * problem — even one found before the handler runs — in the sending format's shape. Each answers
 * 2xx only after its event, alert change and timeline have committed.
 */
export function intakeRoutes(deps: {
  alerts: AlertService;
  services: ServiceCatalog;
  database: FirebreakDatabase;
  clock: Clock;
  ids?: IdGenerator;
  ratePerMinute?: number;
  /** Answers `POST /v2/enqueue` ahead of the router (ADR 0045), counted in the same request metrics. */
  early?: { answers: EarlyAnswers; metrics: Metrics; logger: Logger };
}) {
  const buckets = new Map<string, Bucket>();
  const rate = deps.ratePerMinute ?? INTAKE_RATE_PER_MINUTE;

  async function admitKey(key: string, type: string, options: { throttle?: boolean } = {}): Promise<Admission> {
    const found = await deps.services.findByKeyForIntake(key);
    if (!found) return { ok: false, reason: 'unknown' };
    if (found.integration.disabled === 1) return { ok: false, reason: 'disabled', integration: found.integration };
    if (found.integration.type !== type) return { ok: false, reason: 'wrong-type', integration: found.integration };
    if (options.throttle !== false) {
      const taken = takeToken(buckets.get(found.integration.id), deps.clock.now(), rate, 60_000);
      buckets.set(found.integration.id, taken.bucket);
      if (!taken.allowed) return { ok: false, reason: 'throttled', integration: found.integration, retryAfterSeconds: taken.retryAfterSeconds };
    }
    return { ok: true, ...found };
  }
  const context: IntakeContext = { alerts: deps.alerts, services: deps.services, database: deps.database, clock: deps.clock, ids: deps.ids ?? (() => randomBytes(13).toString('hex').toUpperCase()), admitKey };

  /** Finds the integration, refusing unknown keys, disabled integrations, the wrong format and floods. */
  async function admit(key: string, format: Format): Promise<{ integration: IntegrationRow; service: ServiceRow } | Answer> {
    const found = await deps.services.findByKeyForIntake(key);
    if (!found) return answers[format].unknownKey();
    if (found.integration.disabled === 1) {
      return answers[format].disabled();
    }
    if (found.integration.type !== format) {
      const where = endpoints[found.integration.type] ?? 'its own endpoint';
      return format === 'events-v2'
        ? answers['events-v2'].invalid([`routing_key: belongs to an ${found.integration.type} integration; send to ${where}`])
        : answers.alertmanager.invalid([{ path: 'params.key', message: `belongs to an ${found.integration.type} integration; send to ${where}` }]);
    }
    const taken = takeToken(buckets.get(found.integration.id), deps.clock.now(), rate, 60_000);
    buckets.set(found.integration.id, taken.bucket);
    if (!taken.allowed) return answers[format].throttled(taken.retryAfterSeconds);
    return found;
  }

  /**
   * `POST /v2/enqueue` for a body: the answer PagerDuty would give, once the event has committed. The
   * Fastify route and the early answer both call it, so they answer alike by construction.
   */
  async function enqueueV2(text: string): Promise<Wire> {
    const parsed = parseJson(text);
    if (!parsed) return v2(answers['events-v2'].invalid(['The body must be a JSON object (the request body is not valid JSON, or nests deeper than 64 levels)']));
    const read = readEventsV2(parsed.value, () => randomBytes(16).toString('hex'));
    if (!read.routingKey) return v2(answers['events-v2'].invalid(read.ok ? [] : read.errors));
    // The event log must not become a second copy of the key: keep only its first characters.
    const raw = maskRoutingKey(text, parsed.value as Record<string, unknown>, read.routingKey);
    const admitted = await admit(read.routingKey, 'events-v2');
    if ('status' in admitted) {
      if (admitted.status === 403 || admitted.status === 400) {
        const found = await deps.services.findByKey(deps.database.reader, read.routingKey);
        if (found) await deps.alerts.logRejected(found.integration, 'events-v2', String((parsed.value as { event_action?: unknown }).event_action ?? 'unknown'), raw, admitted.status === 403 ? 'disabled' : 'invalid');
      }
      return v2(admitted);
    }
    if (!read.ok) {
      await deps.alerts.logRejected(admitted.integration, 'events-v2', String((parsed.value as { event_action?: unknown }).event_action ?? 'unknown'), raw, 'invalid');
      return v2(answers['events-v2'].invalid(read.errors));
    }
    await deps.alerts.ingest({ service: admitted.service, integration: admitted.integration, format: 'events-v2', event: read.event, raw, actor: admitted.integration.name });
    // Written out by hand: the one answer every accepted event gets, in the shape PagerDuty sends.
    return { status: 202, body: `{"status":"success","message":"Event processed","dedup_key":${JSON.stringify(read.event.dedupKey)}}` };
  }

  /**
   * `POST /v2/enqueue` answered ahead of Fastify (ADR 0045): the busiest intake path, where the
   * framework's work around each request cost about a tenth of the event. Same answers as the route
   * (`enqueueV2`), same headers (Fastify's content type and length, the security headers), the 512 KB
   * limit as 413, a fault as PagerDuty's 500 with an errorId in the log. Only that exact path: a query
   * string, any other path or method is left to Fastify.
   */
  function earlyEnqueue(early: { metrics: Metrics; logger: Logger }) {
    const boot = randomBytes(4).toString('hex');
    let faults = 0;
    return (request: IncomingMessage, response: ServerResponse): boolean => {
      if (request.url !== '/v2/enqueue') return false;
      const started = performance.now();
      const answer = (wire: Wire) => {
        if (response.headersSent || response.destroyed) return;
        const headers: Record<string, string | number> = { ...SECURITY_HEADERS, ...wire.headers, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(wire.body) };
        response.writeHead(wire.status, headers);
        response.end(wire.body);
        early.metrics.observeRequest('POST', '/v2/enqueue', wire.status, (performance.now() - started) / 1000, true);
      };
      if (Number(request.headers['content-length'] ?? 0) > INTAKE_BODY_LIMIT) {
        answer(v2(answers['events-v2'].tooLarge()));
        return true;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      request.on('data', (chunk: Buffer) => {
        if (refused) return;
        size += chunk.length;
        if (size > INTAKE_BODY_LIMIT) {
          refused = true;
          chunks.length = 0;
          answer(v2(answers['events-v2'].tooLarge()));
          return;
        }
        chunks.push(chunk);
      });
      // A sender that goes away mid-body gets no answer; nothing was stored.
      request.on('error', () => {});
      request.on('end', () => {
        if (refused) return;
        const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)).toString('utf8');
        enqueueV2(text).then(answer, (error: unknown) => {
          const errorId = `${boot}-e${(++faults).toString(36)}`;
          early.logger.error({ err: error, errorId }, 'intake failed');
          answer(v2(answers['events-v2'].fault(errorId)));
        });
      });
      return true;
    };
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INTAKE_BODY_LIMIT }, (_request, body, done) => done(null, body));
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const format = formatOf(request);
      const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
      if (format === 'opsgenie') {
        const requestId = randomUUID();
        if (status === 413) return sendAs(reply, opsgenieAnswers.tooLarge(INTAKE_BODY_LIMIT / 1024, tookOf(reply), requestId));
        if (status >= 400 && status < 500) return sendAs(reply, opsgenieAnswers.malformedJson(tookOf(reply), requestId));
        request.log.error({ err: error, errorId: String(request.id) }, 'intake failed');
        return sendAs(reply, opsgenieAnswers.fault(tookOf(reply), requestId));
      }
      if (format === 'victorops') {
        if (status === 413) return sendAs(reply, victorOpsAnswers.failure(413, `The request body is larger than ${INTAKE_BODY_LIMIT / 1024} KB`));
        if (status >= 400 && status < 500) return sendAs(reply, victorOpsAnswers.failure(400, `body: ${error.message || 'the request cannot be read'}`));
        request.log.error({ err: error, errorId: String(request.id) }, 'intake failed');
        return sendAs(reply, victorOpsAnswers.failure(500, `Internal error; retry later (errorId ${String(request.id)})`));
      }
      if (status === 413) return send(reply, request, format, answers[format].tooLarge());
      if (status >= 400 && status < 500) {
        const message = error.message || 'the request cannot be read';
        return send(reply, request, format, format === 'events-v2' ? answers['events-v2'].invalid([message]) : answers.alertmanager.invalid([{ path: 'body', message }], 'MALFORMED_REQUEST'));
      }
      request.log.error({ err: error, errorId: String(request.id) }, 'intake failed');
      return send(reply, request, format, answers[format].fault(String(request.id)));
    });

    app.post('/v2/enqueue', { bodyLimit: INTAKE_BODY_LIMIT }, async (request, reply) => {
      return sendAs(reply, await enqueueV2(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : ''));
    });
    if (deps.early) deps.early.answers.add(earlyEnqueue(deps.early), 'POST');

    /**
     * The `/integrations/<format>/<key>` endpoints: Alertmanager and Grafana (group notifications,
     * answered 200) and the generic webhook (one event, answered 202 with its dedup key). Grafana and
     * the webhook may also verify the sender, before anything is read or stored.
     */
    const keyedRoute = (format: KeyedFormat, read: (body: unknown, integration: IntegrationRow) => Read) => async (request: FastifyRequest<{ Params: { key: string } }>, reply: FastifyReply) => {
      const key = request.params.key;
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const raw = body.toString('utf8');
      const action = format === 'webhook' ? 'event' : 'group';
      if (key.length === 0 || key.length > 128) return send(reply, request, format, answers[format].unknownKey());
      const admitted = await admit(key, format);
      if ('status' in admitted) {
        if (admitted.status === 403) {
          const found = await deps.services.findByKeyForIntake(key);
          if (found) await deps.alerts.logRejected(found.integration, format, action, raw, 'disabled');
        }
        return send(reply, request, format, admitted);
      }
      // Checked before anything is stored: an unverified post leaves no trace in the event log.
      const refused = format === 'alertmanager' ? null : verify(deps.services.authOf(admitted.integration), request, body);
      if (refused) return send(reply, request, format, refused);
      const parsed = parseJson(raw);
      if (!parsed) {
        await deps.alerts.logRejected(admitted.integration, format, action, raw, 'invalid');
        return send(reply, request, format, answers[format].invalid([{ path: 'body', message: 'is not valid JSON, or nests deeper than 64 levels' }], 'MALFORMED_REQUEST'));
      }
      const result = read(parsed.value, admitted.integration);
      if (!result.ok) {
        await deps.alerts.logRejected(admitted.integration, format, action, raw, 'invalid');
        return send(reply, request, format, answers[format].invalid(result.issues));
      }
      const ingested = await deps.alerts.ingest({ service: admitted.service, integration: admitted.integration, format, event: result.event, raw, actor: admitted.integration.name });
      const answer = { status: 'success', outcome: ingested.outcome, alertId: ingested.alert?.id ?? null };
      if (format === 'webhook') return reply.status(202).type('application/json; charset=utf-8').send({ ...answer, dedupKey: result.event.dedupKey });
      return reply.status(200).type('application/json; charset=utf-8').send(answer);
    };
    app.post<{ Params: { key: string } }>('/integrations/alertmanager/:key', { bodyLimit: INTAKE_BODY_LIMIT }, keyedRoute('alertmanager', readAlertmanager));
    app.post<{ Params: { key: string } }>('/integrations/grafana/:key', { bodyLimit: INTAKE_BODY_LIMIT }, keyedRoute('grafana', readGrafana));
    app.post<{ Params: { key: string } }>(
      '/integrations/webhook/:key',
      { bodyLimit: INTAKE_BODY_LIMIT },
      keyedRoute('webhook', (value, integration) => {
        // A mapping, when the integration has one, replaces the documented fields (docs/alerts.md).
        const mapping = mappingOf(integration);
        const newKey = () => randomBytes(16).toString('hex');
        return mapping ? readMapped(value, mapping, newKey) : readWebhook(value, newKey);
      }),
    );
    registerOpsgenie(app, context);
    registerVictorOps(app, context);
    registerChangeEvents(app, context);
  };
}
