import type { Command } from 'commander';
import type { Change } from '../../contracts/changes.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError } from '../output.js';

export interface RecordChangeOptions {
  service: string;
  summary: string;
  version?: string | undefined;
  commit?: string | undefined;
  author?: string | undefined;
  link?: string | undefined;
  rollbackLink?: string | undefined;
  timestamp?: string | undefined;
  source?: string | undefined;
  /** `key=value` pairs for `details`. */
  detail?: string[] | undefined;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `key=value` pairs as an object; the first `=` splits, so values may contain `=`. */
export function detailsOf(pairs: readonly string[]): Record<string, string> {
  const details: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--detail takes key=value, got \`${pair}\``, 2);
    details[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return details;
}

/**
 * Records a change through `POST /api/v1/changes` (a CI pipeline's last step after a deploy) and
 * prints one line naming it, so a pipeline log shows what Firebreak recorded.
 */
export async function recordChange(api: ApiClient, opts: RecordChangeOptions, out: NodeJS.WritableStream = process.stdout): Promise<Change> {
  const optional = { version: opts.version, commit: opts.commit, author: opts.author, link: opts.link, rollbackLink: opts.rollbackLink, timestamp: opts.timestamp, source: opts.source };
  const body = {
    service: opts.service,
    summary: opts.summary,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    ...(opts.detail?.length ? { details: detailsOf(opts.detail) } : {}),
  };
  const change = await api.request<Change>('POST', '/api/v1/changes', body);
  out.write(`Recorded change ${change.id} on ${change.serviceHandle} at ${change.timestamp}: ${change.summary}${change.version ? ` (${change.version})` : ''}\n`);
  return change;
}

/** `firebreak change record`: changes from CI pipelines (ADR 0031; talks to the server). */
export function registerChangeCommands(program: Command): void {
  const change = program.command('change').description('Record changes (deploys, configuration changes) so incidents can show them (talks to the server)');
  change
    .command('record')
    .description('Record a change on a service; incidents of the service (and of services depending on it) show it, as a suspect when it came shortly before impact')
    .requiredOption('--service <service>', 'service id or handle')
    .requiredOption('--summary <text>', 'what changed, e.g. "Deploy checkout v1.42.0"')
    .option('--version <version>', 'the version deployed')
    .option('--commit <sha>', 'the commit SHA or ref')
    .option('--author <name>', 'who made or shipped the change')
    .option('--link <url>', 'the change itself: a pull request, a pipeline run')
    .option('--rollback-link <url>', 'where to roll it back; shown as a button on incidents')
    .option('--timestamp <iso>', 'when it happened (ISO 8601); default now')
    .option('--source <name>', 'what sent it, e.g. github-actions')
    .option('--detail <key=value>', 'more detail (repeatable)', collect)
    .action(async (opts: RecordChangeOptions) => {
      await recordChange(apiClientFromEnv(), opts);
    });
}
