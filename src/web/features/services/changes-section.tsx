import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Change, changePageSchema } from '../../../contracts/alerts.js';
import { api } from '../../api/client.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';

type ChangePage = z.infer<typeof changePageSchema>;

/** The most recent change events on a service (`GET /api/v1/services/{service}/changes`). */
export const changesQuery = (service: string, limit = 10) => ({
  queryKey: ['services', 'changes', service, limit] as const,
  queryFn: () => api.get<ChangePage>(`/services/${encodeURIComponent(service)}/changes?limit=${limit}`),
});

/**
 * "Recent changes": deploys and configuration changes sent as PagerDuty change events
 * (`POST /v2/change/enqueue` with an Events API v2 key). They never page anyone; they answer "what
 * changed just before this alert?".
 */
export function ChangesSection({ service }: { service: { id: string; handle: string } }) {
  const changes = useQuery(changesQuery(service.handle));
  return (
    <Section title="Recent changes" description="Deploys and configuration changes from CI pipelines (POST /api/v1/changes, firebreak change record) and change events (POST /v2/change/enqueue with an Events API v2 key). They never page anyone; incidents flag those made shortly before impact.">
      {changes.isPending ? (
        <Loading />
      ) : changes.isError ? (
        <QueryError error={changes.error} retry={() => void changes.refetch()} />
      ) : changes.data.items.length === 0 ? (
        <EmptyState title="No changes recorded" />
      ) : (
        <ol className="changes-list" aria-label="Recent changes">
          {changes.data.items.map((change) => (
            <ChangeItem key={change.id} change={change} />
          ))}
        </ol>
      )}
    </Section>
  );
}

function ChangeItem({ change }: { change: Change }) {
  return (
    <li className="change-item">
      <div>
        <strong>{change.summary}</strong>
        {change.source && <span className="muted"> · {change.source}</span>}
      </div>
      <div className="small muted">
        <Time value={change.timestamp} />
        {change.version && <> · {change.version}</>}
        {change.commit && (
          <>
            {' '}
            · <code title={change.commit}>{change.commit.slice(0, 12)}</code>
          </>
        )}
        {change.author && <> · by {change.author}</>}
      </div>
      {(change.link ?? change.rollbackLink) && (
        <ul className="inline-list small">
          {change.link && (
            <li>
              <a href={change.link} target="_blank" rel="noreferrer noopener">
                View change
              </a>
            </li>
          )}
          {change.rollbackLink && (
            <li>
              <a href={change.rollbackLink} target="_blank" rel="noreferrer noopener">
                Roll back
              </a>
            </li>
          )}
        </ul>
      )}
      {change.links.length > 0 && (
        <ul className="inline-list small">
          {change.links.map((link) => (
            <li key={link.href}>
              <a href={link.href} target="_blank" rel="noreferrer noopener">
                {link.text ?? link.href}
              </a>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
