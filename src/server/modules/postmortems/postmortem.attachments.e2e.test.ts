import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { MAX_ATTACHMENT_BYTES, type Attachment, type Postmortem } from '../../../contracts/postmortems.js';
import { ManualClock } from '../../platform/clock.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('0000000d49484452', 'hex'), Buffer.alloc(64, 7)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32, 1)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x10, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(16, 2)]);

for (const dialect of dialectCases()) describe(`postmortem attachments (${dialect.name})`, () => {
  let t: TestApp;
  let ana: string;
  let viewer: string;

  const upload = (token: string, body: Buffer | string, contentType: string | null, name = 'graph.png', pm = 'PM-1') =>
    t.app.inject({ method: 'POST', url: `/api/v1/postmortems/${pm}/attachments?name=${encodeURIComponent(name)}`, headers: { ...bearer(token), ...(contentType ? { 'content-type': contentType } : {}) }, payload: body });

  beforeAll(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2027-03-02T10:00:00Z') });
    ana = (await t.userWithToken('responder', 'ana')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/postmortems', headers: bearer(ana), payload: { title: 'Checkout errors' } });
    expect(res.statusCode, res.body).toBe(201);
  });
  afterAll(async () => t?.close());

  it('stores an image, lists it and serves the same bytes so that nothing can run from it', async () => {
    const res = await upload(ana, PNG, 'image/png', 'p99 latency (checkout).png');
    expect(res.statusCode, res.body).toBe(201);
    const attachment = res.json() as Attachment;
    expect(attachment).toMatchObject({ name: 'p99 latency (checkout).png', contentType: 'image/png', size: PNG.length, createdBy: 'ana (API token)', createdAt: '2027-03-02T10:00:00.000Z' });
    expect(attachment.url).toBe(`/api/v1/postmortems/PM-1/attachments/${attachment.id}`);

    const served = await t.app.inject({ url: attachment.url, headers: bearer(viewer) });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(PNG)).toBe(true);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(String(served.headers['content-security-policy'])).toContain('sandbox');
    expect(String(served.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(served.headers['content-disposition']).toBe(`inline; filename="p99 latency (checkout).png"; filename*=UTF-8''${encodeURIComponent('p99 latency (checkout).png')}`);
    expect((await t.app.inject({ url: attachment.url })).statusCode).toBe(401);

    expect((await upload(ana, JPEG, 'image/jpeg; charset=binary', 'photo.jpg')).statusCode).toBe(201);
    expect((await upload(ana, WEBP, 'image/webp', 'graph.webp')).statusCode).toBe(201);
    const list = (await t.app.inject({ url: '/api/v1/postmortems/PM-1/attachments', headers: bearer(viewer) })).json() as { items: Attachment[] };
    expect(list.items.map((a) => a.name)).toEqual(['p99 latency (checkout).png', 'photo.jpg', 'graph.webp']);

    // The markdown that shows it renders it on the print page.
    const pm = (await t.app.inject({ url: '/api/v1/postmortems/PM-1', headers: bearer(ana) })).json() as Postmortem;
    const sections = pm.sections.map((s) => ({ key: s.key, title: s.title, body: s.key === 'impact' ? `![p99 latency](${attachment.url})` : s.body }));
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/postmortems/PM-1', headers: bearer(ana), payload: { baseVersion: pm.version, sections } })).statusCode).toBe(200);
    const print = await t.app.inject({ url: '/api/v1/postmortems/PM-1/print', headers: bearer(viewer) });
    expect(print.body).toContain(`src="${attachment.url}"`);
  });

  it('refuses images over 5 MB with 413 and stores nothing', async () => {
    const before = (await t.firebreak.services.database.db.selectFrom('postmortem_attachments').select('id').execute()).length;
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_ATTACHMENT_BYTES + 1 - PNG.length, 0)]);
    const res = await upload(ana, big, 'image/png', 'huge.png');
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // Exactly the limit is accepted.
    expect((await upload(ana, big.subarray(0, MAX_ATTACHMENT_BYTES), 'image/png', 'limit.png')).statusCode).toBe(201);
    expect((await t.firebreak.services.database.db.selectFrom('postmortem_attachments').select('id').execute()).length).toBe(before + 1);
  });

  it('refuses other types, SVG, and bytes that are not the declared image with 415', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    for (const [body, type] of [[svg, 'image/svg+xml'], ['<html><script>alert(1)</script></html>', 'image/png'], [JPEG, 'image/png'], [PNG, 'application/octet-stream'], [PNG, 'text/html'], ['{"a":1}', 'application/json']] as const) {
      const res = await upload(ana, typeof body === 'string' ? body : Buffer.from(body), type, 'x.png');
      expect(res.statusCode, `${type}: ${res.body}`).toBe(415);
      expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    expect((await upload(ana, PNG, 'image/png', '../../etc/passwd')).statusCode).toBe(400);
    expect((await upload(viewer, PNG, 'image/png')).statusCode).toBe(403);
    expect((await upload(ana, PNG, 'image/png', 'graph.png', 'PM-7')).statusCode).toBe(404);
  });

  it('deletes an attachment', async () => {
    const made = (await upload(ana, PNG, 'image/png', 'old.png')).json() as Attachment;
    expect((await t.app.inject({ method: 'DELETE', url: made.url, headers: bearer(viewer) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: made.url, headers: bearer(ana) })).statusCode).toBe(204);
    expect((await t.app.inject({ url: made.url, headers: bearer(ana) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: made.url, headers: bearer(ana) })).statusCode).toBe(404);
  });
});
