import type { Role, TeamRole } from '../../../core/auth/roles.js';
import type { DemoContext, DemoSection } from './demo.service.js';

/** A demo team. Handles are exported so later sections (schedules, services…) can refer to them. */
export interface DemoTeam {
  handle: string;
  name: string;
  description: string;
}

export interface DemoPerson {
  handle: string;
  name: string;
  email: string;
  timeZone: string;
  role: Role;
  teams: Partial<Record<string, TeamRole>>;
}

export const demoTeams: readonly DemoTeam[] = Object.freeze([
  { handle: 'platform', name: 'Platform', description: 'Kubernetes clusters, CI/CD, the API gateway and the shared databases every product runs on.' },
  { handle: 'payments', name: 'Payments', description: 'Checkout, subscriptions, invoicing and the payment-provider integrations.' },
  { handle: 'mobile', name: 'Mobile', description: 'The iOS and Android apps, push notifications and the mobile backend.' },
  { handle: 'data', name: 'Data', description: 'Event pipelines, the data warehouse and the dashboards the business reads every morning.' },
]);

// Spread over the Americas, Europe, Asia and Australia, so schedules and "who is awake" look real.
export const demoPeople: readonly DemoPerson[] = Object.freeze([
  { handle: 'maya-chen', name: 'Maya Chen', email: 'maya.chen@example.com', timeZone: 'America/Los_Angeles', role: 'admin', teams: { platform: 'admin' } },
  { handle: 'daniel-okafor', name: 'Daniel Okafor', email: 'daniel.okafor@example.com', timeZone: 'Europe/London', role: 'responder', teams: { platform: 'member', data: 'member' } },
  { handle: 'lukas-becker', name: 'Lukas Becker', email: 'lukas.becker@example.com', timeZone: 'Europe/Berlin', role: 'responder', teams: { platform: 'member', payments: 'member' } },
  { handle: 'sofia-martinez', name: 'Sofía Martínez', email: 'sofia.martinez@example.com', timeZone: 'Europe/Madrid', role: 'responder', teams: { payments: 'admin' } },
  { handle: 'jordan-brooks', name: 'Jordan Brooks', email: 'jordan.brooks@example.com', timeZone: 'America/New_York', role: 'admin', teams: { payments: 'member' } },
  { handle: 'priya-nair', name: 'Priya Nair', email: 'priya.nair@example.com', timeZone: 'Asia/Kolkata', role: 'responder', teams: { data: 'admin' } },
  { handle: 'arjun-mehta', name: 'Arjun Mehta', email: 'arjun.mehta@example.com', timeZone: 'Asia/Kolkata', role: 'responder', teams: { data: 'member', mobile: 'member' } },
  { handle: 'emily-walsh', name: 'Emily Walsh', email: 'emily.walsh@example.com', timeZone: 'Australia/Sydney', role: 'responder', teams: { mobile: 'admin' } },
  { handle: 'kenji-tanaka', name: 'Kenji Tanaka', email: 'kenji.tanaka@example.com', timeZone: 'Asia/Tokyo', role: 'responder', teams: { mobile: 'member' } },
  { handle: 'olivia-grant', name: 'Olivia Grant', email: 'olivia.grant@example.com', timeZone: 'America/Chicago', role: 'viewer', teams: {} },
]);

/** Teams, people and memberships (with a team admin in every team). */
export const catalogDemo: DemoSection = {
  name: 'teams and people',

  async existing({ db }) {
    const teams = await db.selectFrom('teams').select('handle').orderBy('handle').execute();
    const people = await db
      .selectFrom('users')
      .select('handle')
      .where((eb) => eb.or([eb('handle', 'in', demoPeople.map((p) => p.handle)), eb('email', 'in', demoPeople.map((p) => p.email))]))
      .orderBy('handle')
      .execute();
    const found: string[] = [];
    if (teams.length > 0) found.push(`teams (${teams.map((t) => t.handle).join(', ')})`);
    if (people.length > 0) found.push(`demo people (${people.map((p) => p.handle).join(', ')})`);
    return found;
  },

  async add(ctx: DemoContext) {
    const { db, acting, services } = ctx;
    const { catalog } = services;
    let teams = 0;
    let people = 0;
    let memberships = 0;
    // Anything already there (same handle or email) is kept as it is: `demo --force` tops up.
    for (const team of demoTeams) {
      if (await catalog.repo.findTeam(db, team.handle)) continue;
      await catalog.createTeamIn(db, acting, team);
      teams++;
    }
    for (const person of demoPeople) {
      let user = (await catalog.repo.findUser(db, person.handle)) ?? (await catalog.repo.findUserByEmail(db, person.email));
      if (!user) {
        const created = await catalog.createUserIn(db, acting, { handle: person.handle, name: person.name, email: person.email, timeZone: person.timeZone, role: person.role }, null);
        user = await catalog.requireUser(db, created.id);
        people++;
      }
      if (user.deactivated_at !== null) continue;
      for (const [teamHandle, role] of Object.entries(person.teams)) {
        if (!role) continue;
        const team = await catalog.requireTeam(db, teamHandle);
        const member = await db.selectFrom('team_members').select('role').where('team_id', '=', team.id).where('user_id', '=', user.id).executeTakeFirst();
        if (member) continue;
        await catalog.putMemberIn(db, acting, team.id, user.id, role);
        memberships++;
      }
    }
    return `${teams} teams, ${people} people, ${memberships} team memberships`;
  },
};
