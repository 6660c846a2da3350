import { z } from 'zod';
import { errorStatus } from '../../../contracts/errors.js';
import type { AnyRoute } from './route.js';

const errorSchema = {
  type: 'object',
  required: ['code', 'message', 'details', 'errorId'],
  properties: {
    code: { type: 'string', enum: Object.keys(errorStatus), description: 'Stable error code' },
    message: { type: 'string', description: 'What went wrong, naming the field or thing and the reason' },
    details: { type: ['object', 'null'], description: 'For VALIDATION_FAILED: `issues`, a list of `{path, message}`' },
    errorId: { type: 'string', description: 'Request id; also in the server log' },
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/**
 * The OpenAPI 3.1 document for every registered route, generated from the same zod schemas that
 * validate requests (one schema source per boundary). `x-firebreak-auth` states who may call each
 * operation; the authorization matrix test reads it.
 */
export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
      }
    }
    const responses: Record<string, unknown> = {
      [String(route.success.status)]: route.success.schema
        ? { description: route.success.description ?? 'Success', content: { 'application/json': { schema: jsonSchema(route.success.schema, 'output') } } }
        : { description: route.success.description ?? 'Success, no content' },
    };
    const codes = new Set<string>(['VALIDATION_FAILED', 'MALFORMED_REQUEST', ...(route.errors ?? [])]);
    if (!('public' in route.auth)) ['UNAUTHENTICATED', 'FORBIDDEN'].forEach((c) => codes.add(c));
    if ('public' in route.auth && route.auth.rateLimit) codes.add('RATE_LIMITED');
    const byStatus = new Map<number, string[]>();
    for (const code of codes) {
      const status = errorStatus[code as keyof typeof errorStatus];
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, list] of byStatus) {
      responses[String(status)] = { description: list.join(', '), content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(route.description ? { description: route.description } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses,
      'x-firebreak-auth': route.auth,
      security: 'public' in route.auth ? [] : [{ bearerToken: [] }, { sessionCookie: [] }],
    };
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Firebreak API',
      version: info.version,
      description:
        'The REST API of Firebreak, used by the web UI, the CLI and your scripts alike. Authenticate with `Authorization: Bearer <token>`. Unknown fields in request bodies are rejected with VALIDATION_FAILED.',
    },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token (fbk_…)' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'firebreak_session', description: 'Web session; mutations also need the X-CSRF-Token header' },
      },
    },
  };
}
