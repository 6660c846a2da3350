import { useState } from 'react';
import { fieldErrors } from '../../api/client.js';
import { servicesApi, useServiceChange, type IntegrationUpdate, type IntegrationWithKey } from './services.api.js';

type Section = 'email' | 'heartbeat';

/**
 * Saving one settings section (`email` or `heartbeat`) of an integration: the mutation, whether the last
 * save succeeded, and the server's field errors keyed without the section's prefix (`heartbeat.cron` → `cron`).
 */
export function useIntegrationSettings<S extends Section>(integration: IntegrationWithKey, section: S) {
  const [saved, setSaved] = useState(false);
  const save = useServiceChange(
    (input: NonNullable<IntegrationUpdate[S]>) => servicesApi.updateIntegration(integration.serviceId, integration.id, { [section]: input } as IntegrationUpdate),
    () => setSaved(true),
  );
  const prefix = `${section}.`;
  const errors = Object.fromEntries(Object.entries(fieldErrors(save.error)).map(([field, message]) => [field.startsWith(prefix) ? field.slice(prefix.length) : field, message]));
  /** Saves `input`; "Saved." shows again only once this save succeeds. */
  const saveSettings = (input: NonNullable<IntegrationUpdate[S]>) => {
    setSaved(false);
    save.mutate(input);
  };
  return { save, errors, saved, saveSettings };
}

/** The save button of an integration's settings form, and "Saved." beside it once a save succeeded. */
export function SettingsActions({ pending, saved, submitLabel }: { pending: boolean; saved: boolean; submitLabel: string }) {
  return (
    <div className="form-actions">
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
      <span role="status" className="muted small">
        {saved && !pending ? 'Saved.' : ''}
      </span>
    </div>
  );
}
