import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PageSnapshot } from '../../../core/statuspages/snapshot.js';
import { escapeHtml, escapeXml, renderAtom, renderBadge, renderHistory, renderPage, renderRss, safeUrl } from './statuspage.render.js';

const t0 = Date.parse('2026-11-21T09:00:00Z');

function snapshotWith(text: string, url: string): PageSnapshot {
  return {
    page: { id: 'p1', slug: 'acme', name: text, url: 'https://status.acme.example', timeZone: 'Europe/Lisbon', brandColor: text, logoUrl: url, footerLinks: [{ label: text, url }], updatedAt: t0 },
    components: [{ id: 'c1', name: text, description: text, status: 'major_outage', position: 1, groupId: null, group: false, showcase: true, onlyShowIfDegraded: false, startDate: null, createdAt: t0, updatedAt: t0, components: [] }],
    incidents: [
      {
        id: 'i1', kind: 'incident', name: text, status: 'investigating', impact: 'major', createdAt: t0, updatedAt: t0, startedAt: t0, monitoringAt: null, resolvedAt: null,
        scheduledFor: null, scheduledUntil: null, postmortemUrl: url, componentIds: ['c1'],
        updates: [{ id: 'u1', status: 'investigating', body: text, createdAt: t0, updatedAt: t0, displayAt: t0, affectedComponents: [] }],
      },
    ],
  };
}

/** The markup a page may hold: ours. Everything from user text must have been escaped away. */
const ownScript = '<script src="/status/acme/local-time.js" defer></script>';

describe('escaping on public pages', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('drops characters XML forbids', () => {
    expect(escapeXml('a\u0000b\u0008c\u000bd\ttab\nline')).toBe('abcd\ttab\nline');
  });

  it('prints only http(s) URLs', () => {
    expect(safeUrl('https://acme.example/logo.png')).toBe('https://acme.example/logo.png');
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,<b>', '//evil.example', ' https://x', null]) expect(safeUrl(bad)).toBeNull();
  });

  it('never lets user text open a tag, an attribute or a javascript: link in any document (property)', () => {
    const hostile = fc.oneof(
      fc.string(),
      fc.constantFrom('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", 'javascript:alert(1)', ']]><!--', '</textarea></title></style>'),
    );
    fc.assert(
      fc.property(hostile, fc.constantFrom('javascript:alert(1)', 'https://ok.example/"><script>x</script>', 'data:text/html,x'), (text, url) => {
        const s = snapshotWith(text, url);
        for (const html of [renderPage(s, new Map(), t0, '/status/acme'), renderHistory(s, '/status/acme')]) {
          const stripped = html.replace(ownScript, '');
          expect(stripped).not.toMatch(/<(script|svg|iframe|textarea)\b/i);
          // The one image is the logo, and only from an http(s) address.
          expect([...stripped.matchAll(/<img\b[^>]*>/gi)].map((m) => m[0]).every((tag) => tag.startsWith('<img src="https://'))).toBe(true);
          expect(stripped).not.toMatch(/href="javascript:|src="javascript:|src="data:/i);
          // Every tag left is one the renderer writes.
          for (const tag of stripped.matchAll(/<([a-z0-9]+)[\s>]/gi)) expect(['html', 'head', 'meta', 'title', 'link', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'a', 'main', 'p', 'section', 'article', 'div', 'strong', 'br', 'time', 'ul', 'li', 'span', 'footer', 'img']).toContain(tag[1]?.toLowerCase());
        }
        for (const xml of [renderRss(s, 'https://status.acme.example'), renderAtom(s, 'https://status.acme.example'), renderBadge(s, t0)]) {
          expect(xml).not.toMatch(/<(script|img|svg:script|iframe)\b/i);
          expect(xml.split('<svg').length).toBeLessThanOrEqual(2);
        }
      }),
      { numRuns: 200 },
    );
  });
});
