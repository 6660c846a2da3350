import type { Command } from 'commander';
import type { Incident } from '../../contracts/incidents.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';
import { registerIncidentWorkCommands } from './incident-work.js';

const statuses = ['investigating', 'identified', 'monitoring', 'resolved'];

/** `INC-42`, `42` or an incident id, as a path segment. */
const incidentPath = (ref: string) => `/api/v1/incidents/${encodeURIComponent(ref)}`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `incident_commander` (or `commander`, `ic`), `communications_lead` (`comms`), …; anything else is a custom role. */
export function roleKey(name: string): string {
  const aliases: Record<string, string> = {
    commander: 'incident_commander', ic: 'incident_commander', 'incident-commander': 'incident_commander',
    comms: 'communications_lead', 'communications-lead': 'communications_lead',
    ops: 'operations_lead', 'operations-lead': 'operations_lead',
  };
  const key = aliases[name.toLowerCase()] ?? name;
  return ['incident_commander', 'communications_lead', 'operations_lead', 'scribe'].includes(key) || key.startsWith('custom:') ? key : `custom:${key}`;
}

function describe(incident: Incident): string {
  const ic = incident.roles.find((r) => r.role === 'incident_commander');
  return `${incident.reference} [${incident.severity}] ${incident.status}${incident.mitigated && incident.status !== 'resolved' ? ' (mitigated)' : ''}: ${incident.title}; commander ${ic ? `@${ic.userHandle}` : 'vacant'}`;
}

export interface DeclareOptions {
  title: string;
  severity: string;
  service?: string[] | undefined;
  alert?: string[] | undefined;
  summary?: string | undefined;
  impact?: string | undefined;
  commander?: string | undefined;
}

export async function declareIncident(api: ApiClient, opts: DeclareOptions, out: NodeJS.WritableStream = process.stdout): Promise<Incident> {
  const body = {
    title: opts.title, severity: opts.severity,
    ...(opts.service?.length ? { impactedServices: opts.service } : {}), ...(opts.alert?.length ? { alertIds: opts.alert } : {}),
    ...(opts.summary ? { summary: opts.summary } : {}), ...(opts.impact ? { customerImpact: opts.impact } : {}), ...(opts.commander ? { commander: opts.commander } : {}),
  };
  const incident = await api.request<Incident>('POST', '/api/v1/incidents', body);
  out.write(`Declared ${describe(incident)}\n`);
  return incident;
}

export interface UpdateOptions {
  /** A stakeholder update to post. */
  message?: string | undefined;
  title?: string | undefined;
  severity?: string | undefined;
  summary?: string | undefined;
  impact?: string | undefined;
  service?: string[] | undefined;
}

export async function updateIncident(api: ApiClient, ref: string, opts: UpdateOptions, out: NodeJS.WritableStream = process.stdout): Promise<Incident> {
  const body = {
    ...(opts.title !== undefined ? { title: opts.title } : {}), ...(opts.severity !== undefined ? { severity: opts.severity } : {}),
    ...(opts.summary !== undefined ? { summary: opts.summary } : {}), ...(opts.impact !== undefined ? { customerImpact: opts.impact } : {}),
    ...(opts.service?.length ? { impactedServices: opts.service } : {}),
  };
  if (Object.keys(body).length === 0 && !opts.message) throw new CliError('give --message (a stakeholder update) and/or at least one of --title, --severity, --summary, --impact, --service', 2);
  if (opts.message) {
    await api.request('POST', `${incidentPath(ref)}/updates`, { message: opts.message });
    out.write(`Posted a stakeholder update to ${ref}\n`);
  }
  const incident = Object.keys(body).length > 0 ? await api.request<Incident>('PATCH', incidentPath(ref), body) : await api.request<Incident>('GET', incidentPath(ref));
  if (Object.keys(body).length > 0) out.write(`Updated ${describe(incident)}\n`);
  return incident;
}

export async function setIncidentStatus(api: ApiClient, ref: string, status: string, opts: { mitigated?: boolean | undefined; note?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<Incident> {
  if (!statuses.includes(status)) throw new CliError(`status must be one of ${statuses.join(', ')}`, 2);
  const incident = await api.request<Incident>('POST', `${incidentPath(ref)}/status`, { status, ...(opts.mitigated !== undefined ? { mitigated: opts.mitigated } : {}), ...(opts.note ? { note: opts.note } : {}) });
  out.write(`${describe(incident)}\n`);
  return incident;
}

/** Resolves an incident, with its resolution summary in the same change (it may be written later too). */
export async function resolveIncident(api: ApiClient, ref: string, opts: { summary?: string | undefined; note?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<Incident> {
  const incident = await api.request<Incident>('POST', `${incidentPath(ref)}/status`, { status: 'resolved', ...(opts.summary ? { summary: opts.summary } : {}), ...(opts.note ? { note: opts.note } : {}) });
  out.write(`${describe(incident)}\n`);
  return incident;
}

/** Gives a role; `--from` names the current holder to take it over (handing over is explicit). */
export async function assignIncidentRole(api: ApiClient, ref: string, role: string, user: string, opts: { from?: string | undefined; note?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<Incident> {
  const key = roleKey(role);
  const expectedHolder = opts.from === undefined ? {} : { expectedHolder: opts.from === 'nobody' ? null : opts.from };
  const incident = await api.request<Incident>('PUT', `${incidentPath(ref)}/roles/${encodeURIComponent(key)}`, { user, ...expectedHolder, ...(opts.note ? { note: opts.note } : {}) });
  out.write(`${incident.reference}: @${incident.roles.find((r) => r.role === key)?.userHandle ?? user} is the ${key.replace(/^custom:/, '').replace(/_/g, ' ')}\n`);
  return incident;
}

/** Leaves a role vacant; `user` is who holds it now (command is handed over, never released). */
export async function releaseIncidentRole(api: ApiClient, ref: string, role: string, user: string, out: NodeJS.WritableStream = process.stdout): Promise<Incident> {
  const key = roleKey(role);
  const incident = await api.request<Incident>('DELETE', `${incidentPath(ref)}/roles/${encodeURIComponent(key)}?holder=${encodeURIComponent(user)}`);
  out.write(`${incident.reference}: the ${key.replace(/^custom:/, '').replace(/_/g, ' ')} role is vacant\n`);
  return incident;
}

export async function listIncidents(api: ApiClient, opts: { status?: string | undefined; severity?: string | undefined; service?: string | undefined; limit?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const query = new URLSearchParams();
  for (const key of ['status', 'severity', 'service', 'limit'] as const) if (opts[key]) query.set(key, opts[key]);
  const page = await api.request<{ items: Incident[] }>('GET', `/api/v1/incidents${query.size ? `?${query}` : ''}`);
  printTable(
    page.items.map((i) => ({
      id: i.reference,
      severity: i.severity,
      status: i.status,
      mitigated: i.mitigated ? 'yes' : 'no',
      commander: i.roles.find((r) => r.role === 'incident_commander')?.userHandle ?? '-',
      'declared (utc)': `${i.times.declaredAt.slice(0, 16)}Z`,
      title: i.title.length > 60 ? `${i.title.slice(0, 59)}…` : i.title,
    })),
    out,
  );
}

/** `firebreak incident …`: declare, update, status, role, resolve and list incidents through the API. */
export function registerIncidentCommands(program: Command): void {
  const incident = program.command('incident').description('Declare, update, move, staff, resolve and list incidents, and work their checklists and threads (talks to the server)');
  incident
    .command('declare')
    .description('Declare an incident; you become its incident commander')
    .requiredOption('--title <title>', 'what is happening')
    .requiredOption('--severity <severity>', 'SEV1 (most severe) to SEV4')
    .option('--service <service>', 'impacted service id or handle (repeatable)', collect)
    .option('--alert <alert>', 'alert to link, #12 or its id (repeatable)', collect)
    .option('--summary <text>', 'what is known so far')
    .option('--impact <text>', 'customer impact')
    .option('--commander <user>', 'someone else to put in command')
    .action(async (opts: DeclareOptions) => {
      await declareIncident(apiClientFromEnv(), opts);
    });
  incident
    .command('update <incident>')
    .description('Post a stakeholder update (--message) and/or change title, severity, summary, customer impact or services (once resolved: the summary only)')
    .option('--message <text>', 'a stakeholder update: what is happening, what is next, when the next update is')
    .option('--title <title>')
    .option('--severity <severity>')
    .option('--summary <text>')
    .option('--impact <text>', 'customer impact')
    .option('--service <service>', 'impacted service (repeatable; replaces the list)', collect)
    .action(async (ref: string, opts: UpdateOptions) => {
      await updateIncident(apiClientFromEnv(), ref, opts);
    });
  incident
    .command('status <incident> <status>')
    .description('Move the status: investigating, identified, monitoring or resolved')
    .option('--mitigated', 'customer impact has ended')
    .option('--not-mitigated', 'customer impact came back')
    .option('--note <text>', 'a note for the timeline')
    .action(async (ref: string, status: string, opts: { mitigated?: boolean; notMitigated?: boolean; note?: string }) => {
      if (opts.mitigated && opts.notMitigated) throw new CliError('give at most one of --mitigated and --not-mitigated', 2);
      await setIncidentStatus(apiClientFromEnv(), ref, status, { mitigated: opts.mitigated ? true : opts.notMitigated ? false : undefined, note: opts.note });
    });
  incident
    .command('role <incident> <role> <user>')
    .description('Give a role (commander, comms, ops, scribe or a custom name) to a person, or with --release take it from them')
    .option('--from <user>', 'who holds it now: required to take over a held role (`nobody` when vacant)')
    .option('--release', 'leave the role vacant instead; <user> is who holds it now (command cannot be released)')
    .option('--note <text>', 'a note for the timeline')
    .action(async (ref: string, role: string, user: string, opts: { from?: string; note?: string; release?: boolean }) => {
      if (opts.release) {
        if (opts.from !== undefined || opts.note !== undefined) throw new CliError('--release takes no --from or --note', 2);
        await releaseIncidentRole(apiClientFromEnv(), ref, role, user);
        return;
      }
      await assignIncidentRole(apiClientFromEnv(), ref, role, user, opts);
    });
  incident
    .command('resolve <incident>')
    .description('Resolve an incident (recording mitigation if it was not yet)')
    .option('--summary <text>', 'the resolution summary')
    .option('--note <text>', 'a note for the timeline')
    .action(async (ref: string, opts: { summary?: string; note?: string }) => {
      await resolveIncident(apiClientFromEnv(), ref, opts);
    });
  incident
    .command('list')
    .description('List incidents, newest first')
    .option('--status <statuses>', 'comma-separated: investigating, identified, monitoring, resolved, open')
    .option('--severity <severity>')
    .option('--service <service>')
    .option('--limit <n>')
    .action(async (opts: { status?: string; severity?: string; service?: string; limit?: string }) => listIncidents(apiClientFromEnv(), opts));
  registerIncidentWorkCommands(incident);
}
