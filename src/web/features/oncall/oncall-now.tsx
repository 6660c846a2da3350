import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { isApiError } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { onCallQuery, type OnCall } from './oncall.api.js';
import { personStyle } from './person-colour.js';
import { formatDateTime } from './zoned-format.js';

/** "Ana Lima until Mon, 11 Jan 2027, 09:00 Europe/Lisbon", or "No one" in warning colours. */
export function OnCallPeople({ answer, zone, scheduleId }: { answer: OnCall; zone: string; scheduleId?: string }) {
  const entries = scheduleId ? answer.entries.filter((e) => e.scheduleId === scheduleId) : answer.entries;
  if (entries.length === 0) return <span className="gap-chip">No one on call</span>;
  return (
    <span className="oncall-people">
      {entries.map((entry) => (
        <span key={`${entry.userId}-${entry.scheduleId ?? ''}-${entry.level ?? ''}`} className="oncall-person">
          <span className="person-chip" style={personStyle(entry.userId)}>
            {answer.users[entry.userId]?.name ?? entry.userId}
          </span>
          {entry.end && (
            <span className="muted small">
              until {formatDateTime(entry.end, zone)} {zone}
            </span>
          )}
        </span>
      ))}
    </span>
  );
}

/** Who is on call now for one schedule: a compact cell for lists. */
export function ScheduleOnCallNow({ schedule }: { schedule: string }) {
  const { user } = useSession();
  const answer = useQuery(onCallQuery({ schedule }));
  if (answer.isPending) return <span className="muted">Loading…</span>;
  if (answer.isError) return <span className="muted">Unknown ({answer.error.message})</span>;
  return <OnCallPeople answer={answer.data} zone={user.timeZone} />;
}

/** A team page's section: who is on call now across the team's schedules. */
export function TeamOnCallSection({ team }: { team: string }) {
  const { user } = useSession();
  const answer = useQuery(onCallQuery({ team }));
  // The team page above already says when the team does not exist.
  if (answer.isError && isApiError(answer.error, 'NOT_FOUND')) return null;
  return (
    <Section title="On call now" description={`Across this team’s schedules. Times in ${user.timeZone}.`} actions={<Link href="/oncall/schedules">All schedules</Link>}>
      {answer.isPending ? (
        <Loading />
      ) : answer.isError ? (
        <QueryError error={answer.error} retry={() => void answer.refetch()} />
      ) : answer.data.entries.length === 0 ? (
        <EmptyState title="No one is on call for this team">
          <p>Create a schedule owned by this team to put people on call.</p>
        </EmptyState>
      ) : (
        <ul className="oncall-list">
          {answer.data.entries.map((entry) => (
            <li key={`${entry.scheduleId ?? ''}-${entry.userId}`}>
              {entry.scheduleHandle && (
                <Link href={`/oncall/schedules/${entry.scheduleHandle}`} className="oncall-list-schedule">
                  {entry.scheduleHandle}
                </Link>
              )}
              <span className="person-chip" style={personStyle(entry.userId)}>
                {answer.data.users[entry.userId]?.name ?? entry.userId}
              </span>
              {entry.end && (
                <span className="muted small">
                  until {formatDateTime(entry.end, user.timeZone)} {user.timeZone}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
