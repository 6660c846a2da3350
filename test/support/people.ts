import { expect } from 'vitest';
import type { ContactMethod } from '../../src/contracts/notify.js';
import { bearer, json, type TestApp } from './app.js';
import type { ReceivedMail, SmtpSink } from './smtp-sink.js';

/** Helpers for API tests that act as several users, each with their own token (see `TestApp.userWithToken`). */

export interface Person {
  userId: string;
  handle: string;
  token: string;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * `call` sends a request as a person through `app.inject`; `ok` does the same and expects a 2xx answer.
 * `app` is read on every request, so it may be a test's `let t` that each `beforeEach` replaces.
 */
export function requestsAs(app: () => TestApp) {
  const call = (method: Method, url: string, who: Person, payload?: unknown) =>
    app().app.inject({ method, url, headers: bearer(who.token), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const ok = async (method: Method, url: string, who: Person, payload?: unknown) => {
    const res = await call(method, url, who, payload);
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res;
  };
  return { call, ok };
}

/** The six-digit verification code in the subject of a verification email. */
export const codeIn = (mail: ReceivedMail) => /(\d{6})/.exec(mail.subject)?.[1] ?? '';

/** Adds an email method for `who` and verifies it with the code that arrives over SMTP in `sink`. */
export async function addVerifiedEmail(t: TestApp, sink: SmtpSink, who: Person, address: string): Promise<void> {
  const { ok } = requestsAs(() => t);
  const method = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', who, { type: 'email', address }));
  await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, who);
  await t.firebreak.runner.runDueJobs();
  const code = codeIn(sink.messages.find((m) => m.envelope.to.includes(address))!);
  await ok('POST', `/api/v1/me/contact-methods/${method.id}/verify`, who, { code });
}

/**
 * The paging tests' scene: an admin; ana on call all week in schedule `primary`; policy `platform`
 * paging `primary` (level 1, 10 minutes) then ben (level 2, 15 minutes); service `checkout` on that
 * policy. Both responders have a verified email address. The sink is cleared afterwards.
 */
export async function setUpPagingScene(t: TestApp, sink: SmtpSink, service: Record<string, unknown> = {}): Promise<{ admin: Person; ana: Person; ben: Person }> {
  const { ok } = requestsAs(() => t);
  const admin = await t.userWithToken('admin', 'root-admin');
  const ana = await t.userWithToken('responder', 'ana');
  const ben = await t.userWithToken('responder', 'ben');
  await addVerifiedEmail(t, sink, ana, 'ana@example.com');
  await addVerifiedEmail(t, sink, ben, 'ben@example.com');
  await ok('POST', '/api/v1/schedules', admin, {
    handle: 'primary',
    name: 'Platform primary',
    timeZone: 'UTC',
    layers: [{ name: 'Primary', participants: ['ana'], start: '2026-11-16T00:00:00Z', handoffTime: '00:00', turn: { unit: 'weeks', count: 1 } }],
  });
  await ok('POST', '/api/v1/escalation-policies', admin, {
    handle: 'platform',
    name: 'Platform',
    levels: [
      { delayMinutes: 10, targets: [{ type: 'schedule', ref: 'primary' }] },
      { delayMinutes: 15, targets: [{ type: 'user', ref: 'ben' }] },
    ],
    repeat: 0,
  });
  await ok('POST', '/api/v1/services', admin, { handle: 'checkout', name: 'Checkout API', escalationPolicy: 'platform', ...service });
  sink.clear();
  return { admin, ana, ben };
}
