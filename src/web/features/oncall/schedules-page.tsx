import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { teamsQuery } from '../teams/teams.api.js';
import { canEditSchedules } from './oncall-permissions.js';
import { OnCallLayout } from './oncall-layout.js';
import { OnCallPeople } from './oncall-now.js';
import { onCallQuery, oncallApi, schedulesQuery, useScheduleChange } from './oncall.api.js';
import { ScheduleForm } from './schedule-form.js';

/** Every schedule with who is on call on it now; people who may, create schedules here. */
export function SchedulesPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const [creating, setCreating] = useState(false);
  const schedules = useQuery(schedulesQuery());
  // One question for every schedule at once: who is on call on each, now.
  const onCall = useQuery(onCallQuery({}));
  const teams = useQuery(teamsQuery(true));
  const create = useScheduleChange(oncallApi.createSchedule, (schedule) => navigate(`/oncall/schedules/${schedule.handle}`));
  const canCreate = canEditSchedules(session);
  const teamName = (id: string | null) => (id ? (teams.data?.find((t) => t.id === id)?.name ?? '…') : 'No team');

  return (
    <OnCallLayout
      page="Schedules"
      actions={
        canCreate &&
        !creating && (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New schedule
          </button>
        )
      }
    >
      {creating && (
        <Section title="New schedule" description="A schedule is one or more rotations (layers); overrides go on top once it exists.">
          <ScheduleForm error={create.error} pending={create.isPending} submitLabel="Create schedule" onSubmit={(input) => create.mutate(input)} onCancel={() => setCreating(false)} />
        </Section>
      )}
      {schedules.isPending ? (
        <Loading />
      ) : schedules.isError ? (
        <QueryError error={schedules.error} retry={() => void schedules.refetch()} />
      ) : schedules.data.length === 0 ? (
        <EmptyState title="No schedules yet">{canCreate ? <p>Create a schedule to put people on call in turns.</p> : <p>Team admins create schedules.</p>}</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Schedule</th>
                <th scope="col">On call now ({session.user.timeZone})</th>
                <th scope="col" className="hide-narrow">
                  Team
                </th>
                <th scope="col" className="hide-narrow">
                  Time zone
                </th>
              </tr>
            </thead>
            <tbody>
              {schedules.data.map((schedule) => (
                <tr key={schedule.id}>
                  <td>
                    <Link href={`/oncall/schedules/${schedule.handle}`} className="row-title">
                      {schedule.name}
                    </Link>
                    <span className="handle">{schedule.handle}</span>
                  </td>
                  <td data-label="On call now">
                    {onCall.isPending ? (
                      <span className="muted">Loading…</span>
                    ) : onCall.isError ? (
                      <span className="muted">Unknown ({onCall.error.message})</span>
                    ) : (
                      <OnCallPeople answer={onCall.data} zone={session.user.timeZone} scheduleId={schedule.id} />
                    )}
                  </td>
                  <td className="hide-narrow">{teamName(schedule.teamId)}</td>
                  <td className="hide-narrow muted">{schedule.timeZone}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </OnCallLayout>
  );
}
