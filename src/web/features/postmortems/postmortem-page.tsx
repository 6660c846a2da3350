import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ConfirmButton } from '../../ui/confirm-button.js';
import type { BlamelessFinding } from '../../../contracts/postmortems.js';
import { reviewBlameless } from '../../../core/postmortems/blameless.js';
import { api, fieldErrors } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { ActionItemsSection } from './action-items-section.js';
import { severitiesQuery } from '../incidents/incidents.api.js';
import { fromLocalInput, toLocalInput } from '../oncall/zoned-time.js';
import { changedFields, editableOf, headerFields, listOf, threeWayMerge, type EditableDoc, type EditableHeader, type HeaderField } from './conflict-merge.js';
import { ConflictView, type ConflictState } from './conflict-view.js';
import { PostmortemStatusBadge } from './postmortem-badges.js';
import { canDelete, canWrite as canWriteOf, exportLinks, postmortemQuery, postmortemsApi, PostmortemConflictError, usePostmortemChange, revisionsQuery, templatesQuery, type Postmortem, type UpdatePostmortemInput } from './postmortems.api.js';
import { ReviewPanel } from './review-panel.js';
import { Findings, SectionEditor } from './section-editor.js';
import './postmortems.css';

/** `/postmortems/PM-12`: one postmortem, its editor, review and action items. */
export function PostmortemPage({ postmortem: ref }: { postmortem: string }) {
  const pm = useQuery(postmortemQuery(ref));
  if (pm.isPending) return <Loading />;
  if (pm.isError) return <QueryError error={pm.error} retry={() => void pm.refetch()} />;
  return <Editor key={pm.data.id} pm={pm.data} queryRef={ref} />;
}

const sameDoc = (a: EditableDoc, b: EditableDoc) => changedFields(a, b).length === 0;

/** The names the assistant flags: everyone named on the postmortem. */
function namesOf(pm: Postmortem): string[] {
  const people = [...pm.people, ...pm.authors, ...pm.reviewers, ...(pm.owner ? [pm.owner] : [])];
  return [...new Set(people.map((p) => p.name).filter(Boolean))];
}

/**
 * The editor keeps the version it started from (`base`, `baseVersion`) and the unsaved text
 * (`draft`). Reads of the postmortem that changed nothing in the text (a review, a status change)
 * only move `baseVersion`; text someone else saved replaces a clean draft and is merged into a dirty
 * one when it is saved (409 → conflict view).
 */
function Editor({ pm, queryRef }: { pm: Postmortem; queryRef: string }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const canWrite = canWriteOf(session);
  // A published postmortem is the record: reopening it (Review) makes the text editable again.
  const writable = canWrite && pm.status !== 'published';
  const templates = useQuery(templatesQuery());
  const [base, setBase] = useState<EditableDoc>(() => editableOf(pm));
  const [baseVersion, setBaseVersion] = useState(pm.version);
  const [draft, setDraft] = useState<EditableDoc>(() => editableOf(pm));
  const [conflict, setConflict] = useState<ConflictState | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const dirty = !sameDoc(base, draft);

  // A newer postmortem from the server (another writer, a review, this page's own actions), adjusted
  // while rendering (React's pattern for state derived from a prop) rather than in an effect.
  const [seenVersion, setSeenVersion] = useState(pm.version);
  if (pm.version !== seenVersion) {
    setSeenVersion(pm.version);
    if (pm.version > baseVersion) {
      const now = editableOf(pm);
      if (sameDoc(now, base)) {
        setBaseVersion(pm.version);
      } else if (!dirty) {
        setBase(now);
        setDraft(now);
        setBaseVersion(pm.version);
      }
      // A dirty draft keeps its base: saving it answers 409 and shows what changed.
    }
  }

  function accept(saved: Postmortem) {
    const doc = editableOf(saved);
    setBase(doc);
    setDraft(doc);
    setBaseVersion(saved.version);
    queryClient.setQueryData(postmortemQuery(queryRef).queryKey, saved);
    void queryClient.invalidateQueries({ queryKey: ['postmortems'] });
  }

  async function save(doc: EditableDoc, fromBase: EditableDoc, version: number) {
    const input: UpdatePostmortemInput = { baseVersion: version };
    const fields = changedFields(fromBase, doc);
    if (fields.length === 0) {
      // Nothing left to save (for example "Take theirs" on every conflict): their version stands.
      setConflict(null);
      return;
    }
    if (fields.includes('title')) input.title = doc.title;
    if (fields.includes('tags')) input.tags = doc.tags;
    if (fields.includes('noActionItemsReason')) input.noActionItemsReason = doc.noActionItemsReason.trim() || null;
    if (fields.some((f) => f.startsWith('sections.'))) input.sections = doc.sections.map((s) => ({ key: s.key, title: s.title, body: s.body, internal: s.internal }));
    Object.assign(input, headerInput(doc.header, fields));
    setSaving(true);
    setSaveError(null);
    try {
      const saved = await postmortemsApi.update(pm.id, input, session.csrfToken);
      accept(saved);
      setConflict(null);
      setSavedAt(Date.now());
    } catch (error) {
      if (error instanceof PostmortemConflictError) {
        const current = error.conflict?.current ?? (await api.get<Postmortem>(`/postmortems/${encodeURIComponent(pm.id)}`));
        const theirs = editableOf(current);
        setConflict({
          result: threeWayMerge(fromBase, doc, theirs),
          theirs,
          theirsVersion: current.version,
          by: error.conflict?.theirs.by ?? [current.updatedBy],
          fields: error.conflict?.theirs.fields ?? [],
        });
        queryClient.setQueryData(postmortemQuery(queryRef).queryKey, current);
      } else {
        setSaveError(error);
      }
    } finally {
      setSaving(false);
    }
  }

  function saveMerged(merged: EditableDoc) {
    if (!conflict) return;
    // The merged text is now "mine" against their version.
    const theirs = conflict.theirs;
    setBase(theirs);
    setBaseVersion(conflict.theirsVersion);
    setDraft(merged);
    void save(merged, theirs, conflict.theirsVersion);
  }

  // Leaving with unsaved text asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const template = templates.data?.find((t) => t.handle === pm.template);
  const names = useMemo(() => namesOf(pm), [pm]);
  const deferred = useDeferredValue(draft);
  const findings = useMemo(
    () => reviewBlameless([{ section: 'title', text: deferred.title }, ...deferred.sections.map((s) => ({ section: s.key, text: s.body }))], { names }),
    [deferred, names],
  );
  const findingsOf = (section: string): BlamelessFinding[] => findings.filter((f) => f.section === section);
  const links = exportLinks(pm.reference);
  const updateSection = (key: string, next: EditableDoc['sections'][number]) => setDraft((d) => ({ ...d, sections: d.sections.map((s) => (s.key === key ? next : s)) }));

  return (
    <div className="pm-page">
      <p className="breadcrumb">
        <Link href="/postmortems">Postmortems</Link>
      </p>
      <PageHeader
        title={`${pm.reference} ${pm.title}`}
        description={
          <span className="alert-badges">
            <PostmortemStatusBadge status={pm.status} />
            {pm.required && <span className="badge">Required</span>}
            {pm.overdue && <span className="badge pm-overdue">Overdue</span>}
            {pm.incident && (
              <span className="small">
                From <Link href={`/incidents/${pm.incident.reference}`}>{pm.incident.reference} {pm.incident.title}</Link>
              </span>
            )}
          </span>
        }
        actions={
          <>
            <a className="button button-small pm-action" href={links.markdown} download={`${pm.reference}.md`}>
              Export Markdown
            </a>
            <a className="button button-small pm-action" href={links.print} target="_blank" rel="noopener noreferrer">
              Print view
            </a>
            {canDelete(session, pm) && <DeletePostmortem pm={pm} />}
          </>
        }
      />
      <HeaderDetails
        pm={pm}
        header={draft.header}
        writable={writable}
        dirty={dirty}
        saving={saving}
        blocked={conflict !== null}
        errors={fieldErrors(saveError)}
        onChange={(field, value) => setDraft((d) => ({ ...d, header: { ...d.header, [field]: value } }))}
        onSave={() => void save(draft, base, baseVersion)}
      />
      {conflict && (
        <ConflictView
          key={conflict.theirsVersion}
          state={conflict}
          pending={saving}
          error={saveError}
          onSave={saveMerged}
          onDiscard={() => {
            setBase(conflict.theirs);
            setDraft(conflict.theirs);
            setBaseVersion(conflict.theirsVersion);
            setConflict(null);
          }}
        />
      )}
      <div className={writable ? 'pm-savebar' : 'pm-savebar pm-savebar-readonly'} role="region" aria-label="Save">
        {writable ? (
          <>
            <button type="button" className="button button-primary" disabled={!dirty || saving || conflict !== null} onClick={() => void save(draft, base, baseVersion)}>
              {saving ? 'Saving…' : 'Save'}
            </button>
            <span className="small muted" role="status">
              {dirty ? 'Unsaved changes' : savedAt ? `Saved (version ${baseVersion})` : `Version ${baseVersion}`}
            </span>
          </>
        ) : (
          <span className="small muted">{canWrite ? 'Published: reopen it under Review to change the text.' : 'Viewers read postmortems; responders write them.'}</span>
        )}
        <span className="small pm-findings-count" aria-label="Blameless review">
          {findings.length === 0 ? 'Blameless review: no suggestions' : `Blameless review: ${findings.length} suggestion${findings.length === 1 ? '' : 's'}`}
        </span>
      </div>
      {!conflict && <FormAlert error={saveError} fields={headerFields} />}
      <div className="card pm-title-card">
        <Field label="Title" name="title">
          {(control) => <input {...control} className="input" value={draft.title} maxLength={500} readOnly={!writable} onChange={(event) => setDraft((d) => ({ ...d, title: event.target.value }))} />}
        </Field>
        <Findings findings={findingsOf('title')} label="Blameless review of the title" />
        <Field label="Tags" name="tags" hint="Comma-separated, for example payments, database.">
          {(control) => (
            <input
              {...control}
              className="input"
              defaultValue={draft.tags.join(', ')}
              key={draft.tags.join(',')}
              readOnly={!writable}
              onBlur={(event) => setDraft((d) => ({ ...d, tags: [...new Set(event.target.value.split(',').map((t) => t.trim()).filter(Boolean))] }))}
            />
          )}
        </Field>
      </div>
      {draft.sections.map((section) => (
        <SectionEditor
          key={section.key}
          postmortem={pm.id}
          section={section}
          guidance={template?.sections.find((s) => s.key === section.key)?.guidance}
          findings={findingsOf(section.key)}
          canWrite={writable}
          onChange={(next) => updateSection(section.key, next)}
        />
      ))}
      <ActionItemsSection pm={pm} canWrite={canWrite} canEditText={writable} reason={draft.noActionItemsReason} onReason={(text) => setDraft((d) => ({ ...d, noActionItemsReason: text }))} />
      <ReviewPanel pm={pm} canWrite={canWrite} dirty={dirty} />
      <HistorySection pm={pm} />
    </div>
  );
}

/**
 * **Delete postmortem** for a draft started by mistake (its owner or an admin), asking first. The
 * server refuses one that was ever published or still has action items, and says why.
 */
function DeletePostmortem({ pm }: { pm: Postmortem }) {
  const [, navigate] = useLocation();
  const remove = usePostmortemChange(() => postmortemsApi.remove(pm.id), () => navigate('/postmortems'));
  return (
    <span className="pm-danger-zone pm-action">
      <ConfirmButton
        label="Delete postmortem"
        question={`Delete ${pm.reference} with its text, history and attachments? This cannot be undone.`}
        pending={remove.isPending}
        onConfirm={() => remove.mutate(undefined)}
      />
      <FormAlert error={remove.error} />
    </span>
  );
}

/** The PATCH fields of the header parts that changed (`fields` as `changedFields` names them). */
function headerInput(header: EditableHeader, fields: readonly string[]): Partial<UpdatePostmortemInput> {
  const input: Partial<UpdatePostmortemInput> = {};
  const changed = (field: HeaderField) => fields.includes(field);
  const orNull = (text: string) => text.trim().replace(/^@/, '') || null;
  if (changed('owner')) input.owner = orNull(header.owner);
  if (changed('authors')) input.authors = listOf(header.authors);
  if (changed('people')) input.people = listOf(header.people);
  if (changed('services')) input.services = listOf(header.services);
  if (changed('severity')) input.severity = orNull(header.severity);
  if (changed('occurredAt')) input.occurredAt = orNull(header.occurredAt);
  if (changed('endedAt')) input.endedAt = orNull(header.endedAt);
  if (changed('dueAt')) input.dueAt = orNull(header.dueAt);
  return input;
}

const timeFields = [
  ['occurredAt', 'Started'],
  ['endedAt', 'Impact ended'],
  ['dueAt', 'Due'],
] as const;

/**
 * Title block details: when, how long, who. Writers open **Edit details** to change them: the
 * values join the unsaved draft and are saved with the rest of the document (same version, same
 * conflict view), so a header change and a section change never overwrite each other.
 */
function HeaderDetails({
  pm, header, writable, dirty, saving, blocked, errors, onChange, onSave,
}: {
  pm: Postmortem; header: EditableHeader; writable: boolean; dirty: boolean; saving: boolean; blocked: boolean; errors: Record<string, string>;
  onChange: (field: HeaderField, value: string) => void; onSave: () => void;
}) {
  const session = useSession();
  const [editing, setEditing] = useState(false);
  const severities = useQuery({ ...severitiesQuery(), enabled: editing });
  const zone = session.user.timeZone || 'UTC';
  const names = (people: readonly { name: string }[]) => (people.length === 0 ? <span className="muted">None named</span> : people.map((p) => p.name).join(', '));
  // A list's issue names its item (`authors.1`): shown beside the list.
  const errorOf = (field: HeaderField) => Object.entries(errors).find(([path]) => path === field || path.startsWith(`${field}.`))?.[1];
  const current = editableOf(pm);
  const headerDirty = changedFields(current, { ...current, header }).length > 0;
  const severityKeys = [...new Set([...(severities.data ?? []).map((s) => s.key), ...(header.severity ? [header.severity] : [])])];
  return (
    <Section
      title="Details"
      actions={
        writable && (
          <button type="button" className="button" aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
            {editing ? 'Close details editor' : 'Edit details'}
          </button>
        )
      }
    >
      {editing && writable ? (
        <form
          className="form pm-details-form"
          aria-label="Edit details"
          onSubmit={(event) => {
            event.preventDefault();
            onSave();
          }}
        >
          <div className="pm-details-grid">
            <Field label="Owner" name="owner" error={errorOf('owner')} hint="A user handle; empty: nobody.">
              {(control) => <input {...control} className="input" value={header.owner} onChange={(event) => onChange('owner', event.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Severity" name="severity" error={errorOf('severity')}>
              {(control) => (
                <select {...control} value={header.severity} onChange={(event) => onChange('severity', event.target.value)}>
                  <option value="">None</option>
                  {severityKeys.map((key) => (
                    <option key={key} value={key}>
                      {key}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Authors" name="authors" error={errorOf('authors')} hint="User handles, comma-separated.">
              {(control) => <input {...control} className="input" value={header.authors} onChange={(event) => onChange('authors', event.target.value)} autoComplete="off" />}
            </Field>
            <Field label="People involved" name="people" error={errorOf('people')} hint="User handles, comma-separated.">
              {(control) => <input {...control} className="input" value={header.people} onChange={(event) => onChange('people', event.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Services" name="services" error={errorOf('services')} hint="Service handles, comma-separated.">
              {(control) => <input {...control} className="input" value={header.services} onChange={(event) => onChange('services', event.target.value)} autoComplete="off" />}
            </Field>
            {timeFields.map(([field, label]) => (
              <Field key={field} label={label} name={field} error={errorOf(field)} hint={`Your time zone (${zone}); empty: not set.`}>
                {(control) => (
                  <input
                    {...control}
                    type="datetime-local"
                    className="input"
                    value={header[field] ? toLocalInput(header[field], zone) : ''}
                    onChange={(event) => onChange(field, fromLocalInput(event.target.value, zone) ?? '')}
                  />
                )}
              </Field>
            ))}
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={!dirty || saving || blocked}>
              {saving ? 'Saving…' : 'Save details'}
            </button>
            {headerDirty && <span className="small muted">Saved with the rest of your changes, from the version you started with.</span>}
          </div>
        </form>
      ) : (
        <dl className="details pm-details">
          <dt>Started</dt>
          <dd>
            <Time value={pm.occurredAt} fallback="Not set" />
          </dd>
          <dt>Duration</dt>
          <dd>{pm.durationMinutes === null ? <span className="muted">Unknown</span> : formatDuration(pm.durationMinutes)}</dd>
          <dt>Severity</dt>
          <dd>{pm.severity ?? <span className="muted">None</span>}</dd>
          <dt>Services</dt>
          <dd>{pm.services.length === 0 ? <span className="muted">None named</span> : pm.services.map((s) => s.name).join(', ')}</dd>
          <dt>Owner</dt>
          <dd>{pm.owner?.name ?? <span className="muted">Nobody</span>}</dd>
          <dt>Authors</dt>
          <dd>{names(pm.authors)}</dd>
          <dt>People involved</dt>
          <dd>{names(pm.people)}</dd>
          <dt>Due</dt>
          <dd>
            <Time value={pm.dueAt} fallback="No due date" />
            {pm.required && pm.requiredReasons.length > 0 && <span className="small muted"> (required: {pm.requiredReasons.join('; ')})</span>}
          </dd>
          <dt>Created</dt>
          <dd>
            <Time value={pm.createdAt} /> by {pm.createdBy}
          </dd>
          <dt>Last changed</dt>
          <dd>
            <Time value={pm.updatedAt} /> by {pm.updatedBy}
          </dd>
        </dl>
      )}
    </Section>
  );
}

export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : `${h} h ${m} min`;
}

/** Every saved version: who changed which parts, newest first (read on demand). */
function HistorySection({ pm }: { pm: Postmortem }) {
  const [open, setOpen] = useState(false);
  const revisions = useQuery({ ...revisionsQuery(pm.id), enabled: open });
  return (
    <Section
      title="History"
      actions={
        <button type="button" className="button" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
          {open ? 'Hide history' : 'Show history'}
        </button>
      }
    >
      {!open ? (
        <p className="muted small">Version {pm.version}.</p>
      ) : revisions.isPending ? (
        <Loading />
      ) : revisions.isError ? (
        <QueryError error={revisions.error} retry={() => void revisions.refetch()} />
      ) : (
        <ol className="feed-list" aria-label="Versions" reversed>
          {revisions.data.map((r) => (
            <li key={r.version}>
              Version {r.version}, <Time value={r.at} /> by {r.by}
              {r.fields.length > 0 && <span className="small muted">: {r.fields.join(', ')}</span>}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
