import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { useRefreshSession, useSession } from '../../app/session.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Section } from '../../ui/page.js';
import { authApi } from '../auth/auth.api.js';

/**
 * Two-factor login with an authenticator app (TOTP). Enabling takes two steps: the server makes a
 * secret, then a correct code from the app proves it was stored before the login starts asking.
 */
export function TotpSection() {
  const { user } = useSession();
  return (
    <Section
      title="Two-factor authentication"
      description="After your password, Firebreak asks for a 6-digit code from an authenticator app such as 1Password, Google Authenticator or Aegis."
    >
      {user.totpEnabled ? <DisableTotp /> : <EnableTotp />}
    </Section>
  );
}

function EnableTotp() {
  const refreshSession = useRefreshSession();
  const start = useMutation({ mutationFn: authApi.startTotp });
  const enable = useMutation({ mutationFn: authApi.enableTotp, onSuccess: refreshSession });
  const errors = fieldErrors(enable.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    enable.mutate(formText(new FormData(event.currentTarget), 'code'));
  }

  if (!start.data) {
    return (
      <div className="form">
        <p>
          Status: <strong>off</strong>
        </p>
        <FormAlert error={start.error} />
        <div className="form-actions">
          <button type="button" className="button button-primary" onClick={() => start.mutate()} disabled={start.isPending}>
            {start.isPending ? 'Preparing…' : 'Set up authenticator app'}
          </button>
        </div>
      </div>
    );
  }
  return (
    <form className="form" onSubmit={submit}>
      <p>Add this account to your authenticator app by typing the secret key, or open the otpauth link on a device that has the app. Then enter the code it shows.</p>
      <dl className="details">
        <dt>Secret key</dt>
        <dd>
          <code className="secret-text" data-testid="totp-secret">
            {start.data.secret}
          </code>
        </dd>
        <dt>otpauth URL</dt>
        <dd>
          <code className="secret-text">{start.data.otpauthUrl}</code>
        </dd>
      </dl>
      <FormAlert error={enable.error} fields={['code']} />
      <Field label="Code from the app" name="code" error={errors.code}>
        {(control) => <input {...control} className="input-code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={enable.isPending}>
          {enable.isPending ? 'Checking…' : 'Turn on two-factor authentication'}
        </button>
      </div>
    </form>
  );
}

function DisableTotp() {
  const refreshSession = useRefreshSession();
  const disable = useMutation({ mutationFn: authApi.disableTotp, onSuccess: refreshSession });
  const errors = fieldErrors(disable.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    disable.mutate(String(new FormData(event.currentTarget).get('password') ?? ''));
  }

  return (
    <form className="form" onSubmit={submit}>
      <p>
        Status: <strong>on</strong>. Logging in asks for a code from your authenticator app.
      </p>
      <FormAlert error={disable.error} fields={['password']} />
      <Field label="Password, to turn it off" name="password" error={errors.password}>
        {(control) => <input {...control} type="password" autoComplete="current-password" required />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button" disabled={disable.isPending}>
          {disable.isPending ? 'Turning off…' : 'Turn off two-factor authentication'}
        </button>
      </div>
    </form>
  );
}
