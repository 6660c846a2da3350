import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { Time } from '../../ui/time.js';
import { servicesQuery } from '../services/services.api.js';
import { canManageWindows, canSilence, formatMatcher, suppressionApi, useSuppressionChange, type MaintenanceWindow, type Silence } from './suppression.api.js';

/** Windows as a table: schedule, state (active until, next start, ended) and end/delete for those who may. */
export function MaintenanceTable({ windows, showServices = true }: { windows: readonly MaintenanceWindow[]; showServices?: boolean }) {
  const session = useSession();
  const services = useQuery(servicesQuery());
  const end = useSuppressionChange((id: string) => suppressionApi.endWindow(id));
  const remove = useSuppressionChange((id: string) => suppressionApi.deleteWindow(id));
  const teamOf = (id: string) => services.data?.find((s) => s.id === id)?.teamId ?? null;
  if (windows.length === 0) return <p className="muted">No maintenance windows.</p>;
  return (
    <SuppressionTable label="Maintenance windows" error={end.error ?? remove.error} columns={['Window', showServices && 'Services', 'Schedule', 'State']}>
      {windows.map((w) => {
        const manage = services.isSuccess && canManageWindows(session, w.services.map((s) => teamOf(s.id)));
        return (
          <tr key={w.id} className={w.active ? undefined : 'row-inactive'} data-window-id={w.id}>
            <td>
              <span className="row-title">{w.name}</span>
              {w.description && <span className="small muted">{w.description}</span>}
            </td>
            {showServices && (
              <td data-label="Services">
                {w.services.map((s, i) => (
                  <span key={s.id}>
                    {i > 0 && ', '}
                    <Link href={`/services/${s.handle}`}>{s.handle}</Link>
                  </span>
                ))}
              </td>
            )}
            <td data-label="Schedule">
              {w.recurrence ? (
                <>
                  <code>{w.recurrence.rrule}</code>
                  <span className="small muted">
                    {w.recurrence.durationMinutes} min each, {w.recurrence.timeZone}
                  </span>
                </>
              ) : (
                <>
                  <Time value={w.startsAt} /> – <Time value={w.endsAt} />
                </>
              )}
            </td>
            <td data-label="State">
              {w.active ? (
                <span className="badge badge-active">
                  Active until <Time value={w.activeUntil} />
                </span>
              ) : w.endedAt ? (
                <span className="muted">
                  Ended <Time value={w.endedAt} />
                </span>
              ) : w.nextStartsAt ? (
                <span>
                  Next: <Time value={w.nextStartsAt} />
                </span>
              ) : (
                <span className="muted">Over</span>
              )}
            </td>
            <td className="cell-actions">
              {manage && (
                <span className="row-buttons">
                  {!w.endedAt && (w.active || w.nextStartsAt) && (
                    <button type="button" className="button button-small" disabled={end.isPending} onClick={() => end.mutate(w.id)}>
                      End now
                    </button>
                  )}
                  <ConfirmButton label="Delete" question={`Delete ‘${w.name}’?`} pending={remove.isPending} onConfirm={() => remove.mutate(w.id)} />
                </span>
              )}
            </td>
          </tr>
        );
      })}
    </SuppressionTable>
  );
}

/** Silences as a table: matchers, scope, state and expiry, with "Expire now" for responders. */
export function SilencesTable({ silences, showService = true }: { silences: readonly Silence[]; showService?: boolean }) {
  const session = useSession();
  const expire = useSuppressionChange((id: string) => suppressionApi.expireSilence(id));
  if (silences.length === 0) return <p className="muted">No silences.</p>;
  return (
    <SuppressionTable label="Silences" error={expire.error} columns={['Matchers', showService && 'Service', 'Comment', 'State']}>
      {silences.map((s) => (
        <tr key={s.id} className={s.state === 'expired' ? 'row-inactive' : undefined} data-silence-id={s.id}>
          <td>
            {s.matchers.map((m, i) => (
              <code key={i} className="matcher">
                {formatMatcher(m)}
              </code>
            ))}
          </td>
          {showService && <td data-label="Service">{s.service ? <Link href={`/services/${s.service.handle}`}>{s.service.handle}</Link> : <span className="muted">Every service</span>}</td>}
          <td data-label="Comment">
            {s.comment}
            <span className="small muted">by {s.createdBy}</span>
          </td>
          <td data-label="State">
            {s.state === 'active' ? (
              <span className="badge badge-active">
                Active until <Time value={s.endsAt} />
              </span>
            ) : s.state === 'pending' ? (
              <span>
                Starts <Time value={s.startsAt} />
              </span>
            ) : (
              <span className="muted">
                Expired <Time value={s.endsAt} />
              </span>
            )}
          </td>
          <td className="cell-actions">
            {canSilence(session) && s.state !== 'expired' && (
              <button type="button" className="button button-small" disabled={expire.isPending} onClick={() => expire.mutate(s.id)}>
                Expire now
              </button>
            )}
          </td>
        </tr>
      ))}
    </SuppressionTable>
  );
}

/** The frame of both tables: the error of a failed action, the column headings (a `false` one is left out), and a last column for the actions. */
function SuppressionTable({ label, error, columns, children }: { label: string; error: unknown; columns: readonly (string | false)[]; children: ReactNode }) {
  return (
    <>
      <FormAlert error={error} />
      <div className="table-wrap">
        <table className="table table-stack" aria-label={label}>
          <thead>
            <tr>
              {columns.map(
                (column) =>
                  column && (
                    <th key={column} scope="col">
                      {column}
                    </th>
                  ),
              )}
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
    </>
  );
}
