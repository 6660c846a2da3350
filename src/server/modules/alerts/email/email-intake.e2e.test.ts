import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import type { Alert } from '../../../../contracts/alerts.js';
import { ManualClock } from '../../../platform/clock.js';

interface SmtpFailure {
  responseCode?: number;
  response?: string;
  rejectedErrors?: Array<{ responseCode?: number; response?: string }>;
}

/** The SMTP reply code of a failed send, wherever nodemailer put it (RCPT errors sit in `rejectedErrors`). */
const replyCode = (error: unknown): number | undefined => {
  const e = error as SmtpFailure;
  return e.responseCode ?? e.rejectedErrors?.[0]?.responseCode;
};

for (const dialect of dialectCases()) describe(`email intake over SMTP (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let smtpPort: number;
  let key: string;
  let integrationId: string;
  let transport: Transporter;

  const send = (message: { to?: string; subject: string; text?: string; html?: string; from?: string }) =>
    transport.sendMail({ from: message.from ?? 'Nagios <nagios@monitoring.example.com>', to: message.to ?? `${key}@alerts.example.com`, subject: message.subject, ...(message.text !== undefined ? { text: message.text } : {}), ...(message.html !== undefined ? { html: message.html } : {}) });
  const alerts = async () => json<{ items: Alert[] }>(await t.app.inject({ url: '/api/v1/alerts?service=db&status=triggered,acknowledged,resolved', headers: bearer(admin) })).items;

  beforeEach(async () => {
    t = await buildTestApp({
      database: await dialect.open(),
      clock: new ManualClock('2026-11-21T05:00:00Z'),
      env: { PORT: '0', HOST: '127.0.0.1', FIREBREAK_INTAKE_SMTP_PORT: '0', FIREBREAK_INTAKE_SMTP_HOST: '127.0.0.1', FIREBREAK_INTAKE_EMAIL_DOMAIN: 'alerts.example.com' },
    });
    // The real start-up path: the listener starts with the server, on a free port.
    const started = await t.firebreak.start();
    smtpPort = started.intakeSmtpPort as number;
    expect(smtpPort).toBeGreaterThan(0);
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    admin = (await t.userWithToken('admin')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'db', name: 'Database' } })).statusCode).toBe(201);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/services/db/integrations', headers: bearer(admin), payload: { type: 'email', name: 'Nagios mail' } });
    expect(created.statusCode, created.body).toBe(201);
    ({ key, id: integrationId } = json<{ key: string; id: string }>(created));
  });
  afterEach(async () => {
    transport.close();
    await t.close();
  });

  it('a message opens an alert (subject → title, body → description) and a RESOLVED reply resolves it', async () => {
    const withKey = json<{ url: string; snippet: string; email: { address: string; intakeEnabled: boolean } }>(await t.app.inject({ url: `/api/v1/services/db/integrations/${integrationId}`, headers: bearer(admin) }));
    expect(withKey.url).toBe(`mailto:${key}@alerts.example.com`);
    expect(withKey.email).toMatchObject({ address: `${key.slice(0, 6)}…@alerts.example.com`, intakeEnabled: true });
    expect(withKey.snippet).toContain(`${key}@alerts.example.com`);

    const info = await send({ subject: 'CRITICAL: Disk almost full on db-1', text: '95% used on /var/lib/postgresql\n' });
    expect(info.response).toMatch(/^250 /);
    expect(info.response).toContain('created');
    let [alert] = await alerts();
    expect(alert).toMatchObject({ title: 'CRITICAL: Disk almost full on db-1', description: '95% used on /var/lib/postgresql', severity: 'critical', status: 'triggered', dedupKey: 'disk almost full on db-1', source: 'nagios@monitoring.example.com', integrationId });

    // The same problem again is a duplicate event on the same alert.
    await send({ subject: 'CRITICAL: Disk almost full on db-1', text: 'still 95%' });
    expect((await alerts())[0]?.eventCount).toBe(2);

    await send({ subject: 'Re: RESOLVED: Disk almost full on db-1', text: 'back to 60%' });
    [alert] = await alerts();
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'Nagios mail' });
    const events = await t.firebreak.services.database.db.selectFrom('alert_events').selectAll().where('integration_id', '=', integrationId).orderBy('id').execute();
    expect(events.map((e) => [e.format, e.action, e.outcome])).toEqual([
      ['email', 'trigger', 'created'],
      ['email', 'trigger', 'updated'],
      ['email', 'resolve', 'resolved'],
    ]);
    expect(events[0]?.payload_json).toContain('Subject: CRITICAL: Disk almost full on db-1');
  });

  it('per-integration rules: a dedup key pattern, body keywords for resolve, subject keywords for acknowledge', async () => {
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/services/db/integrations/${integrationId}`,
      headers: bearer(admin),
      payload: { email: { dedupKeyPattern: 'Ticket #(\\d+)', resolve: { subject: [], body: ['State: OK'] }, acknowledge: { subject: ['Working on it'] }, defaultSeverity: 'warning' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(json<{ email: { dedupKeyPattern: string; resolve: { body: string[] } } }>(patched).email).toMatchObject({ dedupKeyPattern: 'Ticket #(\\d+)', resolve: { subject: [], body: ['State: OK'] } });
    await send({ subject: 'Ticket #4711: replication lag', html: '<p>Lag: <b>40 s</b></p>' });
    let [alert] = await alerts();
    expect(alert).toMatchObject({ dedupKey: '4711', severity: 'warning', description: 'Lag: 40 s' });
    await send({ subject: 'Working on it - Ticket #4711' });
    [alert] = await alerts();
    expect(alert?.status).toBe('acknowledged');
    await send({ subject: 'Ticket #4711 update', text: 'State: OK' });
    [alert] = await alerts();
    expect(alert?.status).toBe('resolved');
    const bad = await t.app.inject({ method: 'PATCH', url: `/api/v1/services/db/integrations/${integrationId}`, headers: bearer(admin), payload: { email: { dedupKeyPattern: '([' } } });
    expect(bad.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(bad).details.issues[0]?.path).toBe('body.email.dedupKeyPattern');
  });

  it('unknown addresses are refused with 550 at RCPT TO, disabled integrations with 550 and a reason', async () => {
    const unknown = await send({ to: `${'0'.repeat(32)}@alerts.example.com`, subject: 'x' }).catch((e: unknown) => e);
    expect(replyCode(unknown)).toBe(550);
    const webhook = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/db/integrations', headers: bearer(admin), payload: { type: 'webhook', name: 'hook' } }));
    expect(replyCode(await send({ to: `${webhook.key}@alerts.example.com`, subject: 'x' }).catch((e: unknown) => e))).toBe(550);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/services/db/integrations/${integrationId}`, headers: bearer(admin), payload: { disabled: true } });
    const disabled = (await send({ subject: 'x' }).catch((e: unknown) => e)) as SmtpFailure;
    expect(replyCode(disabled)).toBe(550);
    expect(JSON.stringify(disabled)).toContain('disabled');
    expect(await alerts()).toEqual([]);
  });

  it('one message to two email integrations is an event on each; an unknown co-recipient is refused alone', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'web', name: 'Web' } });
    const other = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/web/integrations', headers: bearer(admin), payload: { type: 'email', name: 'Web mail' } }));
    const info = await send({ to: `${key}@alerts.example.com, ${other.key}+nagios@ALERTS.example.com, ${'f'.repeat(32)}@alerts.example.com`, subject: 'Upstream DNS failing' });
    expect(info.accepted).toHaveLength(2);
    expect(info.rejected).toEqual([`${'f'.repeat(32)}@alerts.example.com`]);
    const all = json<{ items: Alert[] }>(await t.app.inject({ url: '/api/v1/alerts', headers: bearer(admin) })).items;
    expect(all.map((a) => a.serviceHandle).sort()).toEqual(['db', 'web']);
  });

  it('a message over 512 KB is refused with 552 and stores nothing', async () => {
    const error = await send({ subject: 'Huge log', text: 'x'.repeat(600 * 1024) }).catch((e: unknown) => e);
    expect(replyCode(error)).toBe(552);
    expect(await alerts()).toEqual([]);
  });

  it('a database fault is answered 451, so the sending MTA keeps the message and retries', async () => {
    await sql`DROP TABLE alert_events`.execute(t.firebreak.services.database.db);
    const error = await send({ subject: 'Disk full' }).catch((e: unknown) => e);
    expect(replyCode(error)).toBe(451);
    expect(await alerts()).toEqual([]);
  });

  it('UI-facing view without the SMTP port says intake is off', async () => {
    const off = await buildTestApp({ database: await dialect.open() });
    try {
      const token = (await off.userWithToken('admin')).token;
      await off.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(token), payload: { handle: 'db', name: 'Database' } });
      const created = json<{ snippet: string; email: { intakeEnabled: boolean; address: string } }>(await off.app.inject({ method: 'POST', url: '/api/v1/services/db/integrations', headers: bearer(token), payload: { type: 'email', name: 'mail' } }));
      expect(created.email.intakeEnabled).toBe(false);
      expect(created.email.address).toMatch(/…@localhost$/);
      expect(created.snippet).toContain('FIREBREAK_INTAKE_SMTP_PORT');
    } finally {
      await off.close();
    }
  });
});

describe('email intake listener lifecycle', () => {
  it('starts with the server and stops with it (graceful shutdown closes the port)', async () => {
    const t = await buildTestApp({ env: { PORT: '0', HOST: '127.0.0.1', FIREBREAK_INTAKE_SMTP_PORT: '0', FIREBREAK_INTAKE_SMTP_HOST: '127.0.0.1' } });
    const { intakeSmtpPort } = await t.firebreak.start();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: intakeSmtpPort as number, secure: false, ignoreTLS: true });
    expect(await transport.verify()).toBe(true);
    await t.close();
    const refused = await transport.verify().catch((e: unknown) => e as { code?: string });
    expect(refused).toMatchObject({ code: 'ESOCKET' });
    transport.close();
  });

  it('is off unless FIREBREAK_INTAKE_SMTP_PORT is set', async () => {
    const t = await buildTestApp({ env: { PORT: '0', HOST: '127.0.0.1' } });
    try {
      expect((await t.firebreak.start()).intakeSmtpPort).toBeNull();
    } finally {
      await t.close();
    }
  });
});
