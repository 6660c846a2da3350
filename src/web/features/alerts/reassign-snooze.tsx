import { useState, type FormEvent } from 'react';
import { Field, FormAlert } from '../../ui/field.js';
import { Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { alertsApi, useAlertChange, type Alert } from './alerts.api.js';
import { parsePersonOrPolicy, PersonOrPolicySelect } from './person-or-policy-select.js';

/** Snooze lengths offered in the page; the API takes any number of minutes up to 7 days. */
const SNOOZE_CHOICES: ReadonlyArray<[minutes: number, label: string]> = [
  [15, '15 minutes'],
  [30, '30 minutes'],
  [60, '1 hour'],
  [240, '4 hours'],
  [480, '8 hours'],
  [1440, '24 hours'],
];

/**
 * Who the alert is assigned to and whether it is snoozed, with the two actions: reassign to a person or
 * an escalation policy (the alert triggers again for them) and snooze (acknowledged until then).
 */
export function ReassignSnooze({ alert, canAct }: { alert: Alert; canAct: boolean }) {
  const open = alert.status !== 'resolved';
  return (
    <Section title="Assignment">
      <dl className="details">
        <dt>Assigned to</dt>
        <dd>{alert.assignee ? `${alert.assignee.label} (${alert.assignee.kind === 'user' ? 'person' : 'escalation policy'})` : <span className="muted">The service’s escalation policy</span>}</dd>
        <dt>Snoozed</dt>
        <dd>
          {alert.snoozedUntil ? (
            <>
              until <Time value={alert.snoozedUntil} />, then it triggers again
            </>
          ) : (
            <span className="muted">No</span>
          )}
        </dd>
      </dl>
      {canAct && open && (
        <div className="assignment-forms">
          <ReassignForm alert={alert} />
          <SnoozeForm alert={alert} />
        </div>
      )}
    </Section>
  );
}

function ReassignForm({ alert }: { alert: Alert }) {
  const [target, setTarget] = useState('');
  const reassign = useAlertChange((value: string) => {
    const chosen = parsePersonOrPolicy(value)!;
    return alertsApi.reassign(alert.id, chosen.type === 'user' ? { user: chosen.id } : { escalationPolicy: chosen.id });
  }, () => setTarget(''));
  function submit(event: FormEvent) {
    event.preventDefault();
    if (target) reassign.mutate(target);
  }
  return (
    <form onSubmit={submit} aria-label="Reassign">
      <Field label="Reassign to" name="assignee">
        {(control) => <PersonOrPolicySelect {...control} value={target} onChange={setTarget} />}
      </Field>
      <FormAlert error={reassign.error} />
      <button type="submit" className="button" disabled={!target || reassign.isPending}>
        Reassign
      </button>
    </form>
  );
}

function SnoozeForm({ alert }: { alert: Alert }) {
  const [minutes, setMinutes] = useState(String(SNOOZE_CHOICES[1]?.[0] ?? 30));
  const snooze = useAlertChange((m: number) => alertsApi.snooze(alert.id, { minutes: m }));
  function submit(event: FormEvent) {
    event.preventDefault();
    snooze.mutate(Number(minutes));
  }
  return (
    <form onSubmit={submit} aria-label="Snooze">
      <Field label="Snooze for" name="minutes" hint="Acknowledged until then; it triggers again if still open.">
        {(control) => (
          <select {...control} value={minutes} onChange={(e) => setMinutes(e.target.value)}>
            {SNOOZE_CHOICES.map(([m, label]) => (
              <option key={m} value={m}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <FormAlert error={snooze.error} />
      <button type="submit" className="button" disabled={snooze.isPending}>
        Snooze
      </button>
    </form>
  );
}
