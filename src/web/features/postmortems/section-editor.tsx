import { useDeferredValue, useMemo, useRef, useState, type ClipboardEvent, type DragEvent } from 'react';
import type { BlamelessFinding } from '../../../contracts/postmortems.js';
import { attachmentContentTypes, MAX_ATTACHMENT_BYTES } from '../../../contracts/postmortems.js';
import { renderMarkdown } from '../../../core/postmortems/markdown.js';
import { useSession } from '../../app/session.js';
import { errorMessage } from '../../ui/field.js';
import type { EditableSection } from './conflict-merge.js';
import { uploadAttachment } from './postmortems.api.js';

/**
 * The sanitized HTML of a section, rendered by the same core function the server uses for export and
 * the public version (markdown-it without raw HTML; dangerous links dropped), so what the author
 * previews is what readers get.
 */
export function MarkdownView({ markdown, label }: { markdown: string; label: string }) {
  const html = useMemo(() => renderMarkdown(markdown), [markdown]);
  if (!markdown.trim()) return <p className="muted pm-preview-empty">Nothing written yet.</p>;
  // renderMarkdown escapes raw HTML and drops unsafe links: this is the one place the UI renders HTML.
  return <div className="pm-markdown" aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** The blameless assistant's findings for one text: advice shown beside it, never a block. */
export function Findings({ findings, label }: { findings: readonly BlamelessFinding[]; label: string }) {
  if (findings.length === 0) return null;
  return (
    <aside className="pm-findings" aria-label={label}>
      <p className="pm-findings-title">
        Blameless review: {findings.length} suggestion{findings.length === 1 ? '' : 's'}
      </p>
      <ul>
        {findings.map((f) => (
          <li key={`${f.section}-${f.start}-${f.rule}`} data-rule={f.rule}>
            <mark>{f.text}</mark> — {f.message} <span className="pm-suggestion">Try: {f.suggestion}</span>
          </li>
        ))}
      </ul>
    </aside>
  );
}

const imageTypes: readonly string[] = attachmentContentTypes;

/**
 * One section of the document: a markdown textarea with a live preview beside it, the blameless
 * findings on its text, and image attachments (file input, drop or paste) inserted as
 * `![name](url)` where the cursor is.
 */
export function SectionEditor({
  postmortem,
  section,
  guidance,
  findings,
  canWrite,
  onChange,
}: {
  postmortem: string;
  section: EditableSection;
  guidance: string | undefined;
  findings: readonly BlamelessFinding[];
  canWrite: boolean;
  onChange: (section: EditableSection) => void;
}) {
  const session = useSession();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>(null);
  // The preview follows typing without holding it up on long documents.
  const preview = useDeferredValue(section.body);
  const id = `section-${section.key}`;

  async function attach(files: readonly File[]) {
    const images = files.filter((f) => f.size > 0);
    if (images.length === 0) return;
    setUploadError(null);
    for (const file of images) {
      if (!imageTypes.includes(file.type)) {
        setUploadError(new Error(`${file.name}: only PNG, JPEG, GIF and WebP images can be attached`));
        continue;
      }
      if (file.size > MAX_ATTACHMENT_BYTES) {
        setUploadError(new Error(`${file.name} is larger than 5 MB`));
        continue;
      }
      setUploading(true);
      try {
        const attachment = await uploadAttachment(postmortem, file, session.csrfToken);
        const textarea = textRef.current;
        const body = textarea?.value ?? section.body;
        const at = textarea ? textarea.selectionEnd : body.length;
        const image = `![${attachment.name.replace(/[[\]]/g, '')}](${attachment.url})`;
        const before = body.slice(0, at);
        const spacer = before && !before.endsWith('\n') ? '\n' : '';
        onChange({ ...section, body: `${before}${spacer}${image}\n${body.slice(at)}` });
      } catch (error) {
        setUploadError(error);
      } finally {
        setUploading(false);
      }
    }
  }

  const onDrop = (event: DragEvent<HTMLTextAreaElement>) => {
    if (!canWrite || event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    void attach([...event.dataTransfer.files]);
  };
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (!canWrite || files.length === 0) return;
    event.preventDefault();
    void attach(files);
  };

  return (
    <section className="pm-section card" aria-labelledby={`${id}-title`} data-section={section.key}>
      <div className="pm-section-head">
        <h2 id={`${id}-title`}>{section.title}</h2>
        {section.internal && <span className="badge">Internal</span>}
        {canWrite && (
          <label className="checkbox small">
            <input type="checkbox" checked={section.internal} onChange={(event) => onChange({ ...section, internal: event.target.checked })} /> Leave out of the public version
          </label>
        )}
      </div>
      <div className="pm-section-body">
        <div className="pm-write">
          <label htmlFor={id} className="visually-hidden">
            {section.title}
          </label>
          <textarea
            ref={textRef}
            id={id}
            className="pm-textarea"
            value={section.body}
            placeholder={guidance}
            readOnly={!canWrite}
            rows={Math.min(24, Math.max(6, section.body.split('\n').length + 2))}
            onChange={(event) => onChange({ ...section, body: event.target.value })}
            onDrop={onDrop}
            onPaste={onPaste}
          />
          {canWrite && (
            <p className="pm-attach small">
              <label className="button button-small">
                {uploading ? 'Uploading…' : 'Attach image'}
                <input
                  type="file"
                  className="visually-hidden"
                  accept={attachmentContentTypes.join(',')}
                  aria-label={`Attach an image to ${section.title}`}
                  disabled={uploading}
                  onChange={(event) => {
                    const files = [...(event.target.files ?? [])];
                    event.target.value = '';
                    void attach(files);
                  }}
                />
              </label>{' '}
              <span className="muted">or drop or paste an image (PNG, JPEG, GIF, WebP; up to 5 MB). Markdown: **bold**, - lists, [links](https://…).</span>
            </p>
          )}
          {uploadError ? (
            <p className="field-error" role="alert">
              {errorMessage(uploadError)}
            </p>
          ) : null}
          <Findings findings={findings} label={`Blameless review of ${section.title}`} />
        </div>
        <div className="pm-preview" aria-live="off">
          <p className="pm-preview-label small muted">Preview</p>
          <MarkdownView markdown={preview} label={`Preview of ${section.title}`} />
        </div>
      </div>
    </section>
  );
}
