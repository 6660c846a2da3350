import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { PageHeader } from '../ui/page.js';
import { isAdmin } from './permissions.js';
import { useSession } from './session.js';
import { systemInfoQuery } from './system.api.js';

const databaseNames = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

/** Where people land after logging in: the first steps for a new organization. */
export function HomePage() {
  const session = useSession();
  const system = useQuery(systemInfoQuery);
  const admin = isAdmin(session);
  return (
    <>
      <PageHeader title={`Welcome, ${session.user.name}`} description="Firebreak pages the right person, runs the incident and keeps customers informed." />
      <section aria-labelledby="get-started">
        <h2 id="get-started" className="section-title">
          Get started
        </h2>
        <ul className="tiles">
          <li className="tile">
            <h3>
              <Link href="/teams">Teams</Link>
            </h3>
            <p>Group people into the teams that own services and share on-call.</p>
          </li>
          <li className="tile">
            <h3>
              <Link href="/users">Users</Link>
            </h3>
            <p>{admin ? 'Add the people who respond, with their role and time zone.' : 'See who is in your organization.'}</p>
          </li>
          <li className="tile">
            <h3>
              <Link href="/settings/profile">Profile</Link>
            </h3>
            <p>Set your time zone and protect your account with an authenticator app.</p>
          </li>
          <li className="tile">
            <h3>
              <Link href="/settings/tokens">API tokens</Link>
            </h3>
            <p>Script Firebreak, or connect the CLI, with a token limited to a role or a team.</p>
          </li>
        </ul>
      </section>
      {system.data && (
        <p className="muted footnote">
          Firebreak {system.data.version} on {databaseNames[system.data.database] ?? system.data.database}
        </p>
      )}
    </>
  );
}
