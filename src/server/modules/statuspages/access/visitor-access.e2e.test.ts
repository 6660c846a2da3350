import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls } from '../../../../../test/support/api.js';
import { buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../../platform/clock.js';
import { ACCESS_NEUTRAL } from './visitor-access.routes.js';
import { ACCESS_COOKIE } from './visitor-access.js';

const PUBLIC = 'http://localhost:8080';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
});

for (const dialect of dialectCases()) describe(`private status pages: sign-in by email (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ip = 0;

  const { ok } = apiCalls(() => t);
  const form = (url: string, fields: Record<string, string>, remoteAddress = `10.2.0.${++ip}`) =>
    t.app.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
  const get = (url: string, cookie?: string) => t.app.inject({ method: 'GET', url, ...(cookie ? { headers: { cookie } } : {}) });
  const mailsTo = (address: string): ReceivedMail[] => sink.messages.filter((m) => m.envelope.to.includes(address));
  const run = () => t.firebreak.runner.runDueJobs();
  /** The sign-in link of the last mail to `address`, as a path of this instance. */
  const linkIn = (address: string): string => {
    const mail = mailsTo(address).at(-1);
    expect(mail, `no mail to ${address}`).toBeDefined();
    const found = /Open the status page: (\S+)/.exec((mail as ReceivedMail).text)?.[1];
    expect(found).toBeDefined();
    return (found as string).replace(PUBLIC, '');
  };
  /** Opens a sign-in link as a person does: the GET shows a button, which POSTs; returns the cookie pair. */
  const signIn = async (link: string): Promise<{ cookie: string; setCookie: string }> => {
    const shown = await get(link);
    expect(shown.statusCode, shown.body).toBe(200);
    const action = /<form method="post" action="([^"]+)">/.exec(shown.body)?.[1]?.replace(/&amp;/g, '&') as string;
    expect(action).toBe(link);
    const opened = await t.app.inject({ method: 'POST', url: action });
    expect(opened.statusCode, opened.body).toBe(303);
    const setCookie = String(opened.headers['set-cookie']);
    const cookie = setCookie.split(';')[0] as string;
    return { cookie, setCookie };
  };

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_SMTP_URL: sink.url } });
    admin = (await t.userWithToken('admin', 'ana')).token;
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'partners', name: 'PARTNERS-PAGE', visibility: 'private', allowedEmailDomains: ['acme.example'] });
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'other', name: 'OTHER-PAGE', visibility: 'private', allowedEmailDomains: ['acme.example'] });
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'closed', name: 'CLOSED-PAGE', visibility: 'private' });
  });
  afterEach(async () => t.close());

  it('mails a one-time link to an allowed address; the link sets a page-scoped cookie that opens the page and its JSON', async () => {
    // Not signed in: the private page asks for an address (no script), and names nothing of the page.
    const asked = await get('/status/partners');
    expect(asked.statusCode).toBe(403);
    expect(asked.headers['cache-control']).toBe('private, no-store');
    expect(asked.body).toContain('This status page is private');
    expect(asked.body).toContain('<form method="post" action="/status/partners/access">');
    expect(asked.body).not.toContain('PARTNERS-PAGE');
    expect(asked.body).not.toContain('<script');
    // JSON and feeds stay 404 without access.
    expect((await get('/status/partners/api/v2/summary.json')).statusCode).toBe(404);

    const answer = await form('/status/partners/access', { email: 'Pat@EU.Acme.Example', website: '' });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain(ACCESS_NEUTRAL);
    await run();
    expect(mailsTo('pat@eu.acme.example').map((m) => m.subject)).toEqual(['Sign in: PARTNERS-PAGE status']);
    const link = linkIn('pat@eu.acme.example');
    expect(link).toMatch(/^\/status\/partners\/access\/open\?token=[A-Za-z0-9_-]{40,}$/);
    // The token is stored hashed only.
    const token = decodeURIComponent(link.split('token=')[1] as string);
    const rows = await t.firebreak.services.database.db.selectFrom('status_page_access_links').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);

    const { cookie, setCookie } = await signIn(link);
    expect(setCookie).toContain(`${ACCESS_COOKIE}=`);
    expect(setCookie).toContain('Path=/status/partners');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain(`Max-Age=${30 * 86_400}`);
    expect(setCookie).not.toContain('Secure'); // http public URL in tests

    const page = await get('/status/partners', cookie);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('PARTNERS-PAGE');
    expect(page.headers['cache-control']).toBe('private, no-store');
    const summary = await get('/status/partners/api/v2/summary.json', cookie);
    expect(summary.statusCode).toBe(200);
    expect(summary.headers['cache-control']).toBe('private, no-store');
    expect(summary.headers['access-control-allow-origin']).toBeUndefined();
    expect(json<{ page: { name: string } }>(summary).page.name).toBe('PARTNERS-PAGE');

    // The link works once.
    const again = await get(link);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('already been used');
    expect((await t.app.inject({ method: 'POST', url: link })).statusCode).toBe(410);

    // The cookie is valid 30 days.
    t.clock.advance(29 * 86_400_000);
    expect((await get('/status/partners', cookie)).statusCode).toBe(200);
    t.clock.advance(2 * 86_400_000);
    expect((await get('/status/partners', cookie)).statusCode).toBe(403);
  });

  it('answers every address the same and mails only allowed domains; pages without domains stay 404', async () => {
    const wrong = await form('/status/partners/access', { email: 'eve@notacme.example' });
    const right = await form('/status/partners/access', { email: 'pat@acme.example' });
    expect(wrong.statusCode).toBe(200);
    expect(wrong.body).toBe(right.body);
    // The honeypot: answered as usual, nothing sent.
    const bot = await form('/status/partners/access', { email: 'bot@acme.example', website: 'http://spam.example' });
    expect(bot.body).toBe(right.body);
    // A second request within ten minutes mails nothing more.
    await form('/status/partners/access', { email: 'pat@acme.example' });
    await run();
    expect(sink.messages.map((m) => m.envelope.to).flat()).toEqual(['pat@acme.example']);
    expect((await form('/status/partners/access', { email: 'not an address' })).statusCode).toBe(400);

    const closed = await get('/status/closed');
    expect(closed.statusCode).toBe(404);
    expect(closed.body).toBe((await get('/status/no-such-page')).body);
    expect((await form('/status/closed/access', { email: 'pat@acme.example' })).statusCode).toBe(404);
    expect((await form('/status/no-such-page/access', { email: 'pat@acme.example' })).statusCode).toBe(404);
    await run();
    expect(sink.messages).toHaveLength(1);
  });

  it('refuses expired links, cookies of another page, tampered cookies, and revokes access when the domain is removed', async () => {
    await form('/status/partners/access', { email: 'pat@acme.example' });
    await form('/status/partners/access', { email: 'lee@acme.example' });
    await run();
    const patLink = linkIn('pat@acme.example');
    const leeLink = linkIn('lee@acme.example');
    // Lee waits 31 minutes: the link has expired.
    t.clock.advance(31 * 60_000);
    const expired = await get(leeLink);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('expired');
    expect((await t.app.inject({ method: 'POST', url: leeLink })).statusCode).toBe(410);
    // An unknown token, and a link of page A opened under page B.
    expect((await get('/status/partners/access/open?token=nottherealtoken0000000000')).statusCode).toBe(404);
    expect((await get(patLink.replace('/status/partners/', '/status/other/'))).statusCode).toBe(404);

    // (Pat's link expired too; a new one.)
    t.clock.advance(10 * 60_000);
    await form('/status/partners/access', { email: 'pat@acme.example' });
    await run();
    const { cookie } = await signIn(linkIn('pat@acme.example'));
    expect(patLink).not.toBe(linkIn('pat@acme.example'));
    expect((await get('/status/partners', cookie)).statusCode).toBe(200);
    // Page A's cookie does not open page B, even sent to B's path.
    const other = await get('/status/other', cookie);
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain('OTHER-PAGE');
    expect((await get('/status/other/api/v2/summary.json', cookie)).statusCode).toBe(404);
    // Tampered: another page's id, another address, another expiry, or a broken signature.
    const value = cookie.slice(cookie.indexOf('=') + 1);
    const [v, pageId, email, expires, mac] = value.split('.') as [string, string, string, string, string];
    const otherId = (await ok<{ id: string }>(admin, 'GET', '/api/v1/status-pages/other')).id;
    const forged = [
      [v, otherId, email, expires, mac],
      [v, pageId, Buffer.from('eve@acme.example').toString('base64url'), expires, mac],
      [v, pageId, email, String(Number(expires) + 1), mac],
      [v, pageId, email, expires, `${mac.slice(0, -2)}AA`],
    ];
    for (const parts of forged) {
      expect((await get('/status/partners', `${ACCESS_COOKIE}=${parts.join('.')}`)).statusCode).toBe(403);
      expect((await get('/status/other', `${ACCESS_COOKIE}=${parts.join('.')}`)).statusCode).toBe(403);
    }

    // Removing the domain revokes the cookie at once; adding it back restores it.
    await ok(admin, 'PATCH', '/api/v1/status-pages/partners', { allowedEmailDomains: ['partner.example'] });
    expect((await get('/status/partners', cookie)).statusCode).toBe(403);
    expect((await get('/status/partners/api/v2/summary.json', cookie)).statusCode).toBe(404);
    await ok(admin, 'PATCH', '/api/v1/status-pages/partners', { allowedEmailDomains: ['acme.example'] });
    expect((await get('/status/partners', cookie)).statusCode).toBe(200);
    // A link asked for before the domain was removed is not mailed after.
    await form('/status/partners/access', { email: 'kim@acme.example' });
    await ok(admin, 'PATCH', '/api/v1/status-pages/partners', { allowedEmailDomains: [] });
    await run();
    expect(mailsTo('kim@acme.example')).toHaveLength(0);
  });

  it('works on a custom domain: the form, the link and a Secure cookie for the whole domain', async () => {
    await ok(admin, 'PATCH', '/api/v1/status-pages/partners', { customDomain: 'status.partners.example' });
    const host = { host: 'status.partners.example' };
    await expect.poll(async () => (await t.app.inject({ url: '/', headers: host })).statusCode, { timeout: 5000, interval: 20 }).toBe(403);
    expect((await t.app.inject({ url: '/', headers: host })).body).toContain('<form method="post" action="/access">');
    const answer = await t.app.inject({ method: 'POST', url: '/access', headers: { ...host, 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '10.3.0.1', payload: 'email=pat%40acme.example' });
    expect(answer.body).toContain(ACCESS_NEUTRAL);
    await run();
    const link = /Open the status page: (\S+)/.exec(mailsTo('pat@acme.example')[0]?.text ?? '')?.[1] as string;
    expect(link).toMatch(/^https:\/\/status\.partners\.example\/access\/open\?token=/);
    const path = link.replace('https://status.partners.example', '');
    expect((await t.app.inject({ url: path, headers: host })).statusCode).toBe(200);
    const opened = await t.app.inject({ method: 'POST', url: path, headers: host });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/');
    const setCookie = String(opened.headers['set-cookie']);
    expect(setCookie).toContain('Path=/;');
    expect(setCookie).toContain('Secure');
    const cookie = setCookie.split(';')[0] as string;
    const page = await t.app.inject({ url: '/', headers: { ...host, cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('PARTNERS-PAGE');
    expect((await t.app.inject({ url: '/api/v2/status.json', headers: { ...host, cookie } })).statusCode).toBe(200);
  });

  it('limits link requests per IP (their own bucket)', async () => {
    const from = '10.9.9.9';
    for (let i = 0; i < 10; i++) expect((await form('/status/partners/access', { email: `p${i}@acme.example` }, from)).statusCode).toBe(200);
    const limited = await form('/status/partners/access', { email: 'p11@acme.example' }, from);
    expect(limited.statusCode).toBe(429);
    // Another address still works, and the page itself is not limited by it.
    expect((await form('/status/partners/access', { email: 'p12@acme.example' }, '10.9.9.10')).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/status/partners', remoteAddress: from })).statusCode).toBe(403);
  });
});
