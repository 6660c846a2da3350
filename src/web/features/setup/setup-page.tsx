import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { fieldErrors } from '../../api/client.js';
import { acceptSession } from '../../app/session.js';
import { AuthLayout } from '../../ui/auth-layout.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Loading } from '../../ui/page.js';
import { browserTimeZone, TimeZoneInput, timeZoneProblem } from '../../ui/time-zone-input.js';
import { setupStatusQuery } from '../auth/auth.api.js';
import { completeSetup } from './setup.api.js';

const fields = ['name', 'handle', 'email', 'timeZone', 'password'] as const;

/** First run: the one-time link from the server log opens this page to create the first owner. */
export function SetupPage() {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const status = useQuery(setupStatusQuery);
  const [zoneError, setZoneError] = useState<string | undefined>();
  const setup = useMutation({
    mutationFn: completeSetup,
    onSuccess: (session) => {
      acceptSession(queryClient, session);
      queryClient.setQueryData(setupStatusQuery.queryKey, { required: false });
      navigate('/', { replace: true });
    },
  });
  const errors = fieldErrors(setup.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const timeZone = formText(data, 'timeZone');
    const problem = timeZoneProblem(timeZone);
    setZoneError(problem);
    if (problem) return;
    setup.mutate({
      token,
      name: formText(data, 'name'),
      handle: formText(data, 'handle'),
      email: formText(data, 'email'),
      timeZone,
      password: String(data.get('password') ?? ''),
    });
  }

  if (status.isPending) return <AuthLayout title="Set up Firebreak"><Loading /></AuthLayout>;
  if (status.data && !status.data.required) {
    return (
      <AuthLayout title="Firebreak is already set up">
        <p>The first owner account exists, so this setup link no longer works.</p>
        <Link href="/" className="button button-primary button-block">
          Open Firebreak
        </Link>
      </AuthLayout>
    );
  }
  if (!token) {
    return (
      <AuthLayout title="Set up Firebreak">
        <div className="alert alert-info" role="status">
          <p>Open the setup link printed in the server log. It carries the one-time token this page needs.</p>
        </div>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Set up Firebreak" description="Create the first account. It becomes the owner: it can add people, teams and everything else.">
      <form className="form" onSubmit={onSubmit}>
        <FormAlert error={setup.error} fields={fields} />
        <Field label="Name" name="name" error={errors.name}>
          {(control) => <input {...control} autoComplete="name" required autoFocus />}
        </Field>
        <Field label="Handle" name="handle" error={errors.handle} hint="Your name in URLs, the CLI and schedules: lowercase letters, digits and hyphens, like ana-lima.">
          {(control) => <input {...control} autoComplete="username" spellCheck={false} required />}
        </Field>
        <Field label="Email" name="email" error={errors.email}>
          {(control) => <input {...control} type="email" autoComplete="email" required />}
        </Field>
        <Field label="Time zone" name="timeZone" error={zoneError ?? errors.timeZone} hint="Schedules and times are shown to you in this zone. Type to search.">
          {(control) => <TimeZoneInput control={control} defaultValue={browserTimeZone()} />}
        </Field>
        <Field label="Password" name="password" error={errors.password} hint="At least 10 characters.">
          {(control) => <input {...control} type="password" autoComplete="new-password" minLength={10} required />}
        </Field>
        <button type="submit" className="button button-primary button-block" disabled={setup.isPending}>
          {setup.isPending ? 'Creating your account…' : 'Create owner account'}
        </button>
      </form>
    </AuthLayout>
  );
}
