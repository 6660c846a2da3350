import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal, Role } from '../../../core/auth/roles.js';

/**
 * Who may call a route. Checked before the handler runs, documented in OpenAPI as
 * `x-firebreak-auth`, and walked role by role by the authorization matrix test.
 *
 * - `public`: no credentials (health, login, first-run setup, public feeds).
 * - `role`: the least organization role allowed. `teamAdmin: true` also lets team admins in; the
 *   service then checks that they administer the team concerned.
 * - `scope: 'org'` (the default for mutations) refuses team-scoped API tokens.
 */
export type AuthRule =
  | { public: true; rateLimit?: 'login' | 'public' }
  | { role: Role; teamAdmin?: boolean; scope?: 'org' | 'team' };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route handler receives: validated input plus the caller. */
export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The authenticated caller; null only on public routes. */
  principal: Principal | null;
  /** Who is acting, for the audit log. */
  actor: Actor;
  /** The session's CSRF token, for cookie-authenticated callers. */
  csrfToken: string | null;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** The author of a change as the audit log records it. */
export interface Actor {
  type: 'user' | 'token' | 'system' | 'anonymous';
  id: string | null;
  label: string;
  ip: string | null;
  requestId: string | null;
}

export interface RouteDefinition<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: HttpMethod;
  /** OpenAPI-style path: `/api/v1/teams/{team}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  description?: string;
  auth: AuthRule;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The success status and the shape of its body (`null` for 204). */
  success: { status: number; schema: z.ZodType<R> | null; description?: string };
  /** Error codes this route documents beyond the common ones. */
  errors?: readonly string[];
  handler: (ctx: RouteContext<P, Q, B>) => Promise<R>;
}

/** Declares a route with full type inference from its schemas. */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined, R = unknown>(
  definition: RouteDefinition<P, Q, B, R>,
): RouteDefinition<P, Q, B, R> {
  return definition;
}

// Every route definition, whatever its input types, as the HTTP layer stores them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any, any>;
