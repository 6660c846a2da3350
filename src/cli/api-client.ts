import type { ConfigApplyResult, ConfigDocument, ConfigPlan } from '../contracts/config.js';
import type { FieldIssue } from '../contracts/errors.js';
import type { ApiToken, CreateTokenBody } from '../contracts/tokens.js';
import { CliError } from './output.js';

export const DEFAULT_URL = 'http://localhost:8080';
// Long enough for a large config apply (one transaction); short enough that a hung server is noticed.
const REQUEST_TIMEOUT_MS = 120_000;
const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
};

/** An error answer from the API: its stable code, message and the field issues of a VALIDATION_FAILED. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly issues: FieldIssue[],
  ) {
    super(issues.length > 0 ? `${serverMessage}\n${issues.map((i) => `  ${i.path || '(body)'}: ${i.message}`).join('\n')}` : serverMessage, 1);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** The server, for example `http://localhost:8080` (FIREBREAK_URL). */
  baseUrl: string;
  /** An API token (FIREBREAK_TOKEN); null makes every call fail with a message saying how to get one. */
  token: string | null;
  /** For tests: a fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The body of config plan/apply (`configBody`), with documents as plain data read from YAML. */
export interface ConfigRequestBody {
  documents: readonly unknown[];
  prune: boolean;
}

/**
 * A small typed client for Firebreak's REST API, used by the CLI's operational commands (ADR 0006).
 * Errors become {@link ApiError} carrying the server's message; an unreachable server or a missing
 * token become a {@link CliError} that says what to do.
 *
 * @example
 *   const api = apiClientFromEnv();
 *   const { items } = await api.listTokens(false);
 */
export class ApiClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return (await this.send(method, path, body, 'application/json')).parsed as T;
  }

  /**
   * A GET whose answer is text, not JSON (a postmortem's Markdown export or print page), with the
   * same errors as {@link request}.
   */
  async requestText(path: string, accept: string): Promise<string> {
    return (await this.send('GET', path, undefined, accept)).text;
  }

  private async send(method: Method, path: string, body: unknown, accept: string): Promise<{ text: string; parsed: unknown }> {
    if (!this.options.token) {
      throw new CliError('FIREBREAK_TOKEN is not set. Create an API token in the web UI (Settings → API tokens) or with `firebreak user create --with-token`, then export FIREBREAK_TOKEN=fbk_…', 2);
    }
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        headers: { authorization: `Bearer ${this.options.token}`, accept, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new CliError(`${method} ${path}: no answer from ${this.baseUrl} within ${REQUEST_TIMEOUT_MS / 1000} s`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = (cause?.code && NETWORK_ERRORS[cause.code]) ?? cause?.message ?? (error as Error).message;
      throw new CliError(`cannot reach Firebreak at ${this.baseUrl} (${why}). Is the server running? Set FIREBREAK_URL to its address.`);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    const json = accept === 'application/json' || !response.ok;
    if (text && json) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) throw new CliError(`${method} ${path}: the server answered ${response.status} with something that is not JSON; is FIREBREAK_URL (${this.baseUrl}) a Firebreak server?`);
      }
    }
    if (!response.ok) {
      const err = parsed as { code?: string; message?: string; details?: { issues?: FieldIssue[] } | null } | undefined;
      if (!err?.code) throw new CliError(`${method} ${path}: HTTP ${response.status} ${response.statusText}; is FIREBREAK_URL (${this.baseUrl}) a Firebreak server?`);
      const hint = err.code === 'UNAUTHENTICATED' ? ' (check FIREBREAK_TOKEN: it may be wrong, expired or revoked)' : '';
      throw new ApiError(response.status, err.code, `${err.message ?? err.code}${hint}`, err.details?.issues ?? []);
    }
    return { text, parsed };
  }

  // ---- API tokens

  createToken(body: CreateTokenBody): Promise<{ token: ApiToken; secret: string }> {
    return this.request('POST', '/api/v1/tokens', body);
  }

  listTokens(all: boolean): Promise<{ items: ApiToken[] }> {
    return this.request('GET', `/api/v1/tokens${all ? '?all=true' : ''}`);
  }

  revokeToken(id: string): Promise<void> {
    return this.request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
  }

  // ---- config-as-code

  /** Documents go as read from YAML, unvalidated: the server checks them and names each problem's path. */
  planConfig(body: ConfigRequestBody): Promise<ConfigPlan> {
    return this.request('POST', '/api/v1/config/plan', body);
  }

  applyConfig(body: ConfigRequestBody): Promise<ConfigApplyResult> {
    return this.request('POST', '/api/v1/config/apply', body);
  }

  exportConfig(): Promise<{ documents: ConfigDocument[] }> {
    return this.request('GET', '/api/v1/config/export');
  }
}

/** A client for FIREBREAK_URL (default http://localhost:8080) with FIREBREAK_TOKEN. */
export function apiClientFromEnv(env: NodeJS.ProcessEnv = process.env): ApiClient {
  return new ApiClient({ baseUrl: env.FIREBREAK_URL || DEFAULT_URL, token: env.FIREBREAK_TOKEN || null });
}
