import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Time } from '../../ui/time.js';
import { useAlertChange } from './alerts.api.js';
import { parsePersonOrPolicy, PersonOrPolicySelect } from './person-or-policy-select.js';
import type { EscalationView } from './escalation-section.js';

const ref = (alert: string) => encodeURIComponent(alert);

/** The paging actions on an alert (docs/paging.md): escalate now and add responders. */
export const pagingActionsApi = {
  escalate: (alert: string) => api.post<EscalationView>(`/alerts/${ref(alert)}/escalate`, {}),
  addResponders: (alert: string, input: { targets: Array<{ type: 'user' | 'escalationPolicy'; id: string }>; message?: string }) => api.post<EscalationView>(`/alerts/${ref(alert)}/responders`, input),
};

/** "Escalate now": pages the next level at once; the server refuses (and says why) when there is none. */
export function EscalateNowButton({ alertId }: { alertId: string }) {
  const escalate = useAlertChange(() => pagingActionsApi.escalate(alertId));
  return (
    <div className="escalate-now">
      <button type="button" className="button" disabled={escalate.isPending} onClick={() => escalate.mutate(undefined)}>
        Escalate now
      </button>
      <span className="muted"> Pages the next level at once instead of waiting.</span>
      <FormAlert error={escalate.error} />
    </div>
  );
}

/** The people added as responders, who asked for them and why. */
export function RespondersList({ view }: { view: EscalationView }) {
  if (view.responders.length === 0) return null;
  const who = (userId: string) => (view.users[userId] ? `@${view.users[userId].handle}` : userId);
  return (
    <div>
      <h3>Responders</h3>
      <ul className="responders" aria-label="Responders">
        {view.responders.map((r) => (
          <li key={`${r.userId}-${r.at}`}>
            <strong>{who(r.userId)}</strong>
            {r.via.type === 'escalationPolicy' && <span className="muted"> (policy {r.via.name}, level 1)</span>}
            <span className="muted">
              {' '}
              added by {r.requestedBy} <Time value={r.at} />
            </span>
            {r.message && <div className="muted">“{r.message}”</div>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Pages a person, or the people on level 1 of an escalation policy, into the alert. */
export function AddRespondersForm({ alertId }: { alertId: string }) {
  const [target, setTarget] = useState('');
  const [message, setMessage] = useState('');
  const add = useAlertChange(
    (input: { value: string; message: string }) => {
      return pagingActionsApi.addResponders(alertId, { targets: [parsePersonOrPolicy(input.value)!], ...(input.message.trim() ? { message: input.message.trim() } : {}) });
    },
    () => {
      setTarget('');
      setMessage('');
    },
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    if (target) add.mutate({ value: target, message });
  }
  return (
    <form onSubmit={submit} aria-label="Add responders">
      <Field label="Add a responder" name="responder" hint="A person is paged at once by their own rules; a policy pages the people on its level 1 now.">
        {(control) => <PersonOrPolicySelect {...control} value={target} onChange={setTarget} />}
      </Field>
      <Field label="Message" name="responder-message" hint="Optional: why you need them.">
        {(control) => <input {...control} value={message} maxLength={1000} onChange={(e) => setMessage(e.target.value)} />}
      </Field>
      <FormAlert error={add.error} />
      <button type="submit" className="button" disabled={!target || add.isPending}>
        Page responder
      </button>
    </form>
  );
}
