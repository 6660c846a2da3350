import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { lintsQuery, schedulesQuery, type Lint, type Schedule } from './oncall.api.js';
import { formatRange } from './zoned-time.js';

const lintTitles: Record<Lint['code'], string> = {
  SCHEDULE_GAP: 'No one on call',
  SAME_PERSON_PRIMARY_AND_SECONDARY: 'Same person primary and secondary',
  NO_VERIFIED_CONTACT_METHOD: 'Cannot be reached',
  ROTATION_TOO_SMALL: 'Rotation under 3 people',
};

const DAYS = 90;

/** 0 for problems that leave pages unanswered or double-booked, 1 for the rest: shown first. */
function severity(lint: Lint): number {
  return lint.code === 'SCHEDULE_GAP' || lint.code === 'SAME_PERSON_PRIMARY_AND_SECONDARY' ? 0 : 1;
}

/** Server messages quote handles in backticks (`platform-primary`): shown as code. */
function withCode(message: string) {
  return message.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

/**
 * Problems with a schedule over the next 90 days, as the server finds them: gaps (with their exact
 * intervals in the schedule's zone), a person primary here and on the chosen secondary schedule at
 * once, participants nobody can reach, and rotations too small to rest anyone.
 */
export function LintsPanel({ schedule }: { schedule: Schedule }) {
  const [secondary, setSecondary] = useState<string>('');
  const lints = useQuery(lintsQuery(schedule.id, secondary || null, DAYS));
  const schedules = useQuery(schedulesQuery());
  const others = (schedules.data ?? []).filter((s) => s.id !== schedule.id);
  const zone = schedule.timeZone;

  return (
    <Section
      title="Checks"
      description={`Problems in the next ${DAYS} days. Times in ${zone}.`}
      actions={
        <label className="inline-field">
          <span>Secondary schedule</span>
          <select value={secondary} onChange={(event) => setSecondary(event.target.value)}>
            <option value="">None</option>
            {others.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {lints.isPending ? (
        <Loading label="Checking…" />
      ) : lints.isError ? (
        <QueryError error={lints.error} retry={() => void lints.refetch()} />
      ) : lints.data.length === 0 ? (
        <p className="lint-ok">No problems found in the next {DAYS} days.</p>
      ) : (
        <ul className="lint-list">
          {[...lints.data].sort((a, b) => severity(a) - severity(b)).map((lint, index) => (
            <li key={`${lint.code}-${index}`} className={severity(lint) === 0 ? 'lint lint-serious' : 'lint lint-warning'}>
              <h3 className="lint-title">
                {lintTitles[lint.code] ?? lint.code}
                <code className="lint-code">{lint.code}</code>
              </h3>
              <p>{withCode(lint.message)}</p>
              {lint.intervals.length > 0 && (
                <ul className="lint-intervals">
                  {lint.intervals.slice(0, 10).map((interval, i) => (
                    // The server's own wording of the interval in the schedule's zone is exact; fall back to ours.
                    <li key={interval.start}>{lint.localIntervals?.[i] ?? formatRange(interval.start, interval.end, zone)}</li>
                  ))}
                  {lint.intervals.length > 10 && <li className="muted">and {lint.intervals.length - 10} more</li>}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
