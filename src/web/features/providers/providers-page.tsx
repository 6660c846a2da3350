import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { contactMethodTypeNames } from '../../../contracts/notify.js';
import type { Provider, ProviderKindInfo } from '../../../contracts/providers.js';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { ProviderCreateForm } from './provider-form.js';
import { providersByChannel } from './provider-order.js';
import { HealthBadge, ManagedNote, ProviderProblems } from './provider-status.js';
import { providerHref, providersApi, providersQuery, providerKindsQuery, useProviderChange } from './providers.api.js';
import './providers.css';

/**
 * Settings → Notification providers: the accounts pages go out through, per channel in the order
 * they are tried, with their health. Admins add and change them; everyone else sees them read-only
 * (useful when asking "why did my SMS not arrive?").
 */
export function ProvidersPage() {
  const session = useSession();
  const admin = isAdmin(session);
  const [, navigate] = useLocation();
  const [adding, setAdding] = useState(false);
  const providers = useQuery(providersQuery);
  const kinds = useQuery(providerKindsQuery);
  const create = useProviderChange(providersApi.create);

  return (
    <Section
      title="Notification providers"
      description="The accounts Firebreak delivers pages through. When several serve a channel they are tried in this order: healthy ones by position, then unhealthy ones."
      actions={
        admin &&
        !adding && (
          <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
            Add provider
          </button>
        )
      }
    >
      {adding &&
        (kinds.isPending ? (
          <Loading label="Loading provider kinds…" />
        ) : kinds.isError ? (
          <QueryError error={kinds.error} retry={() => void kinds.refetch()} />
        ) : (
          <ProviderCreateForm
            kinds={kinds.data}
            error={create.error}
            pending={create.isPending}
            onSubmit={(input) => create.mutate(input, { onSuccess: (created) => navigate(providerHref(created)) })}
            onCancel={() => {
              create.reset();
              setAdding(false);
            }}
          />
        ))}
      {providers.isPending ? (
        <Loading />
      ) : providers.isError ? (
        <QueryError error={providers.error} retry={() => void providers.refetch()} />
      ) : providers.data.length === 0 ? (
        <EmptyState title="No notification providers yet">
          <p>Without one, Firebreak cannot page anybody. {admin ? 'Add one, for example an SMTP server for email.' : 'Ask an admin to add one.'}</p>
        </EmptyState>
      ) : (
        <ProviderLists providers={providers.data} kinds={kinds.data ?? []} />
      )}
    </Section>
  );
}

/** One table per channel, so a provider serving SMS and voice shows in both orders. */
function ProviderLists({ providers, kinds }: { providers: readonly Provider[]; kinds: readonly ProviderKindInfo[] }) {
  const kindName = (kind: Provider['kind']) => kinds.find((k) => k.kind === kind)?.name ?? kind;
  return (
    <div className="stack">
      {providersByChannel(providers).map(({ channel, entries }) => (
        <div key={channel} className="provider-channel">
          <h3 className="section-title" id={`providers-${channel}`}>
            {contactMethodTypeNames[channel]}
          </h3>
          <div className="table-wrap">
            <table className="table table-stack" aria-labelledby={`providers-${channel}`}>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Channels</th>
                  <th scope="col">Position</th>
                  <th scope="col">Health</th>
                </tr>
              </thead>
              <tbody>
                {entries.map(({ provider, place }) => (
                  <tr key={provider.id} className={place === null ? 'row-inactive' : undefined}>
                    <td data-label="Order">{place === null ? <span className="muted">Not tried</span> : place}</td>
                    <td>
                      <Link href={providerHref(provider)} className="row-title">
                        {provider.name}
                      </Link>
                      <span className="muted small">{kindName(provider.kind)}</span>
                      {!provider.enabled && <span className="badge">Disabled</span>}
                      <ManagedNote managedBy={provider.managedBy} />
                      <ProviderProblems problems={provider.problems} />
                    </td>
                    <td data-label="Channels">
                      <span className="provider-chips">
                        {provider.channels.map((c) => (
                          <span key={c} className="badge">
                            {contactMethodTypeNames[c]}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td data-label="Position">{provider.managedBy === 'environment' ? <span className="muted">First</span> : provider.position}</td>
                    <td data-label="Health">
                      <HealthBadge health={provider.health} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </div>
  );
}
