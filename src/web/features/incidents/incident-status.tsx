import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Field, FormAlert } from '../../ui/field.js';
import { incidentsApi, openStatuses, statusNames, useIncidentChange, type Incident, type IncidentStatusChange } from './incidents.api.js';

/** A status change of this incident (the page and the `m` shortcut share it). */
export function useStatusChange(incident: Incident) {
  return useIncidentChange((input: IncidentStatusChange) => incidentsApi.changeStatus(incident.id, input));
}

/**
 * One-click actions: move between the open statuses, record mitigation (or that impact came back),
 * and resolve (which opens the dialog asking for the resolution summary).
 */
export function StatusActions({ incident, change, onResolve }: { incident: Incident; change: ReturnType<typeof useStatusChange>; onResolve: () => void }) {
  if (incident.status === 'resolved') return null;
  return (
    <div className="incident-actions" role="group" aria-label="Incident status">
      <div className="segmented incident-status-choice" role="group" aria-label="Status">
        {openStatuses.map((status) => (
          <button
            key={status}
            type="button"
            className={status === incident.status ? 'button button-small button-primary' : 'button button-small'}
            aria-pressed={status === incident.status}
            disabled={change.isPending}
            onClick={() => status !== incident.status && change.mutate({ status })}
          >
            {statusNames[status]}
          </button>
        ))}
      </div>
      {incident.mitigated ? (
        <button type="button" className="button button-small" disabled={change.isPending} onClick={() => change.mutate({ status: incident.status, mitigated: false })}>
          Impact is back
        </button>
      ) : (
        <button type="button" className="button button-small" disabled={change.isPending} onClick={() => change.mutate({ status: incident.status, mitigated: true })}>
          Mark mitigated
        </button>
      )}
      <button type="button" className="button button-small button-primary incident-resolve" disabled={change.isPending} onClick={onResolve}>
        Resolve…
      </button>
      <FormAlert error={change.error} />
    </div>
  );
}

/**
 * All clear: asks for the resolution summary (required here; the API accepts none) because the
 * summary is what stakeholders and the postmortem read first. A modal dialog, so Escape cancels.
 */
export function ResolveDialog({ incident, onClose }: { incident: Incident; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [summary, setSummary] = useState(incident.summary);
  const [missing, setMissing] = useState(false);
  const resolve = useIncidentChange((text: string) => incidentsApi.changeStatus(incident.id, { status: 'resolved', summary: text }), onClose);

  // No close() on cleanup: its `close` event would arrive after a re-run of this effect (React's
  // development double-run) and close the dialog again. Unmounting removes it from the top layer.
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = summary.trim();
    if (!text) {
      setMissing(true);
      return;
    }
    resolve.mutate(text);
  }

  return (
    <dialog ref={dialog} className="incident-dialog" aria-labelledby={titleId} onClose={() => !dialog.current?.open && onClose()}>
      <form className="form" onSubmit={submit} noValidate>
        <h2 id={titleId}>Resolve {incident.reference}</h2>
        <p className="muted">
          Resolving closes the incident{incident.mitigated ? '' : ' and records mitigation now'}. Say what happened and what fixed it: stakeholders and the postmortem
          read this first.
        </p>
        <FormAlert error={resolve.error} fields={['summary']} />
        <Field label="Resolution summary" name="summary" error={missing ? 'Write a resolution summary: what happened and what fixed it' : undefined}>
          {(control) => (
            <textarea
              {...control}
              rows={5}
              required
              autoFocus
              value={summary}
              onChange={(event) => {
                setSummary(event.target.value);
                if (event.target.value.trim()) setMissing(false);
              }}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={resolve.isPending}>
            Resolve incident
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
