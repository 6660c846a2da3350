import { useSyncExternalStore } from 'react';

/** `system` follows the operating system's light/dark setting (prefers-color-scheme). */
export type ThemePreference = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const storageKey = 'firebreak.theme';
const darkQuery = '(prefers-color-scheme: dark)';
const listeners = new Set<() => void>();

function readPreference(): ThemePreference {
  try {
    const stored = localStorage.getItem(storageKey);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    // Storage can be disabled (private modes, policies): fall back to the system setting.
    return 'system';
  }
}

function resolve(preference: ThemePreference): Theme {
  if (preference !== 'system') return preference;
  return window.matchMedia(darkQuery).matches ? 'dark' : 'light';
}

let preference: ThemePreference = readPreference();

/** Sets `data-theme` on <html>, which selects the colour variables in styles.css. */
function apply(): void {
  const theme = resolve(preference);
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  for (const listener of listeners) listener();
}

/** Applies the stored theme and follows system changes. Call once, before the first render. */
export function initTheme(): void {
  apply();
  window.matchMedia(darkQuery).addEventListener('change', () => {
    if (preference === 'system') apply();
  });
}

export function setThemePreference(next: ThemePreference): void {
  preference = next;
  try {
    if (next === 'system') localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, next);
  } catch {
    // Not persisted; the choice still holds for this page.
  }
  apply();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current preference and the theme it resolves to, updated on every change. */
export function useTheme(): { preference: ThemePreference; theme: Theme } {
  const current = useSyncExternalStore(subscribe, () => preference);
  const theme = useSyncExternalStore(subscribe, () => resolve(preference));
  return { preference: current, theme };
}
