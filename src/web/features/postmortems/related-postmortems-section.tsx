import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { Incident } from '../../../contracts/incidents.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { PostmortemStatusBadge } from './postmortem-badges.js';
import { relatedPostmortemsQuery } from './postmortems.api.js';

/**
 * Postmortems of earlier incidents on the same services, newest first: what responders learned last
 * time is one click away while this one is being handled. `changed` is unused: the list depends on
 * the impacted services, which re-render the section when they change.
 */
export function RelatedPostmortemsSection({ incident }: { incident: Incident; changed?: number }) {
  const related = useQuery(relatedPostmortemsQuery(incident.id));
  const items = (related.data ?? []).filter((pm) => pm.incidentReference !== incident.reference);
  return (
    <Section title="Related postmortems" description="Earlier postmortems for the same services.">
      {related.isPending ? (
        <Loading />
      ) : related.isError ? (
        <QueryError error={related.error} retry={() => void related.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">{incident.impactedServices.length === 0 ? 'Name the impacted services to see postmortems about them.' : 'No postmortems for these services yet.'}</p>
      ) : (
        <ul className="link-list" aria-label="Related postmortems">
          {items.slice(0, 10).map((pm) => (
            <li key={pm.id}>
              <Link href={`/postmortems/${pm.reference}`}>
                {pm.reference} {pm.title}
              </Link>{' '}
              <PostmortemStatusBadge status={pm.status} /> <span className="small muted">
                <Time value={pm.occurredAt} /> · {pm.services.map((s) => s.name).join(', ')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
