import { Link } from 'wouter';
import { Time } from '../../ui/time.js';
import { SuppressedBadge } from '../suppression/suppressed-by.js';
import { SeverityBadge, StatusBadge, UrgencyBadge } from './alert-badges.js';
import type { Alert } from './alerts.api.js';

interface Selection {
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
}

/** The alert whose row holds keyboard focus, for the list's shortcuts. */
export function focusedAlertId(): string | null {
  const row = document.activeElement?.closest<HTMLElement>('[data-alert-id]');
  return row?.dataset.alertId ?? null;
}

/** Moves focus to the title link of the next (`1`) or previous (`-1`) alert row. */
export function moveAlertFocus(step: 1 | -1): void {
  const links = [...document.querySelectorAll<HTMLElement>('[data-alert-id] .alert-title')];
  if (links.length === 0) return;
  const current = links.findIndex((link) => link.closest('[data-alert-id]')?.contains(document.activeElement));
  const next = current === -1 ? (step === 1 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, current + step));
  links[next]?.focus();
}

/** Alerts as a table; with `selection`, each row gets a checkbox for bulk actions. */
export function AlertsTable({ alerts, selection, showService = true }: { alerts: readonly Alert[]; selection?: Selection; showService?: boolean }) {
  const allSelected = selection !== undefined && alerts.length > 0 && alerts.every((alert) => selection.selected.has(alert.id));
  function toggle(id: string, on: boolean) {
    if (!selection) return;
    const next = new Set(selection.selected);
    if (on) next.add(id);
    else next.delete(id);
    selection.onChange(next);
  }
  return (
    <div className="table-wrap">
      <table className="table table-stack alerts-table">
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="select-cell">
                <input
                  type="checkbox"
                  aria-label="Select all alerts shown"
                  checked={allSelected}
                  onChange={(event) => selection.onChange(event.target.checked ? new Set(alerts.map((a) => a.id)) : new Set())}
                />
              </th>
            )}
            <th scope="col">Status</th>
            <th scope="col">Alert</th>
            {showService && <th scope="col">Service</th>}
            <th scope="col">Severity</th>
            <th scope="col" className="hide-narrow">
              Events
            </th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr key={alert.id} data-alert-id={alert.id} className={selection?.selected.has(alert.id) ? 'row-selected' : undefined}>
              {selection && (
                <td className="select-cell">
                  <input type="checkbox" aria-label={`Select #${alert.number} ${alert.title}`} checked={selection.selected.has(alert.id)} onChange={(event) => toggle(alert.id, event.target.checked)} />
                </td>
              )}
              <td>
                <StatusBadge status={alert.status} />
              </td>
              <td className="alert-cell">
                <Link href={`/alerts/${alert.id}`} className="row-title alert-title">
                  <span className="alert-number">#{alert.number}</span> {alert.title}
                </Link>
                <UrgencyBadge urgency={alert.urgency} />
                {alert.suppressedBy && <SuppressedBadge by={alert.suppressedBy} />}
              </td>
              {showService && (
                <td data-label="Service">
                  <Link href={`/services/${alert.serviceHandle}`}>{alert.serviceHandle}</Link>
                </td>
              )}
              <td>
                <SeverityBadge severity={alert.severity} />
              </td>
              <td className="hide-narrow num">{alert.eventCount}</td>
              <td data-label="Last seen" className="nowrap">
                <Time value={alert.lastSeenAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
