import { useId } from 'react';

/**
 * The `?` help: the page's keyboard shortcuts. A labelled region (not a modal) so it can stay open
 * beside the timeline while someone learns the keys; `?` or Close hides it again.
 */
export function ShortcutsHelp({ shortcuts, onClose }: { shortcuts: readonly (readonly [key: string, what: string])[]; onClose: () => void }) {
  const titleId = useId();
  return (
    <aside className="shortcuts incident-shortcuts" aria-labelledby={titleId}>
      <h2 className="shortcuts-title" id={titleId}>
        Keyboard shortcuts
      </h2>
      <ul>
        {shortcuts.map(([key, what]) => (
          <li key={key}>
            <kbd>{key}</kbd> {what}
          </li>
        ))}
      </ul>
      <p className="muted small">Shortcuts are off while you type in a field.</p>
      <button type="button" className="button button-small" onClick={onClose}>
        Close
      </button>
    </aside>
  );
}
