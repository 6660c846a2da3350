import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { RoutingRuleInput, ServiceRouting } from '../../contracts/routing.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

const servicePath = (ref: string) => `/api/v1/services/${encodeURIComponent(ref)}`;

interface PreviewItem {
  receivedAt: string;
  action: string;
  title: string | null;
  dedupKey: string | null;
  matched: string[];
  result: string;
  summary: string;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new CliError(`cannot read ${what} as JSON from ${file}: ${(error as Error).message}`, 2);
  }
}

/** A rules file is a JSON array of rules, or `{"rules": […]}` as the API answers it. */
function rulesFrom(file: string): RoutingRuleInput[] {
  const value = readJson(file, 'rules');
  const rules = Array.isArray(value) ? value : (value as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) throw new CliError(`${file} must hold a JSON array of rules, or {"rules": […]}`, 2);
  return rules as RoutingRuleInput[];
}

function printRules(routing: ServiceRouting, out: NodeJS.WritableStream): void {
  if (routing.rules.length === 0) out.write('No routing rules.\n');
  else
    printTable(
      routing.rules.map((r, i) => ({
        '#': String(i + 1),
        name: r.name,
        when: r.conditions.length === 0 ? 'any event' : r.conditions.map((c) => `${c.field} ${c.op}${c.op === 'in' ? ` ${(c.values ?? []).join('|')}` : c.op === 'exists' ? '' : ` ${c.value ?? ''}`}`).join(' and '),
        then: Object.entries(r.actions).map(([k, v]) => (v === true ? k : `${k}=${String(v)}`)).join(', ') + (r.continue ? ' (continue)' : ''),
      })),
      out,
    );
  const hours = routing.supportHours;
  out.write(hours ? `Support hours: ${hours.days.join(',')} ${hours.start}–${hours.end} ${hours.timeZone}; next window ${routing.nextSupportWindowAt ?? '—'}${routing.raiseAtSupportStart ? '; low urgency raised at the start' : ''}\n` : 'Support hours: none (low urgency is delivered at once)\n');
  if (routing.backlogWebhookUrl) out.write(`Backlog webhook: ${routing.backlogWebhookUrl}\n`);
}

/** `firebreak service rules <service> [--file rules.json]`: shows a service's routing, or replaces its rules. */
export async function serviceRules(api: ApiClient, service: string, opts: { file?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<ServiceRouting> {
  const routing = opts.file
    ? await api.request<ServiceRouting>('PUT', `${servicePath(service)}/rules`, { rules: rulesFrom(opts.file) })
    : await api.request<ServiceRouting>('GET', `${servicePath(service)}/routing`);
  if (opts.file) out.write(`Saved ${routing.rules.length} rule${routing.rules.length === 1 ? '' : 's'} on ${service}\n`);
  printRules(routing, out);
  return routing;
}

/** `firebreak service rules-preview <service> [--file rules.json] [--limit n]`: what rules would do with the latest events. */
export async function previewRules(api: ApiClient, service: string, opts: { file?: string | undefined; limit?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<PreviewItem[]> {
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('--limit must be a whole number from 1 to 500', 2);
  const body = { limit, ...(opts.file ? { rules: rulesFrom(opts.file) } : {}) };
  const { items } = await api.request<{ items: PreviewItem[] }>('POST', `${servicePath(service)}/rules/preview`, body);
  printTable(
    items.map((i) => ({
      'received (utc)': `${i.receivedAt.slice(0, 16)}Z`,
      event: `${i.action} ${((i.title ?? i.dedupKey ?? '').length > 40 ? `${(i.title ?? i.dedupKey ?? '').slice(0, 39)}…` : (i.title ?? i.dedupKey ?? ''))}`,
      result: i.result,
      matched: i.matched.join(', '),
      summary: i.summary,
    })),
    out,
  );
  return items;
}

/** `firebreak service support-hours <service> --file hours.json | --clear`: sets support hours, raising and the backlog webhook. */
export async function setSupportHours(api: ApiClient, service: string, opts: { file?: string | undefined; clear?: boolean | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<ServiceRouting> {
  if (Boolean(opts.file) === Boolean(opts.clear)) throw new CliError('give exactly one of --file and --clear', 2);
  const body = opts.file ? readJson(opts.file, 'support hours') : { supportHours: null, raiseAtSupportStart: false, backlogWebhookUrl: null };
  const routing = await api.request<ServiceRouting>('PUT', `${servicePath(service)}/support-hours`, body);
  printRules(routing, out);
  return routing;
}

/** Adds the routing subcommands to `firebreak service` (registered after the service commands). */
export function registerRoutingCommands(program: Command): void {
  const service = program.commands.find((c) => c.name() === 'service') ?? program.command('service').description('Service commands (talk to the server)');
  service
    .command('rules <service>')
    .description('Show a service’s routing rules and support hours, or replace its rules from a JSON file')
    .option('--file <path>', 'a JSON array of rules: [{"name":"…","conditions":[{"field":"labels.env","op":"equals","value":"staging"}],"actions":{"urgency":"backlog"}}]')
    .action(async (ref: string, opts: { file?: string }) => {
      await serviceRules(apiClientFromEnv(), ref, opts);
    });
  service
    .command('rules-preview <service>')
    .description('Replay the service’s latest events through rules (from --file, else the saved ones) and show what each would do')
    .option('--file <path>', 'rules to try, as for `service rules --file`')
    .option('--limit <n>', 'how many of the latest events (1–500, default 50)')
    .action(async (ref: string, opts: { file?: string; limit?: string }) => {
      await previewRules(apiClientFromEnv(), ref, opts);
    });
  service
    .command('support-hours <service>')
    .description('Set support hours, raise-at-start and the backlog webhook from a JSON file, or clear them')
    .option('--file <path>', '{"supportHours":{"timeZone":"Europe/Lisbon","days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"18:00"},"raiseAtSupportStart":true,"backlogWebhookUrl":"https://…"}')
    .option('--clear', 'no support hours, no raising, no backlog webhook')
    .action(async (ref: string, opts: { file?: string; clear?: boolean }) => {
      await setSupportHours(apiClientFromEnv(), ref, opts);
    });
}
