import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { CalendarFeeds } from './calendar-feeds.js';
import { OnCallLayout } from './oncall-layout.js';
import { myOnCallQuery, type MyOnCall } from './oncall.api.js';
import { formatDate, formatDateTime, formatDuration, formatRange, startOfLocalDate, weekStartDate } from './zoned-time.js';

type Shift = MyOnCall['shifts'][number];

/** The signed-in person's on-call: now, the next shift, the next three months by week, and feed links. */
export function MyOnCallPage() {
  const { user } = useSession();
  const mine = useQuery(myOnCallQuery());
  const zone = user.timeZone;

  return (
    <OnCallLayout page="My on-call">
      {mine.isPending ? (
        <Loading />
      ) : mine.isError ? (
        <QueryError error={mine.error} retry={() => void mine.refetch()} />
      ) : (
        <>
          <div className="oncall-summary">
            <div className={mine.data.now.length > 0 ? 'summary-card summary-card-active' : 'summary-card'} role="group" aria-label="Now">
              <h2>Now</h2>
              {mine.data.now.length === 0 ? (
                <p>You are not on call.</p>
              ) : (
                mine.data.now.map((shift) => (
                  <p key={`${shift.scheduleId}-${shift.start}`}>
                    You are on call for <ScheduleLink shift={shift} /> until {formatDateTime(shift.end, zone)} {zone}.
                  </p>
                ))
              )}
            </div>
            <div className="summary-card" role="group" aria-label="Next shift">
              <h2>Next shift</h2>
              {mine.data.next ? (
                <>
                  <p>
                    <ScheduleLink shift={mine.data.next} />
                  </p>
                  <p>{formatRange(mine.data.next.start, mine.data.next.end, zone)}</p>
                  <p className="muted small">{formatDuration(Date.parse(mine.data.next.end) - Date.parse(mine.data.next.start))}</p>
                </>
              ) : (
                <p className="muted">None in the next three months.</p>
              )}
            </div>
          </div>
          <Section title="Shifts in the next three months" description={`By week, times in ${zone} (your profile’s zone).`}>
            {mine.data.shifts.length === 0 ? (
              <EmptyState title="No shifts coming up">
                <p>
                  When a <Link href="/oncall/schedules">schedule</Link> puts you on call, your shifts show here.
                </p>
              </EmptyState>
            ) : (
              <ShiftsByWeek shifts={mine.data.shifts} zone={zone} />
            )}
          </Section>
        </>
      )}
      <CalendarFeeds kind="user" />
    </OnCallLayout>
  );
}

function ScheduleLink({ shift }: { shift: Shift }) {
  return <Link href={`/oncall/schedules/${shift.scheduleHandle}`}>{shift.scheduleName}</Link>;
}

function ShiftsByWeek({ shifts, zone }: { shifts: Shift[]; zone: string }) {
  const weeks = new Map<string, Shift[]>();
  for (const shift of [...shifts].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))) {
    const week = weekStartDate(shift.start, zone);
    weeks.set(week, [...(weeks.get(week) ?? []), shift]);
  }
  return (
    <div className="weeks">
      {[...weeks.entries()].map(([week, items]) => (
        <section key={week} className="week" aria-label={`Week of ${formatDate(startOfLocalDate(week, zone), zone)}`}>
          <h3 className="week-title">Week of {formatDate(startOfLocalDate(week, zone), zone)}</h3>
          <ul className="shift-list">
            {items.map((shift) => (
              <li key={`${shift.scheduleId}-${shift.start}`} className="shift">
                <ScheduleLink shift={shift} />
                <span>{formatRange(shift.start, shift.end, zone)}</span>
                <span className="muted small">{formatDuration(Date.parse(shift.end) - Date.parse(shift.start))}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
