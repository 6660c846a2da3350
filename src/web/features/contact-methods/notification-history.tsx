import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';
import type { NotificationHistoryItem } from '../../../contracts/notification-history.js';
import { api } from '../../api/client.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';

const historyQuery = {
  queryKey: ['notification-history'] as const,
  queryFn: async () => (await api.get<{ items: NotificationHistoryItem[] }>('/me/notifications?limit=25')).items,
};

const statusText: Record<string, string> = { pending: 'Pending', sent: 'Sent', failed: 'Failed', cancelled: 'Not sent', digest: 'In a digest' };

/** The person's recent pages: what reached them, through which method and provider, and what failed. */
export function NotificationHistorySection() {
  const history = useQuery(historyQuery);
  return (
    <Section title="Recent pages" description="The last pages and notices sent to you, newest first, with how each was delivered.">
      {history.isPending ? (
        <Loading />
      ) : history.isError ? (
        <QueryError error={history.error} retry={() => void history.refetch()} />
      ) : history.data.length === 0 ? (
        <p className="muted">No pages yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack" aria-label="Recent pages">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Alert</th>
                <th scope="col">How</th>
                <th scope="col">Delivery</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((n) => (
                <tr key={n.id}>
                  <td data-label="When">
                    <Time value={n.sentAt ?? n.createdAt} />
                  </td>
                  <td data-label="Alert">
                    <Link to={`/alerts/${n.alert.number}`}>
                      #{n.alert.number} {n.alert.title}
                    </Link>
                    {n.kind !== 'page' ? <span className="muted"> ({n.kind} notice)</span> : null}
                  </td>
                  <td data-label="How">
                    {contactMethodTypeNames[n.channel as ContactMethodType] ?? n.channel} · {n.address}
                    {n.provider ? <span className="muted"> via {n.provider}</span> : null}
                  </td>
                  <td data-label="Delivery">
                    {statusText[n.status] ?? n.status}
                    {n.deliveryStatus ? ` · ${n.deliveryStatus}` : ''}
                    {n.attempts > 1 ? <span className="muted"> ({n.attempts} attempts)</span> : null}
                    {n.lastError && n.status !== 'sent' ? <div className="muted small">{n.lastError}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
