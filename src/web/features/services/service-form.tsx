import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { severityName } from '../alerts/alert-badges.js';
import { severities, type Severity, type Urgency } from '../alerts/alerts.api.js';
import { policiesQuery } from '../escalation-policies/escalation-policies.api.js';
import { teamsQuery } from '../teams/teams.api.js';
import type { Service, ServiceInput } from './services.api.js';
import { FormActions } from '../../ui/form-actions.js';

const defaultUrgency: Record<Severity, Urgency> = { critical: 'high', error: 'high', warning: 'low', info: 'low' };

const urlHint = 'Can be replaced but not removed yet.';

const fields = ['handle', 'name', 'description', 'team', 'escalationPolicy', 'runbookUrl', 'dashboardUrl', 'urgency', 'dependsOn'];

interface ServiceFormProps {
  /** Editing an existing service: its handle is fixed, since URLs, config and the CLI use it. */
  service?: Service;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onSubmit: (values: ServiceInput) => void;
  onCancel?: () => void;
}

/** Creates or edits a service: owner team, escalation policy, runbook and dashboard, urgency rules. */
export function ServiceForm({ service, error, pending, submitLabel, onSubmit, onCancel }: ServiceFormProps) {
  const teams = useQuery(teamsQuery());
  const policies = useQuery(policiesQuery());
  const errors = fieldErrors(error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const optional = (name: string) => formText(data, name) || undefined;
    const urgency = Object.fromEntries(severities.map((severity) => [severity, formText(data, `urgency-${severity}`) as Urgency])) as Record<Severity, Urgency>;
    onSubmit({
      handle: service?.handle ?? formText(data, 'handle'),
      name: formText(data, 'name'),
      description: formText(data, 'description'),
      team: optional('team'),
      escalationPolicy: optional('escalationPolicy'),
      runbookUrl: optional('runbookUrl'),
      dashboardUrl: optional('dashboardUrl'),
      urgency,
      // Editing: an empty box clears the dependencies; creating: none.
      dependsOn: service || formText(data, 'dependsOn') ? formText(data, 'dependsOn').split(/[\s,]+/).filter(Boolean) : undefined,
    });
  }

  return (
    <form className="form" onSubmit={submit} aria-label={service ? 'Edit service' : 'New service'}>
      <FormAlert error={error} fields={fields} />
      <div className="form-row">
        <Field label="Name" name="name" error={errors.name}>
          {(control) => <input {...control} defaultValue={service?.name} required autoFocus={!service} />}
        </Field>
        {!service && (
          <Field label="Handle" name="handle" error={errors.handle} hint="Used in URLs, config and the CLI, like checkout-api.">
            {(control) => <input {...control} spellCheck={false} autoComplete="off" required />}
          </Field>
        )}
      </div>
      <Field label="Description" name="description" error={errors.description}>
        {(control) => <textarea {...control} defaultValue={service?.description} rows={2} />}
      </Field>
      <div className="form-row">
        <Field label="Owner team" name="team" error={errors.team}>
          {(control) => (
            <select {...control} defaultValue={service?.teamId ?? ''} key={teams.data ? 'loaded' : 'loading'}>
              {/* The update contract has no way to remove a team or policy yet, only to change it. */}
              <option value="" disabled={Boolean(service?.teamId)}>
                No team
              </option>
              {(teams.data ?? []).map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Escalation policy" name="escalationPolicy" error={errors.escalationPolicy} hint="Who is paged when this service alerts.">
          {(control) => (
            <select {...control} defaultValue={service?.escalationPolicyId ?? ''} key={policies.data ? 'loaded' : 'loading'}>
              <option value="" disabled={Boolean(service?.escalationPolicyId)}>
                No escalation policy
              </option>
              {(policies.data ?? []).map((policy) => (
                <option key={policy.id} value={policy.id}>
                  {policy.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Runbook URL" name="runbookUrl" error={errors.runbookUrl} hint={service?.runbookUrl ? urlHint : undefined}>
          {(control) => <input {...control} type="url" defaultValue={service?.runbookUrl ?? ''} placeholder="https://" required={Boolean(service?.runbookUrl)} />}
        </Field>
        <Field label="Dashboard URL" name="dashboardUrl" error={errors.dashboardUrl} hint={service?.dashboardUrl ? urlHint : undefined}>
          {(control) => <input {...control} type="url" defaultValue={service?.dashboardUrl ?? ''} placeholder="https://" required={Boolean(service?.dashboardUrl)} />}
        </Field>
      </div>
      <Field label="Depends on" name="dependsOn" error={errors.dependsOn ?? Object.entries(errors).find(([k]) => k.startsWith('dependsOn.'))?.[1]} hint="Handles of services this one calls, separated by commas. Incidents show their recent changes too.">
        {(control) => <input {...control} defaultValue={service?.dependsOn.join(', ') ?? ''} spellCheck={false} autoComplete="off" placeholder="payments, auth" />}
      </Field>
      <fieldset className="urgency-rules">
        <legend>Urgency by severity</legend>
        <p className="field-hint">High-urgency alerts page people at once; low-urgency ones notify within the service’s support hours; backlog alerts notify no one and wait in the Backlog.</p>
        <div className="form-row">
          {severities.map((severity) => (
            <Field key={severity} label={severityName(severity)} name={`urgency-${severity}`} error={errors[`urgency.${severity}`]}>
              {(control) => (
                <select {...control} defaultValue={service?.urgency[severity] ?? defaultUrgency[severity]}>
                  <option value="high">High urgency</option>
                  <option value="low">Low urgency</option>
                  <option value="backlog">Backlog (notify no one)</option>
                </select>
              )}
            </Field>
          ))}
        </div>
      </fieldset>
      <FormActions pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
