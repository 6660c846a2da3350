import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { teamsQuery } from '../teams/teams.api.js';
import { usersQuery } from '../users/users.api.js';
import { CalendarFeeds } from './calendar-feeds.js';
import { LintsPanel } from './lints-panel.js';
import { canEditSchedules, canOverride } from './oncall-permissions.js';
import { ScheduleOnCallNow } from './oncall-now.js';
import { finalScheduleQuery, oncallApi, overridesQuery, scheduleQuery, useScheduleChange, type Schedule } from './oncall.api.js';
import { OverrideForm } from './override-form.js';
import { personStyle } from './person-colour.js';
import { ScheduleEntriesTable } from './schedule-entries-table.js';
import { ScheduleForm } from './schedule-form.js';
import { nameOf, ScheduleTimeline, type OverrideRequest } from './schedule-timeline.js';
import { SwapForm } from './swap-form.js';
import { formatDateSpan, formatDateTime, formatLongDate, formatPart, formatRange, shiftWindow, windowAround, type Zoom } from './zoned-time.js';

const HOUR = 3_600_000;

/** The wall clock, re-read every minute: it moves the "now" line and what counts as upcoming. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** One schedule: who is on call, the timeline, overrides and swaps, checks, feeds, and editing. */
export function SchedulePage({ schedule: ref }: { schedule: string }) {
  const session = useSession();
  const [, navigate] = useLocation();
  const schedule = useQuery(scheduleQuery(ref));
  const teams = useQuery(teamsQuery(true));
  const [editing, setEditing] = useState(false);
  const update = useScheduleChange((input: Parameters<typeof oncallApi.updateSchedule>[1]) => oncallApi.updateSchedule(schedule.data?.id ?? ref, input), () => setEditing(false));
  const remove = useScheduleChange(() => oncallApi.deleteSchedule(schedule.data?.id ?? ref), () => navigate('/oncall/schedules'));

  if (schedule.isPending) return <Loading />;
  if (schedule.isError) return <QueryError error={schedule.error} retry={() => void schedule.refetch()} />;
  const s = schedule.data;
  const team = s.teamId ? teams.data?.find((t) => t.id === s.teamId) : undefined;
  const manage = canEditSchedules(session, s.teamId);

  return (
    <>
      <p className="breadcrumb">
        <Link href="/oncall">On-call</Link> <Link href="/oncall/schedules">Schedules</Link>
      </p>
      <PageHeader
        title={s.name}
        description={
          <>
            <span className="handle">{s.handle}</span>
            <span>{s.timeZone}</span>
            {team && <Link href={`/teams/${team.handle}`}>{team.name}</Link>}
          </>
        }
        actions={
          manage &&
          !editing && (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit schedule
            </button>
          )
        }
      />
      {editing ? (
        <Section title="Edit schedule">
          <ScheduleForm
            schedule={s}
            error={update.error}
            pending={update.isPending}
            submitLabel="Save changes"
            onSubmit={({ handle: _handle, ...input }) => update.mutate(input)}
            onCancel={() => setEditing(false)}
          />
        </Section>
      ) : (
        s.description && <p className="lead">{s.description}</p>
      )}
      <p className="oncall-now-line">
        <span className="oncall-now-label">On call now</span>
        <ScheduleOnCallNow schedule={s.id} />
      </p>
      <TimelineSection schedule={s} />
      <OverridesSection schedule={s} />
      {canOverride(session, s.teamId) && <SwapSection schedule={s} />}
      <LintsPanel schedule={s} />
      <CalendarFeeds kind="schedule" schedule={s} />
      {manage && (
        <Section title="Delete schedule" description="Escalation policies that page this schedule stop reaching anyone through it.">
          <FormAlert error={remove.error} />
          <ConfirmButton label="Delete schedule" question={`Delete ${s.name}?`} pending={remove.isPending} onConfirm={() => remove.mutate(undefined)} />
        </Section>
      )}
    </>
  );
}

function TimelineSection({ schedule }: { schedule: Schedule }) {
  const session = useSession();
  const now = useNow();
  const [zoom, setZoom] = useState<Zoom>('week');
  const [zoneMode, setZoneMode] = useState<'schedule' | 'mine'>('schedule');
  const [view, setView] = useState<'timeline' | 'list'>('timeline');
  const [anchor, setAnchor] = useState<number | null>(null);
  const [request, setRequest] = useState<(OverrideRequest & { id: number }) | null>(null);
  const zone = zoneMode === 'schedule' ? schedule.timeZone : session.user.timeZone;
  const period = windowAround(anchor ?? now, zone, zoom);
  const final = useQuery(finalScheduleQuery(schedule.id, new Date(period.from).toISOString(), new Date(period.to).toISOString()));
  const create = useScheduleChange((input: Parameters<typeof oncallApi.createOverride>[1]) => oncallApi.createOverride(schedule.id, input), () => setRequest(null));
  const mayOverride = canOverride(session, schedule.teamId);
  const heading = zoom === 'day' ? formatLongDate(period.from, zone) : zoom === 'month' ? formatPart(period.from, zone, 'monthYear') : formatDateSpan(period.from, period.to - 1, zone);

  function openOverride(next: OverrideRequest) {
    if (!mayOverride) return;
    create.reset();
    setRequest({ ...next, id: Date.now() });
  }

  return (
    <Section
      title="Timeline"
      description={`Each layer, the overrides on top, and the final schedule: who is paged.${mayOverride ? ' Drag across the final row, or choose a bar, to add an override.' : ''}`}
      actions={
        mayOverride && (
          <button type="button" className="button button-primary" onClick={() => openOverride({ range: { start: Math.ceil(now / HOUR) * HOUR, end: Math.ceil(now / HOUR) * HOUR + 4 * HOUR } })}>
            Add override
          </button>
        )
      }
    >
      <div className="timeline-toolbar">
        <div className="segmented" role="group" aria-label="Zoom">
          {(['day', 'week', 'month'] as const).map((z) => (
            <button key={z} type="button" className="button button-small" aria-pressed={zoom === z} onClick={() => setZoom(z)}>
              {z === 'day' ? 'Day' : z === 'week' ? 'Week' : 'Month'}
            </button>
          ))}
        </div>
        <div className="timeline-nav" role="group" aria-label="Period">
          <button type="button" className="button button-small" aria-label={`Previous ${zoom}`} onClick={() => setAnchor(shiftWindow(period.from, zone, zoom, -1).from)}>
            ‹ Previous
          </button>
          <button type="button" className="button button-small" onClick={() => setAnchor(null)}>
            Today
          </button>
          <button type="button" className="button button-small" aria-label={`Next ${zoom}`} onClick={() => setAnchor(shiftWindow(period.from, zone, zoom, 1).from)}>
            Next ›
          </button>
        </div>
        <div className="segmented" role="group" aria-label="Show times in">
          <button type="button" className="button button-small" aria-pressed={zoneMode === 'schedule'} onClick={() => setZoneMode('schedule')} title={schedule.timeZone}>
            Schedule zone
          </button>
          <button type="button" className="button button-small" aria-pressed={zoneMode === 'mine'} onClick={() => setZoneMode('mine')} title={session.user.timeZone}>
            My zone
          </button>
        </div>
        <div className="segmented" role="group" aria-label="View">
          <button type="button" className="button button-small" aria-pressed={view === 'timeline'} onClick={() => setView('timeline')}>
            Timeline
          </button>
          <button type="button" className="button button-small" aria-pressed={view === 'list'} onClick={() => setView('list')}>
            List
          </button>
        </div>
      </div>
      <p className="timeline-heading" aria-live="polite">
        <strong>{heading}</strong> <span className="muted">times in {zone}</span>
        {final.isFetching && !final.isPending && <span className="muted"> · updating…</span>}
      </p>
      {final.isPending ? (
        <Loading />
      ) : final.isError ? (
        <QueryError error={final.error} retry={() => void final.refetch()} />
      ) : (
        <>
          {final.data.gaps.length > 0 && (
            <p className="gap-warning" role="note">
              {final.data.gaps.length === 1 ? 'One gap' : `${final.data.gaps.length} gaps`} with no one on call in this period: {final.data.gaps.slice(0, 3).map((gap) => formatRange(gap.start, gap.end, zone)).join('; ')}
              {final.data.gaps.length > 3 ? '; …' : ''}
            </p>
          )}
          {view === 'timeline' ? (
            <ScheduleTimeline
              schedule={schedule}
              final={final.data}
              // The answer's own window: while the next period loads, the previous one stays drawn as it was.
              window={{ start: Date.parse(final.data.window.start), end: Date.parse(final.data.window.end) }}
              stale={final.isPlaceholderData}
              zone={zone}
              zoom={zoom}
              now={now}
              selection={request?.range ?? null}
              interactive={mayOverride}
              onRequestOverride={openOverride}
            />
          ) : (
            <ScheduleEntriesTable schedule={schedule} final={final.data} zone={zone} />
          )}
        </>
      )}
      {request && (
        <OverrideForm key={request.id} request={request} zone={zone} error={create.error} pending={create.isPending} onSubmit={(input) => create.mutate(input)} onCancel={() => setRequest(null)} />
      )}
    </Section>
  );
}

function OverridesSection({ schedule }: { schedule: Schedule }) {
  const session = useSession();
  const now = useNow();
  const overrides = useQuery(overridesQuery(schedule.id));
  const remove = useScheduleChange((id: string) => oncallApi.deleteOverride(schedule.id, id));
  const zone = schedule.timeZone;
  const upcoming = (overrides.data ?? []).filter((o) => Date.parse(o.end) > now).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  // The schedule names its participants; people who only cover come from the user list.
  const people = useQuery(usersQuery(true));
  const users = { ...Object.fromEntries((people.data ?? []).map((u) => [u.id, u])), ...schedule.users };
  const name = (id: string | null) => nameOf(users, id);

  return (
    <Section title="Overrides" description={`Current and upcoming. Times in ${zone}.`}>
      <FormAlert error={remove.error} />
      {overrides.isPending ? (
        <Loading />
      ) : overrides.isError ? (
        <QueryError error={overrides.error} retry={() => void overrides.refetch()} />
      ) : upcoming.length === 0 ? (
        <EmptyState title="No overrides">
          <p>Overrides put someone on call over the rotation for a while: a holiday, an appointment, a swap.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Who covers</th>
                <th scope="col">From ({zone})</th>
                <th scope="col">Until ({zone})</th>
                <th scope="col">Covering</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {upcoming.map((override) => (
                <tr key={override.id}>
                  <td>
                    <span className="person-chip" style={personStyle(override.userId)}>
                      {name(override.userId)}
                    </span>
                    {override.swapWith && <span className="badge">Swap</span>}
                    {override.note && <span className="small muted">{override.note}</span>}
                  </td>
                  <td data-label="From">{formatDateTime(override.start, zone)}</td>
                  <td data-label="Until">{formatDateTime(override.end, zone)}</td>
                  <td data-label="Covering">{override.replacesUserId ? name(override.replacesUserId) : <span className="muted">—</span>}</td>
                  <td className="cell-actions">
                    {canOverride(session, schedule.teamId) && (
                      <ConfirmButton
                        label="Delete"
                        question={`Delete ${name(override.userId)}’s override?`}
                        pending={remove.isPending && remove.variables === override.id}
                        onConfirm={() => remove.mutate(override.id)}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function SwapSection({ schedule }: { schedule: Schedule }) {
  const now = useNow();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState(false);
  const swap = useScheduleChange((input: Parameters<typeof oncallApi.swap>[1]) => oncallApi.swap(schedule.id, input), () => {
    setOpen(false);
    setDone(true);
  });
  return (
    <Section
      title="Swap shifts"
      description="Two people trade shifts; it is saved as two overrides that name each other."
      actions={
        !open && (
          <button type="button" className="button" onClick={() => (setOpen(true), setDone(false))}>
            Swap two shifts
          </button>
        )
      }
    >
      <p className="muted" role="status">
        {done ? 'Shifts swapped. The overrides are listed above.' : ''}
      </p>
      {open && <SwapForm schedule={schedule} zone={schedule.timeZone} now={now} error={swap.error} pending={swap.isPending} onSubmit={(input) => swap.mutate(input)} />}
    </Section>
  );
}
