import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { severityName, UrgencyBadge } from '../alerts/alert-badges.js';
import { alertsQuery, severities } from '../alerts/alerts.api.js';
import { AlertsTable } from '../alerts/alerts-table.js';
import { policiesQuery } from '../escalation-policies/escalation-policies.api.js';
import { teamsQuery } from '../teams/teams.api.js';
import { ChangesSection } from './changes-section.js';
import { IntegrationsSection } from './integrations-section.js';
import { MaintenanceSection } from './maintenance-section.js';
import { NoiseSection } from './noise-section.js';
import { SilencesSection } from './silences-section.js';
import { RulesSection } from './rules-editor.js';
import { SupportHoursSection } from './support-hours-form.js';
import { ServiceForm } from './service-form.js';
import { canManageService, canReadKeys, serviceQuery, servicesApi, useServiceChange, type Service, type ServiceInput } from './services.api.js';

/** One service: its details, integrations and open alerts. */
export function ServicePage({ service: ref }: { service: string }) {
  const service = useQuery(serviceQuery(ref));
  if (service.isPending) return <Loading />;
  if (service.isError) return <QueryError error={service.error} retry={() => void service.refetch()} />;
  return <ServiceDetail service={service.data} />;
}

function ServiceDetail({ service }: { service: Service }) {
  const session = useSession();
  const [, navigate] = useLocation();
  const [editing, setEditing] = useState(false);
  const teams = useQuery(teamsQuery(true));
  const policies = useQuery(policiesQuery());
  const update = useServiceChange(({ handle: _handle, ...changes }: ServiceInput) => servicesApi.update(service.id, changes), () => setEditing(false));
  const remove = useServiceChange(() => servicesApi.remove(service.id), () => navigate('/services'));
  const manage = canManageService(session, service.teamId);
  const team = service.teamId ? teams.data?.find((t) => t.id === service.teamId) : undefined;
  const policy = service.escalationPolicyId ? policies.data?.find((p) => p.id === service.escalationPolicyId) : undefined;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/services">Services</Link>
      </p>
      <PageHeader
        title={service.name}
        description={
          <>
            <span className="handle">{service.handle}</span>
            {team && <Link href={`/teams/${team.handle}`}>{team.name}</Link>}
          </>
        }
        actions={
          manage &&
          !editing && (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit service
            </button>
          )
        }
      />
      {editing ? (
        <Section title="Edit service">
          <ServiceForm service={service} error={update.error} pending={update.isPending} submitLabel="Save service" onSubmit={(values) => update.mutate(values)} onCancel={() => setEditing(false)} />
        </Section>
      ) : (
        <Section title="Details">
          {service.description && <p className="lead">{service.description}</p>}
          <dl className="details">
            <dt>Owner team</dt>
            <dd>{team ? <Link href={`/teams/${team.handle}`}>{team.name}</Link> : <span className="muted">No team</span>}</dd>
            <dt>Escalation policy</dt>
            <dd>{policy ? <Link href={`/oncall/escalation-policies/${policy.handle}`}>{policy.name}</Link> : <span className="muted">None: alerts page nobody</span>}</dd>
            <dt>Depends on</dt>
            <dd>
              {service.dependsOn.length === 0 ? (
                <span className="muted">No dependencies named</span>
              ) : (
                <ul className="label-chips" aria-label="Depends on">
                  {service.dependsOn.map((handle) => (
                    <li key={handle}>
                      <Link href={`/services/${handle}`}>{handle}</Link>
                    </li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>Runbook</dt>
            <dd>{service.runbookUrl ? <ExternalLink href={service.runbookUrl} /> : <span className="muted">None</span>}</dd>
            <dt>Dashboard</dt>
            <dd>{service.dashboardUrl ? <ExternalLink href={service.dashboardUrl} /> : <span className="muted">None</span>}</dd>
            <dt>Urgency</dt>
            <dd>
              <ul className="urgency-list">
                {severities.map((severity) => (
                  <li key={severity}>
                    <span className="urgency-severity">{severityName(severity)}</span> <UrgencyBadge urgency={service.urgency[severity]} />
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
        </Section>
      )}
      <IntegrationsSection service={service} manage={manage} readKeys={canReadKeys(session, service.teamId)} />
      <RulesSection service={service} manage={manage} />
      <SupportHoursSection service={service} manage={manage} />
      <MaintenanceSection service={service} manage={manage} />
      <SilencesSection service={service} />
      <NoiseSection service={service} manage={manage} />
      <OpenAlerts service={service} />
      <ChangesSection service={service} />
      {manage && (
        <Section title="Delete service" description="Its integrations stop accepting events at once. Its alerts stay in the history.">
          <FormAlert error={remove.error} />
          <ConfirmButton label="Delete service" question={`Delete ${service.name}?`} pending={remove.isPending} onConfirm={() => remove.mutate(undefined)} />
        </Section>
      )}
    </>
  );
}

function ExternalLink({ href }: { href: string }) {
  return (
    <a href={href} target="_blank" rel="noreferrer noopener" className="break">
      {href}
    </a>
  );
}

function OpenAlerts({ service }: { service: Service }) {
  const alerts = useQuery(alertsQuery({ service: service.handle }));
  return (
    <Section
      title="Open alerts"
      actions={
        <Link href={`/alerts?service=${encodeURIComponent(service.handle)}`} className="button button-small">
          All alerts for this service
        </Link>
      }
    >
      {alerts.isPending ? (
        <Loading />
      ) : alerts.isError ? (
        <QueryError error={alerts.error} retry={() => void alerts.refetch()} />
      ) : alerts.data.items.length === 0 ? (
        <EmptyState title="No open alerts" />
      ) : (
        <AlertsTable alerts={alerts.data.items} showService={false} />
      )}
    </Section>
  );
}
