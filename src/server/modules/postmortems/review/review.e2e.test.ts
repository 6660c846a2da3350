import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, type TestApp } from '../../../../../test/support/app.js';
import { apiCalls, type Method } from '../../../../../test/support/api.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import type { IncidentTimelineEntry } from '../../../../contracts/incidents.js';
import type { Postmortem, ReviewAgenda } from '../../../../contracts/postmortems.js';
import type { StatusIncident } from '../../../../contracts/status-pages.js';
import { ManualClock } from '../../../platform/clock.js';
import { reminderJobKey } from './review.reminders.js';

interface ErrorBody {
  code: string;
  message: string;
  details: { issues?: Array<{ path: string; message: string }>; current?: Postmortem; theirs?: { fromVersion: number; toVersion: number; by: string[]; fields: string[] } } | null;
}

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SECRET = 'INTERNAL-SECRET-7f3k';

for (const dialect of dialectCases()) describe(`postmortem review and required postmortems (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ana: string;
  let ben: string;
  let cy: string;

  const { call, ok, fails } = apiCalls(() => t);
  const refused = (token: string, method: Method, url: string, payload: Record<string, unknown>, status: number) => fails<ErrorBody>(status, token, method, url, payload);
  const pm = (ref = 'PM-1') => ok<Postmortem>(ana, 'GET', `/api/v1/postmortems/${ref}`);
  const timeline = async (ref = 'INC-1') => (await ok<{ items: IncidentTimelineEntry[] }>(ana, 'GET', `/api/v1/incidents/${ref}/timeline`)).items;
  const mailTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));
  const jobs = (task: string) => t.firebreak.services.database.db.selectFrom('jobs').select(['job_key', 'run_at']).where('task', '=', task).execute();
  const page = (path: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: path, headers });

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({
      database: await dialect.open(),
      clock: new ManualClock('2026-11-21T09:00:00Z'),
      env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' },
    });
    admin = (await t.userWithToken('admin', 'root')).token;
    ana = (await t.userWithToken('responder', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    // A stakeholder with read access only: named as a reviewer, she may still approve.
    cy = (await t.userWithToken('viewer', 'cy')).token;
    await ok(admin, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
  });
  afterEach(async () => t.close());

  /** INC-1 (SEV1, commanded by ana), resolved an hour later: the default policy requires a postmortem. */
  const declareAndResolve = async (severity = 'SEV1') => {
    await ok(ana, 'POST', '/api/v1/incidents', { title: 'Checkout errors', severity, impactedServices: ['checkout'] });
    t.clock.advance(HOUR);
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved', summary: 'A bad cache config; rolled back.' });
  };

  it('resolving an incident the policy requires a postmortem for drafts one for the commander, due in 5 days, and reminds them daily until it is published', async () => {
    await declareAndResolve();
    const doc = await pm();
    expect(doc).toMatchObject({ reference: 'PM-1', status: 'draft', required: true, incident: { reference: 'INC-1' }, owner: { handle: 'ana' }, dueAt: '2026-11-26T10:00:00.000Z', overdue: false });
    expect(doc.requiredReasons).toContain('SEV1');
    expect((await timeline()).map((e) => e.summary)).toContain('A postmortem is required: SEV1; customer impact 60 min');
    // The first reminder one day before it is due; nothing before.
    expect(await jobs('postmortems.due-reminder')).toEqual([{ job_key: reminderJobKey(doc.id), run_at: expect.anything() }]);
    expect(Number((await jobs('postmortems.due-reminder'))[0]!.run_at)).toBe(Date.parse('2026-11-25T10:00:00Z'));
    // Moving the due date moves the reminder with it, in the same edit; moving it back restores it.
    const moved = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: doc.version, dueAt: '2026-11-30T10:00:00Z' });
    expect(await jobs('postmortems.due-reminder')).toEqual([{ job_key: reminderJobKey(doc.id), run_at: expect.anything() }]);
    expect(Number((await jobs('postmortems.due-reminder'))[0]!.run_at)).toBe(Date.parse('2026-11-29T10:00:00Z'));
    await ok(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: moved.version, dueAt: '2026-11-26T10:00:00Z' });
    expect(Number((await jobs('postmortems.due-reminder'))[0]!.run_at)).toBe(Date.parse('2026-11-25T10:00:00Z'));
    t.clock.set('2026-11-25T09:59:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(0);

    t.clock.set('2026-11-25T10:00:00Z');
    await t.firebreak.runner.runDueJobs();
    await t.firebreak.runner.runDueJobs();
    expect(mailTo('ana@example.test')).toHaveLength(1);
    const first = mailTo('ana@example.test')[0]!;
    expect(first.subject).toBe('[PM-1] Postmortem due soon');
    expect(first.text).toContain('PM-1: ');
    expect(first.text).toContain('The postmortem of INC-1 you own is due Thu, 26 Nov 2026, 10:00 WET.');
    expect(first.text).toContain('Open it: https://firebreak.example.com/postmortems/PM-1');

    // A replayed timer in the same slot mails no second time.
    await t.firebreak.runner.runDueJobs();
    expect(mailTo('ana@example.test')).toHaveLength(1);

    // Past the due date: overdue, reminded every day.
    t.clock.set('2026-11-27T10:00:00Z');
    await t.firebreak.runner.runDueJobs();
    await t.firebreak.runner.runDueJobs();
    expect(mailTo('ana@example.test').map((m) => m.subject)).toEqual(['[PM-1] Postmortem due soon', '[PM-1] Postmortem overdue']);
    expect(mailTo('ana@example.test')[1]!.text).toContain('was due Thu, 26 Nov 2026, 10:00 WET (1 day ago)');
    expect((await pm()).overdue).toBe(true);
  });

  it('uses the policy’s due days, and a non-required incident gets no postmortem', async () => {
    expect(await ok<{ dueDays: number }>(cy, 'GET', '/api/v1/postmortem-policy')).toMatchObject({ dueDays: 5 });
    await ok(admin, 'PUT', '/api/v1/postmortem-policy', { severities: ['SEV1'], customerImpactMinutes: null, repeatWithinDays: null, dueDays: 10 });
    expect((await refused(admin, 'PUT', '/api/v1/postmortem-policy', { severities: ['SEV1'], customerImpactMinutes: null, repeatWithinDays: null, dueDays: 0 }, 400)).details?.issues?.map((i) => i.path)).toEqual(['body.dueDays']);
    // Omitted: kept (a client that predates the field does not reset it).
    expect(await ok<{ dueDays: number }>(admin, 'PUT', '/api/v1/postmortem-policy', { severities: ['SEV1'], customerImpactMinutes: null, repeatWithinDays: null })).toMatchObject({ dueDays: 10 });
    await declareAndResolve('SEV1');
    expect(await pm()).toMatchObject({ required: true, dueAt: '2026-12-01T10:00:00.000Z' });

    await ok(ana, 'POST', '/api/v1/incidents', { title: 'Slow search', severity: 'SEV3', impactedServices: ['checkout'] });
    await ok(ana, 'POST', '/api/v1/incidents/INC-2/status', { status: 'resolved' });
    expect((await call(ana, 'GET', '/api/v1/postmortems/PM-2')).statusCode).toBe(404);

    // Asked for two days after the resolution: required from then, due 10 days after the request.
    t.clock.advance(2 * 24 * HOUR);
    await ok(ben, 'POST', '/api/v1/incidents/INC-2/postmortem-request', { reason: 'customers noticed' });
    expect(await pm('PM-2')).toMatchObject({ required: true, incident: { reference: 'INC-2' }, owner: { handle: 'ana' }, dueAt: '2026-12-03T10:00:00.000Z', requiredReasons: ['requested by ben'] });
    expect(await jobs('postmortems.due-reminder')).toHaveLength(2);
  });

  it('reviews: submit needs action items or a reason, only named reviewers decide, publishing needs every approval and stops the reminders', async () => {
    await declareAndResolve();
    let doc = await pm();

    // No action items and no reason: refused, naming the field to fill in.
    const noItems = await refused(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'submit' }, 422);
    expect(noItems.code).toBe('RULE_VIOLATION');
    expect(noItems.details?.issues?.map((i) => i.path)).toEqual(['body.noActionItemsReason']);
    doc = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: doc.version, noActionItemsReason: 'The provider fixed its side; a second provider costs more than an hour a year of errors.' });

    // Reviewers: unknown people are named; the list bumps the version.
    expect((await refused(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: doc.version, reviewers: ['ben', 'nobody-here'] }, 400)).details?.issues).toEqual([{ path: 'body.reviewers.1', message: 'no active user `nobody-here`' }]);
    const withReviewers = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: doc.version, reviewers: ['ben', '@cy', 'ben'] });
    expect(withReviewers.reviewers.map((r) => [r.handle, r.decision])).toEqual([['ben', null], ['cy', null]]);
    expect(withReviewers.version).toBe(doc.version + 1);

    // A stale version: 409 with the postmortem now and what changed since.
    const stale = await refused(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'submit' }, 409);
    expect(stale.code).toBe('CONFLICT');
    expect(stale.details?.current?.version).toBe(withReviewers.version);
    expect(stale.details?.theirs).toEqual({ fromVersion: doc.version, toVersion: withReviewers.version, by: ['ana (API token)'], fields: ['reviewers'] });

    // Deciding before submission is refused; so is anyone not named.
    expect((await refused(ben, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' }, 422)).details?.issues?.map((i) => i.path)).toEqual(['body.decision']);
    doc = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: withReviewers.version, action: 'submit' });
    expect(doc).toMatchObject({ status: 'in_review', submittedAt: '2026-11-21T10:00:00.000Z' });
    const notNamed = await refused(ana, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' }, 403);
    expect(notNamed).toMatchObject({ code: 'FORBIDDEN', message: 'Only the named reviewers of PM-1 may review it; its reviewers are @ben, @cy' });

    await ok(ben, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved', comment: 'Clear and blameless.' });
    await ok(cy, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'changes_requested', comment: 'Say how customers were told.' });
    doc = await pm();
    expect(doc.reviewers.map((r) => [r.handle, r.decision, r.comment])).toEqual([['ben', 'approved', 'Clear and blameless.'], ['cy', 'changes_requested', 'Say how customers were told.']]);
    const blocked = await refused(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'publish' }, 422);
    expect(blocked.message).toBe('PM-1 cannot be published until every named reviewer approved it; not yet: @cy (asked for changes)');
    expect(blocked.details?.issues).toEqual([{ path: 'reviewers.cy', message: 'asked for changes' }]);

    // cy changes her mind; a transition that does not apply to the state is named.
    await ok(cy, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' });
    expect((await refused(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'reopen', reason: 'x' }, 422)).details?.issues?.map((i) => i.path)).toEqual(['body.action']);
    doc = await ok<Postmortem>(ben, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'publish' });
    expect(doc).toMatchObject({ status: 'published', publishedAt: '2026-11-21T10:00:00.000Z', overdue: false });
    expect((await timeline()).filter((e) => e.summary.startsWith('Postmortem PM-1 published')).map((e) => [e.kind, e.actor])).toEqual([['milestone', 'ben (API token)']]);
    expect(await jobs('postmortems.due-reminder')).toEqual([]);
    t.clock.set('2026-12-10T10:00:00Z');
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(0);

    // Reopening needs a reason, and the reminders (now overdue) come back.
    expect((await refused(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'reopen' }, 422)).details?.issues?.map((i) => i.path)).toEqual(['body.reason']);
    doc = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'reopen', reason: 'The same failure came back.' });
    expect(doc).toMatchObject({ status: 'draft', publishedAt: null, overdue: true });
    await t.firebreak.runner.runDueJobs();
    await t.firebreak.runner.runDueJobs();
    expect(mailTo('ana@example.test').map((m) => m.subject)).toEqual(['[PM-1] Postmortem overdue']);

    const audit = await ok<{ items: Array<{ action: string }> }>(admin, 'GET', '/api/v1/audit?limit=200');
    const actions = audit.items.map((a) => a.action);
    for (const action of ['postmortem.reviewers', 'postmortem.submit', 'postmortem.review', 'postmortem.publish', 'postmortem.reopen', 'postmortem.required']) expect(actions, action).toContain(action);
    expect(actions.filter((a) => a === 'postmortem.review')).toHaveLength(3);
  });

  it('withdraws a submission back to a draft; a published postmortem’s reviewers stay as they approved', async () => {
    await declareAndResolve();
    let doc = await pm();
    doc = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: doc.version, noActionItemsReason: 'Nothing to change.' });
    doc = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: doc.version, reviewers: ['ben'] });
    // Naming the same people again changes nothing, not even the version.
    expect((await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: doc.version, reviewers: ['ben'] })).version).toBe(doc.version);
    doc = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'submit' });
    await ok(ben, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' });
    doc = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'withdraw' });
    expect(doc.status).toBe('draft');
    // Submitted again: the earlier approval no longer counts.
    doc = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'submit' });
    expect(doc.reviewers.map((r) => r.decision)).toEqual([null]);
    expect((await refused(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'publish' }, 422)).details?.issues).toEqual([{ path: 'reviewers.ben', message: 'has not approved yet' }]);
    await ok(ben, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' });
    doc = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'publish' });
    expect((await refused(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: doc.version, reviewers: ['cy'] }, 422)).details?.issues?.map((i) => i.path)).toEqual(['body.reviewers']);
    expect((await pm()).reviewers.map((r) => [r.handle, r.decision])).toEqual([['ben', 'approved']]);
  });

  it('generates the review meeting’s agenda from the document, for viewers too', async () => {
    await declareAndResolve();
    const doc = await pm();
    await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', {
      baseVersion: doc.version,
      sections: [
        { key: 'summary', title: 'Summary', body: 'Card payments failed for 40 minutes.' },
        { key: 'root-cause', title: 'Root cause', body: 'A cache setting sent every request to the database.' },
      ],
    });
    const agenda = await ok<ReviewAgenda>(cy, 'GET', '/api/v1/postmortems/PM-1/agenda');
    expect(agenda.title).toContain('PM-1');
    expect(agenda.items.length).toBeGreaterThan(0);
    expect(agenda.informalRound.map((r) => r.key)).toEqual(['worked', 'didnt', 'start', 'stop', 'improve']);
    // Generated from the text as it stands.
    expect(agenda.markdown).toContain('A cache setting sent every request to the database.');
    expect((await call(cy, 'GET', '/api/v1/postmortems/PM-99/agenda')).statusCode).toBe(404);
  });

  it('publishes a public version to a status-page incident: only the chosen sections, sanitized, linked from the page, never an internal section', async () => {
    await declareAndResolve();
    let doc = await pm();
    doc = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', {
      baseVersion: doc.version,
      noActionItemsReason: 'Nothing to change.',
      sections: [
        { key: 'summary', title: 'Summary', body: 'Card payments failed for **40 minutes**.\n\n<script>alert("x")</script> [help](javascript:alert(1)) <img src=x onerror=alert(2)>' },
        { key: 'root-cause', title: 'Root cause', body: 'A cache setting sent every request to the database.' },
        { key: 'internal-notes', title: 'Internal notes', body: `${SECRET}: see the private channel.`, internal: true },
      ],
    });
    doc = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: doc.version, reviewers: ['ben'] });
    const statusPage = await ok<{ id: string }>(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme' });
    const incident = await ok<StatusIncident>(ana, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'Checkout errors', impact: 'major', body: 'Payments are failing.' });
    expect(statusPage.id).toBeTruthy();

    // Only a published postmortem has a public version.
    expect((await refused(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: incident.id }, 422)).code).toBe('RULE_VIOLATION');
    doc = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'submit' });
    await ok(ben, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' });
    expect(await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'publish' })).toMatchObject({ status: 'published' });

    expect((await refused(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: 'nope' }, 400)).details?.issues?.map((i) => i.path)).toEqual(['body.statusPageIncident']);
    expect((await refused(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: incident.id, sections: ['summary', 'no-such'] }, 400)).details?.issues?.map((i) => i.path)).toEqual(['body.sections.1']);
    expect((await call(cy, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: incident.id })).statusCode).toBe(403);

    const published = await ok<{ id: string; url: string; sections: string[] }>(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: incident.id, title: 'Checkout errors on 21 November <script>alert(3)</script>' });
    expect(published.sections).toEqual(['summary', 'root-cause']);
    expect(published.url).toBe(`https://firebreak.example.com/status-postmortems/${published.id}`);
    const linked = await ok<StatusIncident>(ana, 'GET', `/api/v1/status-pages/acme/incidents/${incident.id}`);
    expect(linked.postmortemUrl).toBe(published.url);

    // The public page: no script at all, the chosen sections, sanitized.
    const path = new URL(published.url).pathname;
    const res = await page(path);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('Checkout errors on 21 November &lt;script&gt;alert(3)&lt;/script&gt;');
    expect(res.body).toContain('A cache setting sent every request to the database.');
    expect(res.body).not.toMatch(/<script/i);
    expect(res.body).not.toMatch(/href="javascript:/i);
    expect(res.body).not.toMatch(/<img[^>]*onerror/i);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain('Internal notes');

    // Crawl everything a visitor can reach from the status page: the internal section appears nowhere.
    const seen = new Set<string>();
    const queue = ['/status/acme'];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      const got = await page(next);
      expect(got.statusCode, next).toBeLessThan(400);
      expect(got.body, next).not.toContain(SECRET);
      expect(got.body, next).not.toContain('private channel');
      for (const [, href] of got.body.matchAll(/href="([^"]+)"/g)) {
        const url = new URL(href!.replace(/&amp;/g, '&'), 'https://firebreak.example.com');
        if (url.host === 'firebreak.example.com' && (url.pathname.startsWith('/status/acme') || url.pathname.startsWith('/status-postmortems/'))) queue.push(url.pathname);
      }
    }
    expect(seen).toContain(path);
    expect([...seen].some((p) => p.startsWith('/status/acme/incidents/'))).toBe(true);

    // Publishing again replaces the text and keeps the URL; an internal section can be chosen deliberately.
    const again = await ok<{ id: string; url: string; sections: string[] }>(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: incident.id, sections: ['root-cause'] });
    expect(again).toMatchObject({ id: published.id, url: published.url, sections: ['root-cause'] });
    const replaced = (await page(path)).body;
    expect(replaced).not.toContain('Card payments failed');
    expect(replaced).toContain('A cache setting');

    // Unknown publications answer 404 like any missing page.
    expect((await page('/status-postmortems/01NOSUCHPUBLICATION')).statusCode).toBe(404);
    expect((await page('/status-postmortems/..%2F..%2Fetc')).statusCode).toBe(404);
  });

  it('a private status page’s public version needs a login, as the page does', async () => {
    await declareAndResolve();
    let doc = await pm();
    doc = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: doc.version, noActionItemsReason: 'Nothing to change.' });
    doc = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: doc.version, reviewers: ['ben'] });
    doc = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'submit' });
    await ok(ben, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' });
    await ok(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: doc.version, action: 'publish' });
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'internal', name: 'Internal', visibility: 'private' });
    const incident = await ok<StatusIncident>(ana, 'POST', '/api/v1/status-pages/internal/incidents', { name: 'Checkout errors', body: 'Payments are failing.' });
    const published = await ok<{ url: string }>(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: incident.id });
    const path = new URL(published.url).pathname;
    expect((await page(path)).statusCode).toBe(404);
    const signedIn = await page(path, bearer(cy));
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.headers['cache-control']).toBe('private, no-store');
  });
});
