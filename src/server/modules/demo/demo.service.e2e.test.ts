import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUserBody } from '../../../contracts/users.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { ManualClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import { verifyPassword } from '../../platform/crypto.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import { createServices } from '../../services.js';
import { systemActor } from '../audit/audit.repo.js';
import { demoPeople, demoTeams } from './catalog.demo.js';
import { DemoService } from './demo.service.js';

function build(database: FirebreakDatabase) {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', FIREBREAK_DATA_DIR: '/nonexistent' }), fastPasswordHashing: true };
  const services = createServices({ config, database, clock: new ManualClock('2026-11-02T10:00:00Z'), secretKey: randomBytes(32) });
  const demo = new DemoService({ services, fastPasswordHashing: true, generatePassword: () => 'correct-horse-battery' });
  return { services, demo };
}

describe('demo data (static)', () => {
  it('is valid input for the users API, spread over at least three continents, with an admin in every team', () => {
    for (const { teams: _teams, ...person } of demoPeople) {
      expect(createUserBody.safeParse(person).success, person.handle).toBe(true);
      expect(person.email).toMatch(/@example\.com$/);
    }
    const continents = new Set(demoPeople.map((p) => p.timeZone.split('/')[0]));
    expect(continents.size).toBeGreaterThanOrEqual(3);
    for (const team of demoTeams) {
      expect(demoPeople.some((p) => p.teams[team.handle] === 'admin'), team.handle).toBe(true);
      expect(team.description.length).toBeGreaterThan(0);
    }
  });
});

for (const dialect of dialectCases()) {
  describe(`demo data on ${dialect.name}`, () => {
    it('fills an empty database, creating owner@example.com with the password it reports, all audited as `demo`', async () => {
      const database = await dialect.open();
      try {
        const { services, demo } = build(database);
        const result = await demo.load({ force: false });
        expect(result.owner).toEqual({ email: 'owner@example.com', password: 'correct-horse-battery' });
        const owner = await services.catalog.requireUser(database.db, 'owner');
        expect(owner.role).toBe('owner');
        expect(await verifyPassword('correct-horse-battery', owner.password_hash as string)).toBe(true);
        expect(result.sections).toEqual([
          { name: 'teams and people', summary: '4 teams, 10 people, 12 team memberships' },
          { name: 'schedules and escalation policies', summary: '3 schedules, 4 escalation policies' },
          { name: 'services and alerts', summary: '3 services, 5 integrations, 5 alerts (triggered, acknowledged and resolved)' },
        ]);

        const teams = await services.catalog.listTeams(false);
        expect(teams.map((t) => t.handle)).toEqual(['data', 'mobile', 'payments', 'platform']);
        const users = await services.catalog.listUsers(false);
        expect(users).toHaveLength(11);
        expect(users.find((u) => u.handle === 'maya-chen')).toMatchObject({ role: 'admin', timeZone: 'America/Los_Angeles', teams: [expect.objectContaining({ handle: 'platform', role: 'admin' })] });

        const audit = await database.db.selectFrom('audit_log').select(['actor_type', 'actor_label', 'action']).execute();
        expect(new Set(audit.map((a) => `${a.actor_type}:${a.actor_label}`))).toEqual(new Set(['system:demo']));
        expect(audit.filter((a) => a.action === 'user.create')).toHaveLength(11);
        expect(audit.filter((a) => a.action === 'team.member.add')).toHaveLength(12);
      } finally {
        await database.close();
      }
    });

    it('fills a database that has only its first owner, leaving the owner as it is', async () => {
      const database = await dialect.open();
      try {
        const { services, demo } = build(database);
        await services.catalog.createUser({ actor: systemActor('first-run setup'), principal: null }, { handle: 'ana', name: 'Ana Lima', email: 'ana@acme.test', timeZone: 'Europe/Lisbon', role: 'owner' });
        const result = await demo.load({ force: false });
        expect(result.owner).toBeNull();
        const owners = (await services.catalog.listUsers(false)).filter((u) => u.role === 'owner');
        expect(owners.map((u) => u.handle)).toEqual(['ana']);
        expect(await services.catalog.listTeams(false)).toHaveLength(4);
      } finally {
        await database.close();
      }
    });

    it('refuses to run a second time, changing nothing, and with --force adds only what is missing', async () => {
      const database = await dialect.open();
      try {
        const { demo } = build(database);
        await demo.load({ force: false });
        const count = async () => Number((await database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
        const before = await count();
        await expect(demo.load({ force: false })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already has teams \(data, mobile, payments, platform\).*--force/) });
        expect(await count()).toBe(before);

        await database.db.deleteFrom('team_members').where('role', '=', 'member').execute();
        const forced = await demo.load({ force: true });
        expect(forced).toEqual({
          owner: null,
          sections: [
            { name: 'teams and people', summary: '0 teams, 0 people, 8 team memberships' },
            { name: 'schedules and escalation policies', summary: '0 schedules, 0 escalation policies' },
            { name: 'services and alerts', summary: '0 services, 0 integrations, 0 alerts (triggered, acknowledged and resolved)' },
          ],
        });
      } finally {
        await database.close();
      }
    });

    it('adds on-call schedules where someone is always on call, the secondary never the primary, and a policy per team', async () => {
      const database = await dialect.open();
      try {
        const { services, demo } = build(database);
        await demo.load({ force: false });
        const { schedules, policies } = services.oncall;
        expect((await schedules.list()).map((s) => s.handle)).toEqual(['follow-the-sun', 'platform-primary', 'platform-secondary']);
        expect((await policies.list()).map((p) => p.handle)).toEqual(['data', 'mobile', 'payments', 'platform']);
        const lints = await schedules.lints('platform-primary', { secondary: 'platform-secondary', days: 365 });
        expect(lints.filter((l) => l.code === 'SCHEDULE_GAP' || l.code === 'SAME_PERSON_PRIMARY_AND_SECONDARY')).toEqual([]);
        const sun = await schedules.lints('follow-the-sun', { days: 365 });
        expect(sun.filter((l) => l.code === 'SCHEDULE_GAP')).toEqual([]);
        const now = await schedules.onCall({}, services.clock.now());
        expect(now.entries.map((e) => e.scheduleHandle)).toEqual(['follow-the-sun', 'platform-primary', 'platform-secondary']);
        const preview = await policies.preview('platform', services.clock.now());
        expect(preview.steps.filter((s) => s.level !== null).every((s) => s.users.length === 1)).toBe(true);
      } finally {
        await database.close();
      }
    });

    it('adds services with integrations and alerts in every state, so the alerts page is populated', async () => {
      const database = await dialect.open();
      try {
        const { services, demo } = build(database);
        await demo.load({ force: false });
        const list = await services.serviceCatalog.list();
        expect(list.map((s) => [s.handle, s.integrations.map((i) => i.type)])).toEqual([
          ['api-gateway', ['alertmanager', 'grafana']],
          ['checkout-api', ['alertmanager', 'events-v2']],
          ['warehouse-pipeline', ['webhook']],
        ]);
        const teams = new Map((await services.catalog.listTeams(false)).map((t) => [t.id, t.handle]));
        expect(list.map((s) => teams.get(s.teamId ?? ''))).toEqual(['platform', 'payments', 'data']);
        expect(list.every((s) => s.escalationPolicyId !== null && s.runbookUrl !== null)).toBe(true);
        const alerts = await services.alerts.list({ status: 'triggered,acknowledged,resolved', limit: 100 } as Parameters<typeof services.alerts.list>[0]);
        expect(alerts.items.map((a) => `${a.serviceHandle} ${a.status} ${a.urgency}`).sort()).toEqual([
          'api-gateway triggered low',
          'api-gateway triggered low',
          'checkout-api acknowledged high',
          'checkout-api triggered high',
          'warehouse-pipeline resolved high',
        ]);
        const acknowledged = alerts.items.find((a) => a.status === 'acknowledged');
        const timeline = await services.alerts.timeline(acknowledged?.id ?? '');
        // Paging's entries (escalation started, paged, stopped) interleave; these are the alert's own.
        expect(timeline.map((e) => e.action).filter((a) => a !== 'escalation' && a !== 'page')).toEqual(['trigger', 'acknowledge', 'note']);
      } finally {
        await database.close();
      }
    });

    it('refuses when the instance already has teams of its own', async () => {
      const database = await dialect.open();
      try {
        const { services, demo } = build(database);
        await services.catalog.createTeam({ actor: systemActor('test'), principal: null }, { handle: 'sre', name: 'SRE', description: '' });
        await expect(demo.load({ force: false })).rejects.toThrow(/already has teams \(sre\)/);
        expect(await services.catalog.listUsers(false)).toEqual([]);
      } finally {
        await database.close();
      }
    });
  });
}
