import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert } from '../../ui/field.js';
import { usersQuery } from '../users/users.api.js';
import type { OverrideInput } from './oncall.api.js';
import type { OverrideRequest } from './schedule-timeline.js';
import { fromLocalInput, toLocalInput } from './zoned-time.js';

interface OverrideFormProps {
  /** The range (and perhaps the person covered) picked on the timeline, or a default one. */
  request: OverrideRequest;
  /** The zone the times are typed in: the timeline's zone. */
  zone: string;
  error: unknown;
  pending: boolean;
  onSubmit: (input: OverrideInput) => void;
  onCancel: () => void;
}

/**
 * A new override: who covers, from when until when (wall times in `zone`), optionally whom they
 * cover and why. Opened by dragging on the timeline, by choosing a bar, or with the "Add override"
 * button (the keyboard way in).
 */
export function OverrideForm({ request, zone, error, pending, onSubmit, onCancel }: OverrideFormProps) {
  const users = useQuery(usersQuery(false));
  const [start, setStart] = useState(() => toLocalInput(request.range.start, zone));
  const [end, setEnd] = useState(() => toLocalInput(request.range.end, zone));
  const [user, setUser] = useState('');
  const [replaces, setReplaces] = useState(request.replaces ?? '');
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(error), ...problem };
  const people = (users.data ?? []).filter((u) => !u.deactivatedAt);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const startAt = fromLocalInput(start, zone);
    const endAt = fromLocalInput(end, zone);
    const problems: Record<string, string> = {};
    if (!user) problems.user = 'choose who covers';
    if (!startAt) problems.start = 'pick a start';
    if (!endAt) problems.end = 'pick an end';
    else if (startAt && Date.parse(endAt) <= Date.parse(startAt)) problems.end = 'must be after the start';
    setProblem(problems);
    if (Object.keys(problems).length > 0 || !startAt || !endAt) return;
    onSubmit({ user, start: startAt, end: endAt, ...(replaces ? { replaces } : {}), ...(note.trim() ? { note: note.trim() } : {}) });
  }

  return (
    <form className="form panel override-form" onSubmit={submit} aria-label="Add override">
      <h3>Add override</h3>
      <FormAlert error={error} fields={['user', 'start', 'end', 'replaces', 'note']} />
      <div className="form-row">
        <Field label="Who covers" name="user" error={errors.user}>
          {(control) => (
            <select {...control} value={user} onChange={(event) => setUser(event.target.value)} autoFocus required>
              <option value="">{users.isPending ? 'Loading people…' : 'Choose a person'}</option>
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.handle})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={`From (${zone})`} name="start" error={errors.start}>
          {(control) => <input {...control} type="datetime-local" value={start} onChange={(event) => setStart(event.target.value)} required />}
        </Field>
        <Field label={`Until (${zone})`} name="end" error={errors.end}>
          {(control) => <input {...control} type="datetime-local" value={end} onChange={(event) => setEnd(event.target.value)} required />}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Covering (optional)" name="replaces" error={errors.replaces} hint="Kept in the history; the override applies either way.">
          {(control) => (
            <select {...control} value={replaces} onChange={(event) => setReplaces(event.target.value)}>
              <option value="">Nobody in particular</option>
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Note (optional)" name="note" error={errors.note}>
          {(control) => <input {...control} value={note} onChange={(event) => setNote(event.target.value)} maxLength={500} placeholder="Dentist, holiday, …" />}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? 'Saving…' : 'Create override'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
