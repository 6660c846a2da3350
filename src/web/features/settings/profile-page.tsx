import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { useRefreshSession, useSession } from '../../app/session.js';
import { setThemePreference, useTheme, type ThemePreference } from '../../app/theme.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Section } from '../../ui/page.js';
import { TimeZoneInput, timeZoneProblem } from '../../ui/time-zone-input.js';
import { authApi } from '../auth/auth.api.js';
import { PasswordForm } from './password-form.js';
import { TotpSection } from './totp-section.js';

/** The signed-in person's own settings: name and zone, appearance, password, two-factor login. */
export function ProfilePage() {
  return (
    <>
      <ProfileForm />
      <AppearanceSection />
      <PasswordForm />
      <TotpSection />
    </>
  );
}

function ProfileForm() {
  const { user } = useSession();
  const refreshSession = useRefreshSession();
  const [zoneError, setZoneError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const update = useMutation({
    mutationFn: authApi.updateMe,
    onMutate: () => setSaved(false),
    onSuccess: async () => {
      await refreshSession();
      setSaved(true);
    },
  });
  const errors = fieldErrors(update.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const timeZone = formText(data, 'timeZone');
    const problem = timeZoneProblem(timeZone);
    setZoneError(problem);
    if (!problem) update.mutate({ name: formText(data, 'name'), timeZone });
  }

  return (
    <Section title="Profile" description={`Signed in as ${user.email} (${user.handle}), role ${user.role}.`}>
      <form className="form" onSubmit={submit}>
        <FormAlert error={update.error} fields={['name', 'timeZone']} />
        <div className="form-row">
          <Field label="Name" name="name" error={errors.name}>
            {(control) => <input {...control} defaultValue={user.name} autoComplete="name" required />}
          </Field>
          <Field label="Time zone" name="timeZone" error={zoneError ?? errors.timeZone} hint="Times and your on-call shifts are shown in this zone.">
            {(control) => <TimeZoneInput control={control} defaultValue={user.timeZone} />}
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={update.isPending}>
            {update.isPending ? 'Saving…' : 'Save profile'}
          </button>
          <span className="muted" role="status">
            {saved ? 'Saved.' : ''}
          </span>
        </div>
      </form>
    </Section>
  );
}

function AppearanceSection() {
  const { preference } = useTheme();
  return (
    <Section title="Appearance" description="Stored in this browser.">
      <div className="form narrow">
        <Field label="Theme" name="theme">
          {(control) => (
            <select {...control} value={preference} onChange={(event) => setThemePreference(event.target.value as ThemePreference)}>
              <option value="system">Match the system setting</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          )}
        </Field>
      </div>
    </Section>
  );
}
