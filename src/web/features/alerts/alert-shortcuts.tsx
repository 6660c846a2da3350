import { useEffect, useRef } from 'react';

/** True while the person is typing somewhere a letter key belongs to the field, not to a shortcut. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  // Checkboxes and buttons take no letters, so shortcuts keep working on a focused row's checkbox.
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
}

/**
 * Single-letter keyboard shortcuts for the page, ignored while typing in a field and when a
 * modifier is held (so Ctrl+R still reloads). Handlers see the event to read the focused element.
 */
export function useShortcuts(handlers: Record<string, (event: KeyboardEvent) => void>, enabled = true): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    if (!enabled) return;
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) return;
      const handler = latest.current[event.key];
      if (!handler) return;
      event.preventDefault();
      handler(event);
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}

/** The small hint listing a page's shortcuts. */
export function ShortcutsHint({ shortcuts }: { shortcuts: readonly (readonly [key: string, what: string])[] }) {
  return (
    <aside className="shortcuts" aria-label="Keyboard shortcuts">
      <h2 className="shortcuts-title">Keyboard shortcuts</h2>
      <ul>
        {shortcuts.map(([key, what]) => (
          <li key={key}>
            <kbd>{key}</kbd> {what}
          </li>
        ))}
      </ul>
    </aside>
  );
}
