/** The submit (and optional cancel) buttons at the foot of every edit form. */
export function FormActions({ pending, submitLabel, onCancel }: { pending: boolean; submitLabel: string; onCancel?: (() => void) | undefined }) {
  return (
    <div className="form-actions">
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
      {onCancel && (
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
