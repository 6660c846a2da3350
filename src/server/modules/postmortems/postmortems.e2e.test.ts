import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../../test/support/app.js';
import { apiCalls, type Method } from '../../../../test/support/api.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Incident } from '../../../contracts/incidents.js';
import type { Postmortem, PostmortemSummary, PostmortemTemplate } from '../../../contracts/postmortems.js';
import { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../audit/audit.repo.js';
import { requirePostmortem } from './postmortem.lookup.js';

interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown> & { issues?: Array<{ path: string; message: string }> };
}
type Revision = { version: number; at: string; by: string; fields: string[] };
type RevisionDetail = Revision & { snapshot: { title: string; sections: Array<{ key: string; body: string }> } };

const MINUTE = 60_000;

for (const dialect of dialectCases()) describe(`postmortem documents (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ana: string;
  let ben: string;
  let viewer: string;

  const { call, ok, fails } = apiCalls(() => t);
  const refused = (token: string, method: Method, url: string, payload: Record<string, unknown> | undefined, status: number) => fails<ErrorBody>(status, token, method, url, payload);
  const section = (pm: Postmortem, key: string) => pm.sections.find((s) => s.key === key)?.body ?? '';

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2027-03-01T14:00:00Z') });
    admin = (await t.userWithToken('admin', 'root')).token;
    ana = (await t.userWithToken('responder', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    await ok(admin, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    await ok(admin, 'POST', '/api/v1/services', { handle: 'search', name: 'Search' });
  });
  afterEach(async () => t.close());

  /**
   * A real incident through the API: an alert, a deploy marked as the cause, notes, an update,
   * mitigation. Left unresolved: resolving a SEV2 lets the postmortem policy start the postmortem itself.
   */
  async function runIncident(): Promise<Incident> {
    const change = await ok<{ id: string }>(ana, 'POST', '/api/v1/changes', { service: 'checkout', summary: 'Deploy checkout v1.42', link: 'https://ci.example.com/runs/42' });
    t.clock.advance(2 * MINUTE);
    await ok(ana, 'POST', '/api/v1/alerts', { service: 'checkout', title: 'Checkout 5xx above 5%', dedupKey: '5xx' });
    t.clock.advance(3 * MINUTE);
    const incident = await ok<Incident>(ana, 'POST', '/api/v1/incidents', { title: 'Checkout errors', severity: 'SEV2', alertIds: ['#1'], customerImpact: 'Card payments failed for 20% of customers' });
    await ok(ana, 'PUT', `/api/v1/incidents/INC-1/changes/${change.id}`, { mark: 'caused' });
    t.clock.advance(5 * MINUTE);
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/timeline', { note: 'Rolled back checkout to v1.41', pinned: true });
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/timeline', { note: 'coffee is ready' });
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/updates', { message: 'Card payments are failing for some customers; we are rolling back' });
    t.clock.advance(25 * MINUTE);
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/status', { status: 'monitoring', mitigated: true, summary: 'A deploy broke card payments; rolled back.' });
    t.clock.advance(20 * MINUTE);
    return incident;
  }

  it('drafts a postmortem from a real incident: header, services, people, timeline, cause, alerts and updates', async () => {
    const incident = await runIncident();
    t.clock.advance(60 * MINUTE);
    const res = await call(ben, 'POST', '/api/v1/postmortems', { incident: 'INC-1' });
    expect(res.statusCode, res.body).toBe(201);
    const pm = res.json() as Postmortem;
    expect(pm).toMatchObject({
      number: 1, reference: 'PM-1', title: 'Checkout errors', status: 'draft', template: 'standard', severity: 'SEV2', version: 1,
      incident: { id: incident.id, reference: 'INC-1', title: 'Checkout errors' },
      occurredAt: '2027-03-01T14:02:00.000Z', endedAt: '2027-03-01T14:35:00.000Z', durationMinutes: 33,
      services: [{ handle: 'checkout', name: 'Checkout API' }],
      owner: { handle: 'ana' }, authors: [{ handle: 'ben' }], people: [{ handle: 'ana' }],
      required: false, overdue: false, createdBy: 'ben (API token)', actionItemCounts: { open: 0, done: 0 },
    });
    expect(pm.sections.map((s) => s.key)).toEqual(['summary', 'impact', 'timeline', 'root-cause', 'action-items', 'appendix']);
    expect(section(pm, 'summary')).toContain('A deploy broke card payments; rolled back.');
    expect(section(pm, 'impact')).toContain('Card payments failed for 20% of customers');
    expect(section(pm, 'timeline')).toContain('**2027-03-01 14:10 UTC** Rolled back checkout to v1.41');
    expect(section(pm, 'timeline')).not.toContain('coffee is ready');
    expect(section(pm, 'root-cause')).toContain('Deploy checkout v1.42');
    expect(section(pm, 'appendix')).toContain('Alert #1: Checkout 5xx above 5%');
    expect(section(pm, 'appendix')).toContain('Card payments are failing for some customers; we are rolling back');

    // Every reference finds it; one incident has one postmortem.
    for (const ref of ['PM-1', 'pm-1', '#1', '1', pm.id]) expect((await ok<Postmortem>(viewer, 'GET', `/api/v1/postmortems/${encodeURIComponent(ref)}`)).id).toBe(pm.id);
    // The incident page finds its postmortem by the incident's reference or id, and only it.
    await ok(ana, 'POST', '/api/v1/postmortems', { title: 'Standalone launch review' });
    for (const ref of ['INC-1', incident.id]) {
      const list = await ok<{ items: PostmortemSummary[] }>(viewer, 'GET', `/api/v1/postmortems?incident=${ref}`);
      expect(list.items.map((p) => p.reference)).toEqual(['PM-1']);
    }
    expect((await refused(viewer, 'GET', '/api/v1/postmortems?incident=INC-9', undefined, 400)).details.issues?.[0]?.path).toBe('query.incident');
    const again = await refused(ana, 'POST', '/api/v1/postmortems', { incident: 'INC-1' }, 409);
    expect(again.details).toMatchObject({ postmortem: { id: pm.id, reference: 'PM-1' } });
    expect((await refused(ana, 'POST', '/api/v1/postmortems', { incident: 'INC-9' }, 400)).details.issues?.[0]?.path).toBe('body.incident');
    await refused(viewer, 'POST', '/api/v1/postmortems', { title: 'Not mine to write' }, 403);
    const audit = (await ok<{ items: Array<{ action: string }> }>(admin, 'GET', `/api/v1/audit?targetId=${pm.id}`)).items.map((a) => a.action);
    expect(audit).toEqual(['postmortem.create']);
  });

  it('createDraft returns the existing postmortem and marks it required when the policy asks later', async () => {
    await runIncident();
    const first = await ok<Postmortem>(ben, 'POST', '/api/v1/postmortems', { incident: 'INC-1', owner: 'ben', tags: ['Payments'] });
    expect(first).toMatchObject({ owner: { handle: 'ben' }, tags: ['payments'], required: false });
    const { postmortems, database } = t.firebreak.services;
    const row = await database.transaction((tx) => postmortems.createDraft(tx, systemActor('postmortem policy'), { incidentId: first.incident?.id as string, required: true, reasons: ['SEV1–SEV2'], dueAt: Date.parse('2027-03-06T14:55:00Z') }));
    expect(row.id).toBe(first.id);
    const now = await ok<Postmortem>(ana, 'GET', '/api/v1/postmortems/PM-1');
    expect(now).toMatchObject({ required: true, requiredReasons: ['SEV1–SEV2'], dueAt: '2027-03-06T14:55:00.000Z', version: 2, owner: { handle: 'ben' }, overdue: false });
    t.clock.set('2027-03-07T00:00:00Z');
    expect((await ok<Postmortem>(ana, 'GET', '/api/v1/postmortems/PM-1')).overdue).toBe(true);
  });

  it('refuses a save from an old version with the other author’s change, loses nothing, and keeps every version', async () => {
    await runIncident();
    const draft = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems', { incident: 'INC-1' });
    const sectionsWith = (pm: Postmortem, key: string, body: string) => pm.sections.map((s) => ({ key: s.key, title: s.title, body: s.key === key ? body : s.body }));

    t.clock.advance(MINUTE);
    const anas = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 1, sections: sectionsWith(draft, 'root-cause', 'The v1.42 deploy changed the card token format.') });
    expect(anas.version).toBe(2);

    // Ben started from version 1 too: refused, nothing written, told what Ana changed.
    const bens = sectionsWith(draft, 'summary', 'Card payments failed for 33 minutes.');
    const conflict = await refused(ben, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 1, sections: bens, title: 'Card payments failed' }, 409);
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.details.theirs).toEqual({ fromVersion: 1, toVersion: 2, by: ['ana (API token)'], fields: ['sections.root-cause'] });
    const current = conflict.details.current as Postmortem;
    expect(current.version).toBe(2);
    expect(section(current, 'root-cause')).toBe('The v1.42 deploy changed the card token format.');
    const stored = await ok<Postmortem>(viewer, 'GET', '/api/v1/postmortems/PM-1');
    expect([stored.version, stored.title, section(stored, 'summary')]).toEqual([2, 'Checkout errors', section(draft, 'summary')]);

    // Both versions are there to merge from; the merge saves on top of Ana's.
    const revisions = (await ok<{ items: Revision[] }>(viewer, 'GET', '/api/v1/postmortems/PM-1/revisions')).items;
    expect(revisions.map((r) => [r.version, r.by, r.fields])).toEqual([[2, 'ana (API token)', ['sections.root-cause']], [1, 'ana (API token)', ['created']]]);
    const v1 = await ok<RevisionDetail>(viewer, 'GET', '/api/v1/postmortems/PM-1/revisions/1');
    expect(v1.snapshot.sections.find((s) => s.key === 'root-cause')?.body).toBe(section(draft, 'root-cause'));
    const v2 = await ok<RevisionDetail>(viewer, 'GET', '/api/v1/postmortems/PM-1/revisions/2');
    expect(v2.snapshot.sections.find((s) => s.key === 'root-cause')?.body).toBe('The v1.42 deploy changed the card token format.');
    await refused(viewer, 'GET', '/api/v1/postmortems/PM-1/revisions/7', undefined, 404);

    const merged = await ok<Postmortem>(ben, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 2, sections: sectionsWith(current, 'summary', 'Card payments failed for 33 minutes.'), title: 'Card payments failed' });
    expect([merged.version, merged.title, section(merged, 'summary'), section(merged, 'root-cause')]).toEqual([3, 'Card payments failed', 'Card payments failed for 33 minutes.', 'The v1.42 deploy changed the card token format.']);
    expect((await ok<{ items: Revision[] }>(viewer, 'GET', '/api/v1/postmortems/PM-1/revisions')).items[0]).toMatchObject({ version: 3, by: 'ben (API token)', fields: ['title', 'sections.summary'] });

    // Two saves from the same version at once: exactly one wins, the other is told about it.
    const racing = await Promise.all([
      call(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 3, tags: ['ana'] }),
      call(ben, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 3, tags: ['ben'] }),
    ]);
    expect(racing.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const loser = racing.find((r) => r.statusCode === 409)?.json() as ErrorBody;
    expect(loser.details.theirs).toMatchObject({ fromVersion: 3, toVersion: 4, fields: ['tags'] });
    // A version from the future is stale too, and names no change.
    expect((await refused(ben, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 99_999_999_999, title: 'x' }, 409)).details.theirs).toMatchObject({ fromVersion: 99_999_999_999, toVersion: 4, by: [], fields: [] });

    // Saving what is there already is not a new version; the audit log names fields, not text.
    expect((await ok<Postmortem>(ben, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 4, title: 'Card payments failed' })).version).toBe(4);
    const audit = (await ok<{ items: Array<{ action: string; after: unknown }> }>(admin, 'GET', `/api/v1/audit?targetId=${draft.id}`)).items;
    expect(audit.map((a) => a.action)).toEqual(['postmortem.update', 'postmortem.update', 'postmortem.update', 'postmortem.create']);
    expect(audit[1]?.after).toEqual({ version: 3, fields: ['title', 'sections.summary'] });
  });

  it('changes the header fields, names the field of every bad input, and keeps published postmortems read-only', async () => {
    await runIncident();
    await ok(ana, 'POST', '/api/v1/postmortems', { incident: 'INC-1' });
    const changed = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', {
      baseVersion: 1, owner: 'ben', authors: ['ana', 'ben'], people: ['ana', 'ben'], tags: ['Database', 'payments', 'database'], services: ['checkout', 'search'],
      severity: 'SEV1', occurredAt: '2027-03-01T13:58:00Z', dueAt: '2027-03-08T00:00:00Z', noActionItemsReason: 'A one-off vendor outage', reviewNotes: { worked: 'Rollback took 5 minutes' },
    });
    expect(changed).toMatchObject({
      version: 2, owner: { handle: 'ben' }, authors: [{ handle: 'ana' }, { handle: 'ben' }], tags: ['database', 'payments'], services: [{ handle: 'checkout' }, { handle: 'search' }],
      severity: 'SEV1', occurredAt: '2027-03-01T13:58:00.000Z', durationMinutes: 37, dueAt: '2027-03-08T00:00:00.000Z', noActionItemsReason: 'A one-off vendor outage', reviewNotes: { worked: 'Rollback took 5 minutes' },
    });
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ owner: 'nobody' }, 'body.owner'],
      [{ authors: ['ana', 'ghost'] }, 'body.authors.1'],
      [{ services: ['nope'] }, 'body.services.0'],
      [{ dueAt: 'next friday' }, 'body.dueAt'],
      [{ endedAt: '2027-03-01T10:00:00Z' }, 'body.endedAt'],
      [{ sections: [{ key: 'summary', title: 'Summary', body: '' }, { key: 'summary', title: 'Again', body: '' }] }, 'body.sections.1.key'],
      [{ sections: [{ key: 'Not A Key', title: 'x', body: '' }] }, 'body.sections.0.key'],
    ];
    for (const [patch, path] of bad) expect((await refused(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 2, ...patch }, 400)).details.issues?.[0]?.path, path).toBe(path);
    expect((await refused(ana, 'PATCH', '/api/v1/postmortems/PM-1', { title: 'no version' }, 400)).details.issues?.[0]?.path).toBe('body.baseVersion');
    // NUL characters (which PostgreSQL text cannot hold) are refused by name, never a server error.
    expect((await refused(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 2, tags: ['ok', 'a\u0000b'] }, 400)).details.issues?.[0]?.path).toBe('body.tags.1');
    expect((await refused(viewer, 'GET', '/api/v1/postmortems?tag=a%00b', undefined, 400)).details.issues?.[0]?.path).toBe('query.tag');
    expect((await refused(viewer, 'GET', '/api/v1/postmortems/PM%00-1', undefined, 400)).details.issues?.[0]?.path).toBe('params.postmortem');
    await refused(viewer, 'GET', '/api/v1/postmortem-templates/a%00', undefined, 400);
    await refused(viewer, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 2, title: 'x' }, 403);
    await refused(ana, 'PATCH', '/api/v1/postmortems/PM-9', { baseVersion: 1, title: 'x' }, 404);

    const { postmortems, database } = t.firebreak.services;
    await database.transaction(async (tx) => postmortems.bump(tx, await requirePostmortem(tx.db, 'PM-1'), systemActor('test'), ['status'], { status: 'published', published_at: t.clock.now() }));
    const published = await refused(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 3, title: 'Rewriting history' }, 422);
    expect(published.code).toBe('RULE_VIOLATION');
    expect((await ok<{ items: Revision[] }>(viewer, 'GET', '/api/v1/postmortems/PM-1/revisions')).items[0]).toMatchObject({ version: 3, by: 'test', fields: ['status'] });
  });

  it('starts standalone postmortems from any template; admins edit templates and built-ins come back when deleted', async () => {
    expect((await refused(ana, 'POST', '/api/v1/postmortems', {}, 400)).details.issues?.[0]?.path).toBe('body.title');
    expect((await refused(ana, 'POST', '/api/v1/postmortems', { title: 'Launch', template: 'nope' }, 400)).details.issues?.[0]?.path).toBe('body.template');
    const launch = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems', { title: 'Black Friday readiness', template: 'short', services: ['search'] });
    expect(launch).toMatchObject({ reference: 'PM-1', incident: null, template: 'short', owner: { handle: 'ana' }, occurredAt: null, services: [{ handle: 'search' }] });
    expect(launch.sections.map((s) => [s.key, s.body])).toEqual([['summary', ''], ['root-cause', ''], ['action-items', '']]);

    const templates = (await ok<{ items: PostmortemTemplate[] }>(viewer, 'GET', '/api/v1/postmortem-templates')).items;
    expect(templates.map((x) => [x.handle, x.builtIn, x.id])).toEqual([['standard', true, null], ['short', true, null], ['google-sre', true, null]]);
    const spec = { handle: 'launch', title: 'Launch review', sections: [{ key: 'goals', title: 'Goals', guidance: 'What we wanted' }, { key: 'surprises', title: 'Surprises', internal: true }] };
    await refused(ana, 'POST', '/api/v1/postmortem-templates', spec, 403);
    const created = await ok<PostmortemTemplate>(admin, 'POST', '/api/v1/postmortem-templates', spec);
    expect(created).toMatchObject({ handle: 'launch', builtIn: false, sections: [{ key: 'goals', guidance: 'What we wanted', internal: false }, { key: 'surprises', internal: true }] });
    await refused(admin, 'POST', '/api/v1/postmortem-templates', spec, 409);
    expect((await refused(admin, 'POST', '/api/v1/postmortem-templates', { ...spec, handle: 'dup', sections: [spec.sections[0], spec.sections[0]] }, 400)).details.issues?.[0]?.path).toBe('body.sections');
    const fromCustom = await ok<Postmortem>(ben, 'POST', '/api/v1/postmortems', { title: 'Launch of search v2', template: 'launch' });
    expect(fromCustom.sections).toEqual([{ key: 'goals', title: 'Goals', body: '', internal: false }, { key: 'surprises', title: 'Surprises', body: '', internal: true }]);

    const edited = await ok<PostmortemTemplate>(admin, 'PATCH', '/api/v1/postmortem-templates/short', { title: 'Short (ours)' });
    expect(edited).toMatchObject({ handle: 'short', builtIn: true, title: 'Short (ours)' });
    expect(edited.id).not.toBeNull();
    await ok(admin, 'DELETE', '/api/v1/postmortem-templates/short');
    expect(await ok<PostmortemTemplate>(viewer, 'GET', '/api/v1/postmortem-templates/short')).toMatchObject({ id: null, title: templates[1]?.title });
    expect((await refused(admin, 'DELETE', '/api/v1/postmortem-templates/standard', undefined, 422)).code).toBe('RULE_VIOLATION');
    await ok(admin, 'DELETE', '/api/v1/postmortem-templates/launch');
    await refused(viewer, 'GET', '/api/v1/postmortem-templates/launch', undefined, 404);
  });

  it('exports Markdown and a print page in which scripts and dangerous links do nothing', async () => {
    const pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems', { title: '<img src=x onerror=alert(1)> Outage' });
    const evil = [
      '<script>alert("xss")</script>',
      '[click me](javascript:alert(1))',
      '<img src=x onerror=alert(2)>',
      '![graph](javascript:alert(3))',
      '<a href="https://evil.example/">raw html link</a>',
      '[ok link](https://status.example.com/incident)',
    ].join('\n\n');
    await ok(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: 1, sections: pm.sections.map((s) => ({ key: s.key, title: s.key === 'summary' ? 'Summary <script>alert(4)</script>' : s.title, body: s.key === 'summary' ? evil : s.body })) });

    const { database, ids: newId } = t.firebreak.services;
    await database.db.insertInto('action_items').values({ id: newId(), number: 1, postmortem_id: pm.id, title: '<script>alert(5)</script> Add a canary', description: '', owner_user_id: null, team_id: null, priority: 'high', due_date: '2027-03-10', status: 'open', tracker_url: 'javascript:alert(6)', similar_group: null, created_at: t.clock.now(), created_by: 'test', updated_at: t.clock.now(), completed_at: null }).execute();

    const print = await call(viewer, 'GET', '/api/v1/postmortems/PM-1/print');
    expect(print.statusCode).toBe(200);
    expect(print.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(print.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(print.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    const html = print.body;
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    // Raw HTML stays text (its bare URL may be linkified, as any written URL is).
    expect(html).not.toContain('<a href="https://evil.example/">raw html link');
    expect(html).toContain('&lt;a href=');
    expect(html).not.toMatch(/(href|src)="javascript:/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; Outage');
    expect(html).toContain('<a href="https://status.example.com/incident"');
    expect(html).toContain('Summary &lt;script&gt;');
    // Tracked action items are listed in the template's action-items section.
    expect(html).toMatch(/<section id="section-action-items">.*<td>AI-1<\/td><td>&lt;script&gt;alert\(5\)&lt;\/script&gt; Add a canary<\/td>/s);

    const md = await call(viewer, 'GET', '/api/v1/postmortems/PM-1/export.md');
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.headers['content-disposition']).toBe('attachment; filename="PM-1.md"');
    expect(md.body).toContain('[ok link](https://status.example.com/incident)');
    expect(md.body).toContain('PM-1');
    expect(md.body).toContain('AI-1');
    // The export is the authors' markdown as written (a file, never rendered here), but Firebreak adds no dangerous link of its own.
    expect(md.body).not.toContain('](javascript:alert(6)');
    await refused(viewer, 'GET', '/api/v1/postmortems/PM-2/print', undefined, 404);

    // The assistant reviews text being written, with the names of the people involved.
    const findings = (await ok<{ findings: Array<{ section: string; text: string }> }>(viewer, 'POST', '/api/v1/postmortems/assistant', { texts: [{ section: 'root-cause', text: 'Human error: the deploy was not checked.' }] })).findings;
    expect(findings.map((f) => f.section)).toContain('root-cause');
    await refused(viewer, 'POST', '/api/v1/postmortems/assistant', { texts: [], postmortem: 'PM-9' }, 404);
  });

  it('lists postmortems of the same services on a new incident, newest first', async () => {
    await runIncident();
    await ok(ana, 'POST', '/api/v1/postmortems', { incident: 'INC-1' });
    t.clock.advance(24 * 60 * MINUTE);
    await ok(ana, 'POST', '/api/v1/postmortems', { title: 'Checkout capacity review', services: ['checkout'] });
    await ok(ana, 'POST', '/api/v1/postmortems', { title: 'Search relevance drop', services: ['search'] });
    t.clock.advance(24 * 60 * MINUTE);
    await ok(ben, 'POST', '/api/v1/incidents', { title: 'Checkout slow', severity: 'SEV3', impactedServices: ['checkout'] });
    const related = (await ok<{ items: PostmortemSummary[] }>(viewer, 'GET', '/api/v1/incidents/INC-2/related-postmortems')).items;
    expect(related.map((r) => [r.reference, r.incidentReference])).toEqual([['PM-2', null], ['PM-1', 'INC-1']]);
    // Its own postmortem is not "related".
    expect((await ok<{ items: PostmortemSummary[] }>(viewer, 'GET', '/api/v1/incidents/INC-1/related-postmortems')).items.map((r) => r.reference)).toEqual(['PM-2']);
    await refused(viewer, 'GET', '/api/v1/incidents/INC-9/related-postmortems', undefined, 404);
  });
});
