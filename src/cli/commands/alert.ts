import type { Command } from 'commander';
import type { Alert } from '../../contracts/alerts.js';
import type { EscalationViewData } from '../../contracts/paging.js';
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

/** "Escalate now": the next level of the alert's escalation is paged at once. */
export async function escalateAlert(api: ApiClient, ref: string, out: NodeJS.WritableStream = process.stdout): Promise<EscalationViewData> {
  const before = await api.request<EscalationViewData>('GET', `${alertPath(ref)}/escalation`);
  const view = await api.request<EscalationViewData>('POST', `${alertPath(ref)}/escalate`, {});
  const fired = view.steps.slice(before.steps.length)[0];
  const who = (ids: readonly string[]) => (ids.length === 0 ? 'nobody' : ids.map((id) => `@${view.users[id]?.handle ?? id}`).join(', '));
  const what = fired ? `escalated to ${fired.level === null ? 'the fallback' : `level ${fired.level}`}: paging ${who(fired.userIds)}` : 'escalated past its last level';
  out.write(`Alert ${ref} ${what}${view.status === 'exhausted' ? ' (escalation exhausted)' : view.nextStepAt ? `; next step ${view.nextStepAt}` : ''}\n`);
  return view;
}

/** Pages people into an alert: `--user` and `--policy` may each be given several times. */
export async function addResponders(api: ApiClient, ref: string, opts: { user?: readonly string[] | undefined; policy?: readonly string[] | undefined; message?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<EscalationViewData> {
  const targets = [...(opts.user ?? []).map((id) => ({ type: 'user' as const, id })), ...(opts.policy ?? []).map((id) => ({ type: 'escalationPolicy' as const, id }))];
  if (targets.length === 0) throw new CliError('give at least one --user or --policy', 2);
  const before = await api.request<EscalationViewData>('GET', `${alertPath(ref)}/escalation`);
  const view = await api.request<EscalationViewData>('POST', `${alertPath(ref)}/responders`, { targets, ...(opts.message ? { message: opts.message } : {}) });
  const added = view.responders.slice(before.responders.length);
  out.write(added.length === 0 ? `Nobody was added to alert ${ref}: the policies' level 1 reaches nobody now\n` : `Added to alert ${ref}: ${added.map((r) => `@${view.users[r.userId]?.handle ?? r.userId}${r.via.type === 'escalationPolicy' ? ` (policy ${r.via.name})` : ''}`).join(', ')}\n`);
  return view;
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
  const alert = program.command('alert').description('Trigger, acknowledge, resolve, reassign, snooze, escalate, add responders to and list alerts (talks to the server)');
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
    .command('escalate <alert>')
    .description('Escalate now: page the next level of the alert’s escalation at once')
    .action(async (ref: string) => {
      await escalateAlert(apiClientFromEnv(), ref);
    });
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  alert
    .command('add-responder <alert>')
    .description('Page more people into a triggered alert: users at once, or the people on level 1 of escalation policies')
    .option('--user <user>', 'user id or handle (repeatable)', collect)
    .option('--policy <policy>', 'escalation policy id or handle: its level 1 is paged (repeatable)', collect)
    .option('--message <text>', 'why they are needed')
    .action(async (ref: string, opts: { user?: string[]; policy?: string[]; message?: string }) => {
      await addResponders(apiClientFromEnv(), ref, opts);
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
