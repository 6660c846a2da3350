import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, type TestApp } from '../../../../test/support/app.js';
import { apiCalls } from '../../../../test/support/api.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Postmortem, PostmortemSummary } from '../../../contracts/postmortems.js';
import { ManualClock } from '../../platform/clock.js';
import { reminderJobKey } from './review/review.reminders.js';


const onePixelPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const HOUR = 3_600_000;

for (const dialect of dialectCases()) describe(`deleting postmortems (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ana: string;
  let ben: string;
  let viewer: string;

  const { call, ok, fails } = apiCalls(() => t);
  const search = async (q: string) => (await ok<{ items: PostmortemSummary[] }>(viewer, 'GET', `/api/v1/postmortems?q=${encodeURIComponent(q)}`)).items.map((p) => p.reference);
  const count = async (table: 'postmortem_revisions' | 'postmortem_attachments' | 'postmortem_reviewers' | 'postmortem_tags' | 'postmortem_services', id: string) =>
    Number((await t.firebreak.services.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('postmortem_id', '=', id).executeTakeFirstOrThrow()).n);

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    admin = (await t.userWithToken('admin', 'root')).token;
    ana = (await t.userWithToken('responder', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    await ok(admin, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
  });
  afterEach(async () => t.close());

  it('lets the owner delete a draft with its attachments, revisions, reviewers and search entry; others are refused', async () => {
    let pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems', { title: 'Zanzibar launch rehearsal', tags: ['launch'], services: ['checkout'] });
    const upload = await t.app.inject({ method: 'POST', url: '/api/v1/postmortems/PM-1/attachments?name=graph.png', headers: { ...bearer(ana), 'content-type': 'image/png' }, payload: onePixelPng });
    expect(upload.statusCode, upload.body).toBe(201);
    pm = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: pm.version, reviewers: ['ben'] });
    expect(await search('zanzibar')).toEqual(['PM-1']);

    // Another responder, a viewer: refused (403), nothing removed.
    expect((await fails(403, ben, 'DELETE', '/api/v1/postmortems/PM-1')).message).toBe('Only an admin or the owner of PM-1 may delete it');
    expect((await fails(403, viewer, 'DELETE', '/api/v1/postmortems/PM-1')).code).toBe('FORBIDDEN');
    expect((await fails(404, ana, 'DELETE', '/api/v1/postmortems/PM-9')).code).toBe('NOT_FOUND');

    // With an action item: refused, naming it.
    await ok(ana, 'POST', '/api/v1/postmortems/PM-1/action-items', { title: 'Rehearse the rollback' });
    const withItems = await fails(422, ana, 'DELETE', '/api/v1/postmortems/PM-1');
    expect(withItems.details?.issues).toEqual([{ path: 'actionItems', message: 'PM-1 has action items (AI-1); delete them first' }]);
    await ok(ana, 'DELETE', '/api/v1/action-items/AI-1');

    await ok(ana, 'DELETE', '/api/v1/postmortems/PM-1');
    expect((await call(viewer, 'GET', '/api/v1/postmortems/PM-1')).statusCode).toBe(404);
    expect(await search('zanzibar')).toEqual([]);
    for (const table of ['postmortem_revisions', 'postmortem_attachments', 'postmortem_reviewers', 'postmortem_tags', 'postmortem_services'] as const) expect(await count(table, pm.id), table).toBe(0);
    const audit = await ok<{ items: Array<{ action: string; target: { id: string }; before: { reference?: string; attachments?: number } | null }> }>(admin, 'GET', '/api/v1/audit?limit=100');
    expect(audit.items.find((a) => a.action === 'postmortem.delete')).toMatchObject({ target: { id: pm.id }, before: { reference: 'PM-1', attachments: 1 } });
    // The number is not reused.
    expect((await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems', { title: 'Next' })).reference).toBe('PM-2');
  });

  it('keeps postmortems in review, published or once published; a required one only an admin deletes, and its reminders stop', async () => {
    // Required: drafted on resolve for the commander (ana), with a reminder timer.
    await ok(ana, 'POST', '/api/v1/incidents', { title: 'Checkout errors', severity: 'SEV1', impactedServices: ['checkout'] });
    t.clock.advance(HOUR);
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved', summary: 'Rolled back.' });
    let pm = await ok<Postmortem>(ana, 'GET', '/api/v1/postmortems/PM-1');
    expect(pm).toMatchObject({ required: true, owner: { handle: 'ana' } });
    expect((await fails(403, ana, 'DELETE', '/api/v1/postmortems/PM-1')).message).toContain('only an admin may delete it');

    // In review, then published, then reopened: never deleted.
    pm = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: pm.version, noActionItemsReason: 'Nothing to change.' });
    pm = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: pm.version, reviewers: ['ben'] });
    pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'submit' });
    expect((await fails(422, admin, 'DELETE', '/api/v1/postmortems/PM-1')).details?.issues?.map((i) => i.path)).toEqual(['params.postmortem']);
    await ok(ben, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' });
    pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'publish' });
    expect((await fails(422, admin, 'DELETE', '/api/v1/postmortems/PM-1')).message).toContain('only drafts can be deleted');
    pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'reopen', reason: 'More detail.' });
    expect((await fails(422, admin, 'DELETE', '/api/v1/postmortems/PM-1')).message).toContain('is the record and is kept');

    // A required draft never published: an admin deletes it, and its reminder timer goes with it.
    await ok(ana, 'POST', '/api/v1/incidents', { title: 'Search down', severity: 'SEV1', impactedServices: ['checkout'] });
    await ok(ana, 'POST', '/api/v1/incidents/INC-2/status', { status: 'resolved', summary: 'Restarted.' });
    const second = await ok<Postmortem>(ana, 'GET', '/api/v1/postmortems/PM-2');
    const timers = () => t.firebreak.services.database.db.selectFrom('jobs').select('job_key').where('job_key', '=', reminderJobKey(second.id)).execute();
    expect(await timers()).toHaveLength(1);
    await ok(admin, 'DELETE', '/api/v1/postmortems/PM-2');
    expect(await timers()).toEqual([]);
    expect((await call(viewer, 'GET', '/api/v1/postmortems/PM-2')).statusCode).toBe(404);
  });
});
