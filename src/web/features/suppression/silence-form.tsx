import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { servicesQuery } from '../services/services.api.js';
import { suppressionApi, useSuppressionChange, type MatcherView, type SilenceInput } from './suppression.api.js';

const ops: ReadonlyArray<{ op: MatcherView['op']; label: string }> = [
  { op: '=', label: '= equals' },
  { op: '!=', label: '!= is not' },
  { op: '=~', label: '=~ matches regex' },
  { op: '!~', label: '!~ does not match regex' },
];

/**
 * Creates a silence: label matchers that must all match (as in Alertmanager; regexes are anchored),
 * a comment and how long it lasts. With `service`, the silence is scoped to it.
 */
export function SilenceForm({ service, onDone, onCancel, initial }: { service?: { id: string; name: string }; onDone: () => void; onCancel: () => void; initial?: MatcherView[] }) {
  const [matchers, setMatchers] = useState<MatcherView[]>(initial && initial.length > 0 ? initial : [{ name: 'alertname', op: '=', value: '' }]);
  const services = useQuery({ ...servicesQuery(), enabled: !service });
  const create = useSuppressionChange((input: SilenceInput) => suppressionApi.createSilence(input), onDone);
  const errors = fieldErrors(create.error);

  function set(index: number, change: Partial<MatcherView>) {
    setMatchers(matchers.map((m, i) => (i === index ? { ...m, ...change } : m)));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const scope = service ? service.id : formText(data, 'service');
    create.mutate({ matchers, comment: formText(data, 'comment'), durationMinutes: Number(formText(data, 'durationMinutes')), ...(scope ? { service: scope } : {}) });
  }

  const fields = ['comment', 'durationMinutes', 'service', 'matchers', ...matchers.flatMap((_, i) => [`matchers.${i}.name`, `matchers.${i}.value`])];
  return (
    <form className="form panel" onSubmit={submit} aria-label="Create silence">
      <FormAlert error={create.error} fields={fields} />
      <fieldset className="matchers">
        <legend>Matchers (all must match)</legend>
        {errors.matchers && <p className="field-error">{errors.matchers}</p>}
        {matchers.map((m, i) => (
          <div className="form-row matcher-row" key={i}>
            <Field label="Label" name={`matcher-name-${i}`} error={errors[`matchers.${i}.name`]}>
              {(control) => <input {...control} value={m.name} onChange={(e) => set(i, { name: e.target.value })} required spellCheck={false} />}
            </Field>
            <Field label="Operator" name={`matcher-op-${i}`}>
              {(control) => (
                <select {...control} value={m.op} onChange={(e) => set(i, { op: e.target.value as MatcherView['op'] })}>
                  {ops.map((o) => (
                    <option key={o.op} value={o.op}>
                      {o.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Value" name={`matcher-value-${i}`} error={errors[`matchers.${i}.value`]}>
              {(control) => <input {...control} value={m.value} onChange={(e) => set(i, { value: e.target.value })} spellCheck={false} />}
            </Field>
            {matchers.length > 1 && (
              <button type="button" className="button button-small button-quiet" onClick={() => setMatchers(matchers.filter((_, j) => j !== i))} aria-label={`Remove matcher ${i + 1}`}>
                Remove
              </button>
            )}
          </div>
        ))}
        <button type="button" className="button button-small" onClick={() => setMatchers([...matchers, { name: '', op: '=', value: '' }])}>
          Add matcher
        </button>
        <p className="field-hint">
          Labels of the event; an Alertmanager group is silenced when every firing member matches. Firebreak adds <code>__service__</code>, <code>__severity__</code>, <code>__dedup_key__</code> and <code>__title__</code>. Regexes use RE2 syntax and match the whole value.
        </p>
      </fieldset>
      <div className="form-row">
        <Field label="Comment" name="comment" error={errors.comment} hint="Why; shown on every alert it suppresses.">
          {(control) => <input {...control} required maxLength={1000} />}
        </Field>
        <Field label="Expires after (minutes)" name="durationMinutes" error={errors.durationMinutes ?? errors.endsAt}>
          {(control) => <input {...control} type="number" min={1} step={1} defaultValue={120} required className="narrow" />}
        </Field>
      </div>
      {!service && (
        <Field label="Service" name="service" error={errors.service} hint="Every service needs an organization-wide caller.">
          {(control) => (
            <select {...control} defaultValue="">
              <option value="">Every service</option>
              {(services.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.handle})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <FormActions pending={create.isPending} submitLabel="Create silence" pendingLabel="Silencing…" onCancel={onCancel} />
    </form>
  );
}
