import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormAlert } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { canEditTemplates, postmortemsApi, templatesQuery, usePostmortemChange, type PostmortemTemplate } from './postmortems.api.js';
import './postmortems.css';

type SectionDraft = PostmortemTemplate['sections'][number];

/** `/postmortems/templates`: the templates new postmortems start from; admins edit them. */
export function TemplatesPage() {
  const session = useSession();
  const admin = canEditTemplates(session);
  const templates = useQuery(templatesQuery());
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <>
      <p className="breadcrumb">
        <Link href="/postmortems">Postmortems</Link>
      </p>
      <PageHeader
        title="Postmortem templates"
        description="The sections a new postmortem starts with, with guidance for the author. Built-ins can be edited; a stored template with a built-in’s handle replaces it."
        actions={
          admin &&
          editing === null && (
            <button type="button" className="button button-primary" onClick={() => setEditing('')}>
              New template
            </button>
          )
        }
      />
      {editing === '' && <TemplateForm onDone={() => setEditing(null)} />}
      {templates.isPending ? (
        <Loading />
      ) : templates.isError ? (
        <QueryError error={templates.error} retry={() => void templates.refetch()} />
      ) : (
        templates.data.map((t) =>
          editing === t.handle ? (
            <TemplateForm key={t.handle} template={t} onDone={() => setEditing(null)} />
          ) : (
            <Section
              key={t.handle}
              title={t.title}
              description={
                <>
                  <code>{t.handle}</code>
                  {t.builtIn && ' · built-in'} {t.description}
                </>
              }
              actions={
                admin && (
                  <button type="button" className="button button-small" onClick={() => setEditing(t.handle)}>
                    Edit {t.title}
                  </button>
                )
              }
            >
              <ol>
                {t.sections.map((s) => (
                  <li key={s.key}>
                    {s.title}
                    {s.internal && <span className="small muted"> (internal)</span>}
                  </li>
                ))}
              </ol>
            </Section>
          ),
        )
      )}
    </>
  );
}

function TemplateForm({ template, onDone }: { template?: PostmortemTemplate; onDone: () => void }) {
  const [handle, setHandle] = useState(template?.handle ?? '');
  const [title, setTitle] = useState(template?.title ?? '');
  const [description, setDescription] = useState(template?.description ?? '');
  const [sections, setSections] = useState<SectionDraft[]>(template?.sections ?? [{ key: 'summary', title: 'Summary', guidance: '', internal: false }]);
  const save = usePostmortemChange(
    () => {
      const spec = { title, ...(description ? { description } : {}), sections: sections.map((s) => ({ key: s.key, title: s.title, ...(s.guidance ? { guidance: s.guidance } : {}), internal: s.internal })) };
      return template ? postmortemsApi.updateTemplate(template.handle, spec) : postmortemsApi.createTemplate({ handle, ...spec });
    },
    onDone,
  );
  const remove = usePostmortemChange(() => postmortemsApi.deleteTemplate(template?.handle ?? ''), onDone);
  const change = (index: number, next: Partial<SectionDraft>) => setSections((list) => list.map((s, i) => (i === index ? { ...s, ...next } : s)));
  const move = (index: number, by: number) =>
    setSections((list) => {
      const copy = [...list];
      const [item] = copy.splice(index, 1);
      if (item) copy.splice(Math.max(0, Math.min(copy.length, index + by)), 0, item);
      return copy;
    });
  return (
    <form
      className="form card"
      aria-label={template ? `Edit template ${template.title}` : 'New template'}
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(undefined);
      }}
    >
      <FormAlert error={save.error ?? remove.error} />
      {!template && (
        <Field label="Handle" name="handle" hint="Lowercase letters, digits and dashes, for example short-form.">
          {(control) => <input {...control} className="input" required value={handle} onChange={(event) => setHandle(event.target.value)} />}
        </Field>
      )}
      <Field label="Title" name="title">
        {(control) => <input {...control} className="input" required value={title} onChange={(event) => setTitle(event.target.value)} />}
      </Field>
      <Field label="Description" name="description">
        {(control) => <input {...control} className="input" value={description} onChange={(event) => setDescription(event.target.value)} />}
      </Field>
      <fieldset className="field">
        <legend>Sections</legend>
        {sections.map((s, i) => (
          <div key={i} className="pm-template-section" role="group" aria-label={`Section ${i + 1}`}>
            <div className="form-row">
              <Field label="Key" name={`key-${i}`}>
                {(control) => <input {...control} className="input" required value={s.key} onChange={(event) => change(i, { key: event.target.value })} />}
              </Field>
              <Field label="Section title" name={`title-${i}`}>
                {(control) => <input {...control} className="input" required value={s.title} onChange={(event) => change(i, { title: event.target.value })} />}
              </Field>
            </div>
            <Field label="Guidance" name={`guidance-${i}`}>
              {(control) => <textarea {...control} className="input" rows={2} value={s.guidance} onChange={(event) => change(i, { guidance: event.target.value })} />}
            </Field>
            <label className="checkbox">
              <input type="checkbox" checked={s.internal} onChange={(event) => change(i, { internal: event.target.checked })} /> Internal (left out of the public version)
            </label>
            <div className="row-buttons">
              <button type="button" className="button button-small" onClick={() => move(i, -1)} disabled={i === 0}>
                Up
              </button>
              <button type="button" className="button button-small" onClick={() => move(i, 1)} disabled={i === sections.length - 1}>
                Down
              </button>
              <button type="button" className="button button-small button-danger-quiet" onClick={() => setSections((list) => list.filter((_, j) => j !== i))} disabled={sections.length === 1}>
                Remove section
              </button>
            </div>
          </div>
        ))}
        <button type="button" className="button button-small" onClick={() => setSections((list) => [...list, { key: '', title: '', guidance: '', internal: false }])}>
          Add section
        </button>
      </fieldset>
      <FormActions pending={save.isPending} submitLabel="Save template" onCancel={onDone} />
      {template && template.id !== null && <ConfirmButton label="Delete template" question={template.builtIn ? `Restore the built-in ${template.title}?` : `Delete ${template.title}?`} onConfirm={() => remove.mutate(undefined)} pending={remove.isPending} />}
    </form>
  );
}
