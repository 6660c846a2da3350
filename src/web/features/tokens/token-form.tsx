import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import type { CreateTokenBody } from '../../../contracts/tokens.js';
import { fieldErrors } from '../../api/client.js';
import { roleNames, rolesUpTo, type Role } from '../../app/permissions.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { teamsQuery } from '../teams/teams.api.js';

const expiryChoices = [
  { days: '30', label: '30 days' },
  { days: '90', label: '90 days' },
  { days: '365', label: '1 year' },
  { days: '', label: 'Never' },
];

interface TokenFormProps {
  ownRole: Role;
  error: unknown;
  pending: boolean;
  onSubmit: (input: CreateTokenBody) => void;
  onCancel: () => void;
}

/** Names a new token and limits it: a role up to the creator's own, optionally one team, an expiry. */
export function TokenForm({ ownRole, error, pending, onSubmit, onCancel }: TokenFormProps) {
  const teams = useQuery(teamsQuery(false));
  const errors = fieldErrors(error);
  const choices = rolesUpTo(ownRole);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const input: CreateTokenBody = { name: formText(data, 'name'), role: formText(data, 'role') as Role };
    const team = formText(data, 'team');
    const days = formText(data, 'expiresInDays');
    if (team) input.team = team;
    if (days) input.expiresInDays = Number(days);
    onSubmit(input);
  }

  return (
    <form className="form panel" onSubmit={submit} aria-label="New API token">
      <FormAlert error={error} fields={['name', 'role', 'team', 'expiresInDays']} />
      <Field label="Name" name="name" error={errors.name} hint="What uses it, like “CI deploys” or “laptop CLI”.">
        {(control) => <input {...control} required maxLength={100} autoFocus autoComplete="off" />}
      </Field>
      <div className="form-row">
        <Field label="Role" name="role" error={errors.role} hint="At most your own role.">
          {(control) => (
            <select {...control} defaultValue={choices.includes('responder') ? 'responder' : ownRole}>
              {choices.map((role) => (
                <option key={role} value={role}>
                  {roleNames[role]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Team" name="team" error={errors.team} hint="A team token can act only on that team.">
          {(control) => (
            <select {...control} defaultValue="">
              <option value="">Whole organization</option>
              {(teams.data ?? []).map((team) => (
                <option key={team.id} value={team.handle}>
                  {team.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Expires after" name="expiresInDays" error={errors.expiresInDays}>
          {(control) => (
            <select {...control} defaultValue="90">
              {expiryChoices.map((choice) => (
                <option key={choice.label} value={choice.days}>
                  {choice.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create token'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
