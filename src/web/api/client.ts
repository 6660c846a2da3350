import type { ErrorBody, ErrorCode, FieldIssue } from '../../contracts/errors.js';

/** An error answer from the Firebreak API, or a network failure (`code` NETWORK, `status` 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'NETWORK';
  readonly issues: readonly FieldIssue[];
  readonly errorId: string | null;
  /** Seconds from the Retry-After header of a RATE_LIMITED answer. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, body: Partial<ErrorBody>, retryAfterSeconds: number | null = null) {
    super(body.message ?? `Request failed with HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code ?? (status === 0 ? 'NETWORK' : 'INTERNAL');
    const issues = body.details?.issues;
    this.issues = Array.isArray(issues) ? (issues as FieldIssue[]) : [];
    this.errorId = body.errorId ?? null;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isApiError(error: unknown, code?: ApiError['code']): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

// The session's CSRF token, from the login, setup or session answer. Kept in memory only: the
// session cookie is httpOnly, and this token is what proves a mutation comes from this page.
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Query = Record<string, string | number | boolean | null | undefined>;

/** Builds `/api/v1/<path>?<query>`, leaving out empty query values. */
export function apiPath(path: string, query?: Query): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const qs = search.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

/**
 * Calls the Firebreak REST API with the session cookie. Mutations carry `X-CSRF-Token`. Resolves to
 * the JSON body (undefined for 204); rejects with an {@link ApiError} for every non-2xx answer.
 *
 * @example
 *   const team = await request<Team>('POST', '/teams', { handle: 'platform', name: 'Platform' });
 */
export async function request<T>(method: Method, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(apiPath(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { message: 'Cannot reach the Firebreak server. Check your connection and try again.' });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(response.status, (json ?? {}) as Partial<ErrorBody>, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

/**
 * Field messages from a VALIDATION_FAILED error, keyed by form field: the issue path `body.handle`
 * becomes `handle`, `body.members.0.user` becomes `members.0.user`. Issues about the whole body
 * (path `body` or empty) are keyed `''`.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!isApiError(error, 'VALIDATION_FAILED')) return {};
  const result: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.replace(/^(body|query|params)\.?/, '');
    result[field] ??= issue.message;
  }
  return result;
}
