import { randomBytes } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyServerFactory, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../../../contracts/errors.js';
import { roleAtLeast, type Principal } from '../../../core/auth/roles.js';
import type { Config } from '../config.js';
import type { IdGenerator } from '../ids.js';
import type { Metrics } from '../metrics.js';
import { createServer, type Server } from 'node:http';
import type { EarlyAnswers } from './early-answers.js';
import { sendError, validationError, zodIssues } from './errors.js';
import type { Actor, AnyRoute } from './route.js';

/** Resolves the caller from a request (session cookie or bearer token). Implemented by the auth module. */
export interface Authenticator {
  /** Null when the request carries no credentials. Throws UNAUTHENTICATED for wrong or expired ones. */
  authenticate(request: FastifyRequest): Promise<AuthResult | null>;
}

export interface AuthResult {
  principal: Principal;
  /** For session (cookie) callers: the token mutations must echo in `X-CSRF-Token`. */
  csrfToken: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Sent with every answer, including the early answers (ADR 0042). */
export const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };

export interface HttpAppOptions {
  config: Pick<Config, 'bodyLimitBytes' | 'trustProxy' | 'loginRateLimitPerMinute' | 'publicRateLimitPerMinute'>;
  logger: Logger;
  ids: IdGenerator;
  metrics: Metrics;
  authenticator: Authenticator;
  routes: readonly AnyRoute[];
  /**
   * Answers requests no route matches (the web UI's deep links). Fastify takes one not-found handler
   * per instance, so it is given here rather than set again later. Default: ROUTE_NOT_FOUND.
   */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => unknown;
  /** Answerers that may answer a GET before the router (ADR 0042); modules add theirs before listening. */
  earlyAnswers?: EarlyAnswers;
}

/** The node:http server Fastify would make (same timeouts), asking the early answerers before Fastify. */
function askingFirst(early: EarlyAnswers): FastifyServerFactory<Server> {
  return (handler, opts) => {
    const server = createServer((request, response) => {
      if (!early.answer(request, response)) handler(request, response);
    });
    server.keepAliveTimeout = Number(opts.keepAliveTimeout ?? 72_000);
    server.requestTimeout = Number(opts.requestTimeout ?? 0);
    server.setTimeout(Number(opts.connectionTimeout ?? 0));
    return server;
  };
}

/** Converts `/api/v1/teams/{team}` to Fastify's `/api/v1/teams/:team`. */
export function toFastifyPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

export function actorOf(principal: Principal | null, request: FastifyRequest): Actor {
  const base = { ip: request.ip ?? null, requestId: String(request.id) };
  if (!principal) return { type: 'anonymous', id: null, label: 'anonymous', ...base };
  if (principal.kind === 'token') return { type: 'token', id: principal.credentialId, label: `${principal.userHandle} (API token)`, ...base };
  return { type: 'user', id: principal.userId, label: principal.userHandle, ...base };
}

/** Checks a route's `auth` rule for a caller. Returns the error to answer with, or null when allowed. */
export function checkRouteAccess(route: AnyRoute, principal: Principal | null): AppError | null {
  const rule = route.auth;
  if ('public' in rule) return null;
  if (!principal) return new AppError('UNAUTHENTICATED', 'Authentication required: log in or send an API token');
  const mutation = !SAFE_METHODS.has(route.method);
  const scope = rule.scope ?? (mutation ? 'org' : 'team');
  if (principal.teamScope !== null && scope === 'org') {
    return new AppError('FORBIDDEN', 'This API token is scoped to one team and cannot make organization-wide changes');
  }
  if (roleAtLeast(principal.role, rule.role)) return null;
  if (rule.teamAdmin && principal.adminOfTeams.length > 0) return null;
  return new AppError('FORBIDDEN', `This action needs the ${rule.role} role${rule.teamAdmin ? ' or team admin' : ''}; you have ${principal.role}`);
}

/**
 * Builds the HTTP server: error mapping, auth and validation around every route, metrics, limits.
 * Routes come from the modules; nothing else is registered here except the catch-all 404.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const { config, metrics, authenticator } = options;
  const early = options.earlyAnswers;
  const bootId = randomBytes(4).toString('hex');
  let requestCounter = 0;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Request ids (also the errorId of error bodies): a per-boot random prefix and a counter, unique
    // across restarts and far cheaper than a ULID per request.
    genReqId: () => `${bootId}-${(++requestCounter).toString(36)}`,
    // One logger for all requests rather than a child per request; error logs carry the errorId.
    childLoggerFactory: (logger) => logger,
    // Access logs at debug: at info they would cost more than answering /healthz does.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false } },
    // The router answers a bad percent-encoding (`/users/%zz`) or an over-long path parameter itself,
    // before any route or error handler runs; without this those answers skip the one error shape.
    frameworkErrors: (error, request, reply) => {
      sendError(error, request, reply);
    },
    ...(early ? { serverFactory: askingFirst(early) } : {}),
  });
  if (early) app.addHook('preClose', (done) => {
    early.close();
    done();
  });
  app.decorateRequest('principal', null);
  const debugEnabled = options.logger.isLevelEnabled('debug');

  // Cookies are parsed only where they are read (the authenticator), not on every request.
  await app.register(cookie, { hook: false });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) =>
      new AppError('RATE_LIMITED', `Too many requests: at most ${context.max} per ${context.after}. Retry after ${Math.ceil(context.ttl / 1000)} s`, {
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });

  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler(options.notFound ?? ((request, reply) => sendError(new AppError('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`), request, reply)));

  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.error({ method: request.method, url: request.url, status: reply.statusCode }, 'request answered with a server error');
    else if (debugEnabled) request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
    done();
  });

  for (const route of options.routes) {
    const rule = route.auth;
    const limit = 'public' in rule && rule.rateLimit ? (rule.rateLimit === 'login' ? config.loginRateLimitPerMinute : config.publicRateLimitPerMinute) : undefined;
    app.route({
      method: route.method,
      url: toFastifyPath(route.path),
      ...(limit !== undefined ? { config: { rateLimit: { max: limit, timeWindow: 60_000 } } } : {}),
      handler: async (request, reply) => {
        let principal: Principal | null = null;
        let csrfToken: string | null = null;
        // Public routes still learn who is calling when credentials are present (for example, logout).
        // Requests without any credentials (health checks, public feeds) skip the authenticator entirely.
        const hasCredentials = request.headers.authorization !== undefined || request.headers.cookie !== undefined;
        const auth = !hasCredentials
          ? null
          : await authenticator.authenticate(request).catch((error: unknown) => {
              if ('public' in rule) return null;
              throw error;
            });
        if (auth) ({ principal, csrfToken } = auth);
        const denied = checkRouteAccess(route, principal);
        if (denied) throw denied;
        // Cookie-authenticated mutations must echo the session's CSRF token; API tokens are not
        // sent automatically by browsers, so they need none.
        if (principal?.kind === 'session' && !SAFE_METHODS.has(route.method) && !('public' in rule)) {
          if (request.headers['x-csrf-token'] !== csrfToken) throw new AppError('CSRF_FAILED', 'Missing or wrong X-CSRF-Token header for a cookie-authenticated change');
        }
        request.principal = principal;

        const params = parse(route.params, request.params, 'params');
        const query = parse(route.query, request.query, 'query');
        refuseNul(params, 'params');
        refuseNul(query, 'query');
        let body: unknown = undefined;
        if (route.body) {
          if (request.body === undefined || request.body === null) throw validationError([{ path: 'body', message: 'a JSON body is required' }]);
          body = parse(route.body, request.body, 'body');
          // Alert intake keeps what monitoring tools send (a refused alert is a lost page); the
          // management API refuses text PostgreSQL could not store.
          if (route.path.startsWith('/api/')) refuseNul(body, 'body');
          else body = replaceNul(body);
        }
        const result = await route.handler({ params, query, body, principal, actor: actorOf(principal, request), csrfToken, request, reply });
        if (reply.sent) return reply;
        reply.status(route.success.status);
        if (route.success.schema === null) return reply.send();
        return result;
      },
    });
  }
  return app;
}

/**
 * Refuses text with NUL characters (U+0000), naming the field: PostgreSQL cannot store them in text,
 * so without this the same request would answer 400 on SQLite and 500 on PostgreSQL.
 */
function refuseNul(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw validationError([{ path, message: 'must not contain NUL characters' }]);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => refuseNul(item, `${path}.${index}`));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) refuseNul(item, `${path}.${key}`);
  }
}

/** Alert intake: the same payload with every NUL in its text replaced by U+FFFD (shown as �). */
function replaceNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  if (Array.isArray(value)) return value.map(replaceNul);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.replaceAll('\u0000', '\uFFFD'), replaceNul(item)]));
  return value;
}

function parse(schema: AnyRoute['body'], value: unknown, where: 'body' | 'query' | 'params'): unknown {
  if (!schema) return value ?? {};
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(zodIssues(result.error, where));
  return result.data;
}
