import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { teamsQuery } from '../teams/teams.api.js';
import { ServiceForm } from './service-form.js';
import { canManageService, servicesApi, servicesQuery, useServiceChange } from './services.api.js';

/** Every service with its owner, open alerts and integrations; admins and team admins create one here. */
export function ServicesPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const [creating, setCreating] = useState(false);
  const services = useQuery(servicesQuery());
  const teams = useQuery(teamsQuery(true));
  const create = useServiceChange(servicesApi.create, (service) => navigate(`/services/${service.handle}`));
  const canCreate = canManageService(session);
  const team = (id: string | null) => (id ? teams.data?.find((t) => t.id === id) : undefined);

  return (
    <>
      <PageHeader
        title="Services"
        description="What your organization runs. Each service has an owner team, integrations that send it alerts, and urgency rules."
        actions={
          canCreate &&
          !creating && (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              New service
            </button>
          )
        }
      />
      {creating && (
        <Section title="New service">
          <ServiceForm error={create.error} pending={create.isPending} submitLabel="Create service" onSubmit={(values) => create.mutate(values)} onCancel={() => setCreating(false)} />
        </Section>
      )}
      {services.isPending ? (
        <Loading />
      ) : services.isError ? (
        <QueryError error={services.error} retry={() => void services.refetch()} />
      ) : services.data.length === 0 ? (
        <EmptyState title="No services yet">{canCreate ? <p>Create a service, then add an integration so your monitoring can send it alerts.</p> : <p>Admins and team admins create services.</p>}</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Team</th>
                <th scope="col" className="num">
                  Open alerts
                </th>
                <th scope="col" className="num">
                  Integrations
                </th>
              </tr>
            </thead>
            <tbody>
              {services.data.map((service) => {
                const owner = team(service.teamId);
                return (
                  <tr key={service.id}>
                    <td>
                      <Link href={`/services/${service.handle}`} className="row-title">
                        {service.name}
                      </Link>
                      <span className="handle">{service.handle}</span>
                    </td>
                    <td data-label="Team">{owner ? <Link href={`/teams/${owner.handle}`}>{owner.name}</Link> : <span className="muted">No team</span>}</td>
                    <td data-label="Open alerts" className="num">
                      {service.openAlerts > 0 ? (
                        <Link href={`/alerts?service=${encodeURIComponent(service.handle)}`} className="open-count">
                          {service.openAlerts} open
                        </Link>
                      ) : (
                        <span className="muted">None</span>
                      )}
                    </td>
                    <td data-label="Integrations" className="num">
                      {service.integrations.length}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
