import { useEffect, type ReactNode } from 'react';
import { Brand } from './brand.js';

/** The centred card the signed-out pages (login, first-run setup) sit in. */
export function AuthLayout({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  useEffect(() => {
    document.title = title === 'Firebreak' ? title : `${title} · Firebreak`;
  }, [title]);
  return (
    <div className="auth-layout">
      <header className="auth-brand">
        <Brand />
      </header>
      <main id="main" className="auth-card" tabIndex={-1}>
        <h1>{title}</h1>
        {description && <p className="auth-description">{description}</p>}
        {children}
      </main>
    </div>
  );
}
