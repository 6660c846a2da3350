import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionItemsMarkdown, isSafeImage, isSafeLink, postmortemToMarkdown, renderMarkdown } from './markdown.js';

/** Every tag markdown-it may produce here; anything else in the output is a leak. */
const ALLOWED_TAGS = new Set(['p', 'a', 'img', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'br', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 's']);
const ALLOWED_ATTRIBUTES = new Set(['href', 'rel', 'src', 'alt', 'title', 'loading', 'referrerpolicy', 'class', 'start', 'style']);

/** Tags and attributes in rendered HTML (a small scanner: markdown-it's output is regular). */
function tagsOf(html: string): Array<{ name: string; attributes: Array<[string, string]> }> {
  const tags: Array<{ name: string; attributes: Array<[string, string]> }> = [];
  for (const m of html.matchAll(/<\/?([a-zA-Z0-9]+)([^>]*)>/g)) {
    const attributes: Array<[string, string]> = [];
    for (const a of (m[2] as string).matchAll(/([^\s=/]+)(?:="([^"]*)")?/g)) attributes.push([(a[1] as string).toLowerCase(), a[2] ?? '']);
    tags.push({ name: (m[1] as string).toLowerCase(), attributes });
  }
  return tags;
}

function expectSafe(html: string) {
  for (const tag of tagsOf(html)) {
    expect(ALLOWED_TAGS.has(tag.name), `tag <${tag.name}> in ${html}`).toBe(true);
    for (const [name, value] of tag.attributes) {
      expect(ALLOWED_ATTRIBUTES.has(name), `attribute ${name} in ${html}`).toBe(true);
      if (name === 'style') expect(value).toMatch(/^text-align:(left|right|center)$/);
      if (name === 'href') expect(isSafeLink(value.replace(/&amp;/g, '&')), `href ${value}`).toBe(true);
      if (name === 'src') expect(isSafeImage(value.replace(/&amp;/g, '&')), `src ${value}`).toBe(true);
    }
  }
}

describe('renderMarkdown: ordinary markdown', () => {
  it('renders headings, emphasis, lists, code and tables', () => {
    const html = renderMarkdown('## Impact\n\n**20%** of *card* payments\n\n- one\n- two\n\n`code`\n\n| a | b |\n| - | - |\n| 1 | 2 |');
    expect(html).toContain('<h2>Impact</h2>');
    expect(html).toContain('<strong>20%</strong> of <em>card</em>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<td>1</td>');
  });

  it('gives links rel="noopener noreferrer nofollow", written and linkified', () => {
    expect(renderMarkdown('[runbook](https://wiki.example.com/rb)')).toBe('<p><a href="https://wiki.example.com/rb" rel="noopener noreferrer nofollow">runbook</a></p>\n');
    expect(renderMarkdown('see https://status.example.com now')).toBe('<p>see <a href="https://status.example.com" rel="noopener noreferrer nofollow">https://status.example.com</a> now</p>\n');
  });

  it('keeps relative and mailto links', () => {
    expect(renderMarkdown('[INC-42](/incidents/INC-42) [mail](mailto:sre@example.com)')).toContain('<a href="/incidents/INC-42" rel="noopener noreferrer nofollow">INC-42</a>');
    expect(renderMarkdown('[mail](mailto:sre@example.com)')).toContain('href="mailto:sre@example.com"');
  });

  it('shows attachments and https images, lazily and without a referrer', () => {
    expect(renderMarkdown('![graph](/api/v1/postmortems/PM-3/attachments/01J9)')).toBe(
      '<p><img src="/api/v1/postmortems/PM-3/attachments/01J9" alt="graph" loading="lazy" referrerpolicy="no-referrer"></p>\n',
    );
    expect(renderMarkdown('![g](https://grafana.example.com/render/x.png)')).toContain('<img src="https://grafana.example.com/render/x.png"');
  });
});

describe('renderMarkdown: XSS is neutralised', () => {
  const attacks: ReadonlyArray<[name: string, markdown: string]> = [
    ['script tag', '<script>alert(1)</script>'],
    ['script tag inline', 'hello <script src="https://evil.example/x.js"></script> world'],
    ['img onerror', '<img src=x onerror=alert(1)>'],
    ['svg onload', '<svg onload=alert(1)>'],
    ['iframe', '<iframe src="javascript:alert(1)"></iframe>'],
    ['raw html block', '<div style="position:fixed">\n\n*x*\n\n</div>'],
    ['html comment', '<!-- <script>alert(1)</script> -->'],
    ['javascript link', '[click](javascript:alert(1))'],
    ['javascript link, upper case', '[click](JAVASCRIPT:alert(1))'],
    ['javascript link, entity encoded', '[click](javascript&colon;alert(1))'],
    ['javascript link, tab inside', '[click](java\tscript:alert(1))'],
    ['javascript link, entity tab', '[click](java&#x09;script:alert(1))'],
    ['javascript link, leading space', '[click]( javascript:alert(1))'],
    ['javascript autolink', '<javascript:alert(1)>'],
    ['vbscript link', '[click](vbscript:msgbox(1))'],
    ['data link', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['data image', '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
    ['data png image', '![x](data:image/png;base64,iVBORw0KGgo=)'],
    ['javascript image', '![x](javascript:alert(1))'],
    ['file link', '[x](file:///etc/passwd)'],
    ['reference-style javascript link', '[click][1]\n\n[1]: javascript:alert(1)'],
    ['attribute breakout in title', '[x](https://example.com "a\\" onmouseover=\\"alert(1)")'],
    ['attribute breakout in alt', '![a" onerror="alert(1)](/api/v1/postmortems/x.png)'],
    ['attribute breakout in url', '[x](https://example.com/"onmouseover="alert(1))'],
    ['onerror in link text', '[<img src=x onerror=alert(1)>](https://example.com)'],
  ];

  it.each(attacks)('%s', (_name, markdown) => {
    const html = renderMarkdown(markdown);
    expectSafe(html);
    expect(html).not.toMatch(/<(script|iframe|svg|div)/i);
    expect(tagsOf(html).flatMap((t) => t.attributes.map(([name]) => name)).filter((n) => n.startsWith('on'))).toEqual([]);
    expect(html).not.toMatch(/(href|src)="\s*(javascript|vbscript|data|file):/i);
  });

  it('keeps quotes inside attribute values escaped, so nothing breaks out of them', () => {
    expect(renderMarkdown('![a" onerror="alert(1)](/api/v1/postmortems/x.png)')).toContain('alt="a&quot; onerror=&quot;alert(1)"');
  });

  it('shows raw HTML as text, so the reader sees what was written', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
  });

  it('renders a refused link as plain text and a refused image as its alt text', () => {
    expect(renderMarkdown('[click](javascript:alert(1))')).toBe('<p>[click](javascript:alert(1))</p>\n');
    expect(renderMarkdown('![graph](http://grafana.example.com/g.png)')).toBe('<p>[image: graph]</p>\n');
    expect(renderMarkdown('![](/etc/passwd)')).toBe('<p>[image]</p>\n');
  });

  it('refuses images outside attachments: other relative paths, path traversal, protocol-relative, plain http', () => {
    for (const src of ['/api/v1/users/me', '/api/v1/postmortems/../admin', '//evil.example/x.png', 'http://example.com/x.png', 'x.png', '/api/v1/postmortems\\..\\x']) {
      expect(isSafeImage(src), src).toBe(false);
    }
  });

  it('never lets a tag or attribute through, whatever the input', () => {
    const piece = fc.constantFrom('<script>', '</script>', '<img src=x onerror=alert(1)>', '[a](', 'javascript:', ')', '![b](', '"', "'", '&#x09;', '&colon;', ' ', '\n', '*', '`', '<', '>', 'https://x.example/', '/api/v1/postmortems/a.png', 'data:text/html,', 'onload=', '|');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const html = renderMarkdown(pieces.join(''));
        expectSafe(html);
      }),
      { numRuns: 500 },
    );
  });
});

describe('postmortemToMarkdown', () => {
  const doc = {
    reference: 'PM-12',
    title: 'Checkout errors on 3 March',
    header: [{ label: 'Incident', value: 'INC-42' }, { label: 'Severity', value: 'SEV2' }, 'Duration: 38 minutes'],
    sections: [
      { key: 'summary', title: 'Summary', body: 'Card payments failed.\n' },
      { key: 'action-items', title: 'Action items', body: 'Agreed in the review.' },
      { key: 'appendix', title: 'Appendix', body: '' },
    ],
    actionItems: [
      { reference: 'AI-7', title: 'Alert on 5xx | rate', status: 'open', owner: 'Ana Lima', priority: 'high', dueDate: '2027-03-31', trackerUrl: 'https://tracker.example.com/T-1' },
      { reference: 'AI-8', title: 'Canary deploys', status: 'in_progress', owner: null, priority: 'medium', dueDate: null, trackerUrl: null },
    ],
  };

  it('writes the title, the header, each section, and the action items table after the action items text', () => {
    expect(postmortemToMarkdown(doc)).toBe(
      [
        '# PM-12: Checkout errors on 3 March',
        '',
        '- **Incident:** INC-42',
        '- **Severity:** SEV2',
        '- Duration: 38 minutes',
        '',
        '## Summary',
        '',
        'Card payments failed.',
        '',
        '## Action items',
        '',
        'Agreed in the review.',
        '',
        '| Item | Title | Owner | Priority | Due | Status | Tracker |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        '| AI-7 | Alert on 5xx \\| rate | Ana Lima | high | 2027-03-31 | open | [issue](https://tracker.example.com/T-1) |',
        '| AI-8 | Canary deploys | — | medium | — | in_progress | — |',
        '',
        '## Appendix',
        '',
      ].join('\n'),
    );
  });

  it('adds an action items section when the template has none, with the reason when there are no items', () => {
    const md = postmortemToMarkdown({ ...doc, sections: [doc.sections[0]!], actionItems: [], noActionItemsReason: 'The vendor fixed it; nothing we own changed.' });
    expect(md.endsWith('## Action items\n\n_No action items:_ The vendor fixed it; nothing we own changed.\n')).toBe(true);
  });

  it('renders back to safe HTML with the table intact', () => {
    const html = renderMarkdown(postmortemToMarkdown(doc));
    expectSafe(html);
    expect(html).toContain('<td>Alert on 5xx | rate</td>');
  });

  it('writes no link for a tracker URL that is not http(s)', () => {
    expect(actionItemsMarkdown([{ reference: 'AI-1', title: 't', status: 'open', trackerUrl: 'javascript:alert(1)' }])).not.toContain('javascript');
  });
});
