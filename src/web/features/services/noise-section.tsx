import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Section } from '../../ui/page.js';
import { servicesApi, useServiceChange, type Service } from './services.api.js';

/** Flap damping and the storm guard: the service's two noise settings (docs/alerts.md). */
export function NoiseSection({ service, manage }: { service: Service; manage: boolean }) {
  const [editing, setEditing] = useState(false);
  const save = useServiceChange((input: { flapWindowMinutes: number; stormThresholdPerMinute: number }) => servicesApi.update(service.id, input), () => setEditing(false));
  const errors = fieldErrors(save.error);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    save.mutate({ flapWindowMinutes: Number(formText(data, 'flapWindowMinutes')), stormThresholdPerMinute: Number(formText(data, 'stormThresholdPerMinute')) });
  }
  return (
    <Section
      title="Flapping and storms"
      actions={
        manage &&
        !editing && (
          <button type="button" className="button" onClick={() => setEditing(true)}>
            Change
          </button>
        )
      }
    >
      {editing ? (
        <form className="form" onSubmit={submit} aria-label="Flapping and storms">
          <FormAlert error={save.error} fields={['flapWindowMinutes', 'stormThresholdPerMinute']} />
          <div className="form-row">
            <Field label="Flap window (minutes)" name="flapWindowMinutes" error={errors.flapWindowMinutes} hint="An alert that resolved and triggers again within this long is reopened, not re-created. 0: off.">
              {(control) => <input {...control} type="number" min={0} max={1440} step={1} defaultValue={service.flapWindowMinutes} required className="narrow" />}
            </Field>
            <Field label="Storm threshold (new alerts a minute)" name="stormThresholdPerMinute" error={errors.stormThresholdPerMinute} hint="Past it, new alerts collapse into one summary alert until a quiet minute. 0: off.">
              {(control) => <input {...control} type="number" min={0} max={100000} step={1} defaultValue={service.stormThresholdPerMinute} required className="narrow" />}
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save'}
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <dl className="details">
          <dt>Flap damping</dt>
          <dd>{service.flapWindowMinutes > 0 ? `Reopen alerts that trigger again within ${service.flapWindowMinutes} min of resolving` : <span className="muted">Off</span>}</dd>
          <dt>Storm guard</dt>
          <dd>{service.stormThresholdPerMinute > 0 ? `Collapse new alerts past ${service.stormThresholdPerMinute} a minute into one summary alert` : <span className="muted">Off</span>}</dd>
        </dl>
      )}
    </Section>
  );
}
