import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { PageHeader } from '../../ui/page.js';

const tabs = [
  { href: '/settings/profile', label: 'Profile', adminOnly: false },
  { href: '/settings/contact-methods', label: 'Contact methods', adminOnly: false },
  { href: '/settings/tokens', label: 'API tokens', adminOnly: false },
  { href: '/settings/providers', label: 'Notification providers', adminOnly: false },
  { href: '/settings/incidents', label: 'Incidents', adminOnly: false },
  { href: '/settings/audit', label: 'Audit log', adminOnly: true },
];

/** Settings pages share a header and a row of tabs (links, so each tab has its own address). */
export function SettingsLayout({ children }: { children: ReactNode }) {
  const session = useSession();
  const [location] = useLocation();
  const visible = tabs.filter((tab) => !tab.adminOnly || isAdmin(session));
  return (
    <>
      <PageHeader title="Settings" />
      <nav className="tabs" aria-label="Settings">
        {visible.map((tab) => (
          <Link key={tab.href} href={tab.href} className="tab" aria-current={location === tab.href || location.startsWith(`${tab.href}/`) ? 'page' : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      <div className="stack">{children}</div>
    </>
  );
}
