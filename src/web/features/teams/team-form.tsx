import type { FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';

export interface TeamFormValues {
  handle: string;
  name: string;
  description: string;
}

interface TeamFormProps {
  /** Editing an existing team: its handle is fixed, since URLs, config and the CLI use it. */
  team?: TeamFormValues;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onSubmit: (values: TeamFormValues) => void;
  onCancel?: () => void;
}

/** Creates or edits a team's handle (on create only), name and description. */
export function TeamForm({ team, error, pending, submitLabel, onSubmit, onCancel }: TeamFormProps) {
  const errors = fieldErrors(error);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    onSubmit({ handle: team?.handle ?? formText(data, 'handle'), name: formText(data, 'name'), description: formText(data, 'description') });
  }
  return (
    <form className="form" onSubmit={submit}>
      <FormAlert error={error} fields={['handle', 'name', 'description']} />
      <div className="form-row">
        <Field label="Name" name="name" error={errors.name}>
          {(control) => <input {...control} defaultValue={team?.name} required autoFocus={!team} />}
        </Field>
        {!team && (
          <Field label="Handle" name="handle" error={errors.handle} hint="Used in URLs, config and the CLI, like platform or payments-api.">
            {(control) => <input {...control} spellCheck={false} autoComplete="off" required />}
          </Field>
        )}
      </div>
      <Field label="Description" name="description" error={errors.description}>
        {(control) => <textarea {...control} defaultValue={team?.description} rows={3} />}
      </Field>
      <FormActions pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
