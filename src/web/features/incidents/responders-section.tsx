import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { IncidentRespondersView, ResponderRequest } from '../../../contracts/incident-responders.js';
import type { Incident } from '../../../contracts/incidents.js';
import { api } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { parsePersonOrPolicy, PersonOrPolicySelect } from '../alerts/person-or-policy-select.js';
import { canRespond, useIncidentChange } from './incidents.api.js';
import './responders-section.css';

const ref = (incident: string) => encodeURIComponent(incident);

/** The responders API (docs/incidents.md "Responders"). */
export const respondersApi = {
  list: (incident: string) => api.get<IncidentRespondersView>(`/incidents/${ref(incident)}/responders`),
  request: (incident: string, input: { target: { type: 'user' | 'policy' | 'team'; ref: string }; message?: string }) => api.post<ResponderRequest>(`/incidents/${ref(incident)}/responders`, input),
  join: (incident: string) => api.post<IncidentRespondersView>(`/incidents/${ref(incident)}/responders/join`, {}),
  leave: (incident: string) => api.post<IncidentRespondersView>(`/incidents/${ref(incident)}/responders/leave`, {}),
  decline: (incident: string, request: string) => api.post<ResponderRequest>(`/incidents/${ref(incident)}/responders/${encodeURIComponent(request)}/decline`, {}),
};

export const respondersQuery = (incident: string) => ({
  queryKey: ['incidents', 'responders', incident] as const,
  queryFn: () => respondersApi.list(incident),
});

const stateNames: Record<ResponderRequest['state'], string> = { requested: 'Paging', acknowledged: 'Acknowledged', joined: 'Joined', cancelled: 'Cancelled', declined: 'Declined' };
const personStateNames: Record<ResponderRequest['paged'][number]['state'], string> = { paged: 'paged', acknowledged: 'acknowledged', joined: 'joined' };

function targetName(request: ResponderRequest): string {
  if (request.target.type === 'user') return `@${request.target.handle}`;
  if (request.target.type === 'policy') return `Policy ${request.target.name}`;
  return `Team ${request.target.name}${request.policy ? ` (policy ${request.policy.name})` : ''}`;
}

/**
 * Responders: who was paged into the incident (each request's target, the people its escalation
 * reached and where each stands), who is in the war room, a Join / Leave button for me, and "Page
 * someone" with the person-or-policy picker. Each request pages through its own alert, so the
 * escalation policy's levels, delays and failover apply; acknowledging that page acknowledges the
 * request. Read-only once the incident is resolved.
 */
export function RespondersSection({ incident, changed }: { incident: Incident; changed: number }) {
  const session = useSession();
  const responders = useQuery(respondersQuery(incident.id));
  const seen = useRef(changed);
  const { refetch } = responders;
  useEffect(() => {
    if (seen.current === changed) return;
    seen.current = changed;
    void refetch();
  }, [changed, refetch]);
  const open = incident.status !== 'resolved';
  const canAct = canRespond(session) && open;
  const requests = responders.data?.requests ?? [];
  const here = (responders.data?.participants ?? []).filter((p) => p.leftAt === null);
  const me = here.some((p) => p.userId === session.user.id);
  const waiting = requests.filter((r) => r.state === 'requested').length;
  return (
    <Section
      title="Responders"
      description={requests.length === 0 ? 'Page people or teams into the incident through their escalation policies.' : `${requests.length} paged, ${waiting} still waiting for an answer; ${here.length} in the war room`}
      actions={canAct ? <JoinButton incidentId={incident.id} joined={me} /> : undefined}
    >
      {responders.isPending ? (
        <Loading />
      ) : responders.isError ? (
        <QueryError error={responders.error} retry={() => void responders.refetch()} />
      ) : (
        <>
          {requests.length === 0 ? (
            <p className="muted">Nobody has been paged into this incident yet.</p>
          ) : (
            <ul className="responder-requests" aria-label="Responder requests">
              {requests.map((request) => (
                <RequestRow key={request.id} incidentId={incident.id} request={request} canDecline={canAct && request.state === 'requested' && (request.paged.some((p) => p.userId === session.user.id) || (request.target.type === 'user' && request.target.id === session.user.id))} />
              ))}
            </ul>
          )}
          <h3>In the war room</h3>
          {here.length === 0 ? (
            <p className="muted">Nobody has joined yet.</p>
          ) : (
            <ul className="incident-participants" aria-label="In the war room">
              {here.map((p) => (
                <li key={p.userId}>
                  <strong>{p.name}</strong> <span className="muted">(@{p.handle}) joined <Time value={p.joinedAt} /></span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {canAct && <PageSomeoneForm incident={incident} />}
    </Section>
  );
}

function RequestRow({ incidentId, request, canDecline }: { incidentId: string; request: ResponderRequest; canDecline: boolean }) {
  const name = targetName(request);
  const decline = useIncidentChange(() => respondersApi.decline(incidentId, request.id));
  return (
    <li className="responder-request" aria-label={name} data-state={request.state}>
      <div>
        <strong>{name}</strong> <span className={`badge responder-state responder-state-${request.state}`}>{stateNames[request.state]}</span>{' '}
        <a href={`/alerts/${request.alert.number}`} className="muted small">
          page #{request.alert.number}
        </a>
      </div>
      <div className="muted small">
        Paged by {request.requestedBy} <Time value={request.requestedAt} />
        {request.acknowledgedBy && (
          <>
            {' '}
            · acknowledged by {request.acknowledgedBy} <Time value={request.acknowledgedAt} />
          </>
        )}
        {request.joinedBy && (
          <>
            {' '}
            · @{request.joinedBy.handle} joined <Time value={request.joinedAt} />
          </>
        )}
      </div>
      {request.message && <div className="muted">“{request.message}”</div>}
      {request.paged.length > 0 ? (
        <ul className="responder-paged small" aria-label={`Paged for ${name}`}>
          {request.paged.map((p) => (
            <li key={p.userId} data-state={p.state}>
              @{p.handle} ({personStateNames[p.state]})
            </li>
          ))}
        </ul>
      ) : (
        <div className="muted small">Nobody reached yet.</div>
      )}
      {request.escalation === 'exhausted' && request.state === 'requested' && <div className="field-error">Nobody answered: every level was paged. Page someone else.</div>}
      {canDecline && (
        <div>
          <button type="button" className="button button-small" disabled={decline.isPending} onClick={() => decline.mutate(undefined)} title="Not me: page the next level now">
            Decline
          </button>
          <FormAlert error={decline.error} />
        </div>
      )}
    </li>
  );
}

function JoinButton({ incidentId, joined }: { incidentId: string; joined: boolean }) {
  const change = useIncidentChange(() => (joined ? respondersApi.leave(incidentId) : respondersApi.join(incidentId)));
  return (
    <div>
      <button type="button" className={joined ? 'button button-small' : 'button button-primary button-small'} disabled={change.isPending} onClick={() => change.mutate(undefined)}>
        {joined ? 'Leave' : 'Join'}
      </button>
      <FormAlert error={change.error} />
    </div>
  );
}

/** "Page someone": a person (paged by their own rules, for 30 minutes) or an escalation policy (its levels, as for an alert). */
function PageSomeoneForm({ incident }: { incident: Incident }) {
  const [target, setTarget] = useState('');
  const [message, setMessage] = useState('');
  const page = useIncidentChange(
    (input: { value: string; message: string }) => {
      const chosen = parsePersonOrPolicy(input.value)!;
      return respondersApi.request(incident.id, { target: { type: chosen.type === 'user' ? 'user' : 'policy', ref: chosen.id }, ...(input.message.trim() ? { message: input.message.trim() } : {}) });
    },
    () => {
      setTarget('');
      setMessage('');
    },
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    if (target) page.mutate({ value: target, message });
  }
  return (
    <form onSubmit={submit} aria-label="Page someone">
      <Field label="Page someone" name="incident-responder" hint="A policy pages its levels until someone acknowledges; a person is paged by their own notification rules.">
        {(control) => <PersonOrPolicySelect {...control} value={target} onChange={setTarget} />}
      </Field>
      <Field label="Why" name="incident-responder-message" hint="Optional: goes in the page and on the timeline.">
        {(control) => <input {...control} value={message} maxLength={1000} onChange={(e) => setMessage(e.target.value)} />}
      </Field>
      <FormAlert error={page.error} />
      <button type="submit" className="button" disabled={!target || page.isPending}>
        Page
      </button>
    </form>
  );
}
