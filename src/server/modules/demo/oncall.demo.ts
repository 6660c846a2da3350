import { Temporal } from 'temporal-polyfill';
import type { z } from 'zod';
import type { escalationPolicyInputSchema, layerInputSchema } from '../../../contracts/oncall.js';
import type { DemoContext, DemoSection } from './demo.service.js';

type LayerInput = z.output<typeof layerInputSchema>;
type PolicyInput = z.output<typeof escalationPolicyInputSchema>;

interface DemoSchedule {
  handle: string;
  name: string;
  description: string;
  team: string;
  timeZone: string;
  layers: (anchor: (zone: string, time: string) => string) => LayerInput[];
}

const layer = (over: Partial<LayerInput> & Pick<LayerInput, 'name' | 'participants' | 'start' | 'handoffTime' | 'turn'>): LayerInput => ({
  restrictions: [],
  advance: 'calendar',
  shadows: [],
  ...over,
});

const platformPeople = ['maya-chen', 'daniel-okafor', 'lukas-becker'];

/**
 * Platform's weekly primary and secondary (the secondary is the same people offset by one, so nobody
 * is ever both), and a follow-the-sun schedule where each site covers its own daytime in its own zone.
 * Handles are exported for later sections (services, alerts).
 */
export const demoSchedules: readonly DemoSchedule[] = Object.freeze([
  {
    handle: 'platform-primary',
    name: 'Platform primary',
    description: 'First responder for the platform: weekly turns handing off Monday 10:00 London time.',
    team: 'platform',
    timeZone: 'Europe/London',
    layers: (anchor) => [layer({ name: 'Weekly', participants: platformPeople, start: anchor('Europe/London', '10:00'), handoffTime: '10:00', turn: { unit: 'weeks', count: 1 } })],
  },
  {
    handle: 'platform-secondary',
    name: 'Platform secondary',
    description: 'Backs up the primary: the same people, one week later.',
    team: 'platform',
    timeZone: 'Europe/London',
    layers: (anchor) => [layer({ name: 'Weekly', participants: [...platformPeople.slice(1), ...platformPeople.slice(0, 1)], start: anchor('Europe/London', '10:00'), handoffTime: '10:00', turn: { unit: 'weeks', count: 1 } })],
  },
  {
    handle: 'follow-the-sun',
    name: 'Follow the sun',
    description: 'Mobile around the clock: Tokyo, London and New York each cover their own daytime (9-hour windows, so DST changes overlap rather than leave gaps).',
    team: 'mobile',
    timeZone: 'UTC',
    layers: (anchor) => [
      layer({ name: 'APAC', participants: ['kenji-tanaka', 'emily-walsh', 'arjun-mehta'], start: anchor('Asia/Tokyo', '07:00'), handoffTime: '07:00', turn: { unit: 'weeks', count: 1 }, timeZone: 'Asia/Tokyo', restrictions: [{ kind: 'daily', start: '07:00', end: '15:00' }] }),
      layer({ name: 'EMEA', participants: ['daniel-okafor', 'lukas-becker', 'sofia-martinez'], start: anchor('Europe/London', '06:00'), handoffTime: '06:00', turn: { unit: 'weeks', count: 1 }, timeZone: 'Europe/London', restrictions: [{ kind: 'daily', start: '06:00', end: '15:00' }] }),
      layer({ name: 'Americas', participants: ['jordan-brooks', 'maya-chen'], start: anchor('America/New_York', '09:00'), handoffTime: '09:00', turn: { unit: 'weeks', count: 1 }, timeZone: 'America/New_York', restrictions: [{ kind: 'daily', start: '09:00', end: '18:00' }] }),
    ],
  },
]);

/** One escalation policy per demo team. */
export const demoPolicies: readonly PolicyInput[] = Object.freeze([
  {
    handle: 'platform',
    name: 'Platform',
    description: 'Primary, then secondary, then the team lead; twice through, then the whole team.',
    team: 'platform',
    levels: [
      { delayMinutes: 10, targets: [{ type: 'schedule', ref: 'platform-primary' }] },
      { delayMinutes: 10, targets: [{ type: 'schedule', ref: 'platform-secondary' }] },
      { delayMinutes: 15, targets: [{ type: 'user', ref: 'maya-chen' }] },
    ],
    repeat: 1,
    fallback: { type: 'team', ref: 'platform' },
    skipEmptyLevels: true,
  },
  {
    handle: 'payments',
    name: 'Payments',
    description: 'The payments lead, then the engineering manager, then everyone in Payments.',
    team: 'payments',
    levels: [
      { delayMinutes: 10, targets: [{ type: 'user', ref: 'sofia-martinez' }] },
      { delayMinutes: 15, targets: [{ type: 'user', ref: 'jordan-brooks' }] },
    ],
    repeat: 0,
    fallback: { type: 'team', ref: 'payments' },
    skipEmptyLevels: true,
  },
  {
    handle: 'mobile',
    name: 'Mobile',
    description: 'Whoever’s daytime it is, then the Mobile lead.',
    team: 'mobile',
    levels: [
      { delayMinutes: 10, targets: [{ type: 'schedule', ref: 'follow-the-sun' }] },
      { delayMinutes: 15, targets: [{ type: 'user', ref: 'emily-walsh' }] },
    ],
    repeat: 1,
    fallback: { type: 'team', ref: 'mobile' },
    skipEmptyLevels: true,
  },
  {
    handle: 'data',
    name: 'Data',
    description: 'The data lead, then the whole Data team.',
    team: 'data',
    levels: [
      { delayMinutes: 15, targets: [{ type: 'user', ref: 'priya-nair' }] },
      { delayMinutes: 30, targets: [{ type: 'team', ref: 'data' }] },
    ],
    repeat: 0,
    fallback: null,
    skipEmptyLevels: true,
  },
]);

/**
 * Schedules and escalation policies. Rotations are anchored on the Monday of the week before the demo
 * is loaded, so someone is on call from the first minute whatever the day.
 */
export const oncallDemo: DemoSection = {
  name: 'schedules and escalation policies',

  async existing({ db }) {
    const schedules = await db.selectFrom('schedules').select('handle').where('deleted_at', 'is', null).where('handle', 'in', demoSchedules.map((s) => s.handle)).orderBy('handle').execute();
    const policies = await db.selectFrom('escalation_policies').select('handle').where('deleted_at', 'is', null).where('handle', 'in', demoPolicies.map((p) => p.handle)).orderBy('handle').execute();
    const found: string[] = [];
    if (schedules.length > 0) found.push(`demo schedules (${schedules.map((s) => s.handle).join(', ')})`);
    if (policies.length > 0) found.push(`demo escalation policies (${policies.map((p) => p.handle).join(', ')})`);
    return found;
  },

  async add(ctx: DemoContext) {
    const { db, acting, services } = ctx;
    const { schedules, policies } = services.oncall;
    const now = Temporal.Instant.fromEpochMilliseconds(services.clock.now());
    // `time` on the Monday of last week in `zone`, as an ISO instant.
    const anchor = (zone: string, time: string) => {
      const today = now.toZonedDateTimeISO(zone).toPlainDate();
      const monday = today.subtract({ days: today.dayOfWeek - 1 + 7 });
      return monday.toPlainDateTime(Temporal.PlainTime.from(time)).toZonedDateTime(zone).toInstant().toString();
    };
    // People deactivated since an earlier demo run are left out rather than failing the whole run.
    const active = new Set((await db.selectFrom('users').select('handle').where('deactivated_at', 'is', null).execute()).map((u) => u.handle));
    let addedSchedules = 0;
    let addedPolicies = 0;
    for (const schedule of demoSchedules) {
      if (await db.selectFrom('schedules').select('id').where('handle', '=', schedule.handle).where('deleted_at', 'is', null).executeTakeFirst()) continue;
      const layers = schedule.layers(anchor)
        .map((l) => ({ ...l, participants: l.participants.filter((p) => active.has(p)) }))
        .filter((l) => l.participants.length > 0);
      if (layers.length === 0) continue;
      await schedules.createIn(db, acting, { handle: schedule.handle, name: schedule.name, description: schedule.description, team: schedule.team, timeZone: schedule.timeZone, layers });
      addedSchedules++;
    }
    for (const policy of demoPolicies) {
      if (await db.selectFrom('escalation_policies').select('id').where('handle', '=', policy.handle).where('deleted_at', 'is', null).executeTakeFirst()) continue;
      const levels = policy.levels
        .map((l) => ({ ...l, targets: l.targets.filter((t) => t.type !== 'user' || active.has(t.ref)) }))
        .filter((l) => l.targets.length > 0);
      if (levels.length === 0) continue;
      await policies.createIn(db, acting, { ...policy, levels });
      addedPolicies++;
    }
    return `${addedSchedules} schedules, ${addedPolicies} escalation policies`;
  },
};
