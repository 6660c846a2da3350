import { isUnresolved, type PageSnapshot, type SnapshotComponent, type SnapshotIncident } from '../../../core/statuspages/snapshot.js';
import { statusJson } from '../../../core/statuspages/statuspage-json.js';
import { UPTIME_DAYS } from './statuspage.service.js';
import { statusWord, uptimeByDay, uptimeOver, type ComponentStatus, type StatusChange, type UptimeDay } from '../../../core/statuspages/status.js';

/**
 * Server-rendered public pages and feeds of a status page (ADR 0036). No script at all: the page must
 * work when everything else is down, on any phone, behind any proxy. Every piece of user text goes
 * through `escapeHtml` / `escapeXml`; URLs are printed only when they are http(s) (the API refuses
 * others, this checks again so a row written any other way cannot inject a `javascript:` link).
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** XML 1.0 forbids most control characters even escaped; they are dropped. */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeHtml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
}

/** The URL when it is http(s), else null (never printed). */
export function safeUrl(url: string | null): string | null {
  return url !== null && /^https?:\/\/[^\s]+$/i.test(url) ? url : null;
}

/** Plain text with its line breaks kept (no markdown: nothing in the tree sanitizes it; ADR 0036). */
const paragraphs = (text: string) => escapeHtml(text).replace(/\r?\n/g, '<br>');

const words = statusWord;

/** Formats instants in the page's zone (Intl does the zone rules; no hand-rolled offsets). */
export function formatter(zone: string): { at(ms: number): string; month(ms: number): string; monthKey(ms: number): string } {
  const at = new Intl.DateTimeFormat('en-US', { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
  const month = new Intl.DateTimeFormat('en-GB', { timeZone: zone, month: 'long', year: 'numeric' });
  const key = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' });
  return { at: (ms) => at.format(ms), month: (ms) => month.format(ms), monthKey: (ms) => key.format(ms).slice(0, 7) };
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f8fa}
main,header,footer{max-width:52rem;margin:0 auto;padding:0 1rem}header{padding-top:1.5rem;display:flex;gap:.75rem;align-items:center}
header img{max-height:2.5rem;max-width:10rem}h1{font-size:1.5rem;margin:0}h2{font-size:1.15rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:0}
a{color:var(--brand)}.banner{margin:1.25rem 0;padding:1rem 1.25rem;border-radius:.5rem;color:#fff;font-weight:600;font-size:1.15rem;background:#1a7f37}
.banner.minor{background:#9a6700}.banner.major{background:#bc4c00}.banner.critical{background:#cf222e}.banner.maintenance{background:#0969da}
.card{background:#fff;border:1px solid #d0d7de;border-radius:.5rem;padding:1rem;margin:.75rem 0}ul.components{list-style:none;padding:0;margin:0;background:#fff;border:1px solid #d0d7de;border-radius:.5rem}
ul.components>li{padding:.75rem 1rem;border-top:1px solid #d0d7de}ul.components>li:first-child{border-top:0}ul.members{list-style:none;padding:0 0 0 1rem;margin:.5rem 0 0}
ul.members>li{padding:.4rem 0}.row{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}.st{font-weight:600}
.st.operational{color:#1a7f37}.st.degraded_performance{color:#9a6700}.st.partial_outage{color:#bc4c00}.st.major_outage{color:#cf222e}.st.under_maintenance{color:#0969da}
.bars{display:flex;gap:1px;height:1.75rem;margin:.4rem 0 .1rem}.bars span{flex:1;background:#2da44e;border-radius:1px}.bars span.none{background:#d0d7de}
.bars span.low{background:#d4a72c}.bars span.mid{background:#fb8f44}.bars span.bad{background:#cf222e}.muted{color:#57606a;font-size:.875rem}
.update{margin:.6rem 0 0}.update p{margin:.15rem 0}footer{padding:2rem 1rem;color:#57606a;font-size:.875rem}footer ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
form.subscribe label{display:block;font-weight:600}form.subscribe input[type=email]{font:inherit;padding:.4rem .5rem;width:100%;max-width:22rem;margin:.25rem .5rem .5rem 0;border:1px solid #8c959f;border-radius:.35rem}
form.subscribe button{font:inherit;padding:.4rem 1rem;border-radius:.35rem;border:1px solid var(--brand);background:var(--brand);color:#fff;cursor:pointer}.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
@media (max-width:40rem){.bars span:nth-child(-n+60){display:none}}`;

/** The HTML around every public page. */
function layout(s: PageSnapshot, title: string, main: string, base: string): string {
  const logo = safeUrl(s.page.logoUrl);
  const brand = /^#[0-9a-fA-F]{6}$/.test(s.page.brandColor) ? s.page.brandColor : '#1f6feb';
  const links = s.page.footerLinks.map((l) => ({ label: l.label, url: safeUrl(l.url) })).filter((l) => l.url !== null);
  return `<!doctype html>
<html lang="en" data-zone="${escapeHtml(s.page.timeZone)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="alternate" type="application/rss+xml" title="${escapeHtml(s.page.name)} status (RSS)" href="${escapeHtml(base)}/history.rss">
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(s.page.name)} status (Atom)" href="${escapeHtml(base)}/history.atom">
<style>:root{--brand:${brand}}${STYLE}</style><script src="${escapeHtml(base)}/local-time.js" defer></script></head>
<body><header>${logo ? `<img src="${escapeHtml(logo)}" alt="">` : ''}<h1><a href="${escapeHtml(base)}/" style="color:inherit;text-decoration:none">${escapeHtml(s.page.name)}</a></h1></header>
<main>${main}</main>
<footer><ul>${links.map((l) => `<li><a href="${escapeHtml(l.url as string)}" rel="noopener nofollow">${escapeHtml(l.label)}</a></li>`).join('')}<li><a href="${escapeHtml(base)}/history">Incident history</a></li><li><a href="${escapeHtml(base)}/history.rss">RSS</a></li><li><a href="${escapeHtml(base)}/history.atom">Atom</a></li><li><a href="${escapeHtml(base)}/api/v2/summary.json">JSON API</a></li></ul>
<p>Times are in ${escapeHtml(s.page.timeZone)}. Powered by Firebreak.</p></footer></body></html>`;
}

const timeTag = (ms: number, f: ReturnType<typeof formatter>) => `<time datetime="${new Date(ms).toISOString()}">${escapeHtml(f.at(ms))}</time>`;

/**
 * The one script of a status page, served as a file (the CSP allows `'self'` scripts, nothing inline):
 * where JavaScript runs, each time shown in the page's zone gets the visitor's own local time beside it.
 * The page is complete without it. It writes text only (`textContent`), never markup.
 */
export const LOCAL_TIME_SCRIPT = `(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === document.documentElement.getAttribute('data-zone')) return;
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  document.querySelectorAll('time[datetime]').forEach(function (el) {
    var at = new Date(el.getAttribute('datetime'));
    if (isNaN(at.getTime())) return;
    var local = document.createElement('span');
    local.className = 'local-time';
    local.textContent = ' (' + format.format(at) + ' your time)';
    el.after(local);
  });
})();
`;

function incidentBlock(s: PageSnapshot, i: SnapshotIncident, f: ReturnType<typeof formatter>, base: string, heading: 'h3' | 'h2' = 'h3'): string {
  const updates = i.updates
    .map((u) => `<div class="update"><p><strong>${escapeHtml(words(u.status))}</strong> — ${paragraphs(u.body)}</p><p class="muted">${timeTag(u.displayAt, f)}</p></div>`)
    .join('');
  const names = i.componentIds.map((id) => s.components.find((c) => c.id === id)?.name).filter((n): n is string => n !== undefined);
  const when = i.kind === 'maintenance' && i.scheduledFor !== null && i.scheduledUntil !== null ? `<p class="muted">Scheduled for ${timeTag(i.scheduledFor, f)} – ${timeTag(i.scheduledUntil, f)}</p>` : '';
  const postmortem = safeUrl(i.postmortemUrl);
  return `<article class="card" id="incident-${escapeHtml(i.id)}" aria-labelledby="t-${escapeHtml(i.id)}"><${heading} id="t-${escapeHtml(i.id)}">${heading === 'h2' ? escapeHtml(i.name) : `<a href="${escapeHtml(`${base}/incidents/${i.id}`)}">${escapeHtml(i.name)}</a>`}</${heading}>
<p class="muted">${escapeHtml(words(i.status))}${i.kind === 'incident' && i.impact !== 'none' ? ` · ${escapeHtml(i.impact)} impact` : ''}${names.length ? ` · Affects ${escapeHtml(names.join(', '))}` : ''}</p>${when}${updates}${postmortem ? `<p><a href="${escapeHtml(postmortem)}" rel="noopener nofollow">Postmortem</a></p>` : ''}</article>`;
}

function barClass(d: UptimeDay): string {
  if (d.uptime === null) return 'none';
  if (d.uptime >= 0.9999) return '';
  if (d.uptime >= 0.99) return 'low';
  if (d.uptime >= 0.9) return 'mid';
  return 'bad';
}

const pct = (u: number | null) => (u === null ? 'no data' : `${(Math.floor(u * 10000) / 100).toFixed(2)} %`);

function componentRow(c: SnapshotComponent, history: Map<string, StatusChange[]>, s: PageSnapshot, now: number): string {
  const status = `<span class="st ${escapeHtml(c.status)}">${escapeHtml(words(c.status))}</span>`;
  const description = c.description ? `<div class="muted">${escapeHtml(c.description)}</div>` : '';
  let bars = '';
  if (c.showcase && !c.group) {
    const days = uptimeByDay(history.get(c.id) ?? [], { zone: s.page.timeZone, now, days: UPTIME_DAYS });
    const spans = days.map((d) => `<span class="${barClass(d)}" title="${escapeHtml(`${d.date}: ${pct(d.uptime)}`)}"></span>`).join('');
    bars = `<div class="bars" role="img" aria-label="${escapeHtml(`${c.name}: ${pct(uptimeOver(days))} uptime over the last ${UPTIME_DAYS} days`)}">${spans}</div><div class="row muted"><span>${UPTIME_DAYS} days ago</span><span>${escapeHtml(pct(uptimeOver(days)))} uptime</span><span>Today</span></div>`;
  }
  return `<div class="row"><span>${escapeHtml(c.name)}</span>${status}</div>${description}${bars}`;
}

const visibleComponent = (c: SnapshotComponent) => !c.onlyShowIfDegraded || (c.status !== 'operational');

/**
 * The sign-up form for subscribers (ADR 0039): works without script (a plain POST), one labelled email
 * field, and a field hidden from people (`website`) that only form-filling bots fill in.
 */
function subscribeForm(s: PageSnapshot, base: string): string {
  return `<section aria-labelledby="h-subscribe"><h2 id="h-subscribe">Get updates</h2><form class="subscribe card" method="post" action="${escapeHtml(base)}/subscribe">
<label for="subscribe-email">Email address</label><input id="subscribe-email" name="email" type="email" autocomplete="email" required maxlength="254"><button type="submit">Subscribe</button>
<div class="hp" aria-hidden="true"><label for="subscribe-website">Leave this field empty</label><input id="subscribe-website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<p class="muted">${escapeHtml(`We email you a link to confirm. Every update from ${s.page.name} has a link to choose components or unsubscribe.`)}</p></form></section>`;
}

/** The status page itself: overall status in words, what is going on, components with uptime bars. */
export function renderPage(s: PageSnapshot, history: Map<string, StatusChange[]>, now: number, base: string, options: { subscribe?: boolean } = {}): string {
  const f = formatter(s.page.timeZone);
  const status = statusJson(s, now);
  const open = s.incidents.filter((i) => i.kind === 'incident' && isUnresolved(i));
  const active = s.incidents.filter((i) => i.kind === 'maintenance' && (i.status === 'in_progress' || i.status === 'verifying'));
  const upcoming = s.incidents.filter((i) => i.kind === 'maintenance' && i.status === 'scheduled').sort((a, b) => (a.scheduledFor ?? 0) - (b.scheduledFor ?? 0));
  const recent = s.incidents.filter((i) => i.kind === 'incident' && !isUnresolved(i) && (i.resolvedAt ?? i.startedAt) >= now - 7 * 86_400_000);
  const top = s.components.filter((c) => c.groupId === null && visibleComponent(c));
  const items = top
    .map((c) => {
      if (!c.group) return `<li>${componentRow(c, history, s, now)}</li>`;
      const members = s.components.filter((m) => m.groupId === c.id && visibleComponent(m));
      return `<li><div class="row"><h3>${escapeHtml(c.name)}</h3><span class="st ${escapeHtml(c.status)}">${escapeHtml(words(c.status))}</span></div>${c.description ? `<div class="muted">${escapeHtml(c.description)}</div>` : ''}<ul class="members">${members.map((m) => `<li>${componentRow(m, history, s, now)}</li>`).join('')}</ul></li>`;
    })
    .join('');
  const main = [
    `<p class="banner ${escapeHtml(status.indicator)}" role="status">${escapeHtml(status.description)}</p>`,
    open.length ? `<section aria-labelledby="h-open"><h2 id="h-open">Current incidents</h2>${open.map((i) => incidentBlock(s, i, f, base)).join('')}</section>` : '',
    active.length ? `<section aria-labelledby="h-active"><h2 id="h-active">Maintenance in progress</h2>${active.map((i) => incidentBlock(s, i, f, base)).join('')}</section>` : '',
    `<section aria-labelledby="h-components"><h2 id="h-components">Components</h2>${top.length ? `<ul class="components">${items}</ul>` : '<p>No components yet.</p>'}</section>`,
    upcoming.length ? `<section aria-labelledby="h-upcoming"><h2 id="h-upcoming">Scheduled maintenance</h2>${upcoming.map((i) => incidentBlock(s, i, f, base)).join('')}</section>` : '',
    `<section aria-labelledby="h-recent"><h2 id="h-recent">Past incidents</h2>${recent.length ? recent.map((i) => incidentBlock(s, i, f, base)).join('') : '<p>No incidents in the last 7 days.</p>'}<p><a href="${escapeHtml(base)}/history">Incident history</a></p></section>`,
    options.subscribe ? subscribeForm(s, base) : '',
  ].join('\n');
  return layout(s, `${s.page.name} status`, main, base);
}

/** Incidents and maintenances by month, in the page's zone, newest first. */
export function renderHistory(s: PageSnapshot, base: string): string {
  const f = formatter(s.page.timeZone);
  const months = new Map<string, { label: string; items: SnapshotIncident[] }>();
  for (const i of s.incidents) {
    const key = f.monthKey(i.startedAt);
    const month = months.get(key) ?? { label: f.month(i.startedAt), items: [] };
    month.items.push(i);
    months.set(key, month);
  }
  const sections = [...months.entries()]
    .sort(([a], [b]) => (a < b ? 1 : -1))
    .map(([key, m]) => `<section aria-labelledby="m-${key}"><h2 id="m-${key}">${escapeHtml(m.label)}</h2>${m.items.map((i) => incidentBlock(s, i, f, base)).join('')}</section>`)
    .join('\n');
  return layout(s, `${s.page.name} status — incident history`, `<h2>Incident history</h2>${sections || '<p>No incidents reported.</p>'}`, base);
}

/** One incident's own page (its Statuspage `shortlink`). */
export function renderIncident(s: PageSnapshot, i: SnapshotIncident, base: string): string {
  return layout(s, `${i.name} — ${s.page.name} status`, incidentBlock(s, i, formatter(s.page.timeZone), base, 'h2'), base);
}

const FEED_ITEMS = 50;
const latestUpdate = (i: SnapshotIncident) => Math.max(i.updatedAt, ...i.updates.map((u) => u.displayAt));
const feedText = (i: SnapshotIncident, f: ReturnType<typeof formatter>) => i.updates.map((u) => `${f.at(u.displayAt)} — ${words(u.status)}: ${u.body}`).join('\n\n');

/** RSS 2.0: one item per incident or maintenance, its updates in the description. */
export function renderRss(s: PageSnapshot, base: string): string {
  const f = formatter(s.page.timeZone);
  const items = s.incidents.slice(0, FEED_ITEMS).map(
    (i) => `<item><title>${escapeXml(i.name)}</title><link>${escapeXml(`${base}/incidents/${i.id}`)}</link><guid isPermaLink="false">${escapeXml(`${s.page.id}:${i.id}`)}</guid><pubDate>${new Date(i.startedAt).toUTCString()}</pubDate><description>${escapeXml(feedText(i, f))}</description></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${escapeXml(`${s.page.name} status`)}</title><link>${escapeXml(`${base}/`)}</link><description>${escapeXml(`Incident history of ${s.page.name}`)}</description><lastBuildDate>${new Date(s.page.updatedAt).toUTCString()}</lastBuildDate>
${items.join('\n')}
</channel></rss>`;
}

/** Atom 1.0, the same entries. */
export function renderAtom(s: PageSnapshot, base: string): string {
  const f = formatter(s.page.timeZone);
  const entries = s.incidents.slice(0, FEED_ITEMS).map(
    (i) => `<entry><id>${escapeXml(`tag:firebreak,2026:status/${s.page.id}/${i.id}`)}</id><title>${escapeXml(i.name)}</title><link rel="alternate" type="text/html" href="${escapeXml(`${base}/incidents/${i.id}`)}"/><published>${new Date(i.startedAt).toISOString()}</published><updated>${new Date(latestUpdate(i)).toISOString()}</updated><content type="text">${escapeXml(feedText(i, f))}</content></entry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${escapeXml(`tag:firebreak,2026:status/${s.page.id}`)}</id><title>${escapeXml(`${s.page.name} status`)}</title><link rel="alternate" type="text/html" href="${escapeXml(`${base}/`)}"/><link rel="self" href="${escapeXml(`${base}/history.atom`)}"/><updated>${new Date(s.page.updatedAt).toISOString()}</updated><author><name>${escapeXml(s.page.name)}</name></author>
${entries.join('\n')}
</feed>`;
}

export type { ComponentStatus };

const BADGE_COLORS: Record<string, string> = { none: '#1a7f37', minor: '#9a6700', major: '#bc4c00', critical: '#cf222e', maintenance: '#0969da' };

/**
 * The embeddable badge: `<img src="…/badge.svg" alt="Acme status">`, a flat two-part SVG with the
 * page's name and the overall status in words, coloured by indicator. Text widths are estimated
 * (about 7 px per character at 11 px), which is what badge services do too.
 */
export function renderBadge(s: PageSnapshot, now: number): string {
  const status = statusJson(s, now);
  const left = s.page.name.length > 40 ? `${s.page.name.slice(0, 39)}…` : s.page.name;
  const right = status.description;
  const w = (text: string) => Math.round(text.length * 7 + 12);
  const lw = w(left);
  const rw = w(right);
  const color = BADGE_COLORS[status.indicator] ?? '#57606a';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + rw}" height="20" role="img" aria-label="${escapeXml(`${left}: ${right}`)}"><title>${escapeXml(`${left}: ${right}`)}</title><rect width="${lw}" height="20" rx="3" fill="#555"/><rect x="${lw}" width="${rw}" height="20" rx="3" fill="${color}"/><rect x="${lw - 4}" width="8" height="20" fill="${color}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="${lw / 2}" y="14">${escapeXml(left)}</text><text x="${lw + rw / 2}" y="14">${escapeXml(right)}</text></g></svg>`;
}
