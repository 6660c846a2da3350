import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { severitiesQuery } from '../incidents/incidents.api.js';
import { servicesQuery } from '../services/services.api.js';
import { ownerRoleOptions, type Playbook, type PlaybookInput } from './playbooks.api.js';

interface ItemDraft {
  key: number;
  title: string;
  description: string;
  link: string;
  ownerRole: string;
}

export interface PlaybookDraft {
  name: string;
  title: string;
  description: string;
  automatic: boolean;
  severities: string[];
  services: string[];
  items: ItemDraft[];
}

let nextKey = 1;
const emptyItem = (): ItemDraft => ({ key: nextKey++, title: '', description: '', link: '', ownerRole: '' });

export function draftFromPlaybook(playbook?: Playbook, name?: string): PlaybookDraft {
  if (!playbook) return { name: name ?? '', title: '', description: '', automatic: true, severities: [], services: [], items: [emptyItem()] };
  return {
    name: name ?? playbook.name,
    title: playbook.title,
    description: playbook.description,
    automatic: playbook.appliesTo !== null,
    severities: playbook.appliesTo?.severities ?? [],
    services: playbook.appliesTo?.services ?? [],
    items: playbook.items.map((i) => ({ key: nextKey++, title: i.title, description: i.description ?? '', link: i.link ?? '', ownerRole: i.ownerRole ?? '' })),
  };
}

export function inputFromDraft(draft: PlaybookDraft): PlaybookInput {
  return {
    name: draft.name.trim(),
    title: draft.title.trim(),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    ...(draft.automatic ? { appliesTo: { severities: draft.severities, services: draft.services } } : {}),
    items: draft.items.map((i) => ({
      title: i.title.trim(),
      ...(i.description.trim() ? { description: i.description.trim() } : {}),
      ...(i.link.trim() ? { link: i.link.trim() } : {}),
      ...(i.ownerRole ? { ownerRole: i.ownerRole } : {}),
    })),
  };
}

interface PlaybookFormProps {
  initial: PlaybookDraft;
  creating: boolean;
  error: unknown;
  pending: boolean;
  onSubmit: (draft: PlaybookDraft) => void;
  onCancel: () => void;
}

/**
 * The playbook editor: what it is, which declared incidents get it (severities and services; none
 * ticked means any), and its items with an optional link and default owner role.
 */
export function PlaybookForm({ initial, creating, error, pending, onSubmit, onCancel }: PlaybookFormProps) {
  const [draft, setDraft] = useState(initial);
  const severities = useQuery(severitiesQuery());
  const services = useQuery(servicesQuery());
  const errors = fieldErrors(error);
  const set = (change: Partial<PlaybookDraft>) => setDraft((d) => ({ ...d, ...change }));
  const setItem = (index: number, change: Partial<ItemDraft>) => setDraft((d) => ({ ...d, items: d.items.map((item, i) => (i === index ? { ...item, ...change } : item)) }));
  const toggle = (list: string[], value: string, on: boolean) => (on ? [...list, value] : list.filter((v) => v !== value));
  const itemFields = draft.items.flatMap((_, i) => [`items.${i}.title`, `items.${i}.description`, `items.${i}.link`, `items.${i}.ownerRole`]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onSubmit(draft);
  }

  return (
    <form className="form card" onSubmit={submit} aria-label={creating ? 'New playbook' : 'Edit playbook'}>
      <FormAlert error={error} fields={['name', 'title', 'description', 'items', ...itemFields]} />
      <div className="form-row">
        <Field label="Title" name="title" error={errors.title}>
          {(control) => <input {...control} value={draft.title} onChange={(event) => set({ title: event.target.value })} required autoFocus maxLength={200} />}
        </Field>
        {creating && (
          <Field label="Name" name="name" error={errors.name} hint="A handle, like checkout-first-checks; config-as-code addresses it by this. first-five-minutes replaces the built-in checklist.">
            {(control) => <input {...control} value={draft.name} onChange={(event) => set({ name: event.target.value })} spellCheck={false} autoComplete="off" required />}
          </Field>
        )}
      </div>
      <Field label="Description" name="description" error={errors.description}>
        {(control) => <textarea {...control} rows={2} value={draft.description} onChange={(event) => set({ description: event.target.value })} maxLength={5000} />}
      </Field>
      <fieldset className="level-fieldset">
        <legend>When incidents get it</legend>
        <label className="checkbox">
          <input type="checkbox" checked={draft.automatic} onChange={(event) => set({ automatic: event.target.checked })} />
          Add to declared incidents automatically
        </label>
        {draft.automatic ? (
          <>
            <p className="field-hint">Tick severities and services to narrow it; none ticked means any. Both must match when both are ticked.</p>
            <div className="form-row">
              <div role="group" aria-label="Severities">
                <p className="field-label">Severities</p>
                {(severities.data ?? []).map((s) => (
                  <label key={s.key} className="checkbox">
                    <input type="checkbox" checked={draft.severities.includes(s.key)} onChange={(event) => set({ severities: toggle(draft.severities, s.key, event.target.checked) })} />
                    {s.key} {s.name}
                  </label>
                ))}
              </div>
              <div role="group" aria-label="Services">
                <p className="field-label">Services</p>
                {(services.data ?? []).map((s) => (
                  <label key={s.id} className="checkbox">
                    <input type="checkbox" checked={draft.services.includes(s.handle)} onChange={(event) => set({ services: toggle(draft.services, s.handle, event.target.checked) })} />
                    {s.name}
                  </label>
                ))}
              </div>
            </div>
            {(errors['appliesTo.severities.0'] || errors['appliesTo.services.0']) && <p className="field-error">{errors['appliesTo.severities.0'] ?? errors['appliesTo.services.0']}</p>}
          </>
        ) : (
          <p className="field-hint">Only added by hand, from an incident’s checklist.</p>
        )}
      </fieldset>
      <fieldset className="level-fieldset">
        <legend>Items</legend>
        {errors.items && <p className="field-error">{errors.items}</p>}
        {draft.items.map((item, i) => (
          <div className="form-row playbook-item" key={item.key} role="group" aria-label={`Item ${i + 1}`}>
            <Field label={`Item ${i + 1}`} name={`items.${i}.title`} error={errors[`items.${i}.title`]}>
              {(control) => <input {...control} value={item.title} onChange={(event) => setItem(i, { title: event.target.value })} required maxLength={200} placeholder="Recent deploys? Roll back" />}
            </Field>
            <Field label="Description" name={`items.${i}.description`} error={errors[`items.${i}.description`]}>
              {(control) => <input {...control} value={item.description} onChange={(event) => setItem(i, { description: event.target.value })} maxLength={2000} />}
            </Field>
            <Field label="Link" name={`items.${i}.link`} error={errors[`items.${i}.link`]}>
              {(control) => <input {...control} type="url" value={item.link} onChange={(event) => setItem(i, { link: event.target.value })} placeholder="https://" />}
            </Field>
            <Field label="Default owner" name={`items.${i}.ownerRole`} error={errors[`items.${i}.ownerRole`]}>
              {(control) => (
                <select {...control} value={item.ownerRole} onChange={(event) => setItem(i, { ownerRole: event.target.value })}>
                  <option value="">Nobody</option>
                  {ownerRoleOptions.map(([key, label]) => (
                    <option key={key} value={key}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {draft.items.length > 1 && (
              <button type="button" className="button button-small button-quiet" onClick={() => set({ items: draft.items.filter((_, j) => j !== i) })}>
                Remove item {i + 1}
              </button>
            )}
          </div>
        ))}
        <button type="button" className="button button-small" onClick={() => set({ items: [...draft.items, emptyItem()] })}>
          Add item
        </button>
      </fieldset>
      <FormActions pending={pending} submitLabel={creating ? 'Create playbook' : 'Save playbook'} onCancel={onCancel} />
    </form>
  );
}
