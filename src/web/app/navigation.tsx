import { Link, useLocation } from 'wouter';

export interface Area {
  href: string;
  label: string;
  /** For areas later work fills in: what the area will be for, shown on its placeholder page. */
  upcoming?: string;
}

/** The app's areas in navigation order, grouped the way responders use them. */
export const areaGroups: readonly { label: string; areas: readonly Area[] }[] = [
  {
    label: 'Respond',
    areas: [
      { href: '/alerts', label: 'Alerts' },
      { href: '/backlog', label: 'Backlog' },
      { href: '/silences', label: 'Silences' },
      { href: '/maintenance-windows', label: 'Maintenance' },
      { href: '/incidents', label: 'Incidents' },
      { href: '/playbooks', label: 'Playbooks' },
      { href: '/oncall', label: 'On-call' },
    ],
  },
  {
    label: 'Catalog',
    areas: [
      { href: '/services', label: 'Services' },
      { href: '/teams', label: 'Teams' },
      { href: '/users', label: 'Users' },
    ],
  },
  {
    label: 'Communicate and learn',
    areas: [
      { href: '/status-pages', label: 'Status pages' },
      { href: '/postmortems', label: 'Postmortems' },
      { href: '/analytics', label: 'Analytics', upcoming: 'MTTA, MTTR, MTBF, alert noise and on-call load over time.' },
    ],
  },
  { label: 'Organization', areas: [{ href: '/settings', label: 'Settings' }] },
];

export const upcomingAreas: readonly Area[] = areaGroups.flatMap((group) => group.areas).filter((area) => area.upcoming);

function isCurrent(location: string, href: string): boolean {
  return location === href || location.startsWith(`${href}/`);
}

/** The main navigation. `onNavigate` lets the phone layout close its menu after a choice. */
export function Navigation({ onNavigate }: { onNavigate?: () => void }) {
  const [location] = useLocation();
  return (
    <nav className="nav" aria-label="Main">
      {areaGroups.map((group) => (
        <div className="nav-group" key={group.label}>
          <h2 className="nav-group-label">{group.label}</h2>
          <ul>
            {group.areas.map((area) => {
              const current = isCurrent(location, area.href);
              return (
                <li key={area.href}>
                  <Link href={area.href} className="nav-link" aria-current={current ? 'page' : undefined} onClick={onNavigate}>
                    {area.label}
                    {area.upcoming && <span className="nav-soon">Soon</span>}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
