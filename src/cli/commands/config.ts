import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { configInstantSchema, type ConfigChange, type ConfigPlan, type ConfigWarning } from '../../contracts/config.js';
import { configKindOrder, kindRank, kindRules } from '../../core/config/kinds.js';
import { LINT_DAYS } from '../../core/config/lint.js';
import { renderConfigFiles, renderConfigYaml } from '../../core/config/render.js';
import {
  formatProblem,
  lintConfigSources,
  locateApiIssue,
  locateWarning,
  validateConfigSources,
  type ConfigProblem,
  type ConfigSource,
  type SourcedDocument,
  type ValidatedSources,
} from '../../core/config/source.js';
import { ApiError, apiClientFromEnv } from '../api-client.js';
import { CliError } from '../output.js';

const YAML_FILE = /\.ya?ml$/i;

/**
 * Reads every `.yaml`/`.yml` file under the given paths (files or directories, recursively), in a
 * stable order: paths as given, directory entries sorted. Dot-files and dot-directories are skipped.
 */
export async function readConfigSources(paths: readonly string[]): Promise<ConfigSource[]> {
  const files: string[] = [];
  const walk = async (path: string, top: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new CliError(`${path}: no such file or directory`, 2);
    }
    if (info.isDirectory()) {
      const entries = (await readdir(path)).filter((e) => !e.startsWith('.')).sort();
      for (const entry of entries) await walk(join(path, entry), false);
    } else if (top || YAML_FILE.test(path)) {
      files.push(path);
    }
  };
  for (const path of paths) await walk(path, true);
  if (files.length === 0) throw new CliError(`no .yaml or .yml files in ${paths.join(', ')}`, 2);
  return Promise.all([...new Set(files)].map(async (path) => ({ path, text: await readFile(path, 'utf8') })));
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Prints problems one per line and fails with a count. */
function failWithProblems(lines: string[], files: number, note: string): never {
  for (const line of lines) process.stdout.write(`${line}\n`);
  throw new CliError(`${plural(lines.length, 'problem')} in ${plural(files, 'file')}${note}`, 1);
}

/** Reads and checks files offline; fails with every problem located, else returns what to send. */
async function loadDocuments(paths: string[], references: 'documents' | 'skip', note = ''): Promise<ValidatedSources & { sources: ConfigSource[] }> {
  const sources = await readConfigSources(paths);
  const validated = validateConfigSources(sources, { mode: references });
  const { problems } = validated;
  if (problems.length > 0) failWithProblems(problems.map(formatProblem), new Set(problems.map((p) => p.file)).size, note);
  return { ...validated, sources };
}

/**
 * A warning as lines: the located message and, when there are more intervals than the message
 * names (it lists three), every interval on its own line, in the schedule's zone.
 */
function warningLines(problem: ConfigProblem | null, warning: { code: string; kind: string; name: string; path: string; message: string; localIntervals: readonly string[] }): string[] {
  const head = problem ? formatProblem(problem) : `warning: ${warning.kind}/${warning.name}: ${warning.path ? `${warning.path}: ` : ''}${warning.message} [${warning.code}]`;
  return warning.localIntervals.length > 3 ? [head, ...warning.localIntervals.map((i) => `    ${i}`)] : [head];
}

const NOT_SENT = '; nothing was sent to the server';

/** Turns the server's VALIDATION_FAILED issues about `documents[i]` back into file:line:column problems. */
async function withLocatedErrors<T>(sourced: SourcedDocument[], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError && error.code === 'VALIDATION_FAILED' && error.issues.length > 0) {
      const lines = error.issues.map((issue) => {
        const located = locateApiIssue(sourced, issue);
        return located ? formatProblem(located) : `${issue.path}: ${issue.message}`;
      });
      for (const line of lines) process.stdout.write(`${line}\n`);
      throw new CliError(`the server refused the configuration: ${plural(lines.length, 'problem')}`, 1);
    }
    throw error;
  }
}

const show = (value: unknown) => (value === null || value === undefined ? '(none)' : JSON.stringify(value));

/** What deleting a thing of `kind` does; kinds this CLI does not know (a newer server) are deleted. */
function deletionOf(kind: string): 'deactivate' | 'delete' | 'expire' {
  return (configKindOrder as readonly string[]).includes(kind) ? kindRules[kind as keyof typeof kindRules].deletion : 'delete';
}

function changeLines(change: ConfigChange): string[] {
  const sign = { create: '+', update: '~', delete: '-', unchanged: ' ' }[change.action];
  const head = `${sign} ${change.action} ${change.kind} ${change.name}`;
  if (change.action === 'delete') return [`${head} (${change.kind === 'StatusPage' ? 'delete, with its public incidents and maintenances' : `${deletionOf(change.kind)}; history is kept`})`];
  if (change.action === 'create') return [head, ...change.diff.map((d) => `    ${d.field}: ${show(d.after)}`)];
  return [head, ...change.diff.map((d) => `    ${d.field}: ${show(d.before)} → ${show(d.after)}`)];
}

/**
 * The plan as people read it: one block per change, unmanaged things, warnings (located in the files
 * when `sourced` is given), and a summary line.
 */
export function formatPlan(plan: ConfigPlan, verb: 'Plan' | 'Applied', sourced: readonly SourcedDocument[] = []): string {
  const lines = plan.changes.filter((c) => c.action !== 'unchanged').flatMap(changeLines);
  const section = (...added: string[]) => lines.push(...(lines.length > 0 ? [''] : []), ...added);
  if (plan.unmanaged.length > 0) {
    const prune = plan.unmanaged.every((u) => deletionOf(u.kind) === 'deactivate') ? 'deactivate them' : 'delete them (Users and Teams are deactivated, Silences expired)';
    section(`Not managed (in no file, left alone; --prune would ${prune}): ${plan.unmanaged.map((u) => `${u.kind} ${u.name}`).join(', ')}`);
  }
  const warnings: ConfigWarning[] = plan.warnings ?? [];
  if (warnings.length > 0) {
    // In file order, like `validate`; warnings about nothing in the files last.
    const files = [...new Set(sourced.map((d) => d.file))];
    const located = warnings.map((w) => ({ w, at: locateWarning(sourced, w) }));
    const rank = (p: ConfigProblem | null) => (p === null ? [files.length, 0, 0] : [files.indexOf(p.file), p.line, p.column]);
    located.sort((a, b) => {
      const [x, y] = [rank(a.at), rank(b.at)];
      return (x[0] ?? 0) - (y[0] ?? 0) || (x[1] ?? 0) - (y[1] ?? 0) || (x[2] ?? 0) - (y[2] ?? 0);
    });
    section('Warnings (they do not stop apply):', ...located.flatMap(({ w, at }) => warningLines(at, w)));
  }
  const s = plan.summary;
  if (lines.length > 0) lines.push('');
  lines.push(
    verb === 'Plan'
      ? `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged.`
      : `Applied: ${s.create} created, ${s.update} updated, ${s.delete} deleted, ${s.unchanged} unchanged.`,
  );
  return `${lines.join('\n')}\n`;
}

const hasChanges = (plan: ConfigPlan) => plan.summary.create + plan.summary.update + plan.summary.delete > 0;

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

interface FileOpts {
  file: string[];
  prune?: boolean;
}

/** `firebreak config validate|plan|apply|export` (docs/config-as-code.md). */
/** `--from`: an ISO instant with an offset, as in the files. */
function parseFrom(value: string | undefined): number {
  if (value === undefined) return Date.now();
  const parsed = configInstantSchema.safeParse(value);
  if (!parsed.success) throw new CliError(`--from: ${parsed.error.issues[0]?.message ?? 'must be an ISO 8601 instant'}, got "${value}"`, 2);
  return Date.parse(value);
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('Config-as-code: Users, Teams, Schedules, EscalationPolicies, Services, MaintenanceWindows and Silences as YAML (docs/config-as-code.md)');

  config
    .command('validate')
    .description(`Check config files offline (no server): YAML, fields, duplicates, references, schedule rules; lint schedules over the next ${LINT_DAYS} days`)
    .requiredOption('-f, --file <path>', 'a .yaml/.yml file or a directory (recursive); repeat for more', collect)
    .option('--skip-references', 'do not require referenced Users, Teams, Schedules, EscalationPolicies and Services to be defined in these files')
    .option('--from <instant>', `lint the ${LINT_DAYS} days from this ISO 8601 instant instead of from now, such as 2026-03-01T00:00:00Z`)
    .action(async (opts: FileOpts & { skipReferences?: boolean; from?: string }) => {
      const now = parseFrom(opts.from);
      const validated = await loadDocuments(opts.file, opts.skipReferences ? 'skip' : 'documents');
      const { sources, sourced } = validated;
      // Lints are warnings: printed, but the files are still valid (exit 0).
      const warnings = lintConfigSources(validated, { now });
      for (const w of warnings) for (const line of warningLines(w, { ...w.lint, kind: w.kind ?? '', name: w.name ?? '', path: w.path })) process.stdout.write(`${line}\n`);
      const byKind = new Map<string, number>();
      for (const d of sourced) {
        const kind = (d.value as { kind: string }).kind;
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      const kinds = [...byKind].sort(([a], [b]) => kindRank(a) - kindRank(b)).map(([kind, n]) => `${n} ${kind}`).join(', ');
      const warned = warnings.length > 0 ? `, ${plural(warnings.length, 'warning')}` : '';
      process.stdout.write(`OK: ${plural(sourced.length, 'document')}${kinds ? ` (${kinds})` : ''} in ${plural(sources.length, 'file')}${warned}.\n`);
    });

  config
    .command('plan')
    .description('Show what `config apply` would change on the server (changes nothing)')
    .requiredOption('-f, --file <path>', 'a .yaml/.yml file or a directory (recursive); repeat for more', collect)
    .option('--prune', 'also delete what is in no file (Users and Teams are deactivated, Silences expired)')
    .action(async (opts: FileOpts) => {
      const { sourced } = await loadDocuments(opts.file, 'skip', NOT_SENT);
      const body = { documents: sourced.map((d) => d.value), prune: opts.prune ?? false };
      const plan = await withLocatedErrors(sourced, () => apiClientFromEnv().planConfig(body));
      process.stdout.write(formatPlan(plan, 'Plan', sourced));
    });

  config
    .command('apply')
    .description('Make the server match the files, all-or-nothing (shows the plan first)')
    .requiredOption('-f, --file <path>', 'a .yaml/.yml file or a directory (recursive); repeat for more', collect)
    .option('--prune', 'also delete what is in no file (Users and Teams are deactivated, Silences expired)')
    .option('-y, --yes', 'apply without asking')
    .action(async (opts: FileOpts & { yes?: boolean }) => {
      const { sourced } = await loadDocuments(opts.file, 'skip', NOT_SENT);
      const api = apiClientFromEnv();
      const body = { documents: sourced.map((d) => d.value), prune: opts.prune ?? false };
      const plan = await withLocatedErrors(sourced, () => api.planConfig(body));
      process.stdout.write(formatPlan(plan, 'Plan', sourced));
      if (!hasChanges(plan)) {
        process.stdout.write('Nothing to apply: the server matches the files.\n');
        return;
      }
      if (!opts.yes) {
        if (!process.stdin.isTTY) throw new CliError('not applying: pass --yes to apply without a terminal to confirm in', 2);
        if (!(await confirm('\nApply these changes? [y/N] '))) throw new CliError('not applied', 1);
      }
      // The server plans again inside the apply transaction; if someone changed things since the
      // plan above, what it applied is printed in full rather than only summarized.
      const result = await withLocatedErrors(sourced, () => api.applyConfig(body));
      if (JSON.stringify(result.changes) !== JSON.stringify(plan.changes)) {
        process.stdout.write('\nThe server changed since the plan above; this is what was applied:\n');
        process.stdout.write(formatPlan(result, 'Applied', sourced));
      } else {
        const s = result.summary;
        process.stdout.write(`\nApplied: ${s.create} created, ${s.update} updated, ${s.delete} deleted, ${s.unchanged} unchanged.\n`);
      }
    });

  config
    .command('export')
    .description('Write every active User and Team, every Schedule, EscalationPolicy and Service as YAML: to stdout, a .yaml file, or a directory (one file per kind)')
    .option('-o, --output <path>', `a .yaml/.yml file, or a directory for ${configKindOrder.map((k) => kindRules[k].fileName).join(', ')}`)
    .action(async (opts: { output?: string }) => {
      const { documents } = await apiClientFromEnv().exportConfig();
      if (!opts.output) {
        process.stdout.write(renderConfigYaml(documents));
        return;
      }
      if (YAML_FILE.test(opts.output)) {
        await writeFile(opts.output, renderConfigYaml(documents));
        process.stderr.write(`Wrote ${plural(documents.length, 'document')} to ${opts.output}\n`);
        return;
      }
      await mkdir(opts.output, { recursive: true });
      for (const file of renderConfigFiles(documents)) await writeFile(join(opts.output, file.name), file.text);
      process.stderr.write(`Wrote ${plural(documents.length, 'document')} to ${opts.output.replace(/\/+$/, '')}/ (${renderConfigFiles(documents).map((f) => f.name).join(', ')})\n`);
    });
}
