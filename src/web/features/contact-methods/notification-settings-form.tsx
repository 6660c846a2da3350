import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { NotificationSettings, NotificationSettingsBody } from '../../../contracts/notify.js';
import { fieldErrors } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { timeZones } from '../../ui/time-zone-input.js';
import { contactMethodsApi, notificationSettingsQuery } from './contact-methods.api.js';

/** Quiet hours for low urgency, and whether to hear when on-call shifts start and end. */
export function NotificationSettingsSection() {
  const settings = useQuery(notificationSettingsQuery);
  return (
    <Section title="Quiet hours and handoffs" description="Low-urgency notifications wait until your quiet hours end; high urgency always reaches you.">
      {settings.isPending ? <Loading /> : settings.isError ? <QueryError error={settings.error} retry={() => void settings.refetch()} /> : <SettingsForm saved={settings.data} />}
    </Section>
  );
}

function SettingsForm({ saved }: { saved: NotificationSettings }) {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const zonesId = `${useId()}-zones`;
  const [quiet, setQuiet] = useState(saved.lowUrgencyQuietHours !== null);
  const [handoff, setHandoff] = useState(saved.handoffNotifications.enabled);
  const [status, setStatus] = useState('');
  const put = useMutation({
    mutationFn: contactMethodsApi.putSettings,
    onMutate: () => setStatus(''),
    onSuccess: (result) => {
      queryClient.setQueryData(notificationSettingsQuery.queryKey, result);
      setStatus('Saved.');
    },
  });
  const errors = fieldErrors(put.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const timeZone = formText(data, 'timeZone');
    const body: NotificationSettingsBody = {
      lowUrgencyQuietHours: quiet ? { start: formText(data, 'start'), end: formText(data, 'end'), ...(timeZone ? { timeZone } : {}) } : null,
      handoffNotifications: { enabled: handoff, leadMinutes: Number(formText(data, 'leadMinutes') || saved.handoffNotifications.leadMinutes) },
    };
    put.mutate(body);
  }

  const hours = saved.lowUrgencyQuietHours;
  return (
    <form className="form" onSubmit={submit} aria-label="Quiet hours and handoffs">
      <FormAlert error={put.error} fields={['lowUrgencyQuietHours.start', 'lowUrgencyQuietHours.end', 'lowUrgencyQuietHours.timeZone', 'handoffNotifications.leadMinutes']} />
      <div className="settings-group">
        <label className="checkbox">
          <input type="checkbox" checked={quiet} onChange={(event) => setQuiet(event.target.checked)} />
          Hold low-urgency notifications during quiet hours
        </label>
        {quiet && (
          <div className="form-row">
            <Field label="From" name="start" error={errors['lowUrgencyQuietHours.start']}>
              {(control) => <input {...control} type="time" required defaultValue={hours?.start ?? '22:00'} />}
            </Field>
            <Field label="Until" name="end" error={errors['lowUrgencyQuietHours.end']} hint="Before “From” means the next morning.">
              {(control) => <input {...control} type="time" required defaultValue={hours?.end ?? '07:00'} />}
            </Field>
            <Field label="Time zone" name="timeZone" error={errors['lowUrgencyQuietHours.timeZone']} hint={`Leave empty for your profile’s zone (${user.timeZone}).`}>
              {(control) => (
                <>
                  <input {...control} list={zonesId} defaultValue={hours?.timeZone ?? ''} placeholder={user.timeZone} autoComplete="off" spellCheck={false} />
                  <datalist id={zonesId}>
                    {timeZones().map((zone) => (
                      <option key={zone} value={zone} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
          </div>
        )}
      </div>
      <div className="settings-group">
        <label className="checkbox">
          <input type="checkbox" checked={handoff} onChange={(event) => setHandoff(event.target.checked)} />
          Notify me before my on-call shifts start and end
        </label>
        {handoff && (
          <div className="form-row narrow">
            <Field label="Minutes before" name="leadMinutes" error={errors['handoffNotifications.leadMinutes']}>
              {(control) => <input {...control} type="number" min={0} max={1440} step={1} required defaultValue={saved.handoffNotifications.leadMinutes} />}
            </Field>
          </div>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={put.isPending}>
          {put.isPending ? 'Saving…' : 'Save settings'}
        </button>
        <span className="muted" role="status">
          {status}
        </span>
      </div>
    </form>
  );
}
