/**
 * Markdown for postmortems (issue 8): safe rendering for the editor's live preview, the print page
 * and the public version, and the Markdown export.
 *
 * Safety comes from markdown-it's own switches, not from scrubbing HTML afterwards:
 * - `html: false`: raw HTML in the text (`<script>`, `<img onerror=…>`, `<iframe>`) is shown as text,
 *   never parsed as tags. No tag or attribute reaches the output that markdown-it did not make.
 * - Links (written and linkified) must be `http:`, `https:`, `mailto:` or relative; any other scheme
 *   (javascript:, vbscript:, data:, file:, …) is refused and the text stays plain. markdown-it decodes
 *   entities and percent-encodes control characters before the check, so `java&#x09;script:` is caught
 *   as the relative link `java%09script:` it becomes, which a browser does not run.
 * - Every link gets `rel="noopener noreferrer nofollow"`.
 * - Images only from Firebreak's own attachments (`/api/v1/postmortems/…`) or `https:`; anything else
 *   (data:, http:, protocol-relative, other relative paths) renders as its alt text, so no image can
 *   carry script (SVG is no attachment type either) or leak a reader's address over plain HTTP.
 *
 * No `node:` imports: the web UI bundles this file for the live preview.
 */
import MarkdownIt from 'markdown-it';

/** Relative URLs of attachments: the only relative images allowed. */
export const ATTACHMENT_URL_PREFIX = '/api/v1/postmortems/';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const SAFE_LINK_SCHEMES = new Set(['http', 'https', 'mailto']);

/** Whether a link target may be rendered as a link. */
export function isSafeLink(url: string): boolean {
  // Browsers drop ASCII tabs and newlines inside URLs and ignore leading control characters and
  // spaces; look at the URL as they will.
  let seen = url.replace(/[\t\n\r]/g, '');
  let lead = 0;
  while (lead < seen.length && seen.charCodeAt(lead) <= 0x20) lead++;
  seen = seen.slice(lead);
  const scheme = SCHEME.exec(seen);
  if (scheme === null) return true; // relative: this page's origin (or protocol-relative: same scheme)
  return SAFE_LINK_SCHEMES.has((scheme[1] as string).toLowerCase());
}

/** Whether an image source may be loaded: an attachment, or https. */
export function isSafeImage(src: string): boolean {
  const s = src.trim();
  if (/^https:\/\/[^\s/]/i.test(s)) return true;
  return s.startsWith(ATTACHMENT_URL_PREFIX) && !s.includes('\\') && !s.split(/[?#]/)[0]!.split('/').includes('..');
}

function createRenderer(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
  md.validateLink = isSafeLink;

  const renderToken: NonNullable<MarkdownIt['renderer']['rules']['link_open']> = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);
  const linkOpen = md.renderer.rules.link_open ?? renderToken;
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    token.attrSet('rel', 'noopener noreferrer nofollow');
    return linkOpen(tokens, idx, options, env, self);
  };

  const image = md.renderer.rules.image;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const src = token.attrGet('src') ?? '';
    if (!isSafeImage(src)) {
      const alt = self.renderInlineAsText(token.children ?? [], options, env);
      return md.utils.escapeHtml(alt === '' ? '[image]' : `[image: ${alt}]`);
    }
    token.attrSet('loading', 'lazy');
    token.attrSet('referrerpolicy', 'no-referrer');
    return image === undefined ? self.renderToken(tokens, idx, options) : image(tokens, idx, options, env, self);
  };
  return md;
}

const renderer = createRenderer();

/**
 * Renders postmortem markdown to HTML that is safe to insert into a page (see the file header).
 *
 * @example
 *   renderMarkdown('See [the graph](/api/v1/postmortems/PM-3/attachments/01J…) <script>x</script>')
 *   // → '<p>See <a href="/api/v1/postmortems/…" rel="noopener noreferrer nofollow">the graph</a> &lt;script&gt;x&lt;/script&gt;</p>\n'
 */
export function renderMarkdown(md: string): string {
  return renderer.render(md);
}

/** An action item as the export lists it. */
export interface MarkdownActionItem {
  reference: string;
  title: string;
  status: string;
  owner?: string | null;
  priority?: string | null;
  dueDate?: string | null;
  trackerUrl?: string | null;
}

/** What the Markdown export is made of. */
export interface MarkdownDocument {
  reference: string;
  title: string;
  /** Header lines: `{label, value}` pairs (written `- **label:** value`) or ready-made lines. */
  header: ReadonlyArray<string | { label: string; value: string }>;
  sections: ReadonlyArray<{ key: string; title: string; body: string }>;
  actionItems: readonly MarkdownActionItem[];
  /** Why there are no action items, written in the action items section when there are none. */
  noActionItemsReason?: string | null;
}

const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
const cell = (text: string | null | undefined) => (text === null || text === undefined || text.trim() === '' ? '—' : oneLine(text).replace(/\|/g, '\\|'));

/** The action items as a Markdown table (or the reason there are none). */
export function actionItemsMarkdown(items: readonly MarkdownActionItem[], noActionItemsReason?: string | null): string {
  if (items.length === 0) {
    const reason = noActionItemsReason?.trim() ?? '';
    return reason === '' ? '_No action items._' : `_No action items:_ ${reason}`;
  }
  const rows = items.map((i) => {
    const tracker = i.trackerUrl !== null && i.trackerUrl !== undefined && /^https?:\/\//i.test(i.trackerUrl) ? `[issue](${i.trackerUrl.replace(/[()\s|]/g, encodeURIComponent)})` : '—';
    return `| ${cell(i.reference)} | ${cell(i.title)} | ${cell(i.owner)} | ${cell(i.priority)} | ${cell(i.dueDate)} | ${cell(i.status)} | ${tracker} |`;
  });
  return ['| Item | Title | Owner | Priority | Due | Status | Tracker |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * The postmortem as one Markdown document: a title line, the header as a list, then each section as
 * a `##` heading with its body as written. The action items table follows the `action-items`
 * section's text, or closes the document when the template has no such section.
 */
export function postmortemToMarkdown(doc: MarkdownDocument): string {
  const out: string[] = [`# ${oneLine(doc.reference)}: ${oneLine(doc.title)}`];
  const header = doc.header.map((h) => (typeof h === 'string' ? `- ${oneLine(h)}` : `- **${oneLine(h.label)}:** ${oneLine(h.value)}`));
  if (header.length > 0) out.push(header.join('\n'));
  let itemsWritten = false;
  for (const s of doc.sections) {
    const parts = [`## ${oneLine(s.title)}`];
    if (s.body.trim() !== '') parts.push(s.body.trim());
    if (s.key === 'action-items' && !itemsWritten) {
      parts.push(actionItemsMarkdown(doc.actionItems, doc.noActionItemsReason));
      itemsWritten = true;
    }
    out.push(parts.join('\n\n'));
  }
  if (!itemsWritten) out.push(`## Action items\n\n${actionItemsMarkdown(doc.actionItems, doc.noActionItemsReason)}`);
  return `${out.join('\n\n')}\n`;
}
