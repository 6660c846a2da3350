import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useSession } from '../../app/session.js';
import { Field, FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, PageHeader, QueryError } from '../../ui/page.js';
import { LiveIndicator } from '../live/live-indicator.js';
import { useLiveAlerts } from '../live/use-live-alerts.js';
import { ServiceFilter } from '../services/service-filter.js';
import { servicesQuery } from '../services/services.api.js';
import { ShortcutsHint, useShortcuts } from './alert-shortcuts.js';
import { ALERT_REFRESH_MS, alertsApi, alertsQuery, canRespond, useAlertChange, type AlertAction, type AlertFilters, type Urgency } from './alerts.api.js';
import { AlertsTable, focusedAlertId, moveAlertFocus } from './alerts-table.js';
import { TriggerAlertForm } from './trigger-alert-form.js';

const statusChoices = [
  { value: '', label: 'Open' },
  { value: 'triggered', label: 'Triggered' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'triggered,acknowledged,resolved', label: 'Any status' },
] as const;

/** Filters live in the address, so a filtered list can be bookmarked and shared. */
function filtersFromSearch(search: string): AlertFilters {
  const params = new URLSearchParams(search);
  const urgency = params.get('urgency');
  return {
    service: params.get('service') || undefined,
    status: params.get('status') || undefined,
    urgency: urgency === 'high' || urgency === 'low' || urgency === 'backlog' ? (urgency as Urgency) : undefined,
    q: params.get('q') || undefined,
  };
}

function searchFromFilters(filters: AlertFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, String(value));
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/** Alerts across services: filters, bulk actions, keyboard shortcuts, live updates (polling while disconnected). */
export function AlertsPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const filters = filtersFromSearch(useSearch());
  const [before, setBefore] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [triggering, setTriggering] = useState(false);
  const searchInput = useRef<HTMLInputElement>(null);
  const cursor = before.at(-1);
  const live = useLiveAlerts();
  // While the event stream is open it drives refreshes; polling is the fallback when it is not.
  const alerts = useQuery({ ...alertsQuery({ ...filters, before: cursor }), refetchInterval: live === 'live' ? false : ALERT_REFRESH_MS });
  const services = useQuery(servicesQuery());
  const respond = canRespond(session);
  // Failures from the last bulk action: each alert succeeds or fails on its own.
  const [bulkProblems, setBulkProblems] = useState<string[]>([]);
  const act = useAlertChange(
    ({ ids, action }: { ids: string[]; action: AlertAction }) => alertsApi.bulk(ids, action),
    (result) => setBulkProblems(result.items.filter((item) => !item.ok).map((item) => item.error ?? `Alert ${item.id} could not be changed`)),
  );

  const shown = alerts.data?.items ?? [];
  // Only what is on screen can be acted on: a selection never reaches alerts the filters hide.
  const visibleSelected = [...selected].filter((id) => shown.some((alert) => alert.id === id));

  function setFilters(change: Partial<AlertFilters>) {
    setBefore([]);
    setSelected(new Set());
    navigate(`/alerts${searchFromFilters({ ...filters, ...change })}`, { replace: true });
  }

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFilters({ q: searchInput.current?.value.trim() || undefined });
  }

  function actOnFocused(action: AlertAction) {
    const id = focusedAlertId();
    const alert = shown.find((a) => a.id === id);
    if (!alert || !respond) return;
    if (action === 'acknowledge' && alert.status !== 'triggered') return;
    if (action === 'resolve' && alert.status === 'resolved') return;
    act.mutate({ ids: [alert.id], action });
  }

  useShortcuts({
    a: () => actOnFocused('acknowledge'),
    r: () => actOnFocused('resolve'),
    j: () => moveAlertFocus(1),
    k: () => moveAlertFocus(-1),
    '/': () => searchInput.current?.focus(),
  });

  return (
    <>
      <PageHeader
        title="Alerts"
        description={
          <>
            Deduplicated problems from your monitoring. This list updates as alerts change. <LiveIndicator state={live} />
          </>
        }
        actions={
          respond &&
          !triggering && (
            <button type="button" className="button" onClick={() => setTriggering(true)}>
              Trigger test alert
            </button>
          )
        }
      />
      {triggering && <TriggerAlertForm services={services.data ?? []} defaultService={filters.service} onClose={() => setTriggering(false)} />}
      <div className="form-row filters alert-filters">
        <ServiceFilter value={filters.service} onChange={(service) => setFilters({ service })} />
        <Field label="Status" name="status">
          {(control) => (
            <select {...control} value={filters.status ?? ''} onChange={(event) => setFilters({ status: event.target.value || undefined })}>
              {statusChoices.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Urgency" name="urgency">
          {(control) => (
            <select {...control} value={filters.urgency ?? ''} onChange={(event) => setFilters({ urgency: (event.target.value || undefined) as Urgency | undefined })}>
              <option value="">High and low</option>
              <option value="high">High urgency</option>
              <option value="low">Low urgency</option>
              <option value="backlog">Backlog</option>
            </select>
          )}
        </Field>
        <form role="search" aria-label="Search alerts" onSubmit={search} className="alert-search">
          <Field label="Search" name="q">
            {(control) => <input {...control} ref={searchInput} type="search" defaultValue={filters.q} key={filters.q ?? ''} placeholder="Title or dedup key" />}
          </Field>
        </form>
      </div>

      {visibleSelected.length > 0 && (
        <div className="bulk-bar" role="region" aria-label="Bulk actions">
          <span>
            <strong>{visibleSelected.length}</strong> selected
          </span>
          {respond && (
            <>
              <button type="button" className="button button-small" disabled={act.isPending} onClick={() => act.mutate({ ids: visibleSelected, action: 'acknowledge' }, { onSuccess: () => setSelected(new Set()) })}>
                Acknowledge selected
              </button>
              <button type="button" className="button button-small" disabled={act.isPending} onClick={() => act.mutate({ ids: visibleSelected, action: 'resolve' }, { onSuccess: () => setSelected(new Set()) })}>
                Resolve selected
              </button>
            </>
          )}
          <button type="button" className="button button-small button-quiet" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      <FormAlert error={act.error} />
      {bulkProblems.length > 0 && (
        <div className="alert alert-error" role="alert">
          <p>
            {bulkProblems.length === 1 ? 'One alert was not changed:' : `${bulkProblems.length} alerts were not changed:`}
          </p>
          <ul>
            {bulkProblems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
          <button type="button" className="button button-small" onClick={() => setBulkProblems([])}>
            Dismiss
          </button>
        </div>
      )}

      {alerts.isPending ? (
        <Loading />
      ) : alerts.isError ? (
        <QueryError error={alerts.error} retry={() => void alerts.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={filters.service || filters.status || filters.urgency || filters.q ? 'No alerts match these filters' : 'No open alerts'}>
          <p>
            Alerts arrive from a service’s integrations. <Link href="/services">Set up a service</Link> to start receiving them.
          </p>
        </EmptyState>
      ) : (
        <>
          <AlertsTable alerts={shown} selection={respond ? { selected, onChange: setSelected } : undefined} />
          <div className="pager">
            {before.length > 0 && (
              <button type="button" className="button button-small" onClick={() => setBefore([])}>
                Newest
              </button>
            )}
            {alerts.data.nextBefore && (
              <button type="button" className="button button-small" onClick={() => setBefore([...before, alerts.data.nextBefore ?? ''])}>
                Older alerts
              </button>
            )}
          </div>
        </>
      )}
      <ShortcutsHint
        shortcuts={[
          ['j / k', 'move to the next or previous alert'],
          ['a', 'acknowledge the focused alert'],
          ['r', 'resolve the focused alert'],
          ['/', 'search'],
        ]}
      />
    </>
  );
}
