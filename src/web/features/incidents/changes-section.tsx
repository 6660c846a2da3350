import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ChangeMark, IncidentChange, incidentChangesSchema } from '../../../contracts/changes.js';
import type { Incident } from '../../../contracts/incidents.js';
import { api } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { canRespond, useIncidentChange } from './incidents.api.js';
import './changes-section.css';

type IncidentChanges = z.infer<typeof incidentChangesSchema>;

/** `GET /api/v1/incidents/{incident}/changes`; `changed` (live events for this incident) is in the key, so each one re-reads it. */
export const incidentChangesQuery = (incidentId: string, changed: number) => ({
  queryKey: ['incidents', 'changes', incidentId, changed] as const,
  queryFn: () => api.get<IncidentChanges>(`/incidents/${encodeURIComponent(incidentId)}/changes`),
  placeholderData: (previous: IncidentChanges | undefined) => previous,
});

const markChange = (incidentId: string, changeId: string, mark: ChangeMark | null) =>
  api.put<IncidentChange>(`/incidents/${encodeURIComponent(incidentId)}/changes/${encodeURIComponent(changeId)}`, { mark });

const markNames: Record<ChangeMark, string> = { caused: 'Caused the incident', suspect: 'Marked suspect', dismissed: 'Dismissed' };
const markButtons: Array<[ChangeMark, string]> = [
  ['caused', 'Caused it'],
  ['suspect', 'Suspect'],
  ['dismissed', 'Dismiss'],
];

/**
 * Recent changes (ADR 0031): deploys and configuration changes on the impacted services and the
 * services they depend on, newest first. Those from the hours before impact began are flagged as
 * suspects; a rollback link is the most prominent thing on a change (roll back first, find the root
 * cause later). Responders mark a change as the cause, a suspect, or not related; marks go on the
 * timeline and stay for the postmortem.
 */
export function ChangesSection({ incident, changed }: { incident: Incident; changed: number }) {
  const session = useSession();
  const changes = useQuery(incidentChangesQuery(incident.id, changed));
  const canMark = canRespond(session);
  const suspects = changes.data?.items.filter((c) => c.suspect && c.mark?.mark !== 'dismissed').length ?? 0;
  return (
    <Section
      title="Recent changes"
      description={
        changes.data ? (
          <>
            {changes.data.services.length > 0 ? `On ${changes.data.services.join(', ')} since ` : 'Since '}
            <Time value={changes.data.window.from} />. Suspects: changes from <Time value={changes.data.suspectWindow.from} /> until impact began.
            {suspects > 0 && ` ${suspects} suspect${suspects === 1 ? '' : 's'}.`}
          </>
        ) : (
          'Deploys and configuration changes on the impacted services and their dependencies.'
        )
      }
    >
      {changes.isPending ? (
        <Loading />
      ) : changes.isError ? (
        <QueryError error={changes.error} retry={() => void changes.refetch()} />
      ) : changes.data.items.length === 0 ? (
        <p className="muted">
          {incident.impactedServices.length === 0 ? 'No impacted services named, so no changes to show.' : 'No changes recorded in this window. Pipelines record them with POST /api/v1/changes or `firebreak change record`.'}
        </p>
      ) : (
        <ol className="incident-changes" aria-label="Recent changes">
          {changes.data.items.map((change) => (
            <ChangeRow key={change.id} incident={incident} change={change} canMark={canMark} />
          ))}
        </ol>
      )}
    </Section>
  );
}

function ChangeRow({ incident, change, canMark }: { incident: Incident; change: IncidentChange; canMark: boolean }) {
  const mark = useIncidentChange((next: ChangeMark | null) => markChange(incident.id, change.id, next));
  const current = change.mark?.mark ?? null;
  return (
    <li className="incident-change" aria-label={change.summary} data-suspect={change.suspect} data-mark={current ?? 'none'}>
      <div className="incident-change-head">
        <strong>{change.summary}</strong>
        {change.suspect && <span className="badge incident-change-suspect">Suspect: before impact</span>}
        {change.mark && <span className={`badge incident-change-mark incident-change-mark-${change.mark.mark}`}>{markNames[change.mark.mark]}</span>}
      </div>
      <p className="small muted incident-change-meta">
        <Time value={change.timestamp} /> · {change.serviceHandle}
        {change.relation === 'dependency' && ` (a dependency of ${change.dependencyOf.join(', ')})`}
        {change.relation === 'other' && ' (not an impacted service)'}
        {change.version && <> · {change.version}</>}
        {change.commit && (
          <>
            {' '}
            · <code title={change.commit}>{change.commit.slice(0, 12)}</code>
          </>
        )}
        {change.author && <> · by {change.author}</>}
        {change.source && <> · via {change.source}</>}
      </p>
      {change.mark && (
        <p className="small muted">
          {change.mark.markedBy}, <Time value={change.mark.markedAt} />
          {change.mark.note && `: ${change.mark.note}`}
        </p>
      )}
      <div className="incident-change-actions">
        {change.rollbackLink && (
          <a className="button button-danger" href={change.rollbackLink} target="_blank" rel="noreferrer noopener">
            Roll back
          </a>
        )}
        {change.link && (
          <a className="button button-small button-quiet" href={change.link} target="_blank" rel="noreferrer noopener">
            View change
          </a>
        )}
        {change.links.map((link) => (
          <a key={link.href} className="button button-small button-quiet" href={link.href} target="_blank" rel="noreferrer noopener">
            {link.text ?? link.href}
          </a>
        ))}
      </div>
      {canMark && (
        <div className="incident-change-marks" role="group" aria-label={`Mark ${change.summary}`}>
          {markButtons.map(([value, label]) => (
            <button key={value} type="button" className="button button-small" aria-pressed={current === value} disabled={mark.isPending} onClick={() => mark.mutate(current === value ? null : value)}>
              {label}
            </button>
          ))}
        </div>
      )}
      <FormAlert error={mark.error} />
    </li>
  );
}
