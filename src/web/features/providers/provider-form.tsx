import { useState, type FormEvent } from 'react';
import { contactMethodTypeNames } from '../../../contracts/notify.js';
import { MAX_PROVIDER_POSITION, type CreateProviderBody, type Provider, type ProviderField, type ProviderKindInfo, type SecretInput, type UpdateProviderBody } from '../../../contracts/providers.js';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';

/**
 * The first message among `errors` for a field or anything inside it: a secret given by environment
 * variable is reported at `secrets.<key>.fromEnv`, and the field shows it all the same.
 */
function errorAt(errors: Record<string, string>, key: string): string | undefined {
  return errors[key] ?? Object.entries(errors).find(([path]) => path.startsWith(`${key}.`))?.[1];
}

/** Every form key the server's issues may name, so the form-level alert lists only the rest. */
function knownFields(errors: Record<string, string>, fields: readonly ProviderField[]): string[] {
  const keys = ['name', 'kind', 'enabled', 'position', ...fields.map((f) => `${f.secret ? 'secrets' : 'settings'}.${f.key}`)];
  return Object.keys(errors).filter((path) => keys.some((key) => path === key || path.startsWith(`${key}.`)));
}

/** A suggested variable name for a secret, in the form config-as-code examples use: TWILIO_AUTH_TOKEN. */
function envNameFor(kind: string, key: string): string {
  return `${kind}_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2')}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** The non-secret fields of a kind as text inputs, filled with the current settings when editing. */
function SettingsFields({ fields, values, errors }: { fields: readonly ProviderField[]; values: Record<string, unknown>; errors: Record<string, string> }) {
  const settings = fields.filter((f) => !f.secret);
  if (settings.length === 0) return null;
  return (
    <fieldset className="provider-fieldset">
      <legend>Settings</legend>
      <div className="form-row">
        {settings.map((field) => {
          const value = values[field.key];
          return (
            <Field key={field.key} label={field.label} name={`settings.${field.key}`} error={errorAt(errors, `settings.${field.key}`)} hint={hintOf(field)}>
              {(control) => (
                <input
                  {...control}
                  required={field.required}
                  defaultValue={value === undefined || value === null ? '' : String(value)}
                  placeholder={field.example}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </Field>
          );
        })}
      </div>
    </fieldset>
  );
}

function hintOf(field: ProviderField): string {
  return `${field.description}${field.required ? '' : ' (optional)'}`;
}

/** How a stored secret reads: never its value, only whether it is set and where it comes from. */
function secretState(state: Provider['secrets'][string] | undefined): string {
  if (!state) return 'Not set';
  if (state.fromEnv) return state.set ? `From $${state.fromEnv}` : `From $${state.fromEnv} (not set in the environment)`;
  return state.set ? 'Set' : 'Not set';
}

/**
 * One secret: a password input, or (with the toggle) the name of the environment variable that holds
 * it, so config-as-code setups keep the value out of Firebreak's database. When editing, an empty
 * input keeps the current secret, and an optional secret can be cleared.
 */
function SecretField({ field, kind, current, editing, error }: { field: ProviderField; kind: string; current?: Provider['secrets'][string] | undefined; editing: boolean; error: string | undefined }) {
  const [fromEnv, setFromEnv] = useState(Boolean(current?.fromEnv) && !editing);
  const [clear, setClear] = useState(false);
  const hint = editing ? `${secretState(current)}. ${field.description}. Leave empty to keep it.` : hintOf(field);
  return (
    <div className="provider-secret">
      <Field label={field.label} name={`secrets.${field.key}`} error={error} hint={fromEnv ? `The environment variable of the Firebreak server that holds it, such as ${envNameFor(kind, field.key)}.` : hint}>
        {(control) =>
          fromEnv ? (
            <input {...control} key="env" required={!editing && field.required} placeholder={envNameFor(kind, field.key)} pattern="[A-Z_][A-Z0-9_]*" autoComplete="off" spellCheck={false} disabled={clear} />
          ) : (
            <input {...control} key="value" type="password" required={!editing && field.required} autoComplete="new-password" placeholder={editing && current?.set ? '••••••••' : undefined} disabled={clear} />
          )
        }
      </Field>
      <label className="checkbox">
        <input type="checkbox" name={`secretsFromEnv.${field.key}`} checked={fromEnv} onChange={(event) => setFromEnv(event.target.checked)} aria-label={`${field.label}: from an environment variable`} />
        From an environment variable
      </label>
      {editing && !field.required && (current?.set || current?.fromEnv) && (
        <label className="checkbox">
          <input type="checkbox" name={`secretsClear.${field.key}`} checked={clear} onChange={(event) => setClear(event.target.checked)} aria-label={`Clear ${field.label}`} />
          Clear it
        </label>
      )}
    </div>
  );
}

function SecretFields({ fields, kind, current, editing, errors }: { fields: readonly ProviderField[]; kind: string; current: Provider['secrets']; editing: boolean; errors: Record<string, string> }) {
  const secrets = fields.filter((f) => f.secret);
  if (secrets.length === 0) return null;
  return (
    <fieldset className="provider-fieldset">
      <legend>Secrets</legend>
      <p className="muted small">Stored encrypted and never shown again{editing ? '' : ' after saving'}.</p>
      <div className="form-row">
        {secrets.map((field) => (
          <SecretField key={field.key} field={field} kind={kind} current={current[field.key]} editing={editing} error={errorAt(errors, `secrets.${field.key}`)} />
        ))}
      </div>
    </fieldset>
  );
}

/** Reads the kind's settings from the form: empty optional fields are left out, as the API expects. */
function readSettings(data: FormData, fields: readonly ProviderField[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const field of fields) {
    if (field.secret) continue;
    const value = formText(data, `settings.${field.key}`);
    if (value) settings[field.key] = value;
  }
  return settings;
}

/** Reads the secrets typed in: a value, `{fromEnv}`, or (editing) null to clear. Empty inputs are left out. */
function readSecrets(data: FormData, fields: readonly ProviderField[]): Record<string, SecretInput | null> {
  const secrets: Record<string, SecretInput | null> = {};
  for (const field of fields) {
    if (!field.secret) continue;
    if (data.get(`secretsClear.${field.key}`)) {
      secrets[field.key] = null;
      continue;
    }
    // Secret values are taken as typed: leading or trailing spaces may belong to them.
    const raw = data.get(`secrets.${field.key}`);
    const value = typeof raw === 'string' ? raw : '';
    if (!value) continue;
    secrets[field.key] = data.get(`secretsFromEnv.${field.key}`) ? { fromEnv: value.trim() } : value;
  }
  return secrets;
}

function readPosition(data: FormData): number {
  const text = formText(data, 'position');
  return text === '' ? 0 : Number(text);
}

interface CreateFormProps {
  kinds: readonly ProviderKindInfo[];
  error: unknown;
  pending: boolean;
  onSubmit: (input: CreateProviderBody) => void;
  onCancel: () => void;
}

/** Adds a provider: its kind first, then the fields that kind needs, rendered from its description. */
export function ProviderCreateForm({ kinds, error, pending, onSubmit, onCancel }: CreateFormProps) {
  const [kind, setKind] = useState(kinds[0]?.kind ?? 'smtp');
  const info = kinds.find((k) => k.kind === kind);
  const errors = fieldErrors(error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!info) return;
    const data = new FormData(event.currentTarget);
    const secrets = readSecrets(data, info.fields) as Record<string, SecretInput>;
    onSubmit({ name: formText(data, 'name'), kind: info.kind, enabled: data.get('enabled') !== null, position: readPosition(data), settings: readSettings(data, info.fields), secrets });
  }

  return (
    <form className="form panel" onSubmit={submit} aria-label="New notification provider">
      <FormAlert error={error} fields={knownFields(errors, info?.fields ?? [])} />
      <div className="form-row">
        <Field label="Kind" name="kind" error={errors.kind} hint={info ? `Delivers to: ${info.channels.map((c) => contactMethodTypeNames[c]).join(', ')}.` : undefined}>
          {(control) => (
            <select {...control} value={kind} onChange={(event) => setKind(event.target.value as typeof kind)}>
              {kinds.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Name" name="name" error={errors.name} hint="Unique, lowercase, such as smtp-main or twilio-backup.">
          {(control) => <input {...control} required maxLength={64} autoComplete="off" spellCheck={false} placeholder={`${kind}-main`} />}
        </Field>
        <Field label="Position" name="position" error={errors.position} hint="Lower is tried first among a channel’s providers.">
          {(control) => <input {...control} type="number" min={0} max={MAX_PROVIDER_POSITION} step={1} defaultValue={0} inputMode="numeric" />}
        </Field>
      </div>
      <label className="checkbox">
        <input type="checkbox" name="enabled" defaultChecked />
        Enabled: deliver through it right away
      </label>
      {info && (
        // Keyed by kind: switching kinds starts from empty inputs rather than carrying values across.
        <div key={info.kind} className="stack">
          <SettingsFields fields={info.fields} values={{}} errors={errors} />
          <SecretFields fields={info.fields} kind={info.kind} current={{}} editing={false} errors={errors} />
        </div>
      )}
      <FormActions pending={pending} submitLabel="Add provider" pendingLabel="Adding…" onCancel={onCancel} />
    </form>
  );
}

interface EditFormProps {
  provider: Provider;
  kind: ProviderKindInfo;
  error: unknown;
  pending: boolean;
  /** Set after a save went through, for the status line. */
  saved: boolean;
  onSubmit: (changes: UpdateProviderBody) => void;
}

/**
 * Changes a provider. Settings are sent whole (the API replaces them); secrets only when one is
 * typed in or cleared, so saving a name change never touches a stored secret.
 */
export function ProviderEditForm({ provider, kind, error, pending, saved, onSubmit }: EditFormProps) {
  const errors = fieldErrors(error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const secrets = readSecrets(data, kind.fields);
    const changes: UpdateProviderBody = { name: formText(data, 'name'), enabled: data.get('enabled') !== null, position: readPosition(data), settings: readSettings(data, kind.fields) };
    if (Object.keys(secrets).length > 0) changes.secrets = secrets;
    onSubmit(changes);
  }

  return (
    // Keyed by the last change, so after a save the inputs show what the server stored.
    <form key={provider.updatedAt ?? ''} className="form" onSubmit={submit} aria-label="Edit notification provider">
      <FormAlert error={error} fields={knownFields(errors, kind.fields)} />
      <div className="form-row">
        <Field label="Name" name="name" error={errors.name}>
          {(control) => <input {...control} required maxLength={64} defaultValue={provider.name} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field label="Position" name="position" error={errors.position} hint="Lower is tried first among a channel’s providers.">
          {(control) => <input {...control} type="number" min={0} max={MAX_PROVIDER_POSITION} step={1} defaultValue={provider.position} inputMode="numeric" />}
        </Field>
      </div>
      <label className="checkbox">
        <input type="checkbox" name="enabled" defaultChecked={provider.enabled} />
        Enabled: deliver through it
      </label>
      <SettingsFields fields={kind.fields} values={provider.settings} errors={errors} />
      <SecretFields fields={kind.fields} kind={kind.kind} current={provider.secrets} editing errors={errors} />
      <FormActions pending={pending} submitLabel="Save changes" />
      <p className="muted small" role="status">
        {saved && !pending && !error ? 'Saved.' : ''}
      </p>
    </form>
  );
}
