import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { Brand } from '../ui/brand.js';
import { authApi } from '../features/auth/auth.api.js';
import { Navigation } from './navigation.js';
import { forgetSession, useSession } from './session.js';
import { useTheme, setThemePreference } from './theme.js';

/** The signed-in frame: skip link, navigation (a menu on phones), the account box and the page. */
export function Shell({ children }: { children: ReactNode }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const [location] = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstLocation = useRef(location);

  // After navigating, move focus to the new page so keyboard and screen-reader users start there.
  useEffect(() => {
    if (location === firstLocation.current) return;
    firstLocation.current = location;
    setMenuOpen(false);
    mainRef.current?.focus({ preventScroll: true });
  }, [location]);

  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setMenuOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  return (
    <div className="shell">
      <a
        href="#main"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand-link" aria-label="Firebreak home">
          <Brand />
        </Link>
        <button type="button" className="button menu-button" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen((open) => !open)}>
          {menuOpen ? 'Close' : 'Menu'}
        </button>
      </header>
      <div className={menuOpen ? 'sidebar sidebar-open' : 'sidebar'} id="sidebar">
        <Link href="/" className="brand-link sidebar-brand" aria-label="Firebreak home">
          <Brand />
        </Link>
        <Navigation onNavigate={() => setMenuOpen(false)} />
        <AccountBox />
      </div>
      <main id="main" className="main" ref={mainRef} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function AccountBox() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const { theme } = useTheme();
  const logout = useMutation({
    mutationFn: authApi.logout,
    // Leave the app even when the server could not be told: the user asked to go.
    onSettled: () => {
      forgetSession(queryClient);
      navigate('/login', { replace: true });
    },
  });
  const { user } = session;
  return (
    <div className="account">
      <Link href="/settings/profile" className="account-user">
        <span className="avatar" aria-hidden="true">
          {initials(user.name)}
        </span>
        <span className="account-text">
          <span className="account-name">{user.name}</span>
          <span className="account-role">{user.role}</span>
        </span>
      </Link>
      <div className="account-actions">
        <button type="button" className="button button-quiet button-small" aria-pressed={theme === 'dark'} onClick={() => setThemePreference(theme === 'dark' ? 'light' : 'dark')}>
          Dark theme
        </button>
        <button type="button" className="button button-quiet button-small" onClick={() => logout.mutate()} disabled={logout.isPending}>
          Log out
        </button>
      </div>
    </div>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase() || '?';
}
