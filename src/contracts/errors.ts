/**
 * Stable error codes returned by every API in the `code` field of an error body, and the HTTP status
 * each maps to. This table is the one place where errors meet HTTP (STYLE.md habit 7).
 *
 * @example
 *   throw new AppError('NOT_FOUND', 'Team `platform` does not exist');
 */
export const errorStatus = {
  /** The body is not JSON, or not an object where one is expected. */
  MALFORMED_REQUEST: 400,
  /** A field is missing, has the wrong type or an invalid value; `details.issues` names each path. */
  VALIDATION_FAILED: 400,
  /** No credentials, or credentials that are wrong, expired or revoked. Never says which part was wrong. */
  UNAUTHENTICATED: 401,
  /** Password accepted; a TOTP code is required to finish logging in. */
  MFA_REQUIRED: 401,
  /** The caller is authenticated but their role or team scope does not allow this. */
  FORBIDDEN: 403,
  /** A cookie-authenticated mutation without a valid CSRF token. */
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  /** A route that does not exist. */
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  /** The request conflicts with current state (a duplicate name, a stale version). */
  CONFLICT: 409,
  /** First-run setup was already completed. */
  SETUP_COMPLETED: 409,
  /** The request is well-formed but refused by a rule (for example removing the last owner). */
  RULE_VIOLATION: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  /** A fault on Firebreak's side. The `errorId` is in the server log. */
  INTERNAL: 500,
  /** A dependency (the database) is unavailable right now. */
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** One problem with one field, as listed in `details.issues`. */
export interface FieldIssue {
  /** Dotted path of the field, for example `spec.members.0.user`. Empty for the whole body. */
  path: string;
  message: string;
}

/** An error every layer may throw; the HTTP layer turns it into `{code, message, details, errorId}`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, headers?: Record<string, string>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

/** The JSON body of every API error. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown> | null;
  errorId: string;
}
