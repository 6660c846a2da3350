import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { IncidentRule, IncidentSeverityView } from '../../../contracts/incident-rules.js';
import { fieldErrors } from '../../api/client.js';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { incidentSettingsApi, policyQuery, rulesQuery, servicesQuery, severitiesQuery, useSettingsChange } from './incident-settings.api.js';
import './incident-settings.css';

const alertSeverities = ['critical', 'error', 'warning', 'info'] as const;

/** Blank means "off" (null); otherwise a whole number. */
const optionalNumber = (data: FormData, name: string): number | null => {
  const text = formText(data, name);
  return text === '' ? null : Number(text);
};
const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Settings → Incidents: the severities (with their response expectations and update cadence), the
 * auto-declare rules, and the postmortem policy. Admins change them; everyone else reads them.
 */
export function IncidentSettingsPage() {
  const admin = isAdmin(useSession());
  return (
    <>
      <SeveritiesSection admin={admin} />
      <RulesSection admin={admin} />
      <PostmortemPolicySection admin={admin} />
    </>
  );
}

// ---- severities

function SeveritiesSection({ admin }: { admin: boolean }) {
  const severities = useQuery(severitiesQuery);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const create = useSettingsChange(incidentSettingsApi.createSeverity);
  const remove = useSettingsChange(incidentSettingsApi.removeSeverity);
  const stored = severities.data?.some((s) => s.stored) ?? false;
  return (
    <Section
      title="Severities"
      description={
        stored
          ? 'Most severe first. Incidents store the key; the update cadence is how often the communications lead is reminded to post a stakeholder update.'
          : 'These are the built-in severities. The first change stores them, then your change.'
      }
      actions={admin && !adding && (
        <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
          Add severity
        </button>
      )}
    >
      {adding && (
        <SeverityForm
          title="New severity"
          error={create.error}
          pending={create.isPending}
          onCancel={() => {
            create.reset();
            setAdding(false);
          }}
          onSubmit={(values) => create.mutate({ ...values, key: values.key ?? '' }, { onSuccess: () => setAdding(false) })}
        />
      )}
      <FormAlert error={remove.error} />
      {severities.isPending ? (
        <Loading />
      ) : severities.isError ? (
        <QueryError error={severities.error} retry={() => void severities.refetch()} />
      ) : (
        <div className="table-wrap">
          <table className="table table-stack" aria-label="Severities">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Name</th>
                <th scope="col">When to use it</th>
                <th scope="col">Response expected</th>
                <th scope="col">Update cadence</th>
                {admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {severities.data.map((s) =>
                editing === s.key ? (
                  <tr key={s.key}>
                    <td colSpan={admin ? 6 : 5}>
                      <SeverityEditor severity={s} onDone={() => setEditing(null)} />
                    </td>
                  </tr>
                ) : (
                  <tr key={s.key}>
                    <td data-label="Key">
                      <strong>{s.key}</strong>
                    </td>
                    <td data-label="Name">{s.name}</td>
                    <td data-label="When to use it">{s.description || <span className="muted">—</span>}</td>
                    <td data-label="Response expected">{s.response || <span className="muted">—</span>}</td>
                    <td data-label="Update cadence">{s.updateCadenceMinutes === null ? <span className="muted">Default (30 min)</span> : `Every ${s.updateCadenceMinutes} min`}</td>
                    {admin && (
                      <td data-label="Actions">
                        <button type="button" className="button" onClick={() => setEditing(s.key)} aria-label={`Edit ${s.key}`}>
                          Edit
                        </button>{' '}
                        <ConfirmButton label="Delete" question={`Delete ${s.key}? Open incidents, rules and the postmortem policy must not use it.`} pending={remove.isPending} onConfirm={() => remove.mutate(s.key)} />
                      </td>
                    )}
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

interface SeverityValues {
  key?: string;
  name: string;
  description: string;
  response: string;
  updateCadenceMinutes: number | null;
  position?: number;
}

function SeverityEditor({ severity, onDone }: { severity: IncidentSeverityView; onDone: () => void }) {
  const update = useSettingsChange(incidentSettingsApi.updateSeverity);
  return (
    <SeverityForm
      title={`Edit ${severity.key}`}
      initial={severity}
      error={update.error}
      pending={update.isPending}
      onCancel={onDone}
      onSubmit={(values) => {
        const { key: _key, ...changes } = values;
        update.mutate({ key: severity.key, changes }, { onSuccess: onDone });
      }}
    />
  );
}

function SeverityForm({ title, initial, error, pending, onSubmit, onCancel }: { title: string; initial?: IncidentSeverityView; error: unknown; pending: boolean; onSubmit: (values: SeverityValues) => void; onCancel: () => void }) {
  const errors = fieldErrors(error);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const position = optionalNumber(data, 'position');
    onSubmit({
      ...(initial ? {} : { key: formText(data, 'key') }),
      name: formText(data, 'name'),
      description: formText(data, 'description'),
      response: formText(data, 'response'),
      updateCadenceMinutes: optionalNumber(data, 'updateCadenceMinutes'),
      ...(position !== null ? { position } : {}),
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={title} noValidate>
      <FormAlert error={error} fields={['key', 'name', 'description', 'response', 'updateCadenceMinutes', 'position']} />
      {!initial && (
        <Field label="Key" name="key" error={errors.key} hint="Letters, digits and hyphens, such as SEV0. It cannot change later.">
          {(control) => <input {...control} className="input" required />}
        </Field>
      )}
      <Field label="Name" name="name" error={errors.name}>
        {(control) => <input {...control} className="input" defaultValue={initial?.name ?? ''} required />}
      </Field>
      <Field label="When to use it" name="description" error={errors.description}>
        {(control) => <textarea {...control} className="input" defaultValue={initial?.description ?? ''} rows={2} />}
      </Field>
      <Field label="Response expected" name="response" error={errors.response}>
        {(control) => <textarea {...control} className="input" defaultValue={initial?.response ?? ''} rows={2} />}
      </Field>
      <Field label="Update cadence (minutes)" name="updateCadenceMinutes" error={errors.updateCadenceMinutes} hint="How often to remind the communications lead; blank: the default, 30 minutes.">
        {(control) => <input {...control} className="input" type="number" min={1} defaultValue={initial?.updateCadenceMinutes ?? ''} />}
      </Field>
      <Field label="Position" name="position" error={errors.position} hint="0 is the most severe; blank keeps it where it is (new ones go last).">
        {(control) => <input {...control} className="input" type="number" min={0} defaultValue={initial ? initial.position : ''} />}
      </Field>
      <FormActions pending={pending} submitLabel={initial ? 'Save severity' : 'Add severity'} onCancel={onCancel} />
    </form>
  );
}

// ---- rules

function describeConditions(rule: IncidentRule): string {
  const c = rule.conditions;
  const parts = [
    c.services.length > 0 ? `service ${c.services.map((s) => s.handle).join(' or ')}` : 'any service',
    c.alertSeverities.length > 0 ? `severity ${c.alertSeverities.join(' or ')}` : null,
    c.urgency ? `${c.urgency} urgency` : null,
    c.titleContains ? `title contains “${c.titleContains}”` : null,
    ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`),
  ];
  return `An alert on ${parts.filter(Boolean).join(', ')}`;
}

function RulesSection({ admin }: { admin: boolean }) {
  const rules = useQuery(rulesQuery);
  const [adding, setAdding] = useState(false);
  const create = useSettingsChange(incidentSettingsApi.createRule);
  const update = useSettingsChange(incidentSettingsApi.updateRule);
  const remove = useSettingsChange(incidentSettingsApi.removeRule);
  return (
    <Section
      title="Auto-declare rules"
      description="A new alert matching a rule declares an incident linked to it (tried in order; the first match wins). Later alerts of the same rule and service join the open incident. The first person to acknowledge the alert takes command unless the rule names a commander."
      actions={admin && !adding && (
        <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
          Add rule
        </button>
      )}
    >
      {adding && (
        <RuleForm
          error={create.error}
          pending={create.isPending}
          onCancel={() => {
            create.reset();
            setAdding(false);
          }}
          onSubmit={(input) => create.mutate(input, { onSuccess: () => setAdding(false) })}
        />
      )}
      <FormAlert error={update.error ?? remove.error} />
      {rules.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <QueryError error={rules.error} retry={() => void rules.refetch()} />
      ) : rules.data.length === 0 ? (
        <EmptyState title="No auto-declare rules">
          <p>Incidents are declared by people. {admin ? 'Add a rule to declare them from alerts automatically.' : ''}</p>
        </EmptyState>
      ) : (
        <ul className="incident-rules" aria-label="Auto-declare rules">
          {rules.data.map((rule) => (
            <li key={rule.id}>
              <p>
                <strong>{rule.name}</strong> {!rule.enabled && <span className="badge">Disabled</span>}
                <span className="muted small"> · position {rule.position}</span>
              </p>
              <p>
                {describeConditions(rule)} declares a <strong>{rule.action.severity}</strong> incident “{rule.action.title}”
                {rule.action.commander ? `, commanded by @${rule.action.commander.handle}` : ''}.
              </p>
              {admin && (
                <p>
                  <button type="button" className="button" disabled={update.isPending} onClick={() => update.mutate({ ref: rule.id, changes: { enabled: !rule.enabled } })}>
                    {rule.enabled ? 'Disable' : 'Enable'}
                  </button>{' '}
                  <ConfirmButton label="Delete" question={`Delete rule ${rule.name}? Incidents it declared stay.`} pending={remove.isPending} onConfirm={() => remove.mutate(rule.id)} />
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function RuleForm({ error, pending, onSubmit, onCancel }: { error: unknown; pending: boolean; onSubmit: (input: Parameters<typeof incidentSettingsApi.createRule>[0]) => void; onCancel: () => void }) {
  const severities = useQuery(severitiesQuery);
  const services = useQuery(servicesQuery);
  const errors = fieldErrors(error);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const urgency = formText(data, 'urgency');
    const commander = formText(data, 'commander').replace(/^@/, '');
    onSubmit({
      name: formText(data, 'name'),
      conditions: {
        services: list(formText(data, 'services')),
        alertSeverities: alertSeverities.filter((s) => data.get(`alert-${s}`) === 'on'),
        urgency: urgency === 'high' || urgency === 'low' ? urgency : null,
        titleContains: formText(data, 'titleContains') || null,
      },
      action: { severity: formText(data, 'severity'), title: formText(data, 'title') || '{alert.title}', commander: commander || null },
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label="New rule" noValidate>
      <FormAlert error={error} fields={['name', 'conditions.services.0', 'action.severity', 'action.title', 'action.commander']} />
      <Field label="Name" name="name" error={errors.name} hint="A handle such as checkout-critical.">
        {(control) => <input {...control} className="input" required />}
      </Field>
      <Field label="Services" name="services" error={errors['conditions.services.0']} hint={`Handles, separated by commas; blank: any service.${services.data ? ` Known: ${services.data.map((s) => s.handle).join(', ')}` : ''}`}>
        {(control) => <input {...control} className="input" />}
      </Field>
      <fieldset className="field incident-settings-choices">
        <legend>Alert severities (none ticked: any)</legend>
        {alertSeverities.map((s) => (
          <label key={s} className="checkbox">
            <input type="checkbox" name={`alert-${s}`} /> {s}
          </label>
        ))}
      </fieldset>
      <Field label="Urgency" name="urgency">
        {(control) => (
          <select {...control} className="input" defaultValue="">
            <option value="">Any</option>
            <option value="high">High</option>
            <option value="low">Low</option>
          </select>
        )}
      </Field>
      <Field label="Title contains" name="titleContains" hint="Blank: any title.">
        {(control) => <input {...control} className="input" />}
      </Field>
      <Field label="Incident severity" name="severity" error={errors['action.severity']}>
        {(control) => (
          <select {...control} className="input" required>
            {(severities.data ?? []).map((s) => (
              <option key={s.key} value={s.key}>
                {s.key} · {s.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Incident title" name="title" error={errors['action.title']} hint="{alert.title}, {alert.number}, {alert.severity} and {service} are filled in.">
        {(control) => <input {...control} className="input" defaultValue="{alert.title}" />}
      </Field>
      <Field label="Commander" name="commander" error={errors['action.commander']} hint="A user handle; blank: the first person to acknowledge the alert.">
        {(control) => <input {...control} className="input" />}
      </Field>
      <FormActions pending={pending} submitLabel="Add rule" onCancel={onCancel} />
    </form>
  );
}

// ---- postmortem policy

function PostmortemPolicySection({ admin }: { admin: boolean }) {
  const policy = useQuery(policyQuery);
  const severities = useQuery(severitiesQuery);
  const save = useSettingsChange(incidentSettingsApi.putPolicy);
  const [saved, setSaved] = useState(false);
  const errors = fieldErrors(save.error);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setSaved(false);
    save.mutate(
      {
        severities: (severities.data ?? []).filter((s) => data.get(`pm-${s.key}`) === 'on').map((s) => s.key),
        customerImpactMinutes: optionalNumber(data, 'customerImpactMinutes'),
        repeatWithinDays: optionalNumber(data, 'repeatWithinDays'),
      },
      { onSuccess: () => setSaved(true) },
    );
  };
  return (
    <Section title="Postmortem policy" description="When an incident resolves, Firebreak says whether a postmortem is required. Any reason is enough; anyone may also ask for one on the incident.">
      {policy.isPending || severities.isPending ? (
        <Loading />
      ) : policy.isError ? (
        <QueryError error={policy.error} retry={() => void policy.refetch()} />
      ) : (
        <form className="form" onSubmit={submit} aria-label="Postmortem policy" key={policy.data.updatedAt ?? 'defaults'}>
          <FormAlert error={save.error} fields={['customerImpactMinutes', 'repeatWithinDays']} />
          <fieldset className="field incident-settings-choices" disabled={!admin}>
            <legend>Severities that always require one</legend>
            {(severities.data ?? []).map((s) => (
              <label key={s.key} className="checkbox">
                <input type="checkbox" name={`pm-${s.key}`} defaultChecked={policy.data.severities.includes(s.key)} /> {s.key} · {s.name}
              </label>
            ))}
          </fieldset>
          <Field label="Customer impact longer than (minutes)" name="customerImpactMinutes" error={errors.customerImpactMinutes} hint="From detection to mitigation (or resolution); blank: off.">
            {(control) => <input {...control} className="input" type="number" min={0} defaultValue={policy.data.customerImpactMinutes ?? ''} disabled={!admin} />}
          </Field>
          <Field label="Same service again within (days)" name="repeatWithinDays" error={errors.repeatWithinDays} hint="Another incident on an impacted service within this many days; blank: off.">
            {(control) => <input {...control} className="input" type="number" min={1} defaultValue={policy.data.repeatWithinDays ?? ''} disabled={!admin} />}
          </Field>
          {saved && (
            <p className="muted" role="status">
              Postmortem policy saved.
            </p>
          )}
          {admin && <FormActions pending={save.isPending} submitLabel="Save policy" />}
        </form>
      )}
    </Section>
  );
}
