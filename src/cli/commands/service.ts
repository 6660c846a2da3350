import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Change, WebhookMapping } from '../../contracts/alerts.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

const servicePath = (ref: string) => `/api/v1/services/${encodeURIComponent(ref)}`;

/** `firebreak service changes <service>`: the change events recorded on a service, newest first. */
export async function listChanges(api: ApiClient, service: string, opts: { limit?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<Change[]> {
  const query = opts.limit ? `?limit=${encodeURIComponent(opts.limit)}` : '';
  const page = await api.request<{ items: Change[] }>('GET', `${servicePath(service)}/changes${query}`);
  printTable(
    page.items.map((c) => ({
      'when (utc)': `${c.timestamp.slice(0, 16)}Z`,
      source: c.source ?? '',
      summary: c.summary.length > 70 ? `${c.summary.slice(0, 69)}…` : c.summary,
      links: c.links.map((l) => l.href).join(' '),
    })),
    out,
  );
  return page.items;
}

/**
 * `firebreak service mapping <service> <integration> --file mapping.json | --clear`: sets or removes a
 * webhook integration's JSON-path mapping (docs/alerts.md, "Mapping arbitrary payloads").
 */
export async function setMapping(api: ApiClient, service: string, integration: string, opts: { file?: string | undefined; clear?: boolean | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (Boolean(opts.file) === Boolean(opts.clear)) throw new CliError('give exactly one of --file and --clear', 2);
  let mapping: WebhookMapping | null = null;
  if (opts.file) {
    try {
      mapping = JSON.parse(readFileSync(opts.file, 'utf8')) as WebhookMapping;
    } catch (error) {
      throw new CliError(`cannot read a JSON mapping from ${opts.file}: ${(error as Error).message}`, 2);
    }
  }
  const updated = await api.request<{ name: string; mapping?: WebhookMapping | null }>('PATCH', `${servicePath(service)}/integrations/${encodeURIComponent(integration)}`, { mapping });
  out.write(updated.mapping ? `Integration ${updated.name} now reads posts through the mapping (title from ${updated.mapping.title})\n` : `Integration ${updated.name} reads the documented webhook fields\n`);
}

/** `firebreak service …`: service commands that talk to the server (FIREBREAK_URL, FIREBREAK_TOKEN). */
export function registerServiceCommands(program: Command): void {
  // Other modules add their own `service` subcommands (routing rules): share one `service` command.
  const service = program.commands.find((c) => c.name() === 'service') ?? program.command('service').description('Service commands (talk to the server)');
  service
    .command('changes <service>')
    .description('List change events (deploys, config changes) recorded on a service, newest first')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(async (ref: string, opts: { limit?: string }) => {
      await listChanges(apiClientFromEnv(), ref, opts);
    });
  service
    .command('mapping <service> <integration>')
    .description('Set (from a JSON file) or clear the JSON-path mapping of a webhook integration')
    .option('--file <path>', 'a JSON file: {"title":"$.alert.name","status":"$.state","statusMap":{"OK":"resolved"},…}')
    .option('--clear', 'go back to the documented webhook fields')
    .action(async (ref: string, integration: string, opts: { file?: string; clear?: boolean }) => {
      await setMapping(apiClientFromEnv(), ref, integration, opts);
    });
}
