import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { canManageTeam, isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { TeamForm } from './team-form.js';
import { TeamOnCallSection } from '../oncall/oncall-now.js';
import { TeamMembers } from './team-members.js';
import { teamQuery, teamsApi, useTeamChange } from './teams.api.js';

/** One team: its details, its members and their roles, and deactivation. */
export function TeamPage({ team: ref }: { team: string }) {
  const session = useSession();
  const team = useQuery(teamQuery(ref));
  const [editing, setEditing] = useState(false);
  const update = useTeamChange((values: { name: string; description: string }) => teamsApi.update(team.data?.id ?? ref, values), () => setEditing(false));
  const deactivate = useTeamChange(() => teamsApi.deactivate(team.data?.id ?? ref));
  const reactivate = useTeamChange(() => teamsApi.reactivate(team.data?.id ?? ref));

  if (team.isPending) return <Loading />;
  if (team.isError) return <QueryError error={team.error} retry={() => void team.refetch()} />;
  const t = team.data;
  const manage = canManageTeam(session, t) && !t.deactivatedAt;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/teams">Teams</Link>
      </p>
      <PageHeader
        title={t.name}
        description={
          <>
            <span className="handle">{t.handle}</span>
            {t.deactivatedAt && (
              <span className="badge">
                Deactivated <Time value={t.deactivatedAt} />
              </span>
            )}
          </>
        }
        actions={
          manage &&
          !editing && (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit team
            </button>
          )
        }
      />
      {editing ? (
        <Section title="Edit team">
          <TeamForm team={t} error={update.error} pending={update.isPending} submitLabel="Save changes" onSubmit={({ name, description }) => update.mutate({ name, description })} onCancel={() => setEditing(false)} />
        </Section>
      ) : (
        t.description && <p className="lead">{t.description}</p>
      )}
      <TeamOnCallSection team={t.id} />
      <TeamMembers team={t} manage={manage} />
      {isAdmin(session) &&
        (t.deactivatedAt ? (
          <Section title="Reactivate team" description="The team can own services and be paged again.">
            <FormAlert error={reactivate.error} />
            <button type="button" className="button" onClick={() => reactivate.mutate(undefined)} disabled={reactivate.isPending}>
              Reactivate team
            </button>
          </Section>
        ) : (
          <Section title="Deactivate team" description="A deactivated team keeps its history but owns nothing new and is never paged.">
            <FormAlert error={deactivate.error} />
            <ConfirmButton label="Deactivate team" question={`Deactivate ${t.name}?`} pending={deactivate.isPending} onConfirm={() => deactivate.mutate(undefined)} />
          </Section>
        ))}
    </>
  );
}
