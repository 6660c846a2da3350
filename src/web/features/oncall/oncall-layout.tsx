import { useEffect, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { PageHeader } from '../../ui/page.js';

const tabs = [
  { href: '/oncall', label: 'My on-call', exact: true },
  { href: '/oncall/schedules', label: 'Schedules', exact: false },
  { href: '/oncall/escalation-policies', label: 'Escalation policies', exact: false },
  { href: '/oncall/reports/hours', label: 'Hours report', exact: false },
];

/**
 * The on-call area's list pages share a header and a row of tabs (links, so each tab has its own
 * address). `page` names the tab in the document title.
 */
export function OnCallLayout({ page, actions, children }: { page: string; actions?: ReactNode; children: ReactNode }) {
  const [location] = useLocation();
  useEffect(() => {
    document.title = `${page} · On-call · Firebreak`;
  }, [page]);
  return (
    <>
      <PageHeader title="On-call" description="Who is paged, when, and in what order." actions={actions} />
      <nav className="tabs" aria-label="On-call">
        {tabs.map((tab) => {
          const current = tab.exact ? location === tab.href : location === tab.href || location.startsWith(`${tab.href}/`);
          return (
            <Link key={tab.href} href={tab.href} className="tab" aria-current={current ? 'page' : undefined}>
              {tab.label}
            </Link>
          );
        })}
      </nav>
      <div className="stack">{children}</div>
    </>
  );
}
