import type { Command } from 'commander';
import type { z } from 'zod';
import type { onCallSchema, scheduleSchema } from '../../contracts/oncall.js';
import { formatLocal, instantFromIso } from '../../core/oncall/time.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

type OnCall = z.infer<typeof onCallSchema>;
type Schedule = z.infer<typeof scheduleSchema>;

export interface OnCallOptions {
  schedule?: string | undefined;
  team?: string | undefined;
  policy?: string | undefined;
  at?: string | undefined;
}

/** `2026-03-09 10:00 Europe/London`, or `-` when unknown. */
function local(iso: string | null, zone: string | null): string {
  if (iso === null || zone === null) return '-';
  const { date, time } = formatLocal(zone, instantFromIso(iso));
  return `${date} ${time} ${zone}`;
}

const utc = (iso: string | null) => (iso === null ? '-' : `${iso.slice(0, 16)}Z`);

/**
 * The rows `firebreak oncall` prints: who is on call, and until when in the schedule's zone and in UTC.
 * Policy queries add the level; people reached directly (user and team targets) have no shift bounds.
 */
export function onCallRows(answer: OnCall, zones: ReadonlyMap<string, string>, withLevel: boolean): Array<Record<string, string>> {
  return answer.entries.map((e) => {
    const user = answer.users[e.userId];
    const zone = e.scheduleId === null ? null : (zones.get(e.scheduleId) ?? null);
    return {
      ...(withLevel ? { level: e.level === null ? '-' : String(e.level) } : {}),
      schedule: e.scheduleHandle ?? '-',
      who: user ? `${user.handle} (${user.name})` : e.userId,
      since: local(e.start, zone),
      until: local(e.end, zone),
      'until (utc)': utc(e.end),
    };
  });
}

/** Asks the API who is on call and prints the table to `out`. */
export async function showOnCall(api: ApiClient, opts: OnCallOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const given = (['schedule', 'team', 'policy'] as const).filter((k) => opts[k] !== undefined);
  if (given.length > 1) throw new CliError(`give at most one of --schedule, --team or --policy (got ${given.map((g) => `--${g}`).join(' and ')})`, 2);
  const query = new URLSearchParams();
  for (const key of [...given, 'at'] as const) if (opts[key] !== undefined) query.set(key, opts[key] as string);
  const answer = await api.request<OnCall>('GET', `/api/v1/oncall${query.size ? `?${query}` : ''}`);
  const schedules = await api.request<{ items: Schedule[] }>('GET', '/api/v1/schedules');
  const zones = new Map(schedules.items.map((s) => [s.id, s.timeZone]));
  out.write(`On call at ${answer.at}\n`);
  printTable(onCallRows(answer, zones, opts.policy !== undefined), out);
}

/** `firebreak oncall`: who is on call now or at an instant, through the API (FIREBREAK_URL, FIREBREAK_TOKEN). */
export function registerOncallCommand(program: Command): void {
  program
    .command('oncall')
    .description('Who is on call now (or --at an instant): for a schedule, a team, an escalation policy, or every schedule (talks to the server)')
    .option('--schedule <schedule>', 'schedule id or handle')
    .option('--team <team>', 'team id or handle: its schedules')
    .option('--policy <policy>', 'escalation policy id or handle: who each level reaches')
    .option('--at <instant>', 'ISO 8601 instant with an offset, e.g. 2026-11-23T09:00:00Z (default: now)')
    .action(async (opts: OnCallOptions) => showOnCall(apiClientFromEnv(), opts));
}
