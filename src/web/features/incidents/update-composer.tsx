import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import type { IncidentComms, SentUpdate } from '../../../contracts/incident-comms.js';
import type { Incident } from '../../../contracts/incidents.js';
import { api } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { canRespond, useIncidentChange } from './incidents.api.js';

const ref = (incident: Incident) => encodeURIComponent(incident.id);

/** The incident's stakeholder communication (ADR 0032); under `incidents`, so every incident change re-reads it. */
export const incidentCommsQuery = (incident: Incident) => ({
  queryKey: ['incidents', 'comms', incident.id] as const,
  queryFn: () => api.get<IncidentComms>(`/incidents/${ref(incident)}/comms`),
});

/** The wall clock for a ticking "time since" (display only; the server decides when to remind). */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** `4 min`, `1 h 05 min`, `less than a minute`. */
export function elapsedLabel(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "Sent to 12, 1 failed", "Sending to 3…", "No subscribers". */
function deliveryLabel(d: SentUpdate['deliveries']): string {
  if (d.total === 0) return 'No subscribers';
  const parts = [`Sent to ${d.sent}`];
  if (d.failed > 0) parts.push(`${d.failed} failed`);
  if (d.pending > 0) parts.push(`${d.pending} sending`);
  return parts.join(', ');
}

/**
 * The update composer: how long since the last stakeholder update (a warning once past the cadence:
 * "if nothing has changed, say so"), a template picker that fills the text, and send. Below it, the
 * updates sent with "sent to 12, 1 failed". Viewers see the clock and the updates; resolved incidents
 * show the all clear.
 */
export function UpdateComposer({ incident, changed }: { incident: Incident; changed: number }) {
  const session = useSession();
  const comms = useQuery(incidentCommsQuery(incident));
  const { refetch } = comms;
  useEffect(() => {
    if (changed > 0) void refetch();
  }, [changed, refetch]);
  const now = useNow(15_000);
  const open = incident.status !== 'resolved';
  const canAct = canRespond(session) && open;
  const cadence = comms.data?.cadenceMinutes ?? 30;
  const since = incident.lastUpdateAt ?? incident.times.declaredAt;
  const elapsed = now - Date.parse(since);
  const overdue = open && elapsed >= cadence * 60_000;
  return (
    <Section title="Stakeholder updates" description={`Expected every ${cadence} minutes while the incident is open.`}>
      <div className={overdue ? 'gap-warning update-clock' : 'update-clock'} role={overdue ? 'alert' : undefined} aria-label="Time since the last update">
        <p style={{ margin: 0 }}>
          <strong style={{ fontSize: '1.4em' }}>{incident.lastUpdateAt ? `${elapsedLabel(elapsed)} since the last update` : `${elapsedLabel(elapsed)} since declared, no update yet`}</strong>
        </p>
        {overdue && <p style={{ margin: '4px 0 0' }}>Update overdue: no stakeholder update for {elapsedLabel(elapsed)} (cadence {cadence} min). If nothing has changed, say so.</p>}
        {!open && <p className="muted small" style={{ margin: '4px 0 0' }}>Resolved: the all clear went to the subscribers.</p>}
        {open && comms.data?.nextReminderAt && (
          <p className="muted small" style={{ margin: '4px 0 0' }}>
            The communications lead (or the commander) is reminded at <Time value={comms.data.nextReminderAt} />.
          </p>
        )}
      </div>
      {comms.isPending ? (
        <Loading />
      ) : comms.isError ? (
        <QueryError error={comms.error} retry={() => void comms.refetch()} />
      ) : (
        <>
          {canAct && <Composer incident={incident} comms={comms.data} />}
          {/* Keyed by the cadence: a change saved elsewhere resets the field. */}
          {canAct && <CadenceForm key={comms.data.cadenceMinutes} incident={incident} comms={comms.data} />}
          <SentUpdates updates={comms.data.updates} />
        </>
      )}
    </Section>
  );
}

function Composer({ incident, comms }: { incident: Incident; comms: IncidentComms }) {
  const [text, setText] = useState('');
  const [template, setTemplate] = useState('');
  const send = useIncidentChange((message: string) => api.post(`/incidents/${ref(incident)}/updates`, { message }), () => {
    setText('');
    setTemplate('');
  });
  function pick(kind: string) {
    setTemplate(kind);
    const draft = comms.drafts.find((d) => d.kind === kind);
    if (draft) setText(draft.text);
  }
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (text.trim()) send.mutate(text.trim());
  }
  const suggested = comms.updates.length === 0 ? 'first' : 'update';
  const templateId = `update-template-${incident.id}`;
  const textId = `update-text-${incident.id}`;
  return (
    <form onSubmit={submit} aria-label="Post a stakeholder update">
      <FormAlert error={send.error} fields={['message']} />
      <div className="field">
        <label htmlFor={templateId}>Template</label>
        <select id={templateId} value={template} onChange={(event) => pick(event.target.value)}>
          <option value="">Choose a template…</option>
          {comms.drafts
            .filter((d) => d.kind !== 'all_clear')
            .map((d) => (
              <option key={d.kind} value={d.kind}>
                {d.name}
                {d.kind === suggested ? ' (suggested)' : ''}
              </option>
            ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={textId}>Update</label>
        <textarea id={textId} rows={4} maxLength={5000} value={text} onChange={(event) => setText(event.target.value)} placeholder="What is happening, what we are doing, when the next update comes. If nothing has changed, say so." />
      </div>
      <button type="submit" className="button button-primary" disabled={!text.trim() || send.isPending}>
        {send.isPending ? 'Sending…' : 'Send update'}
      </button>
    </form>
  );
}

function CadenceForm({ incident, comms }: { incident: Incident; comms: IncidentComms }) {
  const [minutes, setMinutes] = useState(String(comms.cadenceMinutes));
  const save = useIncidentChange((value: number | null) => api.put<IncidentComms>(`/incidents/${ref(incident)}/update-cadence`, { minutes: value }));
  const id = `update-cadence-${incident.id}`;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = Number(minutes);
    if (Number.isInteger(value)) save.mutate(value);
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Update cadence" style={{ marginTop: 12 }}>
      <FormAlert error={save.error} fields={['minutes']} />
      <label htmlFor={id}>Cadence (minutes)</label>{' '}
      <input id={id} type="number" min={5} max={1440} value={minutes} onChange={(event) => setMinutes(event.target.value)} style={{ width: '6em' }} />{' '}
      <button type="submit" className="button button-small" disabled={save.isPending || minutes === String(comms.cadenceMinutes)}>
        Save cadence
      </button>{' '}
      {comms.cadenceSource === 'incident' && (
        <button type="button" className="button button-small button-quiet" disabled={save.isPending} onClick={() => save.mutate(null)}>
          Use the default
        </button>
      )}
    </form>
  );
}

function SentUpdates({ updates }: { updates: readonly SentUpdate[] }) {
  if (updates.length === 0) return <p className="muted">No update sent yet.</p>;
  return (
    <ol className="sent-updates" aria-label="Updates sent" style={{ listStyle: 'none', padding: 0, marginTop: 12 }}>
      {updates.map((u) => (
        <li key={u.entryId} style={{ borderTop: '1px solid var(--border)', padding: '8px 0' }}>
          <p className="small" style={{ margin: 0 }}>
            <Time value={u.at} /> {u.actor && <span className="muted">by {u.actor}</span>} {u.allClear && <strong>All clear</strong>}
          </p>
          <p className="incident-text" style={{ margin: '4px 0' }}>
            {u.message}
          </p>
          <p className="small" style={{ margin: 0 }}>
            <span className={u.deliveries.failed > 0 ? 'field-error' : 'muted'}>{deliveryLabel(u.deliveries)}</span>
            {u.failures.length > 0 && <span className="muted"> ({u.failures.map((f) => `${f.address}: ${f.error ?? 'failed'}`).join('; ')})</span>}
          </p>
        </li>
      ))}
    </ol>
  );
}
