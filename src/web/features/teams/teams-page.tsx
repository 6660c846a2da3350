import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { TeamForm } from './team-form.js';
import { teamsApi, teamsQuery, useTeamChange } from './teams.api.js';

/** Every team, and (for admins) a form to create one. */
export function TeamsPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const [showDeactivated, setShowDeactivated] = useState(false);
  const [creating, setCreating] = useState(false);
  const teams = useQuery(teamsQuery(showDeactivated));
  const create = useTeamChange(teamsApi.create, (team) => navigate(`/teams/${team.handle}`));
  const canCreate = isAdmin(session);

  return (
    <>
      <PageHeader
        title="Teams"
        description="Teams own services, share on-call schedules and are paged together."
        actions={
          canCreate &&
          !creating && (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              New team
            </button>
          )
        }
      />
      {creating && (
        <Section title="New team">
          <TeamForm error={create.error} pending={create.isPending} submitLabel="Create team" onSubmit={(values) => create.mutate(values)} onCancel={() => setCreating(false)} />
        </Section>
      )}
      <div className="toolbar">
        <label className="checkbox">
          <input type="checkbox" checked={showDeactivated} onChange={(event) => setShowDeactivated(event.target.checked)} />
          Show deactivated teams
        </label>
      </div>
      {teams.isPending ? (
        <Loading />
      ) : teams.isError ? (
        <QueryError error={teams.error} retry={() => void teams.refetch()} />
      ) : teams.data.length === 0 ? (
        <EmptyState title="No teams yet">{canCreate ? <p>Create the first team to give services an owner.</p> : <p>An admin creates teams.</p>}</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Members</th>
                <th scope="col" className="hide-narrow">
                  Description
                </th>
              </tr>
            </thead>
            <tbody>
              {teams.data.map((team) => (
                <tr key={team.id}>
                  <td>
                    <Link href={`/teams/${team.handle}`} className="row-title">
                      {team.name}
                    </Link>
                    <span className="handle">{team.handle}</span>
                    {team.deactivatedAt && <span className="badge">Deactivated</span>}
                  </td>
                  <td>{team.members.length}</td>
                  <td className="hide-narrow muted">{team.description || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
