import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { MaintenanceForm } from '../suppression/maintenance-form.js';
import { MaintenanceTable } from '../suppression/suppression-lists.js';
import { maintenanceWindowsQuery } from '../suppression/suppression.api.js';
import type { Service } from './services.api.js';

/** The service's maintenance windows (active, upcoming, past) and scheduling a new one. */
export function MaintenanceSection({ service, manage }: { service: Service; manage: boolean }) {
  const [adding, setAdding] = useState(false);
  const windows = useQuery(maintenanceWindowsQuery({ service: service.id }));
  return (
    <Section
      title="Maintenance windows"
      description="During a window, this service’s events are recorded and alerts open as usual, but nobody is notified."
      actions={
        <span className="row-buttons">
          <Link href="/maintenance-windows" className="button button-small">
            All windows
          </Link>
          {manage && !adding && (
            <button type="button" className="button" onClick={() => setAdding(true)}>
              Schedule maintenance
            </button>
          )}
        </span>
      }
    >
      {adding && <MaintenanceForm service={service} onDone={() => setAdding(false)} onCancel={() => setAdding(false)} />}
      {windows.isPending ? <Loading /> : windows.isError ? <QueryError error={windows.error} retry={() => void windows.refetch()} /> : <MaintenanceTable windows={windows.data} showServices={false} />}
    </Section>
  );
}
