import { useState, type FormEvent } from 'react';
import { contactMethodTypeNames, type ContactMethod } from '../../../contracts/notify.js';
import { fieldErrors } from '../../api/client.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { errorMessage, formText } from '../../ui/field.js';
import { Time } from '../../ui/time.js';
import { contactMethodsApi, useNotifyChange } from './contact-methods.api.js';

/** How a method reads in lists and messages: its label, or its type's name. */
export function methodName(method: Pick<ContactMethod, 'type' | 'label' | 'address'>): string {
  return `${method.label || contactMethodTypeNames[method.type]} · ${method.address}`;
}

/**
 * One contact method: whether it is verified, the code form while a code is pending, and its actions
 * (send a code, send a test, remove).
 */
/** `now`: when the list was read, to tell an expired code (the server checks again). */
export function ContactMethodRow({ method, now }: { method: ContactMethod; now: number }) {
  const [notice, setNotice] = useState('');
  const sendCode = useNotifyChange(contactMethodsApi.sendCode);
  const verify = useNotifyChange(contactMethodsApi.verify);
  const sendTest = useNotifyChange(contactMethodsApi.sendTest);
  const remove = useNotifyChange(contactMethodsApi.remove);
  const pending = method.verification;
  const expired = pending !== null && Date.parse(pending.expiresAt) <= now;
  const actionError = sendCode.error ?? sendTest.error ?? remove.error;
  const codeError = fieldErrors(verify.error).code ?? (verify.error && !fieldErrors(verify.error).code ? errorMessage(verify.error) : undefined);

  function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = formText(new FormData(event.currentTarget), 'code');
    verify.mutate({ id: method.id, code }, { onSuccess: () => setNotice('Verified. This method can now receive pages.') });
  }

  return (
    <tr>
      <td>
        <span className="row-title">{method.label || contactMethodTypeNames[method.type]}</span>
        <span className="muted small">{contactMethodTypeNames[method.type]}</span>
        <span className="handle">{method.address}</span>
      </td>
      <td data-label="Status">
        {method.verified ? <span className="badge badge-verified">Verified</span> : <span className="badge badge-unverified">Not verified</span>}
        {!method.channelAvailable && <span className="muted small">{contactMethodTypeNames[method.type]} delivery is not available on this instance yet.</span>}
        {!method.verified && pending && (
          <>
            <span className="muted small">
              {expired ? (
                'The code expired; send a new one.'
              ) : (
                <>
                  Code sent, valid until <Time value={pending.expiresAt} />. {pending.attemptsLeft} {pending.attemptsLeft === 1 ? 'attempt' : 'attempts'} left.
                </>
              )}
            </span>
            {pending.error && (
              <span className="field-error small" role="alert">
                The code could not be delivered: {pending.error}
              </span>
            )}
            {!expired && (
              <form className="verify-form" onSubmit={submitCode} aria-label={`Verify ${method.address}`}>
                <label htmlFor={`code-${method.id}`}>Verification code</label>
                <input
                  id={`code-${method.id}`}
                  name="code"
                  className="input-code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9]{6}"
                  maxLength={6}
                  required
                  aria-invalid={codeError ? true : undefined}
                  aria-describedby={codeError ? `code-${method.id}-error` : undefined}
                />
                <button type="submit" className="button button-primary button-small" disabled={verify.isPending}>
                  {verify.isPending ? 'Checking…' : 'Verify'}
                </button>
                {codeError && (
                  <span className="field-error" id={`code-${method.id}-error`}>
                    {codeError}
                  </span>
                )}
              </form>
            )}
          </>
        )}
        <span className="muted small" role="status">
          {notice}
        </span>
        {actionError ? (
          <span className="field-error small" role="alert">
            {errorMessage(actionError)}
          </span>
        ) : null}
      </td>
      <td className="cell-actions">
        {method.verified ? (
          <button
            type="button"
            className="button button-small"
            disabled={sendTest.isPending}
            onClick={() => sendTest.mutate(method.id, { onSuccess: () => setNotice('Test notification on its way.') })}
          >
            Send test
          </button>
        ) : (
          <button
            type="button"
            className="button button-small"
            disabled={sendCode.isPending || !method.channelAvailable}
            onClick={() => sendCode.mutate(method.id, { onSuccess: () => setNotice(`Code sent to ${method.address}.`) })}
          >
            {pending ? 'Send a new code' : 'Send code'}
          </button>
        )}{' '}
        <ConfirmButton label="Remove" question={`Remove ${methodName(method)}? Notification rules that use it are removed too.`} onConfirm={() => remove.mutate(method.id)} pending={remove.isPending} />
      </td>
    </tr>
  );
}
