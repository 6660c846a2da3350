import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { UserForm } from './user-form.js';
import { usersApi, usersQuery, useUserChange } from './users.api.js';

/** Everyone in the organization; admins add people here. */
export function UsersPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const [showDeactivated, setShowDeactivated] = useState(false);
  const [creating, setCreating] = useState(false);
  const users = useQuery(usersQuery(showDeactivated));
  const admin = isAdmin(session);
  const create = useUserChange(usersApi.create, (user) => navigate(`/users/${user.handle}`));

  return (
    <>
      <PageHeader
        title="Users"
        description="The people Firebreak can page, and what each may do."
        actions={
          admin &&
          !creating && (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              New user
            </button>
          )
        }
      />
      {creating && (
        <Section title="New user">
          <UserForm
            editorRole={session.user.role}
            error={create.error}
            pending={create.isPending}
            submitLabel="Create user"
            onSubmit={({ password, ...values }) => create.mutate(password ? { ...values, password } : values)}
            onCancel={() => setCreating(false)}
          />
        </Section>
      )}
      <div className="toolbar">
        <label className="checkbox">
          <input type="checkbox" checked={showDeactivated} onChange={(event) => setShowDeactivated(event.target.checked)} />
          Show deactivated people
        </label>
      </div>
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <QueryError error={users.error} retry={() => void users.refetch()} />
      ) : users.data.length === 0 ? (
        <EmptyState title="Nobody here yet" />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Role</th>
                <th scope="col" className="hide-narrow">
                  Email
                </th>
                <th scope="col" className="hide-narrow">
                  Time zone
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.id}>
                  <td>
                    <Link href={`/users/${user.handle}`} className="row-title">
                      {user.name}
                    </Link>
                    <span className="handle">{user.handle}</span>
                    {user.deactivatedAt && <span className="badge">Deactivated</span>}
                  </td>
                  <td className="capitalize">{user.role}</td>
                  <td className="hide-narrow">{user.email}</td>
                  <td className="hide-narrow muted">{user.timeZone}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
