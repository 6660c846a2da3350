import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { teamsQuery } from '../teams/teams.api.js';
import { OnCallLayout } from './oncall-layout.js';
import { holidaysQuery, hoursReportCsvUrl, hoursReportQuery, oncallApi, schedulesQuery, type HoursFilter, type HoursReport } from './oncall.api.js';
import { addLocalDays, localDate, monthStart, startOfLocalDate } from './zoned-time.js';

type Row = HoursReport['rows'][number];
const categories = [
  { key: 'weekdayBusinessHours', label: 'Weekday business hours' },
  { key: 'weekdayOffHours', label: 'Weekday off-hours' },
  { key: 'weekendHours', label: 'Weekend' },
  { key: 'holidayHours', label: 'Holidays' },
] as const satisfies readonly { key: keyof Row; label: string }[];

const hours = (value: number) => value.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** On-call hours per person over a period, split into the four pay categories, with a CSV download. */
export function HoursReportPage() {
  const session = useSession();
  const zone = session.user.timeZone;
  // Read once: the presets count from the day the page was opened.
  const [today] = useState(() => localDate(Date.now(), zone));
  const [from, setFrom] = useState(() => monthStart(today));
  const [to, setTo] = useState(() => addLocalDays(monthStart(today, 1), -1));
  const [team, setTeam] = useState('');
  const [schedule, setSchedule] = useState('');
  const teams = useQuery(teamsQuery(false));
  const schedules = useQuery(schedulesQuery());
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  // Whole local days in the viewer's zone: from the start of `from` to the start of the day after `to`.
  const filter: HoursFilter = valid
    ? { from: new Date(startOfLocalDate(from, zone)).toISOString(), to: new Date(startOfLocalDate(addLocalDays(to, 1), zone)).toISOString(), team: team || undefined, schedule: schedule || undefined }
    : { from: '', to: '' };
  const report = useQuery({ ...hoursReportQuery(filter), enabled: valid });

  function preset(kind: 'this-month' | 'last-month' | 'last-30') {
    if (kind === 'this-month') {
      setFrom(monthStart(today));
      setTo(addLocalDays(monthStart(today, 1), -1));
    } else if (kind === 'last-month') {
      setFrom(monthStart(today, -1));
      setTo(addLocalDays(monthStart(today), -1));
    } else {
      setFrom(addLocalDays(today, -29));
      setTo(today);
    }
  }

  return (
    <OnCallLayout page="Hours report">
      <Section title="On-call hours" description={`Scheduled on-call time per person, from the final schedules (overrides included). Days run midnight to midnight in ${zone}.`}>
        <form className="form-row filters" onSubmit={(event) => event.preventDefault()} aria-label="Report period">
          <Field label="From" name="from" error={valid ? undefined : 'must be on or before “To”'}>
            {(control) => <input {...control} type="date" value={from} onChange={(event) => setFrom(event.target.value)} required />}
          </Field>
          <Field label="To (inclusive)" name="to">
            {(control) => <input {...control} type="date" value={to} onChange={(event) => setTo(event.target.value)} required />}
          </Field>
          <Field label="Team" name="team">
            {(control) => (
              <select {...control} value={team} onChange={(event) => setTeam(event.target.value)}>
                <option value="">All teams</option>
                {(teams.data ?? []).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Schedule" name="schedule">
            {(control) => (
              <select {...control} value={schedule} onChange={(event) => setSchedule(event.target.value)}>
                <option value="">All schedules</option>
                {(schedules.data ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </form>
        <div className="toolbar">
          <button type="button" className="button button-small" onClick={() => preset('this-month')}>
            This month
          </button>
          <button type="button" className="button button-small" onClick={() => preset('last-month')}>
            Last month
          </button>
          <button type="button" className="button button-small" onClick={() => preset('last-30')}>
            Last 30 days
          </button>
          {valid && (
            <a className="button button-small toolbar-end" href={hoursReportCsvUrl(filter)} download={`oncall-hours-${from}-to-${to}.csv`}>
              Download CSV
            </a>
          )}
        </div>
        {!valid ? null : report.isPending ? (
          <Loading />
        ) : report.isError ? (
          <QueryError error={report.error} retry={() => void report.refetch()} />
        ) : (
          <ReportTable report={report.data} />
        )}
      </Section>
      <HolidaysSection />
    </OnCallLayout>
  );
}

function ReportTable({ report }: { report: HoursReport }) {
  if (report.rows.length === 0) {
    return (
      <EmptyState title="No on-call time in this period">
        <p>Nobody was scheduled on call on the chosen schedules.</p>
      </EmptyState>
    );
  }
  const total = (key: keyof Row) => report.rows.reduce((sum, row) => sum + (row[key] as number), 0);
  return (
    <>
      <div className="table-wrap">
        <table className="table table-stack table-numbers">
          <caption className="visually-hidden">On-call hours per person</caption>
          <thead>
            <tr>
              <th scope="col">Person</th>
              {categories.map((c) => (
                <th key={c.key} scope="col" className="num">
                  {c.label}
                </th>
              ))}
              <th scope="col" className="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((row) => (
              <tr key={row.userId}>
                <th scope="row">
                  <span className="row-title">{row.name}</span>
                  <span className="handle">{row.timeZone}</span>
                </th>
                {categories.map((c) => (
                  <td key={c.key} className="num" data-label={c.label}>
                    {hours(row[c.key])}
                  </td>
                ))}
                <td className="num strong" data-label="Total">
                  {hours(row.totalHours)}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              {categories.map((c) => (
                <td key={c.key} className="num" data-label={c.label}>
                  {hours(total(c.key))}
                </td>
              ))}
              <td className="num strong" data-label="Total">
                {hours(total('totalHours'))}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted small footnote-tight">
        Business hours: {report.rules.businessHours}. Holidays: {report.rules.holidays.length === 0 ? 'none in this period' : report.rules.holidays.map((h) => `${h.name} (${h.date})`).join(', ')}. Figures are hours,
        rounded to one decimal.
      </p>
    </>
  );
}

function HolidaysSection() {
  const session = useSession();
  const queryClient = useQueryClient();
  const holidays = useQuery(holidaysQuery());
  const create = useMutation({
    mutationFn: oncallApi.createHoliday,
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: holidaysQuery().queryKey }), queryClient.invalidateQueries({ queryKey: ['reports'] })]),
  });
  const errors = fieldErrors(create.error);
  const admin = isAdmin(session);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    create.mutate({ date: formText(data, 'date'), name: formText(data, 'name') }, { onSuccess: () => form.reset() });
  }

  return (
    <Section title="Holidays" description="Hours on these dates count as holiday hours, on each person’s own calendar.">
      {admin && (
        <form className="form inline-form" onSubmit={submit} aria-label="Add holiday">
          <FormAlert error={create.error} fields={['date', 'name']} />
          <div className="form-row form-row-end">
            <Field label="Date" name="date" error={errors.date}>
              {(control) => <input {...control} type="date" required />}
            </Field>
            <Field label="Name" name="name" error={errors.name}>
              {(control) => <input {...control} required placeholder="New Year’s Day" />}
            </Field>
            <button type="submit" className="button" disabled={create.isPending}>
              {create.isPending ? 'Adding…' : 'Add holiday'}
            </button>
          </div>
        </form>
      )}
      {holidays.isPending ? (
        <Loading />
      ) : holidays.isError ? (
        <QueryError error={holidays.error} retry={() => void holidays.refetch()} />
      ) : holidays.data.length === 0 ? (
        <p className="muted">No holidays set.</p>
      ) : (
        <ul className="holiday-list">
          {[...holidays.data]
            .sort((a, b) => a.date.localeCompare(b.date))
            .map((holiday) => (
              <li key={holiday.id}>
                <span className="handle">{holiday.date}</span> {holiday.name}
              </li>
            ))}
        </ul>
      )}
    </Section>
  );
}
