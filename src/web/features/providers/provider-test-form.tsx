import { useState, type FormEvent } from 'react';
import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';
import type { Provider } from '../../../contracts/providers.js';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { providersApi, useProviderChange } from './providers.api.js';

/** What to type as the test address for each channel, as on a contact method. */
const addressHints: Record<ContactMethodType, { label: string; placeholder: string; inputMode: 'email' | 'tel' | 'url' | 'text' }> = {
  email: { label: 'Email address', placeholder: 'name@example.com', inputMode: 'email' },
  sms: { label: 'Phone number', placeholder: '+14155550100', inputMode: 'tel' },
  voice: { label: 'Phone number', placeholder: '+14155550100', inputMode: 'tel' },
  push: { label: 'Push subscription (JSON)', placeholder: '{"endpoint":"https://…","keys":{"p256dh":"…","auth":"…"}}', inputMode: 'text' },
  slack: { label: 'Slack member ID', placeholder: 'U012AB3CDEF', inputMode: 'text' },
  teams: { label: 'Teams user', placeholder: 'ana@contoso.com', inputMode: 'email' },
  mattermost: { label: 'Mattermost username', placeholder: '@ana.lima', inputMode: 'text' },
  discord: { label: 'Discord user ID', placeholder: '80351110224678912', inputMode: 'text' },
  telegram: { label: 'Telegram chat ID', placeholder: '123456789', inputMode: 'text' },
  ntfy: { label: 'ntfy topic', placeholder: 'firebreak-ana-7Qx2', inputMode: 'text' },
  webhook: { label: 'Webhook URL', placeholder: 'https://hooks.example.com/firebreak', inputMode: 'url' },
};

/**
 * "Send test": one message through this provider alone (no failover), to an address typed here. The
 * answer (accepted with its latency, or the provider's error) is shown in place; the health it
 * records shows on the page when the provider is re-read.
 */
export function ProviderTestForm({ provider }: { provider: Provider }) {
  const [channel, setChannel] = useState<ContactMethodType>(provider.channels[0] ?? 'email');
  const [jsonError, setJsonError] = useState<string | undefined>();
  const test = useProviderChange(providersApi.test);
  const errors = fieldErrors(test.error);
  const hint = addressHints[channel];
  const addressError = jsonError ?? Object.entries(errors).find(([path]) => path === 'to' || path.startsWith('to.'))?.[1];

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = formText(new FormData(event.currentTarget), 'to');
    let to: unknown = text;
    // A push subscription is an object: the JSON a browser's PushSubscription.toJSON() gives.
    if (channel === 'push') {
      try {
        to = JSON.parse(text) as unknown;
      } catch {
        setJsonError('is not JSON: paste the subscription as the browser gives it');
        return;
      }
    }
    setJsonError(undefined);
    test.mutate({ ref: provider.id, channel, to });
  }

  const result = test.data;
  return (
    <form className="form" onSubmit={submit} aria-label="Send a test message">
      <FormAlert error={test.error} fields={Object.keys(errors).filter((path) => path === 'channel' || path === 'to' || path.startsWith('to.'))} />
      <div className="form-row form-row-end">
        {provider.channels.length > 1 && (
          <Field label="Channel" name="channel" error={errors.channel}>
            {(control) => (
              <select {...control} value={channel} onChange={(event) => setChannel(event.target.value as ContactMethodType)}>
                {provider.channels.map((c) => (
                  <option key={c} value={c}>
                    {contactMethodTypeNames[c]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label={hint.label} name="to" error={addressError}>
          {(control) => <input {...control} key={channel} required inputMode={hint.inputMode} placeholder={hint.placeholder} autoComplete="off" spellCheck={false} />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={test.isPending}>
            {test.isPending ? 'Sending…' : 'Send test'}
          </button>
        </div>
      </div>
      <div role="status" className="provider-test-result">
        {result && !test.isPending && (result.ok ? (
          <p className="provider-test-ok">
            <strong>ok</strong>: accepted in {Math.round(result.latencyMs)} ms{result.providerMessageId ? ` (message ID ${result.providerMessageId})` : ''}.
          </p>
        ) : (
          <p className="provider-test-failed">
            <strong>Failed</strong> after {Math.round(result.latencyMs)} ms: {result.error}
          </p>
        ))}
      </div>
    </form>
  );
}
