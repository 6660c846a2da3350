import { useState, type FormEvent } from 'react';
import type { User } from '../../../contracts/users.js';
import { fieldErrors } from '../../api/client.js';
import { rolesUpTo, type Role } from '../../app/permissions.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { browserTimeZone, TimeZoneInput, timeZoneProblem } from '../../ui/time-zone-input.js';
import { FormActions } from '../../ui/form-actions.js';

export interface UserFormValues {
  handle: string;
  name: string;
  email: string;
  timeZone: string;
  role: Role;
  /** Only when creating; empty for people who are paged but never log in. */
  password: string;
}

interface UserFormProps {
  /** Editing: the handle is fixed and there is no password field (people change their own). */
  user?: User;
  /** The editor's own role: nobody hands out a role above their own. */
  editorRole: Role;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onSubmit: (values: UserFormValues) => void;
  onCancel?: () => void;
}

export const roleDescriptions: Record<Role, string> = {
  viewer: 'Viewer: sees everything, changes nothing',
  responder: 'Responder: handles alerts and incidents',
  admin: 'Admin: manages people, teams and configuration',
  owner: 'Owner: everything, including other admins',
};

/** Creates a person (handle, password) or edits one (name, email, zone, role). */
export function UserForm({ user, editorRole, error, pending, submitLabel, onSubmit, onCancel }: UserFormProps) {
  const [zoneError, setZoneError] = useState<string | undefined>();
  const errors = fieldErrors(error);
  // Keep a role the editor could not grant visible, so saving other fields does not change it.
  const roleChoices = user && !rolesUpTo(editorRole).includes(user.role) ? [...rolesUpTo(editorRole), user.role] : rolesUpTo(editorRole);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const timeZone = formText(data, 'timeZone');
    const problem = timeZoneProblem(timeZone);
    setZoneError(problem);
    if (problem) return;
    onSubmit({
      handle: user?.handle ?? formText(data, 'handle'),
      name: formText(data, 'name'),
      email: formText(data, 'email'),
      timeZone,
      role: formText(data, 'role') as Role,
      password: String(data.get('password') ?? ''),
    });
  }

  return (
    <form className="form" onSubmit={submit}>
      <FormAlert error={error} fields={['handle', 'name', 'email', 'timeZone', 'role', 'password']} />
      <div className="form-row">
        <Field label="Name" name="name" error={errors.name}>
          {(control) => <input {...control} defaultValue={user?.name} required autoFocus={!user} />}
        </Field>
        {!user && (
          <Field label="Handle" name="handle" error={errors.handle} hint="Lowercase letters, digits and hyphens, like ana-lima.">
            {(control) => <input {...control} spellCheck={false} autoComplete="off" required />}
          </Field>
        )}
      </div>
      <div className="form-row">
        <Field label="Email" name="email" error={errors.email}>
          {(control) => <input {...control} type="email" defaultValue={user?.email} autoComplete="off" required />}
        </Field>
        <Field label="Time zone" name="timeZone" error={zoneError ?? errors.timeZone}>
          {(control) => <TimeZoneInput control={control} defaultValue={user?.timeZone ?? browserTimeZone()} />}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Role" name="role" error={errors.role}>
          {(control) => (
            <select {...control} defaultValue={user?.role ?? 'responder'}>
              {roleChoices.map((role) => (
                <option key={role} value={role}>
                  {roleDescriptions[role]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {!user && (
          <Field label="Password (optional)" name="password" error={errors.password} hint="At least 10 characters. Leave empty for people who are paged but never log in.">
            {(control) => <input {...control} type="password" autoComplete="new-password" minLength={10} />}
          </Field>
        )}
      </div>
      <FormActions pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
