import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import type { Team } from '../../../contracts/teams.js';
import { fieldErrors } from '../../api/client.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { EmptyState, Section } from '../../ui/page.js';
import { usersQuery } from '../users/users.api.js';
import { teamsApi, useTeamChange, type TeamRole } from './teams.api.js';

const teamRoleLabels: Record<TeamRole, string> = { member: 'Member', admin: 'Team admin' };

/** The members of a team; people who manage the team can add, remove and change roles. */
export function TeamMembers({ team, manage }: { team: Team; manage: boolean }) {
  const put = useTeamChange(({ user, role }: { user: string; role: TeamRole }) => teamsApi.putMember(team.id, user, role));
  const remove = useTeamChange((user: string) => teamsApi.removeMember(team.id, user));
  const changeError = put.error ?? remove.error;

  return (
    <Section title="Members" description="Team admins can manage the team's members, services and schedules.">
      {manage && <AddMember team={team} />}
      <FormAlert error={changeError} />
      {team.members.length === 0 ? (
        <EmptyState title="No members yet">{manage && <p>Add the people who respond for this team.</p>}</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Team role</th>
                {manage && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {team.members.map((member) => (
                <tr key={member.userId}>
                  <td>
                    <span className="row-title">{member.name}</span>
                    <span className="handle">{member.handle}</span>
                  </td>
                  <td>
                    {manage ? (
                      <select
                        aria-label={`Team role of ${member.name}`}
                        value={member.role}
                        onChange={(event) => put.mutate({ user: member.userId, role: event.target.value as TeamRole })}
                        disabled={put.isPending}
                      >
                        <option value="member">{teamRoleLabels.member}</option>
                        <option value="admin">{teamRoleLabels.admin}</option>
                      </select>
                    ) : (
                      teamRoleLabels[member.role]
                    )}
                  </td>
                  {manage && (
                    <td className="cell-actions">
                      <ConfirmButton label="Remove" question={`Remove ${member.name} from ${team.name}?`} onConfirm={() => remove.mutate(member.userId)} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function AddMember({ team }: { team: Team }) {
  const users = useQuery(usersQuery(false));
  const add = useTeamChange(({ user, role }: { user: string; role: TeamRole }) => teamsApi.putMember(team.id, user, role));
  const errors = fieldErrors(add.error);
  const candidates = (users.data ?? []).filter((user) => !user.deactivatedAt && !team.members.some((m) => m.userId === user.id));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const user = formText(data, 'user');
    if (!user) return;
    add.mutate({ user, role: formText(data, 'role') as TeamRole }, { onSuccess: () => form.reset() });
  }

  return (
    <form className="form inline-form" onSubmit={submit} aria-label="Add member">
      <FormAlert error={add.error} fields={['role']} />
      <div className="form-row form-row-end">
        <Field label="Person" name="user">
          {(control) => (
            <select {...control} required disabled={candidates.length === 0}>
              <option value="">{users.isPending ? 'Loading people…' : candidates.length === 0 ? 'Everyone is already a member' : 'Choose a person'}</option>
              {candidates.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.name} ({user.handle})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Team role" name="role" error={errors.role}>
          {(control) => (
            <select {...control} defaultValue="member">
              <option value="member">{teamRoleLabels.member}</option>
              <option value="admin">{teamRoleLabels.admin}</option>
            </select>
          )}
        </Field>
        <button type="submit" className="button button-primary" disabled={add.isPending || candidates.length === 0}>
          {add.isPending ? 'Adding…' : 'Add member'}
        </button>
      </div>
    </form>
  );
}
