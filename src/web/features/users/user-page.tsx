import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { roleDescriptions, UserForm } from './user-form.js';
import { usersApi, userQuery, useUserChange, type UserChanges } from './users.api.js';

/** One person: details, teams, and (for admins) edit, deactivate and reactivate. */
export function UserPage({ user: ref }: { user: string }) {
  const session = useSession();
  const user = useQuery(userQuery(ref));
  const [editing, setEditing] = useState(false);
  const id = user.data?.id ?? ref;
  const update = useUserChange((changes: UserChanges) => usersApi.update(id, changes), () => setEditing(false));
  const deactivate = useUserChange(() => usersApi.deactivate(id));
  const reactivate = useUserChange(() => usersApi.reactivate(id));

  if (user.isPending) return <Loading />;
  if (user.isError) return <QueryError error={user.error} retry={() => void user.refetch()} />;
  const u = user.data;
  const admin = isAdmin(session);
  const self = u.id === session.user.id;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/users">Users</Link>
      </p>
      <PageHeader
        title={u.name}
        description={
          <>
            <span className="handle">{u.handle}</span>
            {u.deactivatedAt && <span className="badge">Deactivated</span>}
          </>
        }
        actions={
          admin &&
          !editing &&
          !u.deactivatedAt && (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit user
            </button>
          )
        }
      />
      {editing ? (
        <Section title="Edit user">
          <UserForm
            user={u}
            editorRole={session.user.role}
            error={update.error}
            pending={update.isPending}
            submitLabel="Save changes"
            onSubmit={({ name, email, timeZone, role }) => update.mutate({ name, email, timeZone, role })}
            onCancel={() => setEditing(false)}
          />
        </Section>
      ) : (
        <Section title="Details">
          <dl className="details">
            <dt>Email</dt>
            <dd>{u.email}</dd>
            <dt>Role</dt>
            <dd>{roleDescriptions[u.role]}</dd>
            <dt>Time zone</dt>
            <dd>{u.timeZone}</dd>
            <dt>Two-factor authentication</dt>
            <dd>{u.totpEnabled ? 'On' : 'Off'}</dd>
            <dt>Teams</dt>
            <dd>
              {u.teams.length === 0
                ? 'None'
                : u.teams.map((team, i) => (
                    <span key={team.id}>
                      {i > 0 && ', '}
                      <Link href={`/teams/${team.handle}`}>{team.name}</Link>
                      {team.role === 'admin' && ' (team admin)'}
                    </span>
                  ))}
            </dd>
            <dt>Added</dt>
            <dd>
              <Time value={u.createdAt} />
            </dd>
          </dl>
        </Section>
      )}
      {admin && !self && (
        <Section
          title={u.deactivatedAt ? 'Reactivate user' : 'Deactivate user'}
          description={u.deactivatedAt ? 'They can log in and be paged again.' : 'They can no longer log in and are not paged. Their history stays.'}
        >
          <FormAlert error={deactivate.error ?? reactivate.error} />
          {u.deactivatedAt ? (
            <button type="button" className="button" onClick={() => reactivate.mutate(undefined)} disabled={reactivate.isPending}>
              Reactivate user
            </button>
          ) : (
            <ConfirmButton label="Deactivate user" question={`Deactivate ${u.name}?`} pending={deactivate.isPending} onConfirm={() => deactivate.mutate(undefined)} />
          )}
        </Section>
      )}
    </>
  );
}
