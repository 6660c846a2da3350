import { useQueries, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Loading, PageHeader, QueryError } from '../../ui/page.js';
import { StatusBadge } from '../alerts/alert-badges.js';
import { alertQuery, alertsQuery, type Alert } from '../alerts/alerts.api.js';
import { servicesQuery } from '../services/services.api.js';
import { incidentsApi, severitiesQuery, useIncidentChange } from './incidents.api.js';

/**
 * `/incidents/new`, optionally `?alert=<id>` (repeatable): declare an incident from scratch or from
 * alerts. The alert page's "Declare incident" links here with its alert ticked.
 */
export function DeclareIncidentPage() {
  const params = new URLSearchParams(useSearch());
  const fromAlerts = params.getAll('alert').flatMap((v) => v.split(',')).filter(Boolean);
  return (
    <>
      <p className="breadcrumb">
        <Link href="/incidents">Incidents</Link>
      </p>
      <PageHeader title="Declare incident" description="You become the incident commander until you hand over. Declaring never waits for anyone's approval." />
      <DeclareIncidentForm fromAlerts={fromAlerts} />
    </>
  );
}

function DeclareIncidentForm({ fromAlerts }: { fromAlerts: readonly string[] }) {
  const [, navigate] = useLocation();
  const severities = useQuery(severitiesQuery());
  const services = useQuery(servicesQuery());
  const openAlerts = useQuery(alertsQuery({ limit: 50 }));
  const named = useQueries({ queries: fromAlerts.map((id) => alertQuery(id)) });
  const namedAlerts = named.map((q) => q.data).filter((a): a is Alert => a !== undefined);
  const [title, setTitle] = useState<string | null>(null);
  const [severity, setSeverity] = useState('');
  const [serviceHandles, setServiceHandles] = useState<Set<string>>(new Set());
  const [alertIds, setAlertIds] = useState<Set<string>>(() => new Set(fromAlerts));
  const [summary, setSummary] = useState('');
  const [missing, setMissing] = useState<Record<string, string>>({});
  const declare = useIncidentChange(incidentsApi.declare, (incident) => navigate(`/incidents/${incident.reference}`));

  // The title starts as the first named alert's title, until the person types their own.
  const shownTitle = title ?? namedAlerts[0]?.title ?? '';
  const alertChoices = [...namedAlerts, ...(openAlerts.data?.items ?? []).filter((a) => !namedAlerts.some((n) => n.id === a.id))];
  const errors = { ...fieldErrors(declare.error), ...missing };

  function toggle(set: Set<string>, value: string, on: boolean): Set<string> {
    const next = new Set(set);
    if (on) next.add(value);
    else next.delete(value);
    return next;
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!shownTitle.trim()) problems.title = 'Give the incident a title';
    if (!severity) problems.severity = 'Choose a severity';
    setMissing(problems);
    if (Object.keys(problems).length > 0) return;
    declare.mutate({
      title: shownTitle.trim(),
      severity,
      ...(summary.trim() ? { summary: summary.trim() } : {}),
      ...(serviceHandles.size > 0 ? { impactedServices: [...serviceHandles] } : {}),
      ...(alertIds.size > 0 ? { alertIds: [...alertIds] } : {}),
    });
  }

  if (severities.isPending) return <Loading />;
  if (severities.isError) return <QueryError error={severities.error} retry={() => void severities.refetch()} />;

  return (
    <form className="form incident-declare" onSubmit={submit} noValidate aria-label="Declare incident">
      <FormAlert error={declare.error} fields={['title', 'severity', 'summary', 'impactedServices', 'alertIds']} />
      <Field label="Title" name="title" error={errors.title} hint="What is broken, as customers would say it: “Checkout errors”.">
        {(control) => <input {...control} value={shownTitle} maxLength={500} onChange={(event) => setTitle(event.target.value)} autoFocus />}
      </Field>
      <fieldset className="incident-severity-choice" aria-invalid={errors.severity ? true : undefined}>
        <legend>Severity</legend>
        {errors.severity && <p className="field-error">{errors.severity}</p>}
        {severities.data.map((s) => (
          <label key={s.key} className="incident-severity-option">
            <input type="radio" name="severity" value={s.key} checked={severity === s.key} onChange={() => setSeverity(s.key)} />
            <span>
              <strong>
                {s.key} · {s.name}
              </strong>
              <span className="small">{s.description}</span>
              <span className="small muted">{s.response}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="incident-checklist-choice">
        <legend>Impacted services</legend>
        <p className="field-hint">Leave empty to take the linked alerts’ services.</p>
        {errors.impactedServices && <p className="field-error">{errors.impactedServices}</p>}
        <div className="incident-choice-list">
          {(services.data ?? []).map((s) => (
            <label key={s.id} className="checkbox">
              <input type="checkbox" checked={serviceHandles.has(s.handle)} onChange={(event) => setServiceHandles(toggle(serviceHandles, s.handle, event.target.checked))} /> {s.name}
            </label>
          ))}
          {services.data?.length === 0 && <p className="muted small">No services yet.</p>}
        </div>
      </fieldset>
      <fieldset className="incident-checklist-choice">
        <legend>Alerts to link</legend>
        {errors.alertIds && <p className="field-error">{errors.alertIds}</p>}
        <div className="incident-choice-list">
          {alertChoices.map((a) => (
            <label key={a.id} className="checkbox">
              <input type="checkbox" checked={alertIds.has(a.id)} onChange={(event) => setAlertIds(toggle(alertIds, a.id, event.target.checked))} /> <StatusBadge status={a.status} /> #{a.number} {a.title}{' '}
              <span className="muted small">{a.serviceHandle}</span>
            </label>
          ))}
          {alertChoices.length === 0 && <p className="muted small">No open alerts.</p>}
        </div>
      </fieldset>
      <Field label="Summary" name="summary" error={errors.summary} hint="Optional: what is known so far.">
        {(control) => <textarea {...control} rows={4} value={summary} maxLength={20_000} onChange={(event) => setSummary(event.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={declare.isPending}>
          Declare incident
        </button>
        <Link href="/incidents" className="button">
          Cancel
        </Link>
      </div>
    </form>
  );
}
