import fc from 'fast-check';
import type { Role } from '../../../src/core/auth/roles.js';

/**
 * Reads the operations out of Firebreak's own OpenAPI document, so the suites that walk "every route"
 * (the authorization matrix, the fuzzer) pick up routes added later without being edited.
 */

/** A JSON Schema as `z.toJSONSchema` writes it; only the parts the sample builder reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** `x-firebreak-auth`: the route's declared access rule (see src/server/platform/http/route.ts). */
export type DocumentedAuth = { public: true; rateLimit?: string } | { role: Role; teamAdmin?: boolean; scope?: 'org' | 'team' };

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path template: `/api/v1/teams/{team}`. */
  path: string;
  operationId: string;
  auth: DocumentedAuth | undefined;
  parameters: Parameter[];
  /** The `application/json` request body schema, or null when the operation takes no body. */
  body: JsonSchema | null;
  /** Whether the success response is JSON (false for /metrics, the docs page and its script). */
  jsonResponse: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface RawOperation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
  'x-firebreak-auth'?: DocumentedAuth;
}

/** Every operation in the document, in document order. */
export function listOperations(doc: { paths: Record<string, Record<string, RawOperation>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(byMethod)) {
      const success = Object.entries(raw.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1];
      const successSchema = success?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        operationId: raw.operationId,
        auth: raw['x-firebreak-auth'],
        parameters: raw.parameters ?? [],
        body: raw.requestBody?.content?.['application/json']?.schema ?? null,
        // Routes that answer text or HTML document their success body as a bare `string`.
        jsonResponse: successSchema === undefined || successSchema.type !== 'string',
      });
    }
  }
  return operations;
}

export const isPublic = (auth: DocumentedAuth | undefined): auth is { public: true } => auth !== undefined && 'public' in auth;

/** The scope a route enforces for team-scoped tokens: as declared, else 'org' for mutations (checkRouteAccess). */
export function effectiveScope(operation: Operation): 'org' | 'team' | null {
  const auth = operation.auth;
  if (!auth || 'public' in auth) return null;
  return auth.scope ?? (SAFE_METHODS.has(operation.method) ? 'team' : 'org');
}

/** `/api/v1/teams/{team}` with `{team: 'a b'}` → `/api/v1/teams/a%20b`. Missing values become `unknown`. */
export function fillPath(template: string, values: Record<string, string>, encode: (value: string) => string = encodeURIComponent): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encode(values[name] ?? 'unknown'));
}

export const label = (operation: Pick<Operation, 'method' | 'path'>) => `${operation.method} ${operation.path}`;

/**
 * Values for well-known field names, so a sample body is not only valid by its schema but accepted by the
 * service too (a real time zone, an email nobody has yet, the caller's own password). A function is
 * called for each use, for values that must be unique.
 */
export type Hints = Record<string, unknown | (() => unknown)>;

/**
 * Builds a minimal value that satisfies `schema`: required properties only (all properties when none is
 * required, so "give at least one field" refinements pass), plus optional ones named in `hints`.
 */
export function sampleFromSchema(schema: JsonSchema, hints: Hints = {}, name?: string): unknown {
  if (name !== undefined && name in hints) {
    const hint = hints[name];
    return typeof hint === 'function' ? (hint as () => unknown)() : hint;
  }
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (alternatives?.[0]) return sampleFromSchema(alternatives[0], hints, name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const names = Object.keys(properties).filter((key) => required.has(key) || key in hints);
      const chosen = required.size === 0 ? Object.keys(properties) : names;
      return Object.fromEntries(chosen.map((key) => [key, sampleFromSchema(properties[key] ?? {}, hints, key)]));
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleFromSchema(schema.items ?? {}, hints));
    case 'integer':
    case 'number':
      return schema.minimum ?? schema.default ?? 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string':
      return sampleString(schema);
    default:
      return schema.default ?? {};
  }
}

function sampleString(schema: JsonSchema): string {
  const min = schema.minLength ?? 1;
  const max = schema.maxLength ?? Math.max(min, 40);
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    const [found] = fc.sample(
      fc.stringMatching(pattern).filter((s) => s.length >= min && s.length <= max),
      { numRuns: 1, seed: 42 },
    );
    if (found !== undefined) return found;
  }
  const text = 'sample-value'.padEnd(min, 'x');
  return text.slice(0, max);
}
