import { useState, type FormEvent } from 'react';
import type { Incident } from '../../../contracts/incidents.js';
import { api } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { Section } from '../../ui/page.js';
import { canRespond, useIncidentChange } from '../incidents/incidents.api.js';

const requestPostmortem = ({ incident, reason }: { incident: string; reason: string }) =>
  api.post<Incident>(`/incidents/${encodeURIComponent(incident)}/postmortem-request`, reason ? { reason } : {});

/**
 * Whether this incident needs a postmortem: the policy's verdict once resolved (ADR 0033), and a
 * way for anyone responding to ask for one. `changed` is unused: the verdict is on the incident itself.
 */
export function PostmortemSection({ incident }: { incident: Incident; changed: number }) {
  const respond = canRespond(useSession());
  const [asking, setAsking] = useState(false);
  const request = useIncidentChange(requestPostmortem, () => setAsking(false));
  const verdict = incident.postmortem;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    request.mutate({ incident: incident.id, reason: formText(new FormData(event.currentTarget), 'reason') });
  };
  return (
    <Section
      title="Postmortem"
      actions={respond && !verdict?.requested && !asking && (
        <button type="button" className="button" onClick={() => setAsking(true)}>
          Ask for a postmortem
        </button>
      )}
    >
      {verdict === null ? (
        <p className="muted">The postmortem policy is checked when the incident resolves.</p>
      ) : verdict.required ? (
        <p>
          <strong>A postmortem is required</strong>: {verdict.reasons.join('; ')}.
        </p>
      ) : (
        <p>No postmortem is required by the policy.</p>
      )}
      {asking && (
        <form className="form" onSubmit={submit} aria-label="Ask for a postmortem">
          <FormAlert error={request.error} fields={['reason']} />
          <Field label="Why (optional)" name="reason">
            {(control) => <input {...control} className="input" maxLength={500} />}
          </Field>
          <FormActions pending={request.isPending} submitLabel="Ask for a postmortem" onCancel={() => setAsking(false)} />
        </form>
      )}
    </Section>
  );
}
