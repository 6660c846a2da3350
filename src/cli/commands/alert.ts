import type { Command } from 'commander';
import type { Alert } from '../../contracts/alerts.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

const severities = ['critical', 'error', 'warning', 'info'];

export interface TriggerOptions {
  service: string;
  title: string;
  severity?: string | undefined;
  dedupKey?: string | undefined;
  description?: string | undefined;
}

export interface ListOptions {
  service?: string | undefined;
  status?: string | undefined;
  urgency?: string | undefined;
  limit?: string | undefined;
}

/** `#12`, `12` or an alert id, as a path segment (`#` must be encoded or the URL drops it). */
const alertPath = (ref: string) => `/api/v1/alerts/${encodeURIComponent(ref)}`;

function alertRows(alerts: readonly Alert[]): Array<Record<string, string>> {
  return alerts.map((a) => ({
    '#': String(a.number),
    status: a.status,
    severity: a.severity,
    urgency: a.urgency,
    service: a.serviceHandle,
    events: String(a.eventCount),
    'last seen (utc)': `${a.lastSeenAt.slice(0, 16)}Z`,
    title: a.title.length > 60 ? `${a.title.slice(0, 59)}…` : a.title,
  }));
}

export async function triggerAlert(api: ApiClient, opts: TriggerOptions, out: NodeJS.WritableStream = process.stdout): Promise<Alert> {
  if (opts.severity !== undefined && !severities.includes(opts.severity)) throw new CliError(`--severity must be one of ${severities.join(', ')}`, 2);
  const body = { service: opts.service, title: opts.title, ...(opts.severity ? { severity: opts.severity } : {}), ...(opts.dedupKey ? { dedupKey: opts.dedupKey } : {}), ...(opts.description ? { description: opts.description } : {}) };
  const { alert } = await api.request<{ outcome: string; alert: Alert }>('POST', '/api/v1/alerts', body);
  out.write(`Alert #${alert.number} ${alert.status} (${alert.eventCount === 1 ? 'new' : `${alert.eventCount} events`}), dedup key ${alert.dedupKey}\n`);
  return alert;
}

export async function actOnAlerts(api: ApiClient, action: 'acknowledge' | 'resolve', refs: readonly string[], note: string | undefined, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  for (const ref of refs) {
    const alert = await api.request<Alert>('POST', `${alertPath(ref)}/${action}`, note ? { note } : {});
    out.write(`Alert #${alert.number} ${alert.status}\n`);
  }
}

export async function reassignAlert(api: ApiClient, ref: string, opts: { user?: string | undefined; policy?: string | undefined; note?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<Alert> {
  if ((opts.user === undefined) === (opts.policy === undefined)) throw new CliError('give exactly one of --user and --policy', 2);
  const body = { ...(opts.user ? { user: opts.user } : { escalationPolicy: opts.policy }), ...(opts.note ? { note: opts.note } : {}) };
  const alert = await api.request<Alert>('POST', `${alertPath(ref)}/reassign`, body);
  out.write(`Alert #${alert.number} reassigned to ${alert.assignee?.label ?? '?'} (${alert.status})\n`);
  return alert;
}

export async function snoozeAlert(api: ApiClient, ref: string, opts: { minutes?: string | undefined; until?: string | undefined; note?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<Alert> {
  if ((opts.minutes === undefined) === (opts.until === undefined)) throw new CliError('give exactly one of --minutes and --until', 2);
  const minutes = opts.minutes === undefined ? undefined : Number(opts.minutes);
  if (minutes !== undefined && !Number.isInteger(minutes)) throw new CliError('--minutes must be a whole number', 2);
  const body = { ...(minutes !== undefined ? { minutes } : { until: opts.until }), ...(opts.note ? { note: opts.note } : {}) };
  const alert = await api.request<Alert>('POST', `${alertPath(ref)}/snooze`, body);
  out.write(`Alert #${alert.number} snoozed until ${alert.snoozedUntil ?? '?'}\n`);
  return alert;
}

export async function listAlerts(api: ApiClient, opts: ListOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const query = new URLSearchParams();
  if (opts.service) query.set('service', opts.service);
  if (opts.status) query.set('status', opts.status);
  if (opts.urgency) query.set('urgency', opts.urgency);
  if (opts.limit) query.set('limit', opts.limit);
  const page = await api.request<{ items: Alert[] }>('GET', `/api/v1/alerts${query.size ? `?${query}` : ''}`);
  printTable(alertRows(page.items), out);
}

/** `firebreak alert …`: trigger, acknowledge, resolve and list alerts through the API (FIREBREAK_URL, FIREBREAK_TOKEN). */
export function registerAlertCommands(program: Command): void {
  const alert = program.command('alert').description('Trigger, acknowledge, resolve, reassign, snooze and list alerts (talks to the server)');
  alert
    .command('trigger')
    .description('Trigger an alert on a service (the same dedup key joins the open alert)')
    .requiredOption('--service <service>', 'service id or handle')
    .requiredOption('--title <title>', 'what is wrong')
    .option('--severity <severity>', 'critical, error (default), warning or info')
    .option('--dedup-key <key>', 'events with the same key join one open alert')
    .option('--description <text>', 'more detail')
    .action(async (opts: TriggerOptions) => {
      await triggerAlert(apiClientFromEnv(), opts);
    });
  for (const [name, action] of [['ack', 'acknowledge'], ['resolve', 'resolve']] as const) {
    alert
      .command(`${name} <alerts...>`)
      .description(`${action === 'acknowledge' ? 'Acknowledge' : 'Resolve'} alerts by id or number (#12 or 12)`)
      .option('--note <text>', 'a note for the timeline')
      .action(async (refs: string[], opts: { note?: string }) => actOnAlerts(apiClientFromEnv(), action, refs, opts.note));
  }
  alert
    .command('reassign <alert>')
    .description('Reassign an alert to a person or an escalation policy (it triggers again for them)')
    .option('--user <user>', 'user id or handle')
    .option('--policy <policy>', 'escalation policy id or handle')
    .option('--note <text>', 'a note for the timeline')
    .action(async (ref: string, opts: { user?: string; policy?: string; note?: string }) => {
      await reassignAlert(apiClientFromEnv(), ref, opts);
    });
  alert
    .command('snooze <alert>')
    .description('Snooze an alert: acknowledged until a time, then triggered again')
    .option('--minutes <n>', 'for this many minutes (at most 7 days)')
    .option('--until <instant>', 'until this ISO 8601 instant')
    .option('--note <text>', 'a note for the timeline')
    .action(async (ref: string, opts: { minutes?: string; until?: string; note?: string }) => {
      await snoozeAlert(apiClientFromEnv(), ref, opts);
    });
  alert
    .command('list')
    .description('List alerts, newest first (default: open ones)')
    .option('--service <service>', 'service id or handle')
    .option('--status <statuses>', 'comma-separated: triggered, acknowledged, resolved')
    .option('--urgency <urgency>', 'high, low or backlog')
    .option('--limit <n>', 'at most this many (default 100)')
    .action(async (opts: ListOptions) => listAlerts(apiClientFromEnv(), opts));
}
