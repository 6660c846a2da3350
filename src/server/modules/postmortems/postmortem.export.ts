import type { Postmortem } from '../../../contracts/postmortems.js';
import { postmortemToMarkdown, renderMarkdown, type MarkdownActionItem } from '../../../core/postmortems/markdown.js';

/**
 * The two exports of a postmortem: one Markdown file (`GET …/export.md`) and a print-ready HTML page
 * (`GET …/print`), both with every section (internal ones included: these are for the organization;
 * the public version is the review part's). Section bodies are rendered by core `renderMarkdown` only
 * (markdown-it without raw HTML, dangerous links dropped); every other text is escaped here; the page
 * is served with a CSP that allows no script at all, so a sanitizer slip still runs nothing.
 */

export type ExportActionItem = MarkdownActionItem & { owner: string | null; priority: string; dueDate: string | null; trackerUrl: string | null };

/** No script, no plugins, no forms; images from Firebreak itself (attachments) or https. */
export const PRINT_CSP = "default-src 'none'; img-src 'self' https:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** `2027-03-01 14:02 UTC` */
const when = (instant: string | null): string => (instant === null ? '—' : `${instant.slice(0, 10)} ${instant.slice(11, 16)} UTC`);

const duration = (minutes: number | null): string => {
  if (minutes === null) return '—';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
};

/** The header lines both exports show, in reading order. */
function headerOf(pm: Postmortem): Array<{ label: string; value: string }> {
  const names = (people: ReadonlyArray<{ name: string; handle: string }>) => (people.length ? people.map((p) => `${p.name} (@${p.handle})`).join(', ') : '—');
  return [
    { label: 'Status', value: pm.status.replace('_', ' ') },
    ...(pm.incident ? [{ label: 'Incident', value: `${pm.incident.reference}: ${pm.incident.title}` }] : []),
    { label: 'Severity', value: pm.severity ?? '—' },
    { label: 'Started', value: when(pm.occurredAt) },
    { label: 'Impact ended', value: when(pm.endedAt) },
    { label: 'Duration', value: duration(pm.durationMinutes) },
    { label: 'Services', value: pm.services.length ? pm.services.map((s) => s.name).join(', ') : '—' },
    { label: 'Owner', value: pm.owner ? `${pm.owner.name} (@${pm.owner.handle})` : '—' },
    { label: 'Authors', value: names(pm.authors) },
    { label: 'People involved', value: names(pm.people) },
    { label: 'Reviewers', value: pm.reviewers.length ? pm.reviewers.map((r) => `${r.name}${r.decision ? ` (${r.decision.replace('_', ' ')})` : ''}`).join(', ') : '—' },
    ...(pm.tags.length ? [{ label: 'Tags', value: pm.tags.join(', ') }] : []),
    { label: 'Created', value: when(pm.createdAt) },
    { label: 'Last changed', value: `${when(pm.updatedAt)} by ${pm.updatedBy}` },
  ];
}

/** `GET /api/v1/postmortems/{postmortem}/export.md`: the whole document as Markdown. */
export function postmortemMarkdown(pm: Postmortem, actionItems: readonly ExportActionItem[]): string {
  return postmortemToMarkdown({
    reference: pm.reference,
    title: pm.title,
    header: headerOf(pm),
    sections: pm.sections.map((s) => ({ key: s.key, title: s.title, body: s.body })),
    actionItems,
    noActionItemsReason: pm.noActionItemsReason,
  });
}

const PRINT_CSS = `
  @page { size: A4; margin: 18mm 16mm; }
  body { font: 11pt/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 20pt; margin: 0 0 .5rem; } h2 { font-size: 14pt; margin: 1.6rem 0 .4rem; border-bottom: 1px solid #ccc; break-after: avoid; }
  dl.header { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1rem; font-size: 10pt; } dl.header dt { font-weight: 600; } dl.header dd { margin: 0; }
  .internal { font-size: 8pt; font-weight: normal; color: #555; border: 1px solid #999; border-radius: 3px; padding: 0 .3rem; vertical-align: middle; }
  .empty { color: #777; font-style: italic; }
  table { border-collapse: collapse; width: 100%; font-size: 10pt; } th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: top; }
  pre, code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 9.5pt; } pre { white-space: pre-wrap; background: #f5f5f5; padding: .5rem; }
  img { max-width: 100%; break-inside: avoid; } section { break-inside: auto; } tr { break-inside: avoid; }
  a { color: inherit; } footer { margin-top: 2rem; font-size: 9pt; color: #555; }
  @media print { body { margin: 0; max-width: none; } a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 8pt; color: #555; } }
`;

/** `GET /api/v1/postmortems/{postmortem}/print`: a self-contained page to print or save as PDF; no script. */
export function postmortemPrintHtml(pm: Postmortem, actionItems: readonly ExportActionItem[], generatedAt: string): string {
  const header = headerOf(pm).map((h) => `<dt>${escapeHtml(h.label)}</dt><dd>${escapeHtml(h.value)}</dd>`).join('');
  const items = actionItems.length
    ? `<table><thead><tr><th>Item</th><th>Title</th><th>Owner</th><th>Priority</th><th>Due</th><th>Status</th><th>Tracker</th></tr></thead><tbody>${actionItems
        .map((i) => {
          const tracker = i.trackerUrl && /^https?:\/\//i.test(i.trackerUrl) ? `<a href="${escapeHtml(i.trackerUrl)}" rel="noopener noreferrer nofollow">${escapeHtml(i.trackerUrl)}</a>` : '';
          return `<tr><td>${escapeHtml(i.reference)}</td><td>${escapeHtml(i.title)}</td><td>${escapeHtml(i.owner ?? '—')}</td><td>${escapeHtml(i.priority)}</td><td>${escapeHtml(i.dueDate ?? '—')}</td><td>${escapeHtml(i.status.replace('_', ' '))}</td><td>${tracker}</td></tr>`;
        })
        .join('')}</tbody></table>`
    : `<p class="empty">No action items${pm.noActionItemsReason ? `: ${escapeHtml(pm.noActionItemsReason)}` : '.'}</p>`;
  // The tracked items go into the template's action-items section when it has one (as in the
  // Markdown export), else after the last section.
  const itemsHere = pm.sections.some((s) => s.key === 'action-items');
  const sections = pm.sections
    .map((s) => {
      const written = s.body.trim() === '' ? (s.key === 'action-items' ? '' : '<p class="empty">Not written yet.</p>') : renderMarkdown(s.body);
      const body = s.key === 'action-items' ? `${written}${items}` : written;
      return `<section id="section-${escapeHtml(s.key)}"><h2>${escapeHtml(s.title)}${s.internal ? ' <span class="internal">internal</span>' : ''}</h2>${body}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(`${pm.reference}: ${pm.title}`)}</title>
<style>${PRINT_CSS}</style>
</head>
<body>
<article>
<header><h1>${escapeHtml(`${pm.reference}: ${pm.title}`)}</h1><dl class="header">${header}</dl></header>
${sections}
${itemsHere ? '' : `<section id="section-action-items"><h2>Action items</h2>${items}</section>`}
</article>
<footer>Exported from Firebreak ${escapeHtml(when(generatedAt))} · version ${pm.version}</footer>
</body>
</html>
`;
}
