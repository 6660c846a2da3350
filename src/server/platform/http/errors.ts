import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, type ErrorBody, type FieldIssue } from '../../../contracts/errors.js';

/** Turns zod issues into `{path, message}` pairs whose path starts with where the input came from. */
export function zodIssues(error: z.ZodError, where: 'body' | 'query' | 'params' | ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { path, message: issue.message };
  });
}

/** A VALIDATION_FAILED error whose message names the first field and reason, and lists them all. */
export function validationError(issues: FieldIssue[]): AppError {
  const first = issues[0];
  const summary = first ? `${first.path || 'body'}: ${first.message}` : 'invalid input';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new AppError('VALIDATION_FAILED', `Invalid request. ${summary}${more}`, { issues });
}

/**
 * Maps anything thrown during a request to the one error shape. The only place errors become HTTP
 * (STYLE.md habit 7). Unknown errors are logged with their errorId and answered 500 without details.
 */
export function toErrorResponse(error: unknown, request: FastifyRequest): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const errorId = String(request.id);
  if (error instanceof AppError) {
    return { status: error.status, body: { code: error.code, message: error.message, details: error.details ?? null, errorId }, headers: error.headers ?? {} };
  }
  if (error instanceof z.ZodError) {
    const appError = validationError(zodIssues(error, ''));
    return toErrorResponse(appError, request);
  }
  if (isUniqueViolation(error)) {
    // Two requests raced to create the same thing; the loser gets the answer a sequential caller would.
    return toErrorResponse(new AppError('CONFLICT', 'That already exists (a concurrent request created it first); reload and try again'), request);
  }
  const fe = error as Partial<FastifyError> & { headers?: Record<string, string> };
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  const known: Record<number, AppError> = {
    400: new AppError('MALFORMED_REQUEST', `Malformed request: ${fe.message ?? 'cannot be parsed'}`),
    404: new AppError('ROUTE_NOT_FOUND', 'No such route'),
    405: new AppError('METHOD_NOT_ALLOWED', 'Method not allowed'),
    413: new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than this endpoint accepts'),
    415: new AppError('UNSUPPORTED_MEDIA_TYPE', `Unsupported media type: send application/json`),
    429: new AppError('RATE_LIMITED', 'Too many requests; retry after the time in the Retry-After header'),
  };
  const mapped = known[status] ?? (status >= 400 && status < 500 ? new AppError('MALFORMED_REQUEST', fe.message ?? 'Bad request') : undefined);
  if (mapped) return { ...toErrorResponse(mapped, request), status };
  request.log.error({ err: error, errorId }, 'request failed');
  return {
    status: 500,
    body: { code: 'INTERNAL', message: `Internal error; quote errorId ${errorId} when reporting it`, details: null, errorId },
    headers: {},
  };
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, headers } = toErrorResponse(error, request);
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** A unique-constraint violation from either database (SQLite `SQLITE_CONSTRAINT_UNIQUE`/`_PRIMARYKEY`, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
