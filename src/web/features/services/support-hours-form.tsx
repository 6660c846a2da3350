import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { browserTimeZone, TimeZoneInput } from '../../ui/time-zone-input.js';
import { routingApi, routingQuery, useRoutingChange, type ServiceRouting, type SupportHours, type SupportSettings } from './routing.api.js';
import type { Service } from './services.api.js';

const days = [
  ['mon', 'Mon'],
  ['tue', 'Tue'],
  ['wed', 'Wed'],
  ['thu', 'Thu'],
  ['fri', 'Fri'],
  ['sat', 'Sat'],
  ['sun', 'Sun'],
] as const;
type Day = (typeof days)[number][0];

/** When low-urgency alerts are delivered, whether they are raised when support hours begin, and the backlog webhook. */
export function SupportHoursSection({ service, manage }: { service: Service; manage: boolean }) {
  const routing = useQuery(routingQuery(service.handle));
  return (
    <Section
      title="Support hours and backlog"
      description="Low-urgency alerts are delivered within support hours; outside them they wait for the next window. Backlog alerts notify no one."
    >
      {routing.isPending ? (
        <Loading />
      ) : routing.isError ? (
        <QueryError error={routing.error} retry={() => void routing.refetch()} />
      ) : (
        <SupportHoursForm service={service} routing={routing.data} manage={manage} />
      )}
    </Section>
  );
}

function SupportHoursForm({ service, routing, manage }: { service: Service; routing: ServiceRouting; manage: boolean }) {
  const [enabled, setEnabled] = useState(routing.supportHours !== null);
  const save = useRoutingChange(service.handle, (settings: SupportSettings) => routingApi.putSupport(service.handle, settings));
  const errors = fieldErrors(save.error);
  const hours: SupportHours = routing.supportHours ?? { timeZone: browserTimeZone(), days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const url = formText(data, 'backlogWebhookUrl');
    save.mutate({
      supportHours: enabled
        ? { timeZone: formText(data, 'supportHours.timeZone'), days: data.getAll('supportHours.days').map(String) as Day[], start: formText(data, 'supportHours.start'), end: formText(data, 'supportHours.end') }
        : null,
      raiseAtSupportStart: enabled && data.get('raiseAtSupportStart') === 'on',
      backlogWebhookUrl: url === '' ? null : url,
    });
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Support hours">
      <FormAlert error={save.error} fields={Object.keys(errors).filter((k) => k.startsWith('supportHours') || k === 'backlogWebhookUrl' || k === 'raiseAtSupportStart')} />
      {routing.supportHours && (
        <p className="muted" role="status">
          {routing.withinSupportHours ? 'Within support hours now.' : 'Outside support hours now.'} Next window opens <Time value={routing.nextSupportWindowAt} />.
        </p>
      )}
      <fieldset disabled={!manage} className="support-hours">
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          This service has support hours
        </label>
        {enabled && (
          <>
            <div className="form-row">
              <Field label="Time zone" name="supportHours.timeZone" error={errors['supportHours.timeZone']}>
                {(control) => <TimeZoneInput control={control} defaultValue={hours.timeZone} />}
              </Field>
              <Field label="Start" name="supportHours.start" error={errors['supportHours.start']}>
                {(control) => <input {...control} type="time" defaultValue={hours.start} required />}
              </Field>
              <Field label="End" name="supportHours.end" error={errors['supportHours.end']} hint="After the start; windows do not cross midnight.">
                {(control) => <input {...control} type="time" defaultValue={hours.end === '24:00' ? '23:59' : hours.end} required />}
              </Field>
            </div>
            <fieldset className="days">
              <legend>Days</legend>
              {days.map(([value, label]) => (
                <label key={value} className="checkbox">
                  <input type="checkbox" name="supportHours.days" value={value} defaultChecked={hours.days?.includes(value)} />
                  {label}
                </label>
              ))}
              {errors['supportHours.days'] && <p className="field-error">{errors['supportHours.days']}</p>}
            </fieldset>
            <label className="checkbox">
              <input type="checkbox" name="raiseAtSupportStart" defaultChecked={routing.raiseAtSupportStart} />
              Raise low-urgency alerts still open when support hours begin to high urgency
            </label>
          </>
        )}
        <Field label="Backlog webhook URL" name="backlogWebhookUrl" error={errors.backlogWebhookUrl} hint="Optional. Each alert that lands in the backlog is POSTed here as JSON (for a ticket system).">
          {(control) => <input {...control} type="url" defaultValue={routing.backlogWebhookUrl ?? ''} placeholder="https://tickets.example.com/hooks/firebreak" />}
        </Field>
      </fieldset>
      {manage && (
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save support hours'}
          </button>
          {save.isSuccess && <span role="status">Saved</span>}
        </div>
      )}
    </form>
  );
}
