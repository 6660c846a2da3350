/** The submit (and optional cancel) buttons at the foot of every edit form; the submit button reads `pendingLabel` while the request runs. */
export function FormActions({ pending, submitLabel, pendingLabel = 'Saving…', onCancel }: { pending: boolean; submitLabel: string; pendingLabel?: string; onCancel?: (() => void) | undefined }) {
  return (
    <div className="form-actions">
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
      {onCancel && (
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
