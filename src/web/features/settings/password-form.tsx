import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Section } from '../../ui/page.js';
import { authApi } from '../auth/auth.api.js';

/** Changes the signed-in person's password; the current one proves it is really them. */
export function PasswordForm() {
  const [done, setDone] = useState(false);
  const change = useMutation({ mutationFn: authApi.changePassword, onMutate: () => setDone(false) });
  const errors = fieldErrors(change.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    change.mutate(
      { currentPassword: String(data.get('currentPassword') ?? ''), newPassword: String(data.get('newPassword') ?? '') },
      {
        onSuccess: () => {
          form.reset();
          setDone(true);
        },
      },
    );
  }

  return (
    <Section title="Password">
      <form className="form" onSubmit={submit}>
        <FormAlert error={change.error} fields={['currentPassword', 'newPassword']} />
        <div className="form-row">
          <Field label="Current password" name="currentPassword" error={errors.currentPassword}>
            {(control) => <input {...control} type="password" autoComplete="current-password" required />}
          </Field>
          <Field label="New password" name="newPassword" error={errors.newPassword} hint="At least 10 characters.">
            {(control) => <input {...control} type="password" autoComplete="new-password" minLength={10} required />}
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
          <span className="muted" role="status">
            {done ? 'Password changed.' : ''}
          </span>
        </div>
      </form>
    </Section>
  );
}
