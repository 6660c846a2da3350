import { expect } from 'vitest';
import { bearer, type TestApp } from './app.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An API error body, as tests read it. */
export interface ErrorBody {
  code: string;
  message: string;
  details: (Record<string, unknown> & { issues?: Array<{ path: string; message: string }> }) | null;
}

/**
 * The management API as a token holder, for integration tests: `call` answers as it is, `ok` expects a
 * 2xx and returns its JSON (undefined for 204), `fails` expects `status` and returns the error body.
 * `app` is read on every call, so a suite can build a fresh app in each `beforeEach`.
 */
export function apiCalls(app: () => TestApp) {
  const call = (token: string, method: Method, url: string, payload?: Record<string, unknown>) => app().app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const ok = async <T>(token: string, method: Method, url: string, payload?: Record<string, unknown>): Promise<T> => {
    const res = await call(token, method, url, payload);
    expect(res.statusCode, res.body).toBeLessThan(300);
    return (res.statusCode === 204 ? undefined : res.json()) as T;
  };
  const fails = async <E = ErrorBody>(status: number, token: string, method: Method, url: string, payload?: Record<string, unknown>): Promise<E> => {
    const res = await call(token, method, url, payload);
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as E;
  };
  return { call, ok, fails };
}
