import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useSession } from '../../app/session.js';
import { Field } from '../../ui/field.js';
import { EmptyState, Loading, PageHeader, QueryError } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { LiveIndicator } from '../live/live-indicator.js';
import { useLiveIncidentList } from '../live/use-live-incident.js';
import { ServiceFilter } from '../services/service-filter.js';
import { IncidentSeverityBadge, IncidentStatusBadge } from './incident-badges.js';
import { canRespond, commanderOf, INCIDENT_REFRESH_MS, incidentsQuery, severitiesQuery, type IncidentFilters } from './incidents.api.js';

const statusChoices = [
  { value: 'open', label: 'Open' },
  { value: 'investigating', label: 'Investigating' },
  { value: 'identified', label: 'Identified' },
  { value: 'monitoring', label: 'Monitoring' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'any', label: 'Any status' },
] as const;

/** Filters live in the address (bookmarkable). No status in the address means open incidents. */
function filtersFromSearch(search: string): IncidentFilters & { status: string } {
  const params = new URLSearchParams(search);
  return { status: params.get('status') || 'open', severity: params.get('severity') || undefined, service: params.get('service') || undefined };
}

/** Incidents, newest first, with filters; live (re-read when any incident changes). */
export function IncidentsPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const filters = filtersFromSearch(useSearch());
  const [before, setBefore] = useState<string[]>([]);
  const live = useLiveIncidentList();
  const query = { status: filters.status === 'any' ? undefined : filters.status, severity: filters.severity, service: filters.service, before: before.at(-1) };
  const incidents = useQuery({ ...incidentsQuery(query), refetchInterval: live === 'live' ? false : INCIDENT_REFRESH_MS });
  const severities = useQuery(severitiesQuery());

  function setFilters(change: Partial<IncidentFilters>) {
    setBefore([]);
    const next = { ...filters, ...change };
    const params = new URLSearchParams();
    if (next.status && next.status !== 'open') params.set('status', next.status);
    if (next.severity) params.set('severity', next.severity);
    if (next.service) params.set('service', next.service);
    const qs = params.toString();
    navigate(`/incidents${qs ? `?${qs}` : ''}`, { replace: true });
  }

  const items = incidents.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Incidents"
        description={
          <>
            Coordinated responses with a commander, roles and one timeline. <LiveIndicator state={live} />
          </>
        }
        actions={
          canRespond(session) && (
            <Link href="/incidents/new" className="button button-primary">
              Declare incident
            </Link>
          )
        }
      />
      <div className="form-row filters incident-filters">
        <Field label="Status" name="status">
          {(control) => (
            <select {...control} value={filters.status} onChange={(event) => setFilters({ status: event.target.value })}>
              {statusChoices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Severity" name="severity">
          {(control) => (
            <select {...control} value={filters.severity ?? ''} onChange={(event) => setFilters({ severity: event.target.value || undefined })}>
              <option value="">Any severity</option>
              {(severities.data ?? []).map((s) => (
                <option key={s.key} value={s.key}>
                  {s.key} · {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ServiceFilter value={filters.service} onChange={(service) => setFilters({ service })} />
      </div>
      {incidents.isPending ? (
        <Loading />
      ) : incidents.isError ? (
        <QueryError error={incidents.error} retry={() => void incidents.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={filters.status === 'open' && !filters.severity && !filters.service ? 'No open incidents' : 'No incidents match these filters'}>
          <p>Declare an incident when an alert needs a coordinated response: several people, stakeholders to keep informed.</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table table-stack incidents-table">
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Status</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Commander</th>
                  <th scope="col">Declared</th>
                </tr>
              </thead>
              <tbody>
                {items.map((incident) => {
                  const commander = commanderOf(incident);
                  return (
                    <tr key={incident.id}>
                      <td>
                        <Link href={`/incidents/${incident.reference}`} className="row-title">
                          {incident.reference} {incident.title}
                        </Link>
                        {incident.impactedServices.length > 0 && <span className="small muted">{incident.impactedServices.map((s) => s.name).join(', ')}</span>}
                      </td>
                      <td data-label="Status">
                        <IncidentStatusBadge status={incident.status} mitigated={incident.mitigated} />
                        {incident.mitigated && incident.status !== 'resolved' && <span className="small muted"> mitigated</span>}
                      </td>
                      <td data-label="Severity">
                        <IncidentSeverityBadge severity={incident.severity} definitions={severities.data} />
                      </td>
                      <td data-label="Commander">{commander ? commander.userName : <span className="muted">Vacant</span>}</td>
                      <td data-label="Declared">
                        <Time value={incident.times.declaredAt} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="pager">
            {before.length > 0 && (
              <button type="button" className="button button-small" onClick={() => setBefore([])}>
                Newest
              </button>
            )}
            {incidents.data.nextBefore && (
              <button type="button" className="button button-small" onClick={() => setBefore([...before, incidents.data.nextBefore ?? ''])}>
                Older incidents
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}
