import { useId, type ReactNode } from 'react';
import { ApiError, fieldErrors, isApiError } from '../api/client.js';

/** Props every form control gets from {@link Field}: its id and its link to the label and messages. */
export interface ControlProps {
  id: string;
  name: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

interface FieldProps {
  label: string;
  name: string;
  /** The field's message from the server (see `fieldErrors`) or from checks in the page. */
  error?: string | undefined;
  hint?: ReactNode;
  children: (control: ControlProps) => ReactNode;
}

/** A labelled form control with an optional hint and its validation message right below it. */
export function Field({ label, name, error, hint, children }: FieldProps) {
  const id = `${useId()}-${name}`;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * The form-level message for a failed request. Validation issues that belong to one of `fields` are
 * shown beside that field instead; the rest are listed here.
 */
export function FormAlert({ error, fields = [] }: { error: unknown; fields?: readonly string[] }) {
  if (!error) return null;
  if (isApiError(error, 'VALIDATION_FAILED')) {
    const unmatched = Object.entries(fieldErrors(error)).filter(([field]) => !fields.includes(field));
    return (
      <div className="alert alert-error" role="alert">
        <p>Some fields need attention.</p>
        {unmatched.length > 0 && (
          <ul>
            {unmatched.map(([field, message]) => (
              <li key={field}>{field ? `${field}: ${message}` : message}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <div className="alert alert-error" role="alert">
      <p>{errorMessage(error)}</p>
    </div>
  );
}

/** A sentence for any error, with the errorId when the server had a fault. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'RATE_LIMITED' && error.retryAfterSeconds) return `Too many attempts. Try again in ${error.retryAfterSeconds} seconds.`;
    if (error.code === 'INTERNAL' && error.errorId) return `${error.message} (error id ${error.errorId})`;
    return error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}

/** Reads a text field from submitted form data, trimmed. */
export function formText(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value.trim() : '';
}
