import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import type { Service } from '../services/services.api.js';
import { severityName } from './alert-badges.js';
import { alertsApi, severities, useAlertChange, type Severity, type TriggerAlertResult } from './alerts.api.js';

/**
 * Triggers an alert by hand (POST /alerts), to check a service's urgency rules and who gets paged
 * without waiting for the monitoring tool.
 */
export function TriggerAlertForm({ services, defaultService, onClose }: { services: readonly Service[]; defaultService?: string | undefined; onClose: () => void }) {
  const [triggered, setTriggered] = useState<TriggerAlertResult | null>(null);
  const trigger = useAlertChange(alertsApi.trigger, setTriggered);
  const errors = fieldErrors(trigger.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const description = formText(data, 'description');
    trigger.mutate({ service: formText(data, 'service'), title: formText(data, 'title'), severity: formText(data, 'severity') as Severity, ...(description ? { description } : {}) });
  }

  return (
    <section className="panel" aria-label="Trigger test alert">
      <form className="form" onSubmit={submit} aria-label="Trigger test alert">
        <FormAlert error={trigger.error} fields={['service', 'title', 'severity', 'description']} />
        {services.length === 0 ? (
          <p>
            There is no service to trigger an alert on yet. <Link href="/services">Create a service</Link> first.
          </p>
        ) : (
          <>
            <div className="form-row">
              <Field label="Service" name="service" error={errors.service}>
                {(control) => (
                  <select {...control} defaultValue={defaultService ?? services[0]?.handle} required>
                    {services.map((service) => (
                      <option key={service.id} value={service.handle}>
                        {service.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Title" name="title" error={errors.title}>
                {(control) => <input {...control} defaultValue="Test alert" required autoFocus />}
              </Field>
              <Field label="Severity" name="severity" error={errors.severity} hint="The service’s urgency rules turn this into high or low urgency.">
                {(control) => (
                  <select {...control} defaultValue="warning">
                    {severities.map((severity) => (
                      <option key={severity} value={severity}>
                        {severityName(severity)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <Field label="Description" name="description" error={errors.description}>
              {(control) => <textarea {...control} rows={2} defaultValue="Triggered by hand from the Firebreak web app to test the setup." />}
            </Field>
          </>
        )}
        <div className="form-actions">
          {services.length > 0 && (
            <button type="submit" className="button button-primary" disabled={trigger.isPending}>
              {trigger.isPending ? 'Triggering…' : 'Trigger alert'}
            </button>
          )}
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
          <span role="status" className="muted">
            {triggered?.alert ? (
              <>
                {triggered.outcome === 'created' ? 'Triggered' : 'Added to'} <Link href={`/alerts/${triggered.alert.id}`}>#{triggered.alert.number}</Link>.
              </>
            ) : (
              triggered && 'The event was ignored: no open alert has that dedup key.'
            )}
          </span>
        </div>
      </form>
    </section>
  );
}
