import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { HeartbeatSummary } from './heartbeat-status.js';
import { IntegrationSetup } from './integration-setup.js';
import { integrationQuery, integrationTypeNames, servicesApi, useServiceChange, type Integration, type IntegrationType, type IntegrationWithKey, type Service } from './services.api.js';

type Open = { mode: 'setup' | 'rotate'; id: string } | null;

/** How monitoring tools send this service alerts: add, show the key and setup, rotate, disable. */
export function IntegrationsSection({ service, manage, readKeys }: { service: Service; manage: boolean; readKeys: boolean }) {
  const [adding, setAdding] = useState(false);
  const [open, setOpen] = useState<Open>(null);
  // A key the server just handed out (new integration or rotation), shown until dismissed.
  const [fresh, setFresh] = useState<IntegrationWithKey | null>(null);
  const add = useServiceChange((input: { type: IntegrationType; name: string }) => servicesApi.addIntegration(service.id, input), (created) => {
    setAdding(false);
    setOpen(null);
    setFresh(created);
  });
  const toggle = useServiceChange((integration: Integration) => servicesApi.updateIntegration(service.id, integration.id, { disabled: !integration.disabled }));
  const errors = fieldErrors(add.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    add.mutate({ type: formText(data, 'type') as IntegrationType, name: formText(data, 'name') });
  }

  return (
    <Section
      title="Integrations"
      description="Each integration has its own key, so you can rotate or disable one sender without touching the others."
      actions={
        manage &&
        !adding && (
          <button type="button" className="button" onClick={() => setAdding(true)}>
            Add integration
          </button>
        )
      }
    >
      {adding && (
        <form className="form panel" onSubmit={submit} aria-label="Add integration">
          <FormAlert error={add.error} fields={['type', 'name']} />
          <div className="form-row">
            <Field label="Sends from" name="type" error={errors.type}>
              {(control) => (
                <select {...control} defaultValue="events-v2">
                  <option value="events-v2">Events API v2 (PagerDuty-compatible tools, curl, scripts)</option>
                  <option value="alertmanager">Prometheus Alertmanager</option>
                  <option value="grafana">Grafana alerting (webhook contact point)</option>
                  <option value="webhook">Generic JSON webhook</option>
                  <option value="opsgenie">Opsgenie Alert API (drop-in for Opsgenie clients)</option>
                  <option value="victorops">Splunk On-Call (VictorOps) REST endpoint</option>
                  <option value="heartbeat">Heartbeat (cron jobs, backups: alert when a ping is missing)</option>
                  <option value="email">Email</option>
                </select>
              )}
            </Field>
            <Field label="Integration name" name="name" error={errors.name}>
              {(control) => <input {...control} defaultValue="Monitoring" required autoFocus />}
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={add.isPending}>
              {add.isPending ? 'Adding…' : 'Add integration'}
            </button>
            <button type="button" className="button" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {fresh && <IntegrationSetup integration={fresh} fresh onDone={() => setFresh(null)} />}
      <FormAlert error={toggle.error} />
      {service.integrations.length === 0 ? (
        <p className="muted">No integrations yet.{manage && ' Add one to give your monitoring a key to send alerts with.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Integration</th>
                <th scope="col">Key</th>
                <th scope="col">Last event</th>
                {(manage || readKeys) && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {service.integrations.map((integration) => (
                <tr key={integration.id} className={integration.disabled ? 'row-inactive' : undefined}>
                  <td>
                    <span className="row-title">{integration.name}</span>
                    <span className="small muted">{integrationTypeNames[integration.type]}</span>
                    {integration.disabled && <span className="badge">Disabled</span>}
                  </td>
                  <td data-label="Key">
                    <code>{integration.keyPreview}…</code>
                    {integration.previousKeyValidUntil && (
                      <span className="small muted">
                        Old key works until <Time value={integration.previousKeyValidUntil} />
                      </span>
                    )}
                  </td>
                  <td data-label="Last event">
                    {integration.heartbeat ? <HeartbeatSummary heartbeat={integration.heartbeat} /> : <Time value={integration.lastEventAt} fallback="Never" />}
                  </td>
                  {(manage || readKeys) && (
                    <td className="cell-actions">
                      <span className="row-buttons">
                        {readKeys && (
                          <button
                            type="button"
                            className="button button-small"
                            aria-expanded={open?.mode === 'setup' && open.id === integration.id}
                            onClick={() => setOpen(open?.mode === 'setup' && open.id === integration.id ? null : { mode: 'setup', id: integration.id })}
                          >
                            Key and setup
                          </button>
                        )}
                        {manage && (
                          <>
                            <button
                              type="button"
                              className="button button-small"
                              aria-expanded={open?.mode === 'rotate' && open.id === integration.id}
                              onClick={() => setOpen(open?.mode === 'rotate' && open.id === integration.id ? null : { mode: 'rotate', id: integration.id })}
                            >
                              Rotate key
                            </button>
                            <button type="button" className="button button-small button-quiet" disabled={toggle.isPending} onClick={() => toggle.mutate(integration)}>
                              {integration.disabled ? 'Enable' : 'Disable'}
                            </button>
                          </>
                        )}
                      </span>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open?.mode === 'setup' && <StoredSetup service={service} integrationId={open.id} onDone={() => setOpen(null)} manage={manage} />}
      {open?.mode === 'rotate' && (
        <RotateKeyForm
          service={service}
          integration={service.integrations.find((i) => i.id === open.id)}
          onCancel={() => setOpen(null)}
          onRotated={(rotated) => {
            setOpen(null);
            setFresh(rotated);
          }}
        />
      )}
    </Section>
  );
}

/** The key and setup of an existing integration, read again from the server. */
function StoredSetup({ service, integrationId, onDone, manage }: { service: Service; integrationId: string; onDone: () => void; manage: boolean }) {
  const integration = useQuery(integrationQuery(service.id, integrationId));
  if (integration.isPending) return <Loading label="Reading the key…" />;
  if (integration.isError) return <QueryError error={integration.error} retry={() => void integration.refetch()} />;
  return <IntegrationSetup integration={integration.data} fresh={false} onDone={onDone} manage={manage} />;
}

/** A new key; the old one keeps working for the grace period so senders can be updated one by one. */
function RotateKeyForm({ service, integration, onCancel, onRotated }: { service: Service; integration: Integration | undefined; onCancel: () => void; onRotated: (rotated: IntegrationWithKey) => void }) {
  const rotate = useServiceChange((graceMinutes: number) => servicesApi.rotateKey(service.id, integration?.id ?? '', graceMinutes), onRotated);
  const errors = fieldErrors(rotate.error);
  if (!integration) return null;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rotate.mutate(Number(formText(new FormData(event.currentTarget), 'graceMinutes')));
  }
  return (
    <form className="form panel" onSubmit={submit} aria-label={`Rotate key of ${integration.name}`}>
      <h3>Rotate the key of “{integration.name}”</h3>
      <FormAlert error={rotate.error} fields={['graceMinutes']} />
      <div className="form-row form-row-end">
        <Field label="Old key keeps working for (minutes)" name="graceMinutes" error={errors.graceMinutes} hint="0 stops the old key at once. Up to 43200 (30 days).">
          {(control) => <input {...control} type="number" min={0} max={43200} step={1} defaultValue={60} required className="narrow" />}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={rotate.isPending}>
          {rotate.isPending ? 'Rotating…' : 'Rotate key'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
