import type { Command } from 'commander';
import type { MaintenanceWindow } from '../../contracts/suppression.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

export interface MaintenanceListOptions {
  service?: string | undefined;
  active?: boolean | undefined;
}

export interface MaintenanceCreateOptions {
  name: string;
  service: string[];
  start?: string | undefined;
  end?: string | undefined;
  minutes?: string | undefined;
  rrule?: string | undefined;
  timeZone?: string | undefined;
  description?: string | undefined;
}

const utc = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')}Z` : '');

function windowRows(windows: readonly MaintenanceWindow[]): Array<Record<string, string>> {
  return windows.map((w) => ({
    id: w.id,
    name: w.name.length > 40 ? `${w.name.slice(0, 39)}…` : w.name,
    services: w.services.map((s) => s.handle).join(','),
    schedule: w.recurrence ? `${w.recurrence.rrule} for ${w.recurrence.durationMinutes} min (${w.recurrence.timeZone})` : `${utc(w.startsAt)} → ${utc(w.endsAt)}`,
    state: w.active ? `active until ${utc(w.activeUntil)}` : w.endedAt ? `ended ${utc(w.endedAt)}` : w.nextStartsAt ? `next ${utc(w.nextStartsAt)}` : 'over',
  }));
}

function positiveInt(value: string, flag: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1) throw new CliError(`${flag} must be a whole number of minutes, at least 1`, 2);
  return Number(value);
}

export async function listMaintenance(api: ApiClient, opts: MaintenanceListOptions, out: NodeJS.WritableStream = process.stdout): Promise<MaintenanceWindow[]> {
  const query = new URLSearchParams();
  if (opts.service) query.set('service', opts.service);
  if (opts.active) query.set('active', 'true');
  const { items } = await api.request<{ items: MaintenanceWindow[] }>('GET', `/api/v1/maintenance-windows${query.size ? `?${query}` : ''}`);
  printTable(windowRows(items), out);
  return items;
}

/** One-off: `--start` (default now) with `--end` or `--minutes`; recurring: `--rrule`, `--minutes` and `--time-zone`. */
export async function createMaintenance(api: ApiClient, opts: MaintenanceCreateOptions, out: NodeJS.WritableStream = process.stdout): Promise<MaintenanceWindow> {
  if (opts.service.length === 0) throw new CliError('give at least one --service', 2);
  const services = opts.service.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const body: Record<string, unknown> = { name: opts.name, services };
  if (opts.description) body.description = opts.description;
  if (opts.start) body.startsAt = opts.start;
  if (opts.rrule) {
    if (!opts.minutes || !opts.timeZone) throw new CliError('a recurring window (--rrule) needs --minutes (each occurrence’s length) and --time-zone', 2);
    body.recurrence = { rrule: opts.rrule, durationMinutes: positiveInt(opts.minutes, '--minutes'), timeZone: opts.timeZone };
    if (opts.end) body.endsAt = opts.end;
  } else {
    if (!opts.end && !opts.minutes) throw new CliError('give --end or --minutes (or --rrule for a recurring window)', 2);
    if (opts.end) body.endsAt = opts.end;
    else body.durationMinutes = positiveInt(opts.minutes as string, '--minutes');
  }
  const window = await api.request<MaintenanceWindow>('POST', '/api/v1/maintenance-windows', body);
  out.write(`Maintenance window ${window.id} ‘${window.name}’ created: ${window.active ? `active until ${utc(window.activeUntil)}` : window.nextStartsAt ? `starts ${utc(window.nextStartsAt)}` : 'not active'}\n`);
  return window;
}

export async function endMaintenance(api: ApiClient, ids: readonly string[], out: NodeJS.WritableStream = process.stdout): Promise<void> {
  for (const id of ids) {
    const window = await api.request<MaintenanceWindow>('POST', `/api/v1/maintenance-windows/${encodeURIComponent(id)}/end`, {});
    out.write(`Maintenance window ${window.id} ‘${window.name}’ ended\n`);
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `firebreak maintenance …`: list, create and end maintenance windows through the API (FIREBREAK_URL, FIREBREAK_TOKEN). */
export function registerMaintenanceCommands(program: Command): void {
  const maintenance = program.command('maintenance').description('List, create and end maintenance windows (talks to the server)');
  maintenance
    .command('list')
    .description('List maintenance windows, latest start first')
    .option('--service <service>', 'only windows covering this service')
    .option('--active', 'only windows active now')
    .action(async (opts: MaintenanceListOptions) => {
      await listMaintenance(apiClientFromEnv(), opts);
    });
  maintenance
    .command('create')
    .description('Create a window: one-off (--start, --end or --minutes) or recurring (--rrule, --minutes, --time-zone)')
    .requiredOption('--name <name>', 'shown on suppressed alerts, e.g. "DB upgrade"')
    .option('--service <service>', 'service id or handle (repeat, or comma-separate)', collect, [])
    .option('--start <instant>', 'ISO 8601 instant, e.g. 2027-03-28T01:00:00Z (default now)')
    .option('--end <instant>', 'one-off: when it ends; recurring: no occurrence starts after it')
    .option('--minutes <n>', 'one-off: length instead of --end; recurring: length of each occurrence')
    .option('--rrule <rule>', 'RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0')
    .option('--time-zone <zone>', 'IANA time zone the RRULE is read in, e.g. Europe/Berlin')
    .option('--description <text>', 'more detail')
    .action(async (opts: MaintenanceCreateOptions) => {
      await createMaintenance(apiClientFromEnv(), opts);
    });
  maintenance
    .command('end <ids...>')
    .description('End maintenance windows now (a recurring one has no further occurrences)')
    .action(async (ids: string[]) => endMaintenance(apiClientFromEnv(), ids));
}
