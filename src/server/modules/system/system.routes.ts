import { createRequire } from 'node:module';
import { z } from 'zod';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import { buildOpenApi } from '../../platform/http/openapi.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { Metrics } from '../../platform/metrics.js';

export const version: string = (createRequire(import.meta.url)('../../../../package.json') as { version: string }).version;

/** What /readyz needs from the job runner. */
export interface RunnerHealth {
  /** Queue figures (which also go to /metrics) and the epoch ms of the loop's last pass (null before the first). */
  stats(): Promise<{ depth: number; lagMs: number; failed: number; lastLoopAt: number | null }>;
}

export interface SystemDeps {
  database: FirebreakDatabase;
  metrics: Metrics;
  runner: RunnerHealth;
  now: () => number;
  /** How stale the runner's last loop may be before /readyz fails it. */
  runnerStaleMs: number;
  publicUrl: string;
  routes: () => readonly AnyRoute[];
  /** Channels and providers that cannot deliver (named by /readyz as warnings, ADR 0025). */
  deliveryProblems?: () => Promise<string[]>;
}

const checkSchema = z.object({ ok: z.boolean(), detail: z.string() });
const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  failing: z.array(z.string()),
  checks: z.record(z.string(), checkSchema),
  warnings: z.array(z.string()).describe('Problems that do not stop this node serving, such as a notification channel that cannot deliver'),
});

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Firebreak API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

/** Firebreak watching itself: liveness, readiness, Prometheus metrics, and the API description. */
export function systemRoutes(deps: SystemDeps): AnyRoute[] {
  let openApiCache: Record<string, unknown> | undefined;
  return [
    defineRoute({
      method: 'GET', path: '/healthz', operationId: 'getHealth', summary: 'Liveness: the process answers', tag: 'System',
      auth: { public: true }, success: { status: 200, schema: z.object({ status: z.literal('ok') }) },
      handler: async () => ({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'GET', path: '/readyz', operationId: 'getReadiness', summary: 'Readiness: database reachable, migrations current, job runner alive', tag: 'System',
      description: 'Answers 200 when every check passes, otherwise 503 with `failing` naming each failing check. `warnings` names notification channels and providers that cannot deliver.',
      auth: { public: true }, success: { status: 200, schema: readySchema },
      handler: async ({ reply }) => {
        const checks: Record<string, { ok: boolean; detail: string }> = {};
        try {
          await deps.database.ping();
          checks.database = { ok: true, detail: `${deps.database.capabilities.dialect} reachable` };
          const pending = await deps.database.pendingMigrations();
          checks.migrations = pending.length === 0 ? { ok: true, detail: 'current' } : { ok: false, detail: `pending: ${pending.join(', ')}` };
        } catch (error) {
          checks.database = { ok: false, detail: `unreachable: ${(error as Error).message}` };
          checks.migrations = { ok: false, detail: 'unknown: database unreachable' };
        }
        const last = await deps.runner.stats().then((s) => s.lastLoopAt, () => undefined);
        const age = last === null || last === undefined ? null : deps.now() - last;
        checks.jobRunner =
          age !== null && age <= deps.runnerStaleMs
            ? { ok: true, detail: `last loop ${age} ms ago` }
            : { ok: false, detail: last === undefined ? 'unknown: database unreachable' : last === null ? 'not started' : `stalled: last loop ${age} ms ago` };
        const failing = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
        // A channel that cannot deliver does not take the node out of service: intake, the UI and every
        // other channel still work, and pages wait in the outbox for retry or go to the next method.
        const warnings = checks.database?.ok && deps.deliveryProblems ? await deps.deliveryProblems().catch((error: Error) => [`notification channels unknown: ${error.message}`]) : [];
        reply.status(failing.length ? 503 : 200);
        return reply.send({ status: failing.length ? 'not_ready' : 'ready', failing, checks, warnings });
      },
    }),
    defineRoute({
      method: 'GET', path: '/metrics', operationId: 'getMetrics', summary: 'Prometheus metrics (text exposition format)', tag: 'System',
      auth: { public: true }, success: { status: 200, schema: z.string() },
      handler: async ({ reply }) => {
        try {
          await deps.runner.stats(); // publishes the queue gauges
        } catch {
          // The scrape still answers with what is known when the database is down; /readyz says why.
        }
        reply.type(deps.metrics.registry.contentType);
        return reply.send(await deps.metrics.registry.metrics());
      },
    }),
    defineRoute({
      method: 'GET', path: '/api/openapi.json', operationId: 'getOpenApi', summary: 'This API, described in OpenAPI 3.1', tag: 'System',
      auth: { public: true }, success: { status: 200, schema: z.record(z.string(), z.unknown()) },
      handler: async () => (openApiCache ??= buildOpenApi(deps.routes(), { version, serverUrl: deps.publicUrl })),
    }),
    defineRoute({
      method: 'GET', path: '/api/docs', operationId: 'getApiDocs', summary: 'Browsable API documentation', tag: 'System',
      auth: { public: true }, success: { status: 200, schema: z.string() },
      handler: async ({ reply }) => reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'").send(DOCS_HTML),
    }),
    defineRoute({
      method: 'GET', path: '/api/docs/init.js', operationId: 'getApiDocsScript', summary: 'Starts the documentation viewer', tag: 'System',
      auth: { public: true }, success: { status: 200, schema: z.string() },
      handler: async ({ reply }) => reply.type('application/javascript; charset=utf-8').send(DOCS_INIT),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/system/info', operationId: 'getSystemInfo', summary: 'Version and database of this instance', tag: 'System',
      auth: { role: 'viewer' }, success: { status: 200, schema: z.object({ version: z.string(), database: z.enum(['sqlite', 'postgres']) }) },
      handler: async () => ({ version, database: deps.database.capabilities.dialect }),
    }),
  ];
}
