import { useState } from 'react';

interface ConfirmButtonProps {
  /** The action, for example "Deactivate team". */
  label: string;
  /** Asked before acting, for example "Deactivate Platform? Its members stop being paged for it." */
  question: string;
  onConfirm: () => void;
  pending?: boolean;
  disabled?: boolean;
}

/**
 * A destructive action that asks first, inline rather than with window.confirm, so the question is
 * styled, keyboard reachable and readable by screen readers.
 */
export function ConfirmButton({ label, question, onConfirm, pending = false, disabled = false }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="button button-danger-quiet" onClick={() => setAsking(true)} disabled={disabled || pending}>
        {pending ? 'Working…' : label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="button button-danger button-small"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {label}
      </button>
      <button type="button" className="button button-small" onClick={() => setAsking(false)} autoFocus>
        Cancel
      </button>
    </span>
  );
}
