import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import type { IncidentSubscription } from '../../../contracts/incident-comms.js';
import type { Incident } from '../../../contracts/incidents.js';
import { api } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { canRespond, useIncidentChange } from './incidents.api.js';

const base = (incident: Incident) => `/incidents/${encodeURIComponent(incident.id)}/subscriptions`;

export const incidentSubscriptionsQuery = (incident: Incident) => ({
  queryKey: ['incidents', 'subscriptions', incident.id] as const,
  queryFn: async () => (await api.get<{ items: IncidentSubscription[] }>(base(incident))).items,
});

const channelNames: Record<string, string> = { email: 'Email', slack: 'Slack', teams: 'Teams', mattermost: 'Mattermost', discord: 'Discord', ntfy: 'ntfy', webhook: 'Webhook', push: 'Push' };

/**
 * Who receives this incident's stakeholder updates: people (to their email or a chosen contact
 * method), email addresses and chat destinations. Anyone signed in subscribes or unsubscribes
 * themselves; responders add an email address and remove subscribers. Subscribers of the impacted
 * services and their teams receive the updates too (managed on those pages or through the API).
 */
export function SubscriptionsSection({ incident, changed }: { incident: Incident; changed: number }) {
  const session = useSession();
  const subscriptions = useQuery(incidentSubscriptionsQuery(incident));
  const { refetch } = subscriptions;
  useEffect(() => {
    if (changed > 0) void refetch();
  }, [changed, refetch]);
  const canAct = canRespond(session);
  const me = subscriptions.data?.find((s) => s.user?.id === session.user.id) ?? null;
  const subscribe = useIncidentChange(() => api.put(`${base(incident)}/me`, {}));
  const unsubscribe = useIncidentChange(() => api.delete(`${base(incident)}/me`));
  const remove = useIncidentChange((id: string) => api.delete(`${base(incident)}/${encodeURIComponent(id)}`));
  const items = subscriptions.data ?? [];
  return (
    <Section
      title="Subscribers"
      description={`${items.length === 0 ? 'Nobody follows this incident yet' : `${items.length} subscriber${items.length === 1 ? '' : 's'}`}; subscribers of the impacted services and their teams receive the updates too.`}
      actions={
        me ? (
          <button type="button" className="button button-small" disabled={unsubscribe.isPending} onClick={() => unsubscribe.mutate(undefined)}>
            Unsubscribe me
          </button>
        ) : (
          <button type="button" className="button button-small button-primary" disabled={subscribe.isPending || subscriptions.isPending} onClick={() => subscribe.mutate(undefined)}>
            Subscribe me
          </button>
        )
      }
    >
      <FormAlert error={subscribe.error ?? unsubscribe.error ?? remove.error} />
      {subscriptions.isPending ? (
        <Loading />
      ) : subscriptions.isError ? (
        <QueryError error={subscriptions.error} retry={() => void subscriptions.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">No subscribers yet.</p>
      ) : (
        <ul className="subscribers" aria-label="Subscribers" style={{ listStyle: 'none', padding: 0 }}>
          {items.map((s) => (
            <li key={s.id} style={{ padding: '4px 0' }}>
              {s.user ? (
                <>
                  {s.user.name} <span className="muted">(@{s.user.handle})</span>
                </>
              ) : (
                s.label || s.address
              )}{' '}
              <span className="muted small">
                {channelNames[s.channel] ?? s.channel}: {s.address}
              </span>
              {canAct && (
                <>
                  {' '}
                  <button type="button" className="button button-small button-quiet" aria-label={`Remove ${s.user ? `@${s.user.handle}` : s.address}`} disabled={remove.isPending} onClick={() => remove.mutate(s.id)}>
                    Remove
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {canAct && <AddEmail incident={incident} />}
    </Section>
  );
}

function AddEmail({ incident }: { incident: Incident }) {
  const [address, setAddress] = useState('');
  const add = useIncidentChange((email: string) => api.post<IncidentSubscription>(base(incident), { type: 'email', address: email }), () => setAddress(''));
  const id = `subscriber-email-${incident.id}`;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (address.trim()) add.mutate(address.trim());
  }
  return (
    <form className="form-row form-row-end" onSubmit={submit} aria-label="Add an email subscriber">
      <FormAlert error={add.error} fields={['address']} />
      <div className="field">
        <label htmlFor={id}>Email address</label>
        <input id={id} type="email" value={address} maxLength={254} onChange={(event) => setAddress(event.target.value)} placeholder="support-leads@example.com" />
      </div>
      <button type="submit" className="button" disabled={!address.trim() || add.isPending}>
        Add subscriber
      </button>
    </form>
  );
}
