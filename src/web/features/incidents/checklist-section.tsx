import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Incident } from '../../../contracts/incidents.js';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { incidentTasksQuery, incidentWorkApi, ownerRoleOptions, playbooksQuery, type IncidentTask } from '../playbooks/playbooks.api.js';
import { useRefetchOnChange } from '../playbooks/use-refetch-on-change.js';
import { usersQuery } from '../users/users.api.js';
import { canRespond, roleLabel, useIncidentChange } from './incidents.api.js';

/** An owner choice as a select value: `user:<handle>`, `role:<key>` or '' for nobody. */
function ownerValue(task: Pick<IncidentTask, 'ownerRole' | 'owner'>): string {
  if (task.ownerRole) return `role:${task.ownerRole}`;
  if (task.owner) return `user:${task.owner.handle}`;
  return '';
}

function ownerInput(value: string): { owner?: string | null; ownerRole?: string | null } {
  if (value.startsWith('role:')) return { ownerRole: value.slice(5) };
  if (value.startsWith('user:')) return { owner: value.slice(5) };
  return { owner: null, ownerRole: null };
}

/** The options of an owner picker: nobody, the incident's roles, then people. */
function OwnerOptions({ incident, extraRole }: { incident: Incident; extraRole?: string | null }) {
  const users = useQuery(usersQuery(false));
  const roles = [...ownerRoleOptions.map(([key]) => key), ...incident.roles.map((r) => r.role), ...(extraRole ? [extraRole] : [])].filter((r, i, all) => all.indexOf(r) === i);
  return (
    <>
      <option value="">Nobody</option>
      <optgroup label="Incident role (follows its holder)">
        {roles.map((role) => (
          <option key={role} value={`role:${role}`}>
            {roleLabel(role)}
          </option>
        ))}
      </optgroup>
      <optgroup label="Person">
        {(users.data ?? [])
          .filter((u) => !u.deactivatedAt)
          .map((u) => (
            <option key={u.id} value={`user:${u.handle}`}>
              {u.name} (@{u.handle})
            </option>
          ))}
      </optgroup>
    </>
  );
}

/**
 * The incident's checklist: tasks from playbooks (the built-in "first five minutes" and those that
 * apply to the incident's severity and services) and tasks added by hand. Responders check tasks off,
 * add tasks and playbooks, and give tasks an owner; each change is on the timeline. Read-only once the
 * incident is resolved.
 */
export function ChecklistSection({ incident, changed }: { incident: Incident; changed: number }) {
  const session = useSession();
  const tasks = useQuery(incidentTasksQuery(incident.id));
  useRefetchOnChange(changed, tasks.refetch);
  const canAct = canRespond(session) && incident.status !== 'resolved';
  const items = tasks.data ?? [];
  const done = items.filter((t) => t.done).length;
  const groups = new Map<string, { title: string; tasks: IncidentTask[] }>();
  for (const task of items) {
    const key = task.playbook?.name ?? '';
    const group = groups.get(key) ?? { title: task.playbook?.title ?? 'Added by hand', tasks: [] };
    group.tasks.push(task);
    groups.set(key, group);
  }
  return (
    <Section title="Checklist" description={items.length > 0 ? `${done} of ${items.length} done` : 'Tasks from playbooks and added by hand.'}>
      {tasks.isPending ? (
        <Loading />
      ) : tasks.isError ? (
        <QueryError error={tasks.error} retry={() => void tasks.refetch()} />
      ) : (
        <>
          {items.length === 0 && <p className="muted">No tasks yet.</p>}
          {[...groups.entries()].map(([key, group]) => (
            <div className="checklist-group" key={key || 'hand'}>
              <h3 className="checklist-group-title">{group.title}</h3>
              <ul className="incident-roles checklist" aria-label={group.title}>
                {group.tasks.map((task) => (
                  <TaskRow key={task.id} incident={incident} task={task} canAct={canAct} />
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
      {canAct && <AddTaskForm incident={incident} />}
      {canAct && <AddPlaybookForm incident={incident} added={new Set(items.map((t) => t.playbook?.name).filter((n): n is string => !!n))} />}
    </Section>
  );
}

function TaskRow({ incident, task, canAct }: { incident: Incident; task: IncidentTask; canAct: boolean }) {
  const update = useIncidentChange((input: Parameters<typeof incidentWorkApi.updateTask>[2]) => incidentWorkApi.updateTask(incident.id, task.id, input));
  // Shown at once while the check-off is on its way (the list is re-read when it lands).
  const [pendingDone, setPendingDone] = useState<boolean | null>(null);
  const checkId = `task-${task.id}`;
  const ownerId = `task-owner-${task.id}`;
  const owner = task.owner ? `${task.owner.name} (@${task.owner.handle})` : null;
  return (
    <li className="incident-role checklist-item" data-done={task.done ? 'true' : 'false'}>
      <div className="incident-role-head checklist-item-head">
        <label className="checkbox" htmlFor={checkId}>
          <input
            id={checkId}
            type="checkbox"
            checked={pendingDone ?? task.done}
            disabled={!canAct || update.isPending}
            onChange={(event) => {
              const done = event.target.checked;
              setPendingDone(done);
              update.mutate({ done }, { onSettled: () => setPendingDone(null) });
            }}
          />
          <span className={task.done ? 'checklist-title checklist-title-done' : 'checklist-title'}>{task.title}</span>
        </label>
        {task.link && (
          <a href={task.link} target="_blank" rel="noreferrer noopener" className="small">
            Open link
          </a>
        )}
      </div>
      {task.description && <p className="muted small checklist-description">{task.description}</p>}
      <p className="small checklist-meta">
        <span className="muted">Owner:</span>{' '}
        {task.ownerRole ? (
          <span>
            {roleLabel(task.ownerRole)}
            {owner ? ` — ${owner}` : ' (vacant)'}
          </span>
        ) : (
          <span>{owner ?? 'nobody'}</span>
        )}
        {task.done && task.doneAt && (
          <>
            {' · '}
            <span className="muted">
              done by {task.doneBy} <Time value={task.doneAt} />
            </span>
          </>
        )}
      </p>
      {canAct && (
        <div className="incident-role-form checklist-owner">
          <label htmlFor={ownerId} className="visually-hidden">
            Owner of {task.title}
          </label>
          <select id={ownerId} value={ownerValue(task)} disabled={update.isPending} onChange={(event) => update.mutate(ownerInput(event.target.value))}>
            <OwnerOptions incident={incident} extraRole={task.ownerRole} />
          </select>
        </div>
      )}
      <FormAlert error={update.error} />
    </li>
  );
}

/** A task added by hand, with an optional owner. */
function AddTaskForm({ incident }: { incident: Incident }) {
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const add = useIncidentChange((input: Parameters<typeof incidentWorkApi.addTask>[1]) => incidentWorkApi.addTask(incident.id, input), () => {
    setTitle('');
    setOwner('');
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!title.trim()) return;
    const chosen = ownerInput(owner);
    add.mutate({ title: title.trim(), ...(chosen.owner ? { owner: chosen.owner } : {}), ...(chosen.ownerRole ? { ownerRole: chosen.ownerRole } : {}) });
  }
  return (
    <form className="form-row form-row-end checklist-add" onSubmit={submit} aria-label="Add a task">
      <div className="field">
        <label htmlFor="checklist-new-task">New task</label>
        <input id="checklist-new-task" value={title} maxLength={200} onChange={(event) => setTitle(event.target.value)} placeholder="Check the replica lag" />
      </div>
      <div className="field">
        <label htmlFor="checklist-new-owner">Owner</label>
        <select id="checklist-new-owner" value={owner} onChange={(event) => setOwner(event.target.value)}>
          <OwnerOptions incident={incident} />
        </select>
      </div>
      <button type="submit" className="button" disabled={!title.trim() || add.isPending}>
        Add task
      </button>
      <FormAlert error={add.error} />
    </form>
  );
}

/** Adds a playbook's items to the checklist (each playbook once). */
function AddPlaybookForm({ incident, added }: { incident: Incident; added: ReadonlySet<string> }) {
  const playbooks = useQuery(playbooksQuery());
  const [chosen, setChosen] = useState('');
  const add = useIncidentChange((name: string) => incidentWorkApi.addPlaybook(incident.id, name), () => setChosen(''));
  const available = (playbooks.data ?? []).filter((p) => !added.has(p.name));
  if (available.length === 0) return null;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (chosen) add.mutate(chosen);
  }
  return (
    <form className="form-row form-row-end checklist-add-playbook" onSubmit={submit} aria-label="Add a playbook">
      <div className="field">
        <label htmlFor="checklist-playbook">Playbook</label>
        <select id="checklist-playbook" value={chosen} onChange={(event) => setChosen(event.target.value)}>
          <option value="">Choose a playbook…</option>
          {available.map((p) => (
            <option key={p.name} value={p.name}>
              {p.title} ({p.items.length} {p.items.length === 1 ? 'task' : 'tasks'})
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button" disabled={!chosen || add.isPending}>
        Add playbook
      </button>
      <FormAlert error={add.error} />
    </form>
  );
}
