import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field, FormAlert } from '../../ui/field.js';
import { Loading, QueryError } from '../../ui/page.js';
import { finalScheduleQuery, type Schedule, type SwapInput } from './oncall.api.js';
import { nameOf } from './schedule-timeline.js';
import { formatRange } from './zoned-time.js';

const HOUR = 3_600_000;

interface SwapFormProps {
  schedule: Schedule;
  zone: string;
  now: number;
  error: unknown;
  pending: boolean;
  onSubmit: (input: SwapInput) => void;
}

/**
 * A shift swap: pick two upcoming shifts of different people; each takes the other's. The server
 * records it as two overrides that name each other, so the history shows both names.
 */
export function SwapForm({ schedule, zone, now, error, pending, onSubmit }: SwapFormProps) {
  // Upcoming rotation shifts, whole hours from now, eight weeks out.
  const from = new Date(Math.floor(now / HOUR) * HOUR).toISOString();
  const to = new Date(Math.floor(now / HOUR) * HOUR + 56 * 24 * HOUR).toISOString();
  const final = useQuery(finalScheduleQuery(schedule.id, from, to));
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  if (final.isPending) return <Loading label="Loading upcoming shifts…" />;
  if (final.isError) return <QueryError error={final.error} retry={() => void final.refetch()} />;
  const users = { ...schedule.users, ...final.data.users };
  const shifts = final.data.entries.map((entry, index) => ({ key: String(index), ...entry, label: `${nameOf(users, entry.userId)}: ${formatRange(entry.start, entry.end, zone)}` }));
  const a = shifts.find((s) => s.key === first);
  const b = shifts.find((s) => s.key === second);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!a || !b) return setProblem('Choose two shifts.');
    if (a.userId === b.userId) return setProblem('Choose shifts of two different people.');
    setProblem(null);
    onSubmit({ first: { user: a.userId, start: a.start, end: a.end }, second: { user: b.userId, start: b.start, end: b.end }, ...(note.trim() ? { note: note.trim() } : {}) });
  }

  if (shifts.length < 2) return <p className="muted">There are not two upcoming shifts to swap in the next eight weeks.</p>;
  return (
    <form className="form" onSubmit={submit} aria-label="Swap shifts">
      <FormAlert error={error} />
      {problem && (
        <div className="alert alert-error" role="alert">
          <p>{problem}</p>
        </div>
      )}
      <div className="form-row">
        <Field label="First shift" name="first">
          {(control) => (
            <select {...control} value={first} onChange={(event) => setFirst(event.target.value)} required>
              <option value="">Choose a shift</option>
              {shifts.map((s) => (
                <option key={s.key} value={s.key}>
                  {s.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Second shift" name="second">
          {(control) => (
            <select {...control} value={second} onChange={(event) => setSecond(event.target.value)} required>
              <option value="">Choose a shift</option>
              {shifts
                .filter((s) => !a || s.userId !== a.userId)
                .map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label}
                  </option>
                ))}
            </select>
          )}
        </Field>
      </div>
      {a && b && (
        <p className="muted">
          {nameOf(users, b.userId)} covers {formatRange(a.start, a.end, zone)}; {nameOf(users, a.userId)} covers {formatRange(b.start, b.end, zone)}.
        </p>
      )}
      <Field label="Note (optional)" name="swap-note">
        {(control) => <input {...control} value={note} onChange={(event) => setNote(event.target.value)} maxLength={500} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={pending || !a || !b}>
          {pending ? 'Swapping…' : 'Swap shifts'}
        </button>
      </div>
    </form>
  );
}
