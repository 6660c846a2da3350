import type { FormEvent } from 'react';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { CopyBlock } from './integration-setup.js';
import { SettingsActions, useIntegrationSettings } from './integration-settings.js';
import type { Integration, IntegrationWithKey } from './services.api.js';

type EmailView = NonNullable<Integration['email']>;

const list = (values: readonly string[]) => values.join(', ');
const parseList = (text: string) =>
  text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

/** The setup panel of an email integration: its address, whether this server listens, and its parsing rules. */
export function EmailSetup({ integration, manage }: { integration: IntegrationWithKey; manage: boolean }) {
  const address = integration.url.replace(/^mailto:/, '');
  const email = integration.email;
  return (
    <>
      <p>
        Send alert mail to <code>{address}</code>. The subject becomes the alert title and the text body its description; mail with the same subject (without keywords such as RESOLVED) joins one alert, and a message whose subject carries a resolve keyword resolves it.
      </p>
      {email && !email.intakeEnabled && (
        <p className="alert alert-info" role="note">
          This server does not accept mail yet: an operator must set <code>FIREBREAK_INTAKE_SMTP_PORT</code> (and point the domain’s MX or a relay at it).
        </p>
      )}
      <CopyBlock label="Email address" text={address} />
      {email && (
        <dl className="details">
          <dt>Resolve keywords</dt>
          <dd>{[email.resolve.subject.length ? `subject: ${list(email.resolve.subject)}` : '', email.resolve.body.length ? `body: ${list(email.resolve.body)}` : ''].filter(Boolean).join('; ') || 'none'}</dd>
          <dt>Acknowledge keywords</dt>
          <dd>{[email.acknowledge.subject.length ? `subject: ${list(email.acknowledge.subject)}` : '', email.acknowledge.body.length ? `body: ${list(email.acknowledge.body)}` : ''].filter(Boolean).join('; ') || 'none'}</dd>
          <dt>Dedup key</dt>
          <dd>{email.dedupKeyPattern ? <code>{email.dedupKeyPattern}</code> : 'the subject, without keywords and reply prefixes'}</dd>
        </dl>
      )}
      {manage && email && <EmailSettingsForm integration={integration} email={email} />}
    </>
  );
}

function EmailSettingsForm({ integration, email }: { integration: IntegrationWithKey; email: EmailView }) {
  const { save, errors, saved, saveSettings } = useIntegrationSettings(integration, 'email');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    saveSettings({
      dedupKeyPattern: formText(data, 'dedupKeyPattern') || null,
      resolve: { subject: parseList(formText(data, 'resolveSubject')), body: parseList(formText(data, 'resolveBody')) },
      acknowledge: { subject: parseList(formText(data, 'acknowledgeSubject')), body: parseList(formText(data, 'acknowledgeBody')) },
      severity: { critical: parseList(formText(data, 'critical')), warning: parseList(formText(data, 'warning')) },
      defaultSeverity: formText(data, 'defaultSeverity') as EmailView['defaultSeverity'],
    });
  }

  return (
    <form className="form panel" onSubmit={submit} aria-label={`Email rules of ${integration.name}`}>
      <h4>Rules</h4>
      <FormAlert error={save.error} fields={['email.dedupKeyPattern']} />
      <p className="small muted">Keywords are comma-separated and match regardless of case, as whole words.</p>
      <div className="form-row">
        <Field label="Resolve: subject keywords" name="resolveSubject">
          {(control) => <input {...control} defaultValue={list(email.resolve.subject)} />}
        </Field>
        <Field label="Resolve: body keywords" name="resolveBody">
          {(control) => <input {...control} defaultValue={list(email.resolve.body)} />}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Acknowledge: subject keywords" name="acknowledgeSubject">
          {(control) => <input {...control} defaultValue={list(email.acknowledge.subject)} />}
        </Field>
        <Field label="Acknowledge: body keywords" name="acknowledgeBody">
          {(control) => <input {...control} defaultValue={list(email.acknowledge.body)} />}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Critical when the subject has" name="critical">
          {(control) => <input {...control} defaultValue={list(email.severity.critical)} />}
        </Field>
        <Field label="Warning when the subject has" name="warning">
          {(control) => <input {...control} defaultValue={list(email.severity.warning)} />}
        </Field>
        <Field label="Otherwise" name="defaultSeverity">
          {(control) => (
            <select {...control} defaultValue={email.defaultSeverity}>
              <option value="critical">Critical</option>
              <option value="error">Error</option>
              <option value="warning">Warning</option>
              <option value="info">Info</option>
            </select>
          )}
        </Field>
      </div>
      <Field label="Dedup key pattern (optional)" name="dedupKeyPattern" error={errors.dedupKeyPattern} hint="A regular expression matched against the subject; its first capture group is the dedup key, e.g. Ticket #(\d+)">
        {(control) => <input {...control} defaultValue={email.dedupKeyPattern ?? ''} spellCheck={false} />}
      </Field>
      <SettingsActions pending={save.isPending} saved={saved} submitLabel="Save rules" />
    </form>
  );
}
