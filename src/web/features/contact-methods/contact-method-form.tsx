import { useState, type FormEvent } from 'react';
import { contactMethodTypeNames, contactMethodTypes, type ContactMethodType, type CreateContactMethodBody } from '../../../contracts/notify.js';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';

/** What to type for each kind of method. */
const addressHelp: Record<ContactMethodType, { label: string; placeholder: string; hint: string; inputMode: 'email' | 'tel' | 'url' | 'text' }> = {
  email: { label: 'Email address', placeholder: 'name@example.com', hint: 'Where notification emails go.', inputMode: 'email' },
  sms: { label: 'Phone number', placeholder: '+14155550100', hint: 'International format: +, country code, number.', inputMode: 'tel' },
  voice: { label: 'Phone number', placeholder: '+14155550100', hint: 'International format: +, country code, number.', inputMode: 'tel' },
  push: { label: 'Push subscription', placeholder: '', hint: 'Added from the installed Firebreak app.', inputMode: 'text' },
  slack: { label: 'Slack member ID', placeholder: 'U012AB3CDEF', hint: 'In Slack: open your profile, ⋮, Copy member ID.', inputMode: 'text' },
  teams: { label: 'Teams user', placeholder: 'ana@contoso.com', hint: 'The address you sign in to Teams with, or your Microsoft Entra object ID.', inputMode: 'email' },
  mattermost: { label: 'Mattermost username', placeholder: '@ana.lima', hint: 'Your username or user ID.', inputMode: 'text' },
  discord: { label: 'Discord user ID', placeholder: '80351110224678912', hint: 'Turn on Developer Mode in Discord, then right-click your name → Copy User ID.', inputMode: 'text' },
  telegram: { label: 'Telegram chat ID', placeholder: '123456789', hint: 'Send /start to the Firebreak bot; it answers with your chat ID.', inputMode: 'text' },
  ntfy: { label: 'ntfy topic', placeholder: 'firebreak-ana-7Qx2', hint: 'The topic you subscribe to in the ntfy app; stored encrypted. Pick a name hard to guess.', inputMode: 'text' },
  webhook: { label: 'Webhook URL', placeholder: 'https://hooks.example.com/firebreak', hint: 'An https:// URL. Firebreak POSTs each notification to it; the URL is stored encrypted.', inputMode: 'url' },
};

interface ContactMethodFormProps {
  error: unknown;
  pending: boolean;
  onSubmit: (input: CreateContactMethodBody) => void;
  onCancel: () => void;
}

/** Adds a contact method: its type, the address in that type's form, and an optional label. */
export function ContactMethodForm({ error, pending, onSubmit, onCancel }: ContactMethodFormProps) {
  const [type, setType] = useState<ContactMethodType>('email');
  const errors = fieldErrors(error);
  const help = addressHelp[type];

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const label = formText(data, 'label');
    // The select limits `type` to the string types; push subscriptions come from the app, not this form.
    onSubmit({ type, address: formText(data, 'address'), ...(label ? { label } : {}) } as CreateContactMethodBody);
  }

  return (
    <form className="form panel" onSubmit={submit} aria-label="New contact method">
      <FormAlert error={error} fields={['type', 'address', 'label']} />
      <div className="form-row">
        <Field label="Type" name="type" error={errors.type}>
          {(control) => (
            <select {...control} value={type} onChange={(event) => setType(event.target.value as ContactMethodType)}>
              {contactMethodTypes.map((t) => (
                <option key={t} value={t} disabled={t === 'push'}>
                  {contactMethodTypeNames[t]}
                  {t === 'push' ? ' (from the app)' : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={help.label} name="address" error={errors.address} hint={help.hint}>
          {(control) => <input {...control} key={type} required inputMode={help.inputMode} placeholder={help.placeholder} autoComplete="off" spellCheck={false} autoFocus />}
        </Field>
        <Field label="Label" name="label" error={errors.label} hint="Optional, such as “Work phone”.">
          {(control) => <input {...control} maxLength={100} autoComplete="off" />}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? 'Adding…' : 'Add contact method'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
