import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { changePasswordBody, loginBody, sessionInfo, setupBody, setupStatus, totpDisableBody, totpEnableBody, totpSetupResult } from '../../../contracts/auth.js';
import { listOf } from '../../../contracts/common.js';
import { apiTokenSchema, createTokenBody, createdTokenSchema, listTokensQuery } from '../../../contracts/tokens.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import { SESSION_COOKIE, sessionCookieOf, type AuthService, type NewSession } from './auth.service.js';

function client(request: FastifyRequest) {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null, requestId: String(request.id) };
}

export function authRoutes(auth: AuthService, options: { secureCookies: boolean }): AnyRoute[] {
  const setCookie = (reply: FastifyReply, session: NewSession) =>
    reply.setCookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, path: '/', expires: new Date(session.expiresAt) });

  return [
    defineRoute({
      method: 'GET', path: '/api/v1/setup', operationId: 'getSetupStatus', summary: 'Whether first-run setup is still needed', tag: 'Auth',
      auth: { public: true, rateLimit: 'public' }, success: { status: 200, schema: setupStatus },
      handler: async () => ({ required: await auth.setupRequired() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/setup', operationId: 'completeSetup', summary: 'Create the first owner with the one-time setup token, and log in', tag: 'Auth',
      auth: { public: true, rateLimit: 'login' }, body: setupBody, success: { status: 201, schema: sessionInfo }, errors: ['UNAUTHENTICATED', 'SETUP_COMPLETED'],
      handler: async ({ body, request, reply }) => {
        const session = await auth.completeSetup(body, client(request));
        setCookie(reply, session);
        return session.info;
      },
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/auth/login', operationId: 'login', summary: 'Log in with email, password and (when enabled) a TOTP code', tag: 'Auth',
      description: 'Sets the `firebreak_session` cookie. Answers 401 UNAUTHENTICATED without saying which part was wrong, or 401 MFA_REQUIRED when a TOTP code is needed.',
      auth: { public: true, rateLimit: 'login' }, body: loginBody, success: { status: 200, schema: sessionInfo }, errors: ['UNAUTHENTICATED', 'MFA_REQUIRED'],
      handler: async ({ body, request, reply }) => {
        const session = await auth.login(body.email, body.password, body.totpCode, client(request));
        setCookie(reply, session);
        return session.info;
      },
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/auth/logout', operationId: 'logout', summary: 'End the current session', tag: 'Auth',
      auth: { public: true }, success: { status: 204, schema: null },
      handler: async ({ request, reply }) => {
        await auth.logout(sessionCookieOf(request));
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      },
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/auth/session', operationId: 'getSession', summary: 'Who you are, your role and the CSRF token for changes', tag: 'Auth',
      auth: { role: 'viewer' }, success: { status: 200, schema: sessionInfo },
      handler: async ({ principal, csrfToken }) => auth.sessionInfo(principal!, csrfToken),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/auth/password', operationId: 'changePassword', summary: 'Change your password (ends your other sessions)', tag: 'Auth',
      auth: { role: 'viewer', scope: 'team' }, body: changePasswordBody, success: { status: 204, schema: null }, errors: ['UNAUTHENTICATED'],
      handler: async ({ principal, actor, body }) => auth.changePassword(principal!, actor, body.currentPassword, body.newPassword),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/auth/totp/setup', operationId: 'startTotp', summary: 'Start enrolling an authenticator app (TOTP)', tag: 'Auth',
      auth: { role: 'viewer', scope: 'team' }, success: { status: 200, schema: totpSetupResult }, errors: ['CONFLICT'],
      handler: async ({ principal, actor }) => auth.startTotp(principal!, actor),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/auth/totp/enable', operationId: 'enableTotp', summary: 'Confirm a code and require TOTP at login from now on', tag: 'Auth',
      auth: { role: 'viewer', scope: 'team' }, body: totpEnableBody, success: { status: 204, schema: null }, errors: ['RULE_VIOLATION'],
      handler: async ({ principal, actor, body }) => auth.enableTotp(principal!, actor, body.code),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/auth/totp/disable', operationId: 'disableTotp', summary: 'Turn TOTP off (needs your password)', tag: 'Auth',
      auth: { role: 'viewer', scope: 'team' }, body: totpDisableBody, success: { status: 204, schema: null }, errors: ['UNAUTHENTICATED'],
      handler: async ({ principal, actor, body }) => auth.disableTotp(principal!, actor, body.password),
    }),

    defineRoute({
      method: 'GET', path: '/api/v1/tokens', operationId: 'listTokens', summary: 'List your API tokens (admins: everyone’s with all=true)', tag: 'API tokens',
      auth: { role: 'viewer' }, query: listTokensQuery, success: { status: 200, schema: listOf(apiTokenSchema) },
      handler: async ({ principal, query }) => ({ items: await auth.listTokens(principal!, query.all) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/tokens', operationId: 'createToken', summary: 'Create an API token; the secret is shown once', tag: 'API tokens',
      auth: { role: 'viewer', scope: 'team' }, body: createTokenBody, success: { status: 201, schema: createdTokenSchema }, errors: ['NOT_FOUND'],
      handler: async ({ principal, actor, body }) => auth.createToken(principal!, actor, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/tokens/{id}', operationId: 'revokeToken', summary: 'Revoke an API token', tag: 'API tokens',
      auth: { role: 'viewer', scope: 'team' }, params: z.strictObject({ id: z.string().min(1).max(64) }), success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ principal, actor, params }) => auth.revokeToken(principal!, actor, params.id),
    }),
  ];
}
