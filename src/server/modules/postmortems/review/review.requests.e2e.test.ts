import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls } from '../../../../../test/support/api.js';
import { buildTestApp, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import type { Postmortem } from '../../../../contracts/postmortems.js';
import { ManualClock } from '../../../platform/clock.js';
import { REVIEW_REQUEST_TASK } from './review.requests.js';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
});

for (const dialect of dialectCases()) describe(`postmortem review requests by email (${dialect.name})`, () => {
  let t: TestApp;
  let ana: string;
  let ben: string;
  let admin: string;

  const { ok } = apiCalls(() => t);
  const jobs = () => t.firebreak.services.database.db.selectFrom('jobs').select(['job_key', 'attempts', 'failed_at', 'last_error']).where('task', '=', REVIEW_REQUEST_TASK).orderBy('job_key').execute();
  const subjectsTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address)).map((m) => m.subject);

  const open = async (smtpUrl: string) => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_SMTP_URL: smtpUrl, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' } });
    admin = (await t.userWithToken('admin', 'root')).token;
    ana = (await t.userWithToken('responder', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    await t.userWithToken('viewer', 'cy');
  };
  /** PM-1 by ana, ready to submit, with ben, cy and ana herself as reviewers. */
  const ready = async () => {
    let pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems', { title: 'Card payments failed' });
    pm = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: pm.version, noActionItemsReason: 'The provider fixed its side.' });
    return ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: pm.version, reviewers: ['ben', 'cy', 'ana'] });
  };

  beforeEach(() => sink.clear());
  afterEach(async () => t.close());

  it('mails each named reviewer once when the postmortem is submitted, never the submitter, and again for a new round', async () => {
    await open(sink.url);
    let pm = await ready();
    // Naming reviewers on a draft asks nobody yet.
    expect(await jobs()).toEqual([]);
    pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'submit' });
    // Queued in the submitting transaction, one keyed job per reviewer but the submitter.
    const round = Date.parse('2026-11-21T09:00:00Z');
    expect((await jobs()).map((j) => j.job_key)).toHaveLength(2);
    await t.firebreak.runner.runDueJobs();
    await t.firebreak.runner.runDueJobs();
    expect(subjectsTo('ben@example.test')).toEqual(['[PM-1] Review requested']);
    expect(subjectsTo('cy@example.test')).toEqual(['[PM-1] Review requested']);
    expect(subjectsTo('ana@example.test')).toEqual([]);
    const mail = sink.messages.find((m) => m.envelope.to.includes('ben@example.test'))!;
    expect(mail.text).toContain('PM-1: Card payments failed');
    expect(mail.text).toContain('ana (API token) asks you to review');
    expect(mail.text).toContain('https://firebreak.example.com/postmortems/PM-1');
    // The idempotency key is the Message-ID: a receiving server can drop a replay.
    expect(mail.headers['message-id']).toContain(`postmortems.review-request.${pm.id}.${round}.`);

    // Someone named while it is in review is asked for the same round; nobody else again.
    const dan = await t.userWithToken('responder', 'dan');
    pm = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: pm.version, reviewers: ['ben', 'cy', 'ana', dan.handle] });
    await t.firebreak.runner.runDueJobs();
    expect(subjectsTo('dan@example.test')).toEqual(['[PM-1] Review requested']);
    expect(sink.messages).toHaveLength(3);

    // Withdrawn and submitted again: a new round, a new request (decisions were cleared).
    t.clock.advance(60_000);
    pm = await ok<Postmortem>(ben, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'withdraw' });
    pm = await ok<Postmortem>(ben, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'submit' });
    await t.firebreak.runner.runDueJobs();
    // ben submitted this time: ana is asked now, ben is not.
    expect(subjectsTo('ben@example.test')).toHaveLength(1);
    expect(subjectsTo('ana@example.test')).toEqual(['[PM-1] Review requested']);
    expect(subjectsTo('cy@example.test')).toHaveLength(2);

    const audit = await ok<{ items: Array<{ action: string }> }>(admin, 'GET', '/api/v1/audit?limit=200');
    expect(audit.items.filter((a) => a.action === 'postmortem.submit')).toHaveLength(2);
  });

  it('drops a request whose round is over before it was sent: withdrawn, or the reviewer removed', async () => {
    await open(sink.url);
    let pm = await ready();
    pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'submit' });
    pm = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: pm.version, reviewers: ['cy'] });
    await t.firebreak.runner.runDueJobs();
    expect(subjectsTo('ben@example.test')).toEqual([]);
    expect(subjectsTo('cy@example.test')).toHaveLength(1);
    sink.clear();
    t.clock.advance(60_000);
    pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'withdraw' });
    pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'submit' });
    await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'withdraw' });
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toEqual([]);
  });

  it('keeps a request while the mail server is down and retries it later', async () => {
    const down = await startSmtpSink();
    const url = down.url;
    await down.close();
    await open(url);
    const pm = await ready();
    await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'submit' });
    await t.firebreak.runner.runDueJobs();
    const pending = await jobs();
    expect(pending).toHaveLength(2);
    for (const job of pending) {
      expect(job.attempts).toBe(1);
      expect(job.failed_at).toBeNull();
      expect(job.last_error).toBeTruthy();
    }
  });
});
