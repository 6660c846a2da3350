import type { Command } from 'commander';
import type { z } from 'zod';
import type { integrationSchema, Service } from '../../contracts/alerts.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

type Integration = z.infer<typeof integrationSchema>;
type HeartbeatSettings = { periodSeconds?: number; cron?: string; timeZone?: string; graceSeconds?: number; maxRunSeconds?: number | null; severity?: 'critical' | 'error' | 'warning' | 'info' };

const servicePath = (ref: string) => `/api/v1/services/${encodeURIComponent(ref)}`;
const units: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `15m`, `2h`, `1d` → seconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)\s*(s|m|min|h|d)?$/.exec(text.trim());
  if (!match) throw new CliError(`${option}: "${text}" is not a duration such as 90s, 15m, 2h or 1d`, 2);
  return Number(match[1]) * (units[match[2] ?? 's'] ?? 1);
}

const short = (iso: string | null) => (iso ? `${iso.slice(0, 16)}Z` : '');

/** `firebreak heartbeat list [--service s]`: every heartbeat with its status, last ping and next deadline. */
export async function listHeartbeats(api: ApiClient, opts: { service?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<Array<{ service: string; integration: Integration }>> {
  const services = opts.service ? [await api.request<Service>('GET', servicePath(opts.service))] : (await api.request<{ items: Service[] }>('GET', '/api/v1/services')).items;
  const found = services.flatMap((s) => s.integrations.filter((i) => i.type === 'heartbeat').map((integration) => ({ service: s.handle, integration })));
  printTable(
    found.map(({ service, integration: { id, name, disabled, heartbeat: hb } }) => ({
      service,
      heartbeat: name,
      id,
      status: disabled ? 'disabled' : (hb?.status ?? '') + (hb?.status === 'down' && hb.downReason ? ` (${hb.downReason})` : '') + (hb?.running ? ', running' : ''),
      'last ping (utc)': short(hb?.lastPingAt ?? null),
      'alerts after (utc)': short(hb?.nextDeadlineAt ?? null),
      schedule: hb ? (hb.cron !== null ? `cron ${hb.cron} ${hb.timeZone}` : `every ${hb.periodSeconds}s`) + ` +${hb.graceSeconds}s grace` : '',
    })),
    out,
  );
  return found;
}

/**
 * `firebreak heartbeat set <service> <integration> …`: changes a heartbeat's schedule. The
 * integration is its id or its name; options left out keep their value.
 */
export async function setHeartbeat(
  api: ApiClient,
  service: string,
  integration: string,
  opts: { every?: string | undefined; cron?: string | undefined; tz?: string | undefined; grace?: string | undefined; maxRun?: string | undefined; severity?: string | undefined },
  out: NodeJS.WritableStream = process.stdout,
): Promise<Integration> {
  if (opts.every && opts.cron) throw new CliError('give --every or --cron, not both', 2);
  const settings: HeartbeatSettings = {};
  if (opts.every) settings.periodSeconds = parseDuration(opts.every, '--every');
  if (opts.cron) settings.cron = opts.cron;
  if (opts.tz) settings.timeZone = opts.tz;
  if (opts.grace) settings.graceSeconds = parseDuration(opts.grace, '--grace');
  if (opts.maxRun) settings.maxRunSeconds = opts.maxRun === 'none' ? null : parseDuration(opts.maxRun, '--max-run');
  if (opts.severity) settings.severity = opts.severity as HeartbeatSettings['severity'];
  if (Object.keys(settings).length === 0) throw new CliError('nothing to change: give --every, --cron, --tz, --grace, --max-run or --severity', 2);
  const all = await api.request<{ items: Integration[] }>('GET', `${servicePath(service)}/integrations`);
  const target = all.items.find((i) => i.id === integration) ?? all.items.find((i) => i.name === integration && i.type === 'heartbeat');
  if (!target) throw new CliError(`service ${service} has no heartbeat integration with id or name "${integration}"`, 1);
  const updated = await api.request<Integration>('PATCH', `${servicePath(service)}/integrations/${encodeURIComponent(target.id)}`, { heartbeat: settings });
  const hb = updated.heartbeat;
  const schedule = hb ? (hb.cron !== null ? `cron "${hb.cron}" in ${hb.timeZone}` : `every ${hb.periodSeconds} s`) : '';
  out.write(`Heartbeat ${updated.name}: ${schedule}, grace ${hb?.graceSeconds ?? 0} s; status ${hb?.status ?? 'unknown'}${hb?.nextDeadlineAt ? `, alerts after ${hb.nextDeadlineAt}` : ''}\n`);
  return updated;
}

/** `firebreak heartbeat …` (talks to the server: FIREBREAK_URL, FIREBREAK_TOKEN). Jobs ping with curl; see docs/alerts.md. */
export function registerHeartbeatCommands(program: Command): void {
  const heartbeat = program.command('heartbeat').description('Heartbeats (dead man’s switch): status and schedules (talks to the server)');
  heartbeat
    .command('list')
    .description('List heartbeats with their status, last ping and next deadline')
    .option('--service <service>', 'only this service (id or handle)')
    .action(async (opts: { service?: string }) => {
      await listHeartbeats(apiClientFromEnv(), opts);
    });
  heartbeat
    .command('set <service> <integration>')
    .description('Change a heartbeat’s schedule (integration: its id or name)')
    .option('--every <duration>', 'expect a success this often, e.g. 15m, 1d')
    .option('--cron <expression>', 'expect a success at each occurrence, e.g. "30 2 * * *"')
    .option('--tz <zone>', 'IANA time zone of --cron, e.g. Europe/Berlin')
    .option('--grace <duration>', 'how late a ping may be before the alert, e.g. 30m')
    .option('--max-run <duration>', 'longest run from /start to its end, or "none" for the grace')
    .option('--severity <severity>', 'critical, error, warning or info')
    .action(async (service: string, integration: string, opts: { every?: string; cron?: string; tz?: string; grace?: string; maxRun?: string; severity?: string }) => {
      await setHeartbeat(apiClientFromEnv(), service, integration, opts);
    });
}
