import { useQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import type { Incident } from '../../../contracts/incidents.js';
import { useSession } from '../../app/session.js';
import { errorMessage } from '../../ui/field.js';
import { canWrite, incidentPostmortemQuery, PostmortemConflictError, postmortemsApi, usePostmortemChange } from './postmortems.api.js';

/**
 * On the incident page: "Open postmortem" when the incident has one, else "Start postmortem" for
 * responders, which drafts it from the incident (header, services, timeline, alerts, changes,
 * stakeholder updates) and opens the editor.
 */
export function StartPostmortem({ incident }: { incident: Incident }) {
  const session = useSession();
  const [, navigate] = useLocation();
  const existing = useQuery(incidentPostmortemQuery(incident));
  // Someone may have started it since this page loaded: then the answer (409) names it and we open it.
  const start = usePostmortemChange(
    async () => {
      try {
        return (await postmortemsApi.createKeepingDetails({ incident: incident.id }, session.csrfToken)).reference;
      } catch (error) {
        if (error instanceof PostmortemConflictError && error.existing) return error.existing;
        throw error;
      }
    },
    (reference) => navigate(`/postmortems/${reference}`),
  );
  if (existing.isPending || existing.isError) return null;
  if (existing.data) {
    return (
      <Link href={`/postmortems/${existing.data.reference}`} className="button">
        Open postmortem {existing.data.reference}
      </Link>
    );
  }
  if (!canWrite(session)) return null;
  return (
    <>
      <button type="button" className="button" disabled={start.isPending} onClick={() => start.mutate(undefined)}>
        {start.isPending ? 'Drafting…' : 'Start postmortem'}
      </button>
      {start.error ? (
        <span className="field-error small" role="alert">
          {errorMessage(start.error)}
        </span>
      ) : null}
    </>
  );
}
