import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { fieldErrors, isApiError } from '../../api/client.js';
import { acceptSession } from '../../app/session.js';
import { AuthLayout } from '../../ui/auth-layout.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Loading } from '../../ui/page.js';
import { authApi, setupStatusQuery, type LoginInput } from './auth.api.js';

/** Where to go after logging in: the page that sent us here, if it is one of ours. */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const search = useSearch();
  const setup = useQuery(setupStatusQuery);
  // Set once the password was accepted and the account asks for a TOTP code.
  const [mfaRequired, setMfaRequired] = useState(false);
  const login = useMutation({
    mutationFn: authApi.login,
    onSuccess: (session) => {
      acceptSession(queryClient, session);
      navigate(nextPath(search), { replace: true });
    },
    onError: (error, input) => {
      if (isApiError(error, 'MFA_REQUIRED') && input.totpCode === undefined) setMfaRequired(true);
    },
  });

  const errors = fieldErrors(login.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const input: LoginInput = { email: formText(data, 'email'), password: String(data.get('password') ?? '') };
    if (mfaRequired) input.totpCode = formText(data, 'totpCode');
    login.mutate(input);
  }

  if (setup.isPending) return <AuthLayout title="Log in to Firebreak"><Loading /></AuthLayout>;
  if (setup.data?.required) {
    return (
      <AuthLayout title="Welcome to Firebreak">
        <div className="alert alert-info" role="status">
          <p>Firebreak is not set up yet: open the setup link printed in the server log.</p>
        </div>
        <p className="muted">The link looks like <code>https://firebreak.example.com/setup?token=…</code> and works once, to create the first owner account.</p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Log in to Firebreak">
      <form className="form" onSubmit={onSubmit}>
        <LoginError error={login.error} codeSent={login.variables?.totpCode !== undefined} />
        <Field label="Email" name="email" error={errors.email}>
          {(control) => <input {...control} type="email" autoComplete="username" required autoFocus />}
        </Field>
        <Field label="Password" name="password" error={errors.password}>
          {(control) => <input {...control} type="password" autoComplete="current-password" required />}
        </Field>
        {mfaRequired && (
          <Field label="Authentication code" name="totpCode" error={errors.totpCode} hint="The 6-digit code from your authenticator app.">
            {(control) => (
              <input {...control} inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required autoFocus />
            )}
          </Field>
        )}
        <button type="submit" className="button button-primary button-block" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthLayout>
  );
}

/** Login failures, worded so they never reveal whether the email or the password was wrong. */
function LoginError({ error, codeSent }: { error: unknown; codeSent: boolean }) {
  if (!error) return null;
  if (isApiError(error, 'MFA_REQUIRED')) {
    // The first MFA_REQUIRED only asks for the code; another one after sending a code means it was wrong.
    const message = codeSent ? 'That code is not right or has expired. Enter the current code from your authenticator app.' : 'Enter the 6-digit code from your authenticator app to finish logging in.';
    return (
      <div className={codeSent ? 'alert alert-error' : 'alert alert-info'} role={codeSent ? 'alert' : 'status'}>
        <p>{message}</p>
      </div>
    );
  }
  if (isApiError(error, 'UNAUTHENTICATED')) {
    return (
      <div className="alert alert-error" role="alert">
        <p>The email or password is not right. Check both and try again.</p>
      </div>
    );
  }
  return <FormAlert error={error} fields={['email', 'password', 'totpCode']} />;
}
