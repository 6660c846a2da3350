import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Postmortem, PostmortemSummary } from '../../contracts/postmortems.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

/** `PM-12`, `12` or a postmortem id, as a path segment. */
const postmortemPath = (ref: string) => `/api/v1/postmortems/${encodeURIComponent(ref)}`;

/** Instants print as UTC minutes, `2027-03-01 14:02Z`: a terminal has no zone to trust, and UTC sorts. */
const utcMinutes = (iso: string | null) => (iso === null ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`);
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const statusText = (s: string) => s.replace('_', ' ');

export interface ListPostmortemOptions {
  /** Full-text search (`q`): every word must match; a trailing `*` matches a prefix. */
  search?: string | undefined;
  status?: string | undefined;
  tag?: string | undefined;
  service?: string | undefined;
  owner?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: string | undefined;
  /** Follow `nextCursor` to the last page. */
  all?: boolean | undefined;
  json?: boolean | undefined;
}

/**
 * `firebreak postmortem list`: one page of `GET /api/v1/postmortems` (or every page with `--all`) as a
 * table; with `--search`, each match's snippet below its row, matches in « ». `--json` prints the
 * items as the API gives them, for scripts.
 */
export async function listPostmortems(api: ApiClient, opts: ListPostmortemOptions, out: NodeJS.WritableStream = process.stdout): Promise<PostmortemSummary[]> {
  const query = new URLSearchParams();
  if (opts.search) query.set('q', opts.search);
  for (const key of ['status', 'tag', 'service', 'owner', 'from', 'to', 'limit'] as const) if (opts[key]) query.set(key, opts[key]);
  if (opts.limit !== undefined && !/^\d+$/.test(opts.limit)) throw new CliError(`--limit must be a whole number, got \`${opts.limit}\``, 2);
  const items: PostmortemSummary[] = [];
  let nextCursor: string | null = null;
  do {
    if (nextCursor !== null) query.set('cursor', nextCursor);
    const page: { items: PostmortemSummary[]; nextCursor: string | null } = await api.request('GET', `/api/v1/postmortems${query.size ? `?${query}` : ''}`);
    items.push(...page.items);
    nextCursor = page.nextCursor;
  } while (opts.all && nextCursor !== null);
  if (opts.json) {
    out.write(`${JSON.stringify(items, null, 2)}\n`);
    return items;
  }
  if (items.length === 0) {
    out.write(opts.search ? `No postmortem matches \`${opts.search}\`.\n` : 'No postmortems.\n');
    return items;
  }
  const rows = items.map((p) => ({
    id: p.reference,
    status: `${statusText(p.status)}${p.overdue ? ' (overdue)' : ''}`,
    severity: p.severity ?? '-',
    incident: p.incidentReference ?? '-',
    'occurred (utc)': utcMinutes(p.occurredAt),
    owner: p.owner ? p.owner.handle : '-',
    due: p.dueAt ? p.dueAt.slice(0, 10) : '-',
    title: clip(p.title, 60),
  }));
  printTable(rows, out);
  // Snippets are too long for a column: each goes below the table, after the reference it belongs to.
  const snippets = items.filter((p) => p.snippet);
  if (snippets.length > 0) out.write('\n');
  for (const p of snippets) out.write(`${p.reference}: ${clip((p.snippet ?? '').replace(/\s+/g, ' '), 200)}\n`);
  if (nextCursor !== null) out.write(`(more: --all lists every page, or narrow with --search, --status, --service…)\n`);
  return items;
}

/** The header of a postmortem as `label: value` lines, people by handle. */
function headerLines(p: Postmortem): string[] {
  const people = (list: ReadonlyArray<{ handle: string }>) => (list.length === 0 ? '-' : list.map((x) => `@${x.handle}`).join(', '));
  const duration = p.durationMinutes === null ? '' : ` (${p.durationMinutes} min)`;
  const reviewers = p.reviewers.length === 0 ? '-' : p.reviewers.map((r) => `@${r.handle} ${r.decision === null ? 'pending' : r.decision.replace('_', ' ')}`).join(', ');
  return [
    `${p.reference}: ${p.title}`,
    `Status:       ${statusText(p.status)}${p.publishedAt ? ` (published ${utcMinutes(p.publishedAt)})` : ''}`,
    `Incident:     ${p.incident ? `${p.incident.reference} ${p.incident.title}` : '- (standalone)'}`,
    `Severity:     ${p.severity ?? '-'}`,
    `When:         ${utcMinutes(p.occurredAt)} → ${utcMinutes(p.endedAt)}${duration}`,
    `Services:     ${p.services.length === 0 ? '-' : p.services.map((s) => s.handle).join(', ')}`,
    `Tags:         ${p.tags.length === 0 ? '-' : p.tags.join(', ')}`,
    `Owner:        ${p.owner ? `@${p.owner.handle}` : '-'}`,
    `Authors:      ${people(p.authors)}`,
    `Reviewers:    ${reviewers}`,
    `Required:     ${p.required ? `yes (${p.requiredReasons.join('; ') || 'policy'})` : 'no'}${p.dueAt ? `, due ${utcMinutes(p.dueAt)}${p.overdue ? ' (OVERDUE)' : ''}` : ''}`,
    `Action items: ${p.actionItemCounts.open} open, ${p.actionItemCounts.done} done${p.noActionItemsReason ? ` (none needed: ${p.noActionItemsReason})` : ''}`,
    `Version:      ${p.version}, updated ${utcMinutes(p.updatedAt)} by ${p.updatedBy}`,
  ];
}

/**
 * `firebreak postmortem show`: the header, the blameless assistant's findings (advice, never a
 * block) and every section's Markdown; `--json` prints the API's postmortem as it is.
 */
export async function showPostmortem(api: ApiClient, ref: string, opts: { json?: boolean | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<Postmortem> {
  const p = await api.request<Postmortem>('GET', postmortemPath(ref));
  if (opts.json) {
    out.write(`${JSON.stringify(p, null, 2)}\n`);
    return p;
  }
  const lines = headerLines(p);
  if (p.findings.length > 0) {
    lines.push('', `Blameless review: ${p.findings.length} finding${p.findings.length === 1 ? '' : 's'}`);
    for (const f of p.findings) lines.push(`  [${f.section}] “${f.text}”: ${f.message} (${f.suggestion})`);
  }
  for (const s of p.sections) {
    lines.push('', `## ${s.title}${s.internal ? ' (internal)' : ''}`, '', s.body.trim() === '' ? '(empty)' : s.body.trimEnd());
  }
  out.write(`${lines.join('\n')}\n`);
  return p;
}

export interface ExportPostmortemOptions {
  /** `markdown` (default) or `html` (the print-ready page). */
  format?: string | undefined;
  /** A file to write; default standard output. */
  output?: string | undefined;
}

/**
 * `firebreak postmortem export`: the server's Markdown export (`export.md`) or print-ready HTML page
 * (`print`), exactly as the server renders them, to standard output or a file.
 */
export async function exportPostmortem(api: ApiClient, ref: string, opts: ExportPostmortemOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<string> {
  const format = (opts.format ?? 'markdown').toLowerCase();
  const kinds: Record<string, { path: string; accept: string }> = {
    markdown: { path: 'export.md', accept: 'text/markdown' },
    md: { path: 'export.md', accept: 'text/markdown' },
    html: { path: 'print', accept: 'text/html' },
  };
  const kind = kinds[format];
  if (!kind) throw new CliError(`--format must be markdown or html, got \`${opts.format}\``, 2);
  const text = await api.requestText(`${postmortemPath(ref)}/${kind.path}`, kind.accept);
  if (opts.output) {
    writeFileSync(opts.output, text);
    err.write(`Wrote ${ref} (${format === 'html' ? 'HTML' : 'Markdown'}, ${Buffer.byteLength(text)} bytes) to ${opts.output}\n`);
  } else {
    out.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  return text;
}

/**
 * `firebreak postmortem delete`: deletes a draft that was never published (its owner or an admin;
 * the server refuses one with action items and says why).
 */
export async function deletePostmortem(api: ApiClient, ref: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  await api.request('DELETE', postmortemPath(ref));
  out.write(`Deleted ${ref}.\n`);
}

/** `firebreak postmortem withdraw-public`: withdraws the public version from one status-page incident, or every one. */
export async function withdrawPublicVersion(api: ApiClient, ref: string, opts: { statusPageIncident?: string | undefined }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const query = opts.statusPageIncident ? `?statusPageIncident=${encodeURIComponent(opts.statusPageIncident)}` : '';
  await api.request('DELETE', `${postmortemPath(ref)}/public-version${query}`);
  out.write(`Withdrew the public version of ${ref}${opts.statusPageIncident ? ` from status-page incident ${opts.statusPageIncident}` : ''}.\n`);
}

/** `firebreak postmortem list|show|export|delete|withdraw-public` (issue 8, docs/postmortems.md). */
export function registerPostmortemCommands(program: Command): void {
  const postmortem = program.command('postmortem').description('List, search, read, export and delete postmortems (talks to the server)');
  postmortem
    .command('list')
    .description('List postmortems, most recently changed first, or search them (full text over titles, sections, tags, services and action items)')
    .option('-s, --search <words>', 'full-text search: every word must match; end a word with * to match a prefix')
    .option('--status <statuses>', 'comma-separated: draft, in_review, published')
    .option('--tag <tag>')
    .option('--service <service>', 'service id or handle')
    .option('--owner <user>', 'user id or handle, or `me`')
    .option('--from <instant>', 'occurred at or after (ISO 8601)')
    .option('--to <instant>', 'occurred before (ISO 8601)')
    .option('--limit <n>', 'rows per page (1–200)')
    .option('--all', 'follow every page')
    .option('--json', 'print the items as JSON')
    .action(async (opts: ListPostmortemOptions) => {
      await listPostmortems(apiClientFromEnv(), opts);
    });
  postmortem
    .command('show <postmortem>')
    .description('Show a postmortem (PM-12, 12 or its id): header, blameless-review findings and every section')
    .option('--json', 'print the postmortem as the API returns it')
    .action(async (ref: string, opts: { json?: boolean }) => {
      await showPostmortem(apiClientFromEnv(), ref, opts);
    });
  postmortem
    .command('export <postmortem>')
    .description('Export a postmortem as Markdown (default) or as the print-ready HTML page')
    .option('--format <format>', 'markdown or html', 'markdown')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (ref: string, opts: ExportPostmortemOptions) => {
      await exportPostmortem(apiClientFromEnv(), ref, opts);
    });

  postmortem
    .command('delete <postmortem>')
    .description('Delete a draft postmortem that was never published (its owner or an admin; not while it has action items)')
    .action(async (ref: string) => {
      await deletePostmortem(apiClientFromEnv(), ref);
    });

  postmortem
    .command('withdraw-public <postmortem>')
    .description('Withdraw the public version from a status-page incident (default: from every one): the page stops linking to it')
    .option('--status-page-incident <id>', 'the status-page incident id')
    .action(async (ref: string, opts: { statusPageIncident?: string }) => {
      await withdrawPublicVersion(apiClientFromEnv(), ref, opts);
    });
}
