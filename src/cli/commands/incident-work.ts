import type { Command } from 'commander';
import type { IncidentTask, IncidentThread } from '../../contracts/incident-work.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';
import { roleKey } from './incident.js';

/**
 * `firebreak incident tasks|task|threads|thread`: the checklist and threads of an incident from a
 * terminal (docs/incidents.md, "Threads, checklists and playbooks"). Tasks are named by the number
 * `tasks` shows (their position) or their id; threads by their number in `threads` (oldest first) or
 * their id.
 */

const base = (ref: string) => `/api/v1/incidents/${encodeURIComponent(ref)}`;

function ownerText(task: IncidentTask): string {
  const person = task.owner ? `@${task.owner.handle}` : null;
  if (task.ownerRole) return `${task.ownerRole.replace(/^custom:/, '')}${person ? ` (${person})` : ' (vacant)'}`;
  return person ?? '-';
}

export async function listTasks(api: ApiClient, ref: string, out: NodeJS.WritableStream = process.stdout): Promise<IncidentTask[]> {
  const { items } = await api.request<{ items: IncidentTask[] }>('GET', `${base(ref)}/tasks`);
  printTable(items.map((t) => ({ '#': String(t.position), done: t.done ? 'x' : ' ', task: t.title, owner: ownerText(t), playbook: t.playbook?.name ?? '-' })), out);
  return items;
}

/** A task by the number `tasks` shows, or its id. */
async function findTask(api: ApiClient, ref: string, which: string): Promise<IncidentTask> {
  const { items } = await api.request<{ items: IncidentTask[] }>('GET', `${base(ref)}/tasks`);
  const task = items.find((t) => t.id === which || String(t.position) === which.replace(/^#/, ''));
  if (!task) throw new CliError(`${ref} has no task ${which}; \`firebreak incident tasks ${ref}\` lists them`, 1);
  return task;
}

export interface TaskOptions {
  add?: string | undefined;
  done?: boolean | undefined;
  undo?: boolean | undefined;
  owner?: string | undefined;
  role?: string | undefined;
  /** Leave it without owner. */
  unowned?: boolean | undefined;
}

/** Adds a task (`--add`), or checks one off, undoes it, or changes its owner. */
export async function changeTask(api: ApiClient, ref: string, which: string | undefined, opts: TaskOptions, out: NodeJS.WritableStream = process.stdout): Promise<IncidentTask> {
  if (opts.owner !== undefined && opts.role !== undefined) throw new CliError('give --owner or --role, not both', 2);
  const owner = opts.unowned ? { owner: null, ownerRole: null } : { ...(opts.owner !== undefined ? { owner: opts.owner } : {}), ...(opts.role !== undefined ? { ownerRole: roleKey(opts.role) } : {}) };
  if (opts.add !== undefined) {
    if (which !== undefined || opts.done || opts.undo || opts.unowned) throw new CliError('--add takes a title and at most --owner or --role', 2);
    const task = await api.request<IncidentTask>('POST', `${base(ref)}/tasks`, { title: opts.add, ...owner });
    out.write(`Added task #${task.position} to ${ref}: ${task.title} (owner ${ownerText(task)})\n`);
    return task;
  }
  if (which === undefined) throw new CliError('name a task (its number from `firebreak incident tasks`), or --add a new one', 2);
  if (opts.done && opts.undo) throw new CliError('give at most one of --done and --undo', 2);
  const body = { ...(opts.done ? { done: true } : opts.undo ? { done: false } : {}), ...owner };
  if (Object.keys(body).length === 0) throw new CliError('give --done, --undo, --owner, --role or --unowned', 2);
  const task = await findTask(api, ref, which);
  const changed = await api.request<IncidentTask>('PATCH', `${base(ref)}/tasks/${encodeURIComponent(task.id)}`, body);
  out.write(`${ref} task #${changed.position} ${changed.done ? 'done' : 'not done'}: ${changed.title} (owner ${ownerText(changed)})\n`);
  return changed;
}

export async function listThreads(api: ApiClient, ref: string, out: NodeJS.WritableStream = process.stdout): Promise<IncidentThread[]> {
  const { items } = await api.request<{ items: IncidentThread[] }>('GET', `${base(ref)}/threads`);
  printTable(items.map((t, i) => ({ '#': String(i + 1), status: t.status, thread: t.title, owner: t.owner ? `@${t.owner.handle}` : '-', conclusion: t.conclusion ?? '' })), out);
  return items;
}

export interface ThreadOptions {
  open?: string | undefined;
  owner?: string | undefined;
  conclude?: string | undefined;
  abandon?: boolean | undefined;
  reopen?: boolean | undefined;
}

/** Opens a thread (`--open`), or hands one over, concludes, abandons or reopens it. */
export async function changeThread(api: ApiClient, ref: string, which: string | undefined, opts: ThreadOptions, out: NodeJS.WritableStream = process.stdout): Promise<IncidentThread> {
  if (opts.open !== undefined) {
    if (which !== undefined || opts.conclude !== undefined || opts.abandon || opts.reopen) throw new CliError('--open takes a title and at most --owner', 2);
    const thread = await api.request<IncidentThread>('POST', `${base(ref)}/threads`, { title: opts.open, ...(opts.owner ? { owner: opts.owner } : {}) });
    out.write(`Opened thread on ${ref}: ${thread.title} (owner ${thread.owner ? `@${thread.owner.handle}` : 'nobody'})\n`);
    return thread;
  }
  if (which === undefined) throw new CliError('name a thread (its number from `firebreak incident threads`), or --open a new one', 2);
  if ([opts.conclude !== undefined, !!opts.abandon, !!opts.reopen].filter(Boolean).length > 1) throw new CliError('give at most one of --conclude, --abandon and --reopen', 2);
  const body = {
    ...(opts.owner !== undefined ? { owner: opts.owner } : {}),
    ...(opts.conclude !== undefined ? { status: 'concluded', conclusion: opts.conclude } : opts.abandon ? { status: 'abandoned' } : opts.reopen ? { status: 'open' } : {}),
  };
  if (Object.keys(body).length === 0) throw new CliError('give --owner, --conclude, --abandon or --reopen', 2);
  const { items } = await api.request<{ items: IncidentThread[] }>('GET', `${base(ref)}/threads`);
  const thread = items.find((t, i) => t.id === which || String(i + 1) === which.replace(/^#/, ''));
  if (!thread) throw new CliError(`${ref} has no thread ${which}; \`firebreak incident threads ${ref}\` lists them`, 1);
  const changed = await api.request<IncidentThread>('PATCH', `${base(ref)}/threads/${encodeURIComponent(thread.id)}`, body);
  out.write(`${ref} thread “${changed.title}”: ${changed.status}${changed.conclusion && changed.status !== 'open' ? ` (${changed.conclusion})` : ''}, owner ${changed.owner ? `@${changed.owner.handle}` : 'nobody'}\n`);
  return changed;
}

/** Adds the subcommands to `firebreak incident`. */
export function registerIncidentWorkCommands(incident: Command): void {
  incident
    .command('tasks <incident>')
    .description('The incident’s checklist: number, done, task, owner, playbook')
    .action(async (ref: string) => {
      await listTasks(apiClientFromEnv(), ref);
    });
  incident
    .command('task <incident> [task]')
    .description('Add a task (--add), or check one off (--done), undo it (--undo) or change its owner; [task] is its number from `tasks`')
    .option('--add <title>', 'a new task')
    .option('--done', 'check it off')
    .option('--undo', 'mark it not done')
    .option('--owner <user>', 'a person owns it')
    .option('--role <role>', 'an incident role owns it (commander, comms, ops, scribe or a custom name): whoever holds it')
    .option('--unowned', 'nobody owns it')
    .action(async (ref: string, which: string | undefined, opts: TaskOptions) => {
      await changeTask(apiClientFromEnv(), ref, which, opts);
    });
  incident
    .command('threads <incident>')
    .description('The incident’s threads (lines of investigation), oldest first')
    .action(async (ref: string) => {
      await listThreads(apiClientFromEnv(), ref);
    });
  incident
    .command('thread <incident> [thread]')
    .description('Open a thread (--open), or hand one over (--owner), conclude, abandon or reopen it; [thread] is its number from `threads`')
    .option('--open <title>', 'a new line of investigation')
    .option('--owner <user>', 'who digs there (default for --open: you)')
    .option('--conclude <conclusion>', 'what came of it')
    .option('--abandon', 'stop digging there')
    .option('--reopen', 'open it again')
    .action(async (ref: string, which: string | undefined, opts: ThreadOptions) => {
      await changeThread(apiClientFromEnv(), ref, which, opts);
    });
}
