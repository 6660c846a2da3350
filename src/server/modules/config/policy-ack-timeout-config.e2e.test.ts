import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { ConfigDocument, ConfigPlan } from '../../../contracts/config.js';
import { ManualClock } from '../../platform/clock.js';

/** `ackTimeoutMinutes` on the EscalationPolicy kind: the same setting as `PUT …/paging-settings`. */
const actions = (plan: ConfigPlan) => plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.name}`);

for (const dialect of dialectCases()) describe(`config-as-code: an escalation policy's acknowledgement timeout (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T12:00:00Z') });
    token = (await t.userWithToken('owner', 'root')).token;
    await t.userWithToken('responder', 'ana');
  });
  afterEach(async () => t.close());

  const request = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const policy = (spec: Record<string, unknown> = {}) => ({ apiVersion: 'firebreak/v1', kind: 'EscalationPolicy', metadata: { name: 'platform' }, spec: { name: 'Platform', levels: [{ delayMinutes: 10, targets: [{ user: 'ana' }] }], ...spec } });
  const setting = async () => json<{ ackTimeoutMinutes: number | null }>(await request('GET', '/api/v1/escalation-policies/platform/paging-settings')).ackTimeoutMinutes;
  const exported = async () => json<{ documents: ConfigDocument[] }>(await request('GET', '/api/v1/config/export')).documents.find((d) => d.kind === 'EscalationPolicy');

  it('sets, exports, keeps and clears the timeout, and plans a change only when it differs', async () => {
    expect((await request('POST', '/api/v1/config/apply', { documents: [policy({ ackTimeoutMinutes: 30 })] })).statusCode).toBe(200);
    expect(await setting()).toBe(30);
    expect((await exported())?.spec).toMatchObject({ ackTimeoutMinutes: 30 });
    expect(actions(json<ConfigPlan>(await request('POST', '/api/v1/config/plan', { documents: [policy({ ackTimeoutMinutes: 30 })] })))).toEqual([]);
    expect(actions(json<ConfigPlan>(await request('POST', '/api/v1/config/plan', { documents: [policy({ ackTimeoutMinutes: 45 })] })))).toEqual(['update EscalationPolicy platform']);

    // Set through the API: the export shows it, so a plan from old documents would take it away.
    await request('PUT', '/api/v1/escalation-policies/platform/paging-settings', { ackTimeoutMinutes: 60 });
    expect((await exported())?.spec).toMatchObject({ ackTimeoutMinutes: 60 });
    expect((await request('POST', '/api/v1/config/apply', { documents: [policy()] })).statusCode).toBe(200);
    expect(await setting()).toBeNull();
    expect((await exported())?.spec).not.toHaveProperty('ackTimeoutMinutes');
  });

  it('refuses a timeout out of range, naming the field', async () => {
    const res = await request('POST', '/api/v1/config/plan', { documents: [policy({ ackTimeoutMinutes: 0 })] });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('ackTimeoutMinutes');
  });
});
