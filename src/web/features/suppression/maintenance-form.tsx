import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { browserTimeZone, TimeZoneInput } from '../../ui/time-zone-input.js';
import { servicesQuery } from '../services/services.api.js';
import { suppressionApi, useSuppressionChange, type MaintenanceWindowInput } from './suppression.api.js';

/** A `datetime-local` value read in the browser's time zone, as an ISO instant (empty: now, on the server). */
function instantFrom(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? local : at.toISOString();
}

const presets = [
  { label: 'Sundays 02:00', rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0' },
  { label: 'Every night 03:00', rrule: 'FREQ=DAILY;BYHOUR=3;BYMINUTE=0' },
  { label: 'First Saturday of the month 22:00', rrule: 'FREQ=MONTHLY;BYDAY=1SA;BYHOUR=22;BYMINUTE=0' },
];

/**
 * Schedules a maintenance window: one-off (a start and a length) or recurring (an RRULE read in a time
 * zone). With `service`, the window covers that service; otherwise the form asks which services.
 */
export function MaintenanceForm({ service, onDone, onCancel }: { service?: { id: string; name: string }; onDone: () => void; onCancel: () => void }) {
  const [recurring, setRecurring] = useState(false);
  const [rrule, setRrule] = useState(presets[0]?.rrule ?? '');
  const services = useQuery({ ...servicesQuery(), enabled: !service });
  const create = useSuppressionChange((input: MaintenanceWindowInput) => suppressionApi.createWindow(input), onDone);
  const errors = fieldErrors(create.error);
  const zone = browserTimeZone();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const chosen = service ? [service.id] : data.getAll('services').map(String);
    const startsAt = instantFrom(formText(data, 'startsAt'));
    const minutes = Number(formText(data, 'durationMinutes'));
    const input: MaintenanceWindowInput = {
      name: formText(data, 'name'),
      description: formText(data, 'description'),
      services: chosen,
      ...(startsAt ? { startsAt } : {}),
      ...(recurring ? { recurrence: { rrule: formText(data, 'rrule'), durationMinutes: minutes, timeZone: formText(data, 'timeZone') } } : { durationMinutes: minutes }),
    };
    create.mutate(input);
  }

  const fields = ['name', 'description', 'services', 'startsAt', 'endsAt', 'durationMinutes', 'recurrence.rrule', 'recurrence.durationMinutes', 'recurrence.timeZone'];
  return (
    <form className="form panel" onSubmit={submit} aria-label="Schedule maintenance">
      <FormAlert error={create.error} fields={fields} />
      <div className="form-row">
        <Field label="Name" name="name" error={errors.name} hint="Shown on every alert it suppresses, e.g. “DB upgrade”.">
          {(control) => <input {...control} required maxLength={200} autoFocus />}
        </Field>
        <Field label="Kind" name="kind">
          {(control) => (
            <select {...control} value={recurring ? 'recurring' : 'one-off'} onChange={(e) => setRecurring(e.target.value === 'recurring')}>
              <option value="one-off">One-off</option>
              <option value="recurring">Recurring</option>
            </select>
          )}
        </Field>
      </div>
      {!service && (
        <Field label="Services" name="services" error={errors.services ?? errors['services.0']} hint="Hold Ctrl or ⌘ to pick several.">
          {(control) => (
            <select {...control} multiple required size={Math.min(6, Math.max(3, services.data?.length ?? 3))}>
              {(services.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.handle})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {recurring && (
        <div className="form-row">
          <Field label="Repeats (RRULE)" name="rrule" error={errors['recurrence.rrule']} hint={<>RFC 5545, hourly or coarser. Presets: {presets.map((p, i) => (
            <span key={p.rrule}>
              {i > 0 && ', '}
              <button type="button" className="button button-small button-quiet" onClick={() => setRrule(p.rrule)}>
                {p.label}
              </button>
            </span>
          ))}.</>}>
            {(control) => <input {...control} value={rrule} onChange={(e) => setRrule(e.target.value)} required spellCheck={false} />}
          </Field>
          <Field label="Time zone" name="timeZone" error={errors['recurrence.timeZone']} hint="The rule’s hours are read in this zone, across daylight-saving changes.">
            {(control) => <TimeZoneInput control={control} defaultValue={zone} />}
          </Field>
        </div>
      )}
      <div className="form-row">
        <Field label={recurring ? 'Series starts' : 'Starts'} name="startsAt" error={errors.startsAt} hint={`Empty: now. Read in your browser’s zone (${zone}).`}>
          {(control) => <input {...control} type="datetime-local" />}
        </Field>
        <Field label={recurring ? 'Each occurrence lasts (minutes)' : 'Lasts (minutes)'} name="durationMinutes" error={errors.durationMinutes ?? errors['recurrence.durationMinutes'] ?? errors.endsAt}>
          {(control) => <input {...control} type="number" min={1} max={recurring ? 10080 : 527040} step={1} defaultValue={recurring ? 120 : 60} required className="narrow" />}
        </Field>
      </div>
      <Field label="Description" name="description" error={errors.description}>
        {(control) => <textarea {...control} rows={2} maxLength={5000} />}
      </Field>
      <FormActions pending={create.isPending} submitLabel="Schedule maintenance" pendingLabel="Scheduling…" onCancel={onCancel} />
    </form>
  );
}
