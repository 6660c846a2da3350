import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { contactMethodTypeNames } from '../../../contracts/notify.js';
import type { Provider, ProviderKindInfo } from '../../../contracts/providers.js';
import { isApiError } from '../../api/client.js';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { CopyBlock } from '../services/integration-setup.js';
import { ProviderEditForm } from './provider-form.js';
import { ProviderTestForm } from './provider-test-form.js';
import { HealthBadge, isEditable, ManagedNote, ProviderProblems } from './provider-status.js';
import { providerQuery, providerKindsQuery, providersApi, providersHref, useProviderChange } from './providers.api.js';
import './providers.css';

/**
 * One provider: its health and problems, the callback URLs to enter in the provider's console,
 * "Send test", and (for admins, on providers created here) its settings, secrets and removal.
 */
export function ProviderPage({ provider: ref }: { provider: string }) {
  const session = useSession();
  const admin = isAdmin(session);
  const provider = useQuery(providerQuery(ref));
  const kinds = useQuery(providerKindsQuery);

  if (provider.isPending) return <Loading />;
  if (provider.isError) {
    if (isApiError(provider.error, 'NOT_FOUND')) {
      return (
        <EmptyState title="This provider does not exist">
          <p>
            It may have been removed. <Link href={providersHref}>See all notification providers</Link>.
          </p>
        </EmptyState>
      );
    }
    return <QueryError error={provider.error} retry={() => void provider.refetch()} />;
  }
  const kind = kinds.data?.find((k) => k.kind === provider.data.kind);
  return <ProviderDetail provider={provider.data} kind={kind} admin={admin} />;
}

function ProviderDetail({ provider, kind, admin }: { provider: Provider; kind: ProviderKindInfo | undefined; admin: boolean }) {
  const editable = isEditable(provider, admin);
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [saved, setSaved] = useState(false);
  const update = useProviderChange(providersApi.update);
  const toggle = useProviderChange(providersApi.update);
  const remove = useMutation({
    mutationFn: providersApi.remove,
    onSuccess: () => {
      // Leave before re-reading, so the removed provider's page does not ask for it again.
      navigate(providersHref);
      queryClient.removeQueries({ queryKey: ['notification-providers', provider.id] });
      return queryClient.invalidateQueries({ queryKey: ['notification-providers'] });
    },
  });
  const callbackUrls = Object.entries(provider.callbackUrls);

  return (
    <>
      <p className="breadcrumb">
        <Link href={providersHref}>Notification providers</Link>
      </p>
      <Section
        title={provider.name}
        description={
          <>
            {kind?.name ?? provider.kind} · {provider.channels.map((c) => contactMethodTypeNames[c]).join(', ')} · position {provider.position}
            {provider.enabled ? '' : ' · disabled'}
          </>
        }
        actions={
          editable && (
            <span className="row-buttons">
              <button
                type="button"
                className="button"
                disabled={toggle.isPending}
                onClick={() => toggle.mutate({ ref: provider.id, changes: { enabled: !provider.enabled } })}
              >
                {provider.enabled ? 'Disable' : 'Enable'}
              </button>
              <ConfirmButton
              label="Delete provider"
              question={`Delete ${provider.name}? Pages go through the channel’s other providers; with none left, ${provider.channels.map((c) => contactMethodTypeNames[c]).join(' and ')} cannot be delivered.`}
              onConfirm={() => remove.mutate(provider.id)}
              pending={remove.isPending}
              />
            </span>
          )
        }
      >
        <FormAlert error={remove.error ?? toggle.error} />
        <dl className="details">
          <dt>Health</dt>
          <dd>
            <HealthBadge health={provider.health} detailed />
          </dd>
          <dt>Enabled</dt>
          <dd>{provider.enabled ? 'Yes' : 'No: pages skip it'}</dd>
          {provider.managedBy !== 'api' && (
            <>
              <dt>Managed by</dt>
              <dd>
                <ManagedNote managedBy={provider.managedBy} />
              </dd>
            </>
          )}
          {Object.keys(provider.secrets).length > 0 && (
            <>
              <dt>Secrets</dt>
              <dd>
                <ul className="provider-secret-list">
                  {Object.entries(provider.secrets).map(([key, state]) => (
                    <li key={key}>
                      {kind?.fields.find((f) => f.key === key)?.label ?? key}: {state.fromEnv ? `from $${state.fromEnv}${state.set ? '' : ' (not set)'}` : state.set ? 'set' : 'not set'}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
        </dl>
        <ProviderProblems problems={provider.problems} />
      </Section>

      {admin && callbackUrls.length > 0 && (
        <Section title="Callback URLs" description="Enter these in the provider’s console, so delivery reports, replies and button presses reach Firebreak.">
          <div className="stack">
            {callbackUrls.map(([name, url]) => (
              <CopyBlock key={name} label={callbackLabel(name)} text={url} />
            ))}
          </div>
        </Section>
      )}

      {admin && (
        <Section title="Send test" description="Sends one test message through this provider alone, without failing over to others.">
          {provider.problems.length > 0 ? <p className="muted">Fix the problems above first: it cannot deliver now.</p> : <ProviderTestForm provider={provider} />}
        </Section>
      )}

      {editable && kind && (
        <Section title="Configuration">
          <ProviderEditForm
            provider={provider}
            kind={kind}
            error={update.error}
            pending={update.isPending}
            saved={saved}
            onSubmit={(changes) => {
              setSaved(false);
              update.mutate({ ref: provider.id, changes }, { onSuccess: () => setSaved(true) });
            }}
          />
        </Section>
      )}
      {!editable && (
        <Section title="Configuration">
          <SettingsView provider={provider} kind={kind} />
        </Section>
      )}
    </>
  );
}

/** `statusCallback` → `Status callback` */
function callbackLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The settings, read-only, labelled as the kind labels them. */
function SettingsView({ provider, kind }: { provider: Provider; kind: ProviderKindInfo | undefined }) {
  const entries = Object.entries(provider.settings);
  if (entries.length === 0) return <p className="muted">No settings.</p>;
  return (
    <dl className="details">
      {entries.map(([key, value]) => (
        <Fragment key={key}>
          <dt>{kind?.fields.find((f) => f.key === key)?.label ?? key}</dt>
          <dd>
            <code className="handle">{typeof value === 'string' ? value : JSON.stringify(value)}</code>
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}
