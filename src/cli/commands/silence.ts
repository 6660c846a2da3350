import type { Command } from 'commander';
import type { MatcherView, Silence } from '../../contracts/suppression.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

export interface SilenceCreateOptions {
  matcher: string[];
  comment: string;
  service?: string | undefined;
  start?: string | undefined;
  end?: string | undefined;
  minutes?: string | undefined;
}

export interface SilenceListOptions {
  service?: string | undefined;
  state?: string | undefined;
}

const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}Z`;

/**
 * Reads `name=value`, `name!=value`, `name=~regex` or `name!~regex` (amtool's syntax); the value may be
 * double-quoted.
 */
export function parseMatcher(text: string): MatcherView {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) throw new CliError(`--matcher \`${text}\` must look like name=value, name!=value, name=~regex or name!~regex`, 2);
  let value = m[3] as string;
  // Quotes only delimit the value (regex backslashes stay as typed); `\"` is a literal quote.
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\"/g, '"');
  return { name: m[1] as string, op: m[2] as MatcherView['op'], value };
}

/** The inverse of `parseMatcher`: `instance=~"db-\d+"`. */
export const formatMatcher = (m: MatcherView) => `${m.name}${m.op}"${m.value.replace(/"/g, '\\"')}"`;

function silenceRows(silences: readonly Silence[]): Array<Record<string, string>> {
  return silences.map((s) => ({
    id: s.id,
    state: s.state,
    service: s.service?.handle ?? '(all)',
    matchers: s.matchers.map(formatMatcher).join(' '),
    'ends (utc)': utc(s.endsAt),
    by: s.createdBy,
    comment: s.comment.length > 40 ? `${s.comment.slice(0, 39)}…` : s.comment,
  }));
}

export async function createSilence(api: ApiClient, opts: SilenceCreateOptions, out: NodeJS.WritableStream = process.stdout): Promise<Silence> {
  if (opts.matcher.length === 0) throw new CliError('give at least one --matcher', 2);
  const body: Record<string, unknown> = { matchers: opts.matcher.map(parseMatcher), comment: opts.comment };
  if (opts.service) body.service = opts.service;
  if (opts.start) body.startsAt = opts.start;
  if (opts.end) body.endsAt = opts.end;
  else if (opts.minutes) {
    if (!/^\d{1,7}$/.test(opts.minutes) || Number(opts.minutes) < 1) throw new CliError('--minutes must be a whole number, at least 1', 2);
    body.durationMinutes = Number(opts.minutes);
  } else throw new CliError('give --end or --minutes: a silence always expires', 2);
  const silence = await api.request<Silence>('POST', '/api/v1/silences', body);
  out.write(`Silence ${silence.id} ${silence.state} until ${utc(silence.endsAt)}: ${silence.matchers.map(formatMatcher).join(' ')}\n`);
  return silence;
}

export async function listSilences(api: ApiClient, opts: SilenceListOptions, out: NodeJS.WritableStream = process.stdout): Promise<Silence[]> {
  const query = new URLSearchParams();
  if (opts.service) query.set('service', opts.service);
  if (opts.state) query.set('state', opts.state);
  const { items } = await api.request<{ items: Silence[] }>('GET', `/api/v1/silences${query.size ? `?${query}` : ''}`);
  printTable(silenceRows(items), out);
  return items;
}

export async function expireSilences(api: ApiClient, ids: readonly string[], out: NodeJS.WritableStream = process.stdout): Promise<void> {
  for (const id of ids) {
    const silence = await api.request<Silence>('POST', `/api/v1/silences/${encodeURIComponent(id)}/expire`, {});
    out.write(`Silence ${silence.id} expired\n`);
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `firebreak silence …`: create, list and expire silences through the API (FIREBREAK_URL, FIREBREAK_TOKEN). */
export function registerSilenceCommands(program: Command): void {
  const silence = program.command('silence').description('Create, list and expire silences (talks to the server)');
  silence
    .command('create')
    .description('Silence events whose labels match every --matcher until it expires')
    .option('--matcher <matcher>', 'name=value, name!=value, name=~regex or name!~regex (repeat; all must match)', collect, [])
    .requiredOption('--comment <text>', 'why; shown on suppressed alerts')
    .option('--service <service>', 'only this service (default: every service)')
    .option('--start <instant>', 'ISO 8601 instant (default now)')
    .option('--end <instant>', 'when it expires')
    .option('--minutes <n>', 'expires this many minutes after it starts')
    .action(async (opts: SilenceCreateOptions) => {
      await createSilence(apiClientFromEnv(), opts);
    });
  silence
    .command('list')
    .description('List silences, newest first (default: pending and active)')
    .option('--service <service>', 'only silences scoped to this service')
    .option('--state <states>', 'comma-separated: pending, active, expired')
    .action(async (opts: SilenceListOptions) => {
      await listSilences(apiClientFromEnv(), opts);
    });
  silence
    .command('expire <ids...>')
    .description('Expire silences now')
    .action(async (ids: string[]) => expireSilences(apiClientFromEnv(), ids));
}
