import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { escalationViewSchema } from '../../../contracts/paging.js';
import { useSession } from '../../app/session.js';
import { api } from '../../api/client.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { AddRespondersForm, EscalateNowButton, RespondersList } from './alert-responders.js';
import { ALERT_REFRESH_MS, canRespond, type Alert } from './alerts.api.js';

export type EscalationView = z.infer<typeof escalationViewSchema>;

/** Under the `alerts` key, so every alert change (acknowledge, resolve, reassign) refreshes it. */
export const alertEscalationQuery = (alert: string) => ({
  queryKey: ['alerts', 'escalation', alert] as const,
  queryFn: async () => api.get<EscalationView>(`/alerts/${encodeURIComponent(alert)}/escalation`),
  refetchInterval: ALERT_REFRESH_MS,
});

const statusText: Record<EscalationView['status'], string> = {
  none: 'Nobody was paged',
  active: 'Escalating',
  acknowledged: 'Stopped: acknowledged',
  resolved: 'Stopped: resolved',
  exhausted: 'Exhausted: every level was paged',
};

/** "in 4 min 10 s", updated every second. */
function Countdown({ at }: { at: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.round((Date.parse(at) - now) / 1000));
  const minutes = Math.floor(seconds / 60);
  return <span className="muted">{seconds === 0 ? 'due now' : `in ${minutes > 0 ? `${minutes} min ` : ''}${seconds % 60} s`}</span>;
}

/**
 * The alert's escalation: the snapshotted levels, who was paged how and when, and the next step; the
 * people added as responders; and, for responders of a triggered alert, "Escalate now" and "Add
 * responders".
 */
export function EscalationSection({ alert }: { alert: Alert }) {
  const session = useSession();
  const canAct = canRespond(session) && alert.status === 'triggered';
  const escalation = useQuery(alertEscalationQuery(alert.id));
  if (escalation.isPending) return <Section title="Escalation"><Loading /></Section>;
  if (escalation.isError) return <Section title="Escalation"><QueryError error={escalation.error} retry={() => void escalation.refetch()} /></Section>;
  const view = escalation.data;
  const who = (userId: string) => (view.users[userId] ? `@${view.users[userId].handle}` : userId);
  return (
    <Section title="Escalation" description={view.source ? `${statusText[view.status]} · ${view.source.kind === 'policy' ? `policy ${view.source.name}` : `assigned to ${view.source.name}`}` : statusText[view.status]}>
      {view.status === 'none' ? (
        <EmptyState title="No escalation">Low-urgency, suppressed or deferred alerts, and services without an escalation policy, page no one.</EmptyState>
      ) : (
        <>
          {view.nextStepAt && (
            <p className="escalation-next">
              Next step <Time value={view.nextStepAt} /> <Countdown at={view.nextStepAt} /> unless someone acknowledges.
            </p>
          )}
          {canAct && view.status === 'active' && <EscalateNowButton alertId={alert.id} />}
          {view.ackTimeoutMinutes !== null && <p className="muted">An acknowledgement holds {view.ackTimeoutMinutes} min: if the alert is not resolved by then, it triggers again and escalates from level 1.</p>}
          <ol className="escalation-levels" aria-label="Escalation levels">
            {view.levels.map((level) => {
              const fired = view.steps.filter((s) => s.level === level.level);
              return (
                <li key={level.level}>
                  <strong>Level {level.level}</strong>: {level.targets.map((t) => `${t.type === 'user' ? '@' : ''}${t.handle}`).join(', ')}
                  <span className="muted"> · then {level.delayMinutes} min</span>
                  {fired.map((s) => (
                    <div key={`${s.round}-${s.at}`} className="muted">
                      <Time value={s.at} />: {s.userIds.length === 0 ? 'nobody' : s.userIds.map(who).join(', ')}
                      {s.round > 0 && ` (repeat ${s.round})`}
                    </div>
                  ))}
                </li>
              );
            })}
            {view.fallback && (
              <li>
                <strong>Fallback</strong>: {view.fallback.handle}
              </li>
            )}
          </ol>
          {view.notifications.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Notifications</caption>
                <thead>
                  <tr>
                    <th scope="col">Who</th>
                    <th scope="col">How</th>
                    <th scope="col">Level</th>
                    <th scope="col">When</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {view.notifications.map((n) => (
                    <tr key={n.id}>
                      <td>{who(n.userId)}</td>
                      <td>
                        {n.channel} <span className="muted">{n.address}</span>
                      </td>
                      <td>
                        {n.responder ? 'responder' : n.level === null ? 'fallback' : n.level}
                        {n.test && <span className="muted"> (test)</span>}
                        {n.shadow && <span className="muted"> (shadow copy)</span>}
                      </td>
                      <td>
                        <Time value={n.sentAt ?? n.dueAt} />
                      </td>
                      <td title={n.lastError ?? undefined}>
                        {n.status}
                        {n.attempts > 1 && <span className="muted"> ({n.attempts} attempts)</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <RespondersList view={view} />
      {canAct && <AddRespondersForm alertId={alert.id} />}
    </Section>
  );
}
