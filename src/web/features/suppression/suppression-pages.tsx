import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSession } from '../../app/session.js';
import { isAdmin } from '../../app/permissions.js';
import { Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { MaintenanceForm } from './maintenance-form.js';
import { SilenceForm } from './silence-form.js';
import { MaintenanceTable, SilencesTable } from './suppression-lists.js';
import { canSilence, maintenanceWindowsQuery, silencesQuery } from './suppression.api.js';

/** Every maintenance window: active ones first, then upcoming and past ones. */
export function MaintenanceWindowsPage() {
  const session = useSession();
  const [adding, setAdding] = useState(false);
  const windows = useQuery(maintenanceWindowsQuery());
  const canAdd = isAdmin(session) || session.user.teams.some((t) => t.role === 'admin');
  const active = windows.data?.filter((w) => w.active) ?? [];
  const rest = windows.data?.filter((w) => !w.active) ?? [];
  return (
    <>
      <PageHeader
        title="Maintenance windows"
        description="While a window is active, its services’ events are recorded and alerts open as usual, but nobody is notified."
        actions={
          canAdd &&
          !adding && (
            <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
              Schedule maintenance
            </button>
          )
        }
      />
      {adding && <MaintenanceForm onDone={() => setAdding(false)} onCancel={() => setAdding(false)} />}
      {windows.isPending ? (
        <Loading />
      ) : windows.isError ? (
        <QueryError error={windows.error} retry={() => void windows.refetch()} />
      ) : (
        <>
          <Section title="Active now">
            <MaintenanceTable windows={active} />
          </Section>
          <Section title="Upcoming and past">
            <MaintenanceTable windows={rest} />
          </Section>
        </>
      )}
    </>
  );
}

/** Every silence: pending and active ones, and the recently expired. */
export function SilencesPage() {
  const session = useSession();
  const [adding, setAdding] = useState(false);
  const current = useQuery(silencesQuery());
  const expired = useQuery(silencesQuery({ state: 'expired' }));
  return (
    <>
      <PageHeader
        title="Silences"
        description="Label matchers with an expiry, as in Alertmanager: matching events are recorded, but nobody is notified."
        actions={
          canSilence(session) &&
          !adding && (
            <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
              New silence
            </button>
          )
        }
      />
      {adding && <SilenceForm onDone={() => setAdding(false)} onCancel={() => setAdding(false)} />}
      <Section title="Active and pending">
        {current.isPending ? <Loading /> : current.isError ? <QueryError error={current.error} retry={() => void current.refetch()} /> : <SilencesTable silences={current.data} />}
      </Section>
      <Section title="Expired">
        {expired.isPending ? <Loading /> : expired.isError ? <QueryError error={expired.error} retry={() => void expired.refetch()} /> : <SilencesTable silences={expired.data.slice(0, 50)} />}
      </Section>
    </>
  );
}
