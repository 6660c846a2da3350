import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';

/**
 * The intake endpoints are not in the OpenAPI document (their wire formats and error bodies are the
 * senders'), so the project-wide fuzzer does not reach them: this one does. Whatever arrives, they
 * answer 2xx or 4xx in their own format's shape, never 5xx.
 */
describe('fuzzing the intake endpoints', () => {
  let t: TestApp;
  let eventsKey: string;
  let amKey: string;
  let grafanaKey: string;
  let signedKey: string;
  let webhookKey: string;
  let opsgenieKey: string;
  let victoropsKey: string;
  let mappedKey: string;

  beforeAll(async () => {
    t = await buildTestApp();
    const admin = (await t.userWithToken('admin')).token;
    await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'fuzz', name: 'Fuzz' } });
    eventsKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/fuzz/integrations', headers: bearer(admin), payload: { type: 'events-v2', name: 'ev' } })).key;
    amKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/fuzz/integrations', headers: bearer(admin), payload: { type: 'alertmanager', name: 'am' } })).key;
    grafanaKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/fuzz/integrations', headers: bearer(admin), payload: { type: 'grafana', name: 'grafana' } })).key;
    webhookKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/fuzz/integrations', headers: bearer(admin), payload: { type: 'webhook', name: 'webhook' } })).key;
    opsgenieKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/fuzz/integrations', headers: bearer(admin), payload: { type: 'opsgenie', name: 'og' } })).key;
    victoropsKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/fuzz/integrations', headers: bearer(admin), payload: { type: 'victorops', name: 'vo' } })).key;
    mappedKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/fuzz/integrations', headers: bearer(admin), payload: { type: 'webhook', name: 'mapped', mapping: { title: '$.a.title', dedupKey: '$.a.id', status: '$.a.state', severity: '$.level', links: '$.urls', labels: '$.tags', statusMap: { OK: 'resolved', ALERT: 'firing' }, severityMap: { P1: 'critical' } } } })).key;
    signedKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/fuzz/integrations', headers: bearer(admin), payload: { type: 'grafana', name: 'signed', auth: { hmacSecret: 'fuzz-secret-0123456789abcdef' } } })).key;
  });
  afterAll(async () => t?.close());

  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('\u0000', '\ud800', 'trigger', 'critical', '0001-01-01T00:00:00Z', 'not a date'));
  const eventsBody = () => fc.oneof(
    fc.record({ routing_key: fc.oneof(fc.constant(eventsKey), value), event_action: fc.oneof(fc.constantFrom('trigger', 'acknowledge', 'resolve'), value), dedup_key: value, payload: fc.oneof(fc.record({ summary: value, source: value, severity: value, timestamp: value, custom_details: value }, { requiredKeys: [] }), value), links: value, images: value }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    fc.string({ maxLength: 60 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );
  const amAlert = fc.record({ status: fc.oneof(fc.constantFrom('firing', 'resolved'), value), labels: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })), value), fingerprint: value, startsAt: value, endsAt: value, generatorURL: value }, { requiredKeys: [] });
  const amBody = fc.oneof(
    fc.record({ version: fc.oneof(fc.constant('4'), value), groupKey: fc.oneof(fc.string({ minLength: 1, maxLength: 300 }), value), status: fc.oneof(fc.constantFrom('firing', 'resolved'), value), alerts: fc.oneof(fc.array(amAlert, { maxLength: 4 }), value), commonLabels: value, commonAnnotations: value }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    fc.string({ maxLength: 60 }),
  );
  const grafanaAlert = fc.record({ status: fc.oneof(fc.constantFrom('firing', 'resolved'), value), labels: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })), value), fingerprint: value, startsAt: value, endsAt: value, generatorURL: value, silenceURL: fc.oneof(fc.constant('https://g.example/s'), value), dashboardURL: fc.oneof(fc.constant('https://g.example/d'), value), panelURL: value, imageURL: fc.oneof(fc.constant('https://g.example/i.png'), value), values: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.double(), fc.constant(null))), value), valueString: value }, { requiredKeys: [] });
  const grafanaBody = fc.oneof(
    fc.record({ version: fc.oneof(fc.constant('1'), value), groupKey: fc.oneof(fc.string({ minLength: 1, maxLength: 300 }), value), status: fc.oneof(fc.constantFrom('firing', 'resolved'), value), alerts: fc.oneof(fc.array(grafanaAlert, { maxLength: 4 }), value), commonLabels: value, commonAnnotations: value, orgId: value, title: value, state: value, message: value }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    fc.string({ maxLength: 60 }),
  );
  const webhookBody = fc.oneof(
    fc.record({ title: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), value), status: fc.oneof(fc.constantFrom('firing', 'resolved'), value), dedupKey: fc.oneof(fc.string({ minLength: 1, maxLength: 300 }), value), severity: fc.oneof(fc.constantFrom('critical', 'error', 'warning', 'info'), value), description: value, source: value, links: fc.oneof(fc.array(fc.record({ href: value, text: value }, { requiredKeys: [] }), { maxLength: 3 }), value), images: value, labels: value, details: value }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    fc.string({ maxLength: 60 }),
  );
  const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined);

  it('Events API v2 answers 202 or 4xx with {status, message, errors}', async () => {
    // Enough runs to cover the shapes, fewer than the per-integration rate limit.
    await fc.assert(
      fc.asyncProperty(eventsBody(), contentType, async (body, type) => {
        const r = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: body, headers: type ? { 'content-type': type } : {} });
        expect(r.statusCode, r.body).toBeLessThan(500);
        const answer = json<Record<string, unknown>>(r);
        if (r.statusCode >= 400) expect(Object.keys(answer).sort()).toEqual(['errors', 'message', 'status']);
        else expect(answer).toMatchObject({ status: 'success', message: 'Event processed' });
      }),
      { seed: 20261121, numRuns: 400 },
    );
    // The fuzzer got past the key and format checks too (events, refused or not, are logged).
    const logged = await t.firebreak.services.database.db.selectFrom('alert_events').select('outcome').where('format', '=', 'events-v2').execute();
    expect(logged.length).toBeGreaterThan(20);
  });

  it('Alertmanager answers 200 or 4xx with the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(amBody, contentType, fc.constantFrom(amKey, 'x', '%00', 'a'.repeat(300)), async (body, type, key) => {
        const r = await t.app.inject({ method: 'POST', url: `/integrations/alertmanager/${key}`, payload: body, headers: type ? { 'content-type': type } : {} });
        expect(r.statusCode, r.body).toBeLessThan(500);
        if (r.statusCode >= 400) expect(Object.keys(json(r)).sort()).toEqual(['code', 'details', 'errorId', 'message']);
      }),
      { seed: 20261121, numRuns: 400 },
    );
  });

  it('Grafana answers 200 or 4xx with the error shape, signed or not', async () => {
    await fc.assert(
      fc.asyncProperty(grafanaBody, contentType, fc.constantFrom(grafanaKey, signedKey, amKey, 'x', 'a'.repeat(300)), fc.option(fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.string({ maxLength: 70 }))), async (body, type, key, signature) => {
        const headers: Record<string, string> = type ? { 'content-type': type } : {};
        if (signature !== null) headers['x-grafana-alerting-signature'] = signature;
        const r = await t.app.inject({ method: 'POST', url: `/integrations/grafana/${key}`, payload: body, headers });
        expect(r.statusCode, r.body).toBeLessThan(500);
        if (key === signedKey) expect(r.statusCode).toBe(401);
        if (r.statusCode >= 400) expect(Object.keys(json(r)).sort()).toEqual(['code', 'details', 'errorId', 'message']);
      }),
      { seed: 20261121, numRuns: 400 },
    );
    const logged = await t.firebreak.services.database.db.selectFrom('alert_events').select('outcome').where('format', '=', 'grafana').execute();
    expect(logged.length).toBeGreaterThan(20);
  });

  it('the generic webhook answers 202 or 4xx with the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(webhookBody, contentType, fc.constantFrom(webhookKey, grafanaKey, 'x'), async (body, type, key) => {
        const r = await t.app.inject({ method: 'POST', url: `/integrations/webhook/${key}`, payload: body, headers: type ? { 'content-type': type } : {} });
        expect(r.statusCode, r.body).toBeLessThan(500);
        if (r.statusCode >= 400) expect(Object.keys(json(r)).sort()).toEqual(['code', 'details', 'errorId', 'message']);
        else expect(json(r)).toMatchObject({ status: 'success' });
      }),
      { seed: 20261121, numRuns: 400 },
    );
    const logged = await t.firebreak.services.database.db.selectFrom('alert_events').select('outcome').where('format', '=', 'webhook').execute();
    expect(logged.length).toBeGreaterThan(20);
  });

  const opsgenieBody = fc.oneof(
    fc.record({ message: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), value), alias: fc.oneof(fc.string({ minLength: 1, maxLength: 600 }), value), description: value, priority: fc.oneof(fc.constantFrom('P1', 'P2', 'P3', 'P4', 'P5'), value), tags: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 60 }), value), { maxLength: 25 }), value), details: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), value), value), responders: value, entity: value, source: value, user: value, note: value }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    fc.string({ maxLength: 60 }),
  );

  it('the Opsgenie Alert API answers 202, 200 or 4xx with {message|result, took, requestId}', async () => {
    const requestIds: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('create', 'acknowledge', 'close', 'status'),
        opsgenieBody,
        contentType,
        fc.oneof({ arbitrary: fc.constant(`GenieKey ${opsgenieKey}`), weight: 4 }, { arbitrary: fc.constantFrom(`GenieKey ${webhookKey}`, 'GenieKey nope', `Bearer ${opsgenieKey}`, '', `GenieKey ${'f'.repeat(32)}`), weight: 1 }),
        fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('1', '%00', 'a'.repeat(300))),
        fc.oneof(fc.constantFrom('id', 'alias', 'tiny', ''), fc.string({ maxLength: 8 })),
        async (kind, body, type, authorization, identifier, identifierType) => {
          const headers: Record<string, string> = type ? { 'content-type': type } : {};
          if (authorization) headers.authorization = authorization;
          const id = encodeURIComponent(identifier) || 'x';
          const r =
            kind === 'create'
              ? await t.app.inject({ method: 'POST', url: '/v2/alerts', payload: body, headers })
              : kind === 'status'
                ? await t.app.inject({ method: 'GET', url: `/v2/alerts/requests/${requestIds.at(-1) ?? id}`, headers })
                : await t.app.inject({ method: 'POST', url: `/v2/alerts/${id}/${kind}?identifierType=${encodeURIComponent(identifierType)}`, payload: body, headers });
          expect(r.statusCode, r.body).toBeLessThan(500);
          const answer = json<Record<string, unknown>>(r);
          expect(typeof answer.took).toBe('number');
          expect(typeof answer.requestId).toBe('string');
          if (r.statusCode === 202) {
            expect(answer.result).toBe('Request will be processed');
            requestIds.push(answer.requestId as string);
          } else if (r.statusCode >= 400) expect(typeof answer.message).toBe('string');
        },
      ),
      { seed: 20261121, numRuns: 400 },
    );
    // The fuzzer got past authentication and validation often enough to matter.
    expect(requestIds.length).toBeGreaterThan(10);
  });

  const victoropsBody = fc.oneof(
    fc.record({ message_type: fc.oneof(fc.constantFrom('CRITICAL', 'WARNING', 'INFO', 'ACKNOWLEDGEMENT', 'RECOVERY', 'critical'), value), entity_id: fc.oneof(fc.string({ minLength: 1, maxLength: 600 }), value), entity_display_name: value, state_message: value, monitoring_tool: value, alert_url: fc.oneof(fc.constant('https://x.example/a'), value), extra: value }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    fc.string({ maxLength: 60 }),
  );

  it('the VictorOps endpoint answers 200 or 4xx with {result, message}', async () => {
    await fc.assert(
      fc.asyncProperty(victoropsBody, contentType, fc.constantFrom(`${victoropsKey}`, `${victoropsKey}/routing`, webhookKey, 'x', 'a'.repeat(300)), async (body, type, path) => {
        const r = await t.app.inject({ method: 'POST', url: `/integrations/victorops/${path}`, payload: body, headers: type ? { 'content-type': type } : {} });
        expect(r.statusCode, r.body).toBeLessThan(500);
        const answer = json<Record<string, unknown>>(r);
        if (r.statusCode >= 400) expect(Object.keys(answer).sort()).toEqual(['message', 'result']);
        else expect(answer).toMatchObject({ result: 'success' });
      }),
      { seed: 20261121, numRuns: 400 },
    );
  });

  it('change events answer 202 or 4xx with {status, message, errors}', async () => {
    const body = fc.oneof(
      fc.record({ routing_key: fc.oneof(fc.constant(eventsKey), fc.constant(amKey), value), payload: fc.oneof(fc.record({ summary: value, source: value, timestamp: fc.oneof(fc.constant('2026-11-21T05:00:00Z'), value), custom_details: value }, { requiredKeys: [] }), value), links: value }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, async (payload, type) => {
        const r = await t.app.inject({ method: 'POST', url: '/v2/change/enqueue', payload, headers: type ? { 'content-type': type } : {} });
        expect(r.statusCode, r.body).toBeLessThan(500);
        const answer = json<Record<string, unknown>>(r);
        if (r.statusCode >= 400) expect(Object.keys(answer).sort()).toEqual(['errors', 'message', 'status']);
        else expect(answer).toEqual({ status: 'success', message: 'Change event processed' });
      }),
      { seed: 20261121, numRuns: 300 },
    );
  });

  it('a webhook read through a JSON-path mapping answers 202 or 4xx with the error shape', async () => {
    const body = fc.oneof(
      fc.record({ a: fc.oneof(fc.record({ title: value, id: value, state: fc.oneof(fc.constantFrom('OK', 'ALERT', 'firing', 'resolved'), value) }, { requiredKeys: [] }), value), level: fc.oneof(fc.constantFrom('P1', 'warn'), value), urls: value, tags: value }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, async (payload, type) => {
        const r = await t.app.inject({ method: 'POST', url: `/integrations/webhook/${mappedKey}`, payload, headers: type ? { 'content-type': type } : {} });
        expect(r.statusCode, r.body).toBeLessThan(500);
        if (r.statusCode >= 400) expect(Object.keys(json(r)).sort()).toEqual(['code', 'details', 'errorId', 'message']);
        else expect(json(r)).toMatchObject({ status: 'success' });
      }),
      { seed: 20261121, numRuns: 400 },
    );
  });
});
