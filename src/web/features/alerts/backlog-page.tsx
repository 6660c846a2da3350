import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, PageHeader, QueryError } from '../../ui/page.js';
import { ServiceFilter } from '../services/service-filter.js';
import { alertsApi, alertsQuery, canRespond, useAlertChange } from './alerts.api.js';
import { AlertsTable } from './alerts-table.js';

/**
 * The backlog: "eventually" alerts (urgency backlog) that notify no one. Someone works through them
 * in daylight: look, fix or file a ticket, resolve.
 */
export function BacklogPage() {
  const session = useSession();
  const [service, setService] = useState('');
  const [resolved, setResolved] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const alerts = useQuery(alertsQuery({ urgency: 'backlog', service: service || undefined, status: resolved ? 'triggered,acknowledged,resolved' : undefined }));
  const respond = canRespond(session);
  const resolve = useAlertChange((ids: string[]) => alertsApi.bulk(ids, 'resolve'), () => setSelected(new Set()));

  return (
    <>
      <PageHeader
        title="Backlog"
        description={
          <>
            Alerts that notify no one: their service’s urgency rules or a routing rule put them in the backlog. See also <Link href="/alerts">all alerts</Link>.
          </>
        }
      />
      <div className="form-row form-row-end filters">
        <ServiceFilter value={service || undefined} onChange={(s) => setService(s ?? '')} />
        <label className="checkbox">
          <input type="checkbox" checked={resolved} onChange={(e) => setResolved(e.target.checked)} />
          Include resolved
        </label>
        {respond && (
          <button type="button" className="button" disabled={selected.size === 0 || resolve.isPending} onClick={() => resolve.mutate([...selected])}>
            Resolve selected ({selected.size})
          </button>
        )}
      </div>
      <FormAlert error={resolve.error} />
      {alerts.isPending ? (
        <Loading />
      ) : alerts.isError ? (
        <QueryError error={alerts.error} retry={() => void alerts.refetch()} />
      ) : alerts.data.items.length === 0 ? (
        <EmptyState title="The backlog is empty">
          <p>Set a severity’s urgency to Backlog on a service, or add a routing rule with urgency Backlog, to collect “eventually” problems here.</p>
        </EmptyState>
      ) : (
        <AlertsTable alerts={alerts.data.items} {...(respond ? { selection: { selected, onChange: setSelected } } : {})} />
      )}
    </>
  );
}
