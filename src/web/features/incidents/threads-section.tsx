import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Incident } from '../../../contracts/incidents.js';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { incidentThreadsQuery, incidentWorkApi, type IncidentThread, type ThreadUpdate } from '../playbooks/playbooks.api.js';
import { useRefetchOnChange } from '../playbooks/use-refetch-on-change.js';
import { usersQuery } from '../users/users.api.js';
import { canRespond, useIncidentChange } from './incidents.api.js';

const statusNames: Record<IncidentThread['status'], string> = { open: 'Open', concluded: 'Concluded', abandoned: 'Abandoned' };

function PeopleOptions() {
  const users = useQuery(usersQuery(false));
  return (
    <>
      {(users.data ?? [])
        .filter((u) => !u.deactivatedAt)
        .map((u) => (
          <option key={u.id} value={u.handle}>
            {u.name} (@{u.handle})
          </option>
        ))}
    </>
  );
}

/**
 * Threads: parallel lines of investigation, each with an owner and a status, so the commander sees
 * who is digging where. Responders open threads, hand them over, and conclude them with what came of
 * it (or abandon them); each change is on the timeline. Read-only once the incident is resolved.
 */
export function ThreadsSection({ incident, changed }: { incident: Incident; changed: number }) {
  const session = useSession();
  const threads = useQuery(incidentThreadsQuery(incident.id));
  useRefetchOnChange(changed, threads.refetch);
  const canAct = canRespond(session) && incident.status !== 'resolved';
  const items = threads.data ?? [];
  const open = items.filter((t) => t.status === 'open').length;
  return (
    <Section title="Threads" description={items.length > 0 ? `${open} open of ${items.length}` : 'Lines of investigation: who is digging where.'}>
      {threads.isPending ? (
        <Loading />
      ) : threads.isError ? (
        <QueryError error={threads.error} retry={() => void threads.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">No threads yet.</p>
      ) : (
        <ul className="incident-roles threads" aria-label="Threads">
          {items.map((thread) => (
            <ThreadRow key={thread.id} incident={incident} thread={thread} canAct={canAct} />
          ))}
        </ul>
      )}
      {canAct && <OpenThreadForm incident={incident} />}
    </Section>
  );
}

function ThreadRow({ incident, thread, canAct }: { incident: Incident; thread: IncidentThread; canAct: boolean }) {
  const [concluding, setConcluding] = useState(false);
  const [conclusion, setConclusion] = useState('');
  const update = useIncidentChange((input: ThreadUpdate) => incidentWorkApi.updateThread(incident.id, thread.id, input), () => {
    setConcluding(false);
    setConclusion('');
  });
  const ownerId = `thread-owner-${thread.id}`;
  const conclusionId = `thread-conclusion-${thread.id}`;
  function conclude(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (conclusion.trim()) update.mutate({ status: 'concluded', conclusion: conclusion.trim() });
  }
  return (
    <li className="incident-role thread" data-status={thread.status} aria-label={thread.title}>
      <div className="incident-role-head thread-head">
        <strong className="thread-title">{thread.title}</strong> <span className={`badge thread-status thread-status-${thread.status}`}>{statusNames[thread.status]}</span>
      </div>
      {thread.description && <p className="muted small">{thread.description}</p>}
      <p className="small">
        <span className="muted">Owner:</span> {thread.owner ? `${thread.owner.name} (@${thread.owner.handle})` : 'nobody'}
      </p>
      {thread.conclusion && thread.status !== 'open' && (
        <p className="small thread-conclusion">
          <span className="muted">Conclusion:</span> {thread.conclusion}
        </p>
      )}
      {canAct && (
        <div className="incident-role-form thread-actions">
          <label htmlFor={ownerId} className="visually-hidden">
            Owner of {thread.title}
          </label>
          <select id={ownerId} value={thread.owner?.handle ?? ''} disabled={update.isPending} onChange={(event) => update.mutate({ owner: event.target.value || null })}>
            <option value="">Nobody</option>
            <PeopleOptions />
          </select>{' '}
          {thread.status === 'open' ? (
            <>
              <button type="button" className="button button-small" onClick={() => setConcluding((v) => !v)} aria-expanded={concluding}>
                Conclude
              </button>{' '}
              <button type="button" className="button button-small button-quiet" disabled={update.isPending} onClick={() => update.mutate({ status: 'abandoned' })}>
                Abandon
              </button>
            </>
          ) : (
            <button type="button" className="button button-small button-quiet" disabled={update.isPending} onClick={() => update.mutate({ status: 'open' })}>
              Reopen
            </button>
          )}
        </div>
      )}
      {concluding && (
        <form className="form-row form-row-end" onSubmit={conclude} aria-label={`Conclude ${thread.title}`}>
          <div className="field">
            <label htmlFor={conclusionId}>Conclusion</label>
            <input id={conclusionId} value={conclusion} maxLength={5000} onChange={(event) => setConclusion(event.target.value)} placeholder="What came of it" autoFocus />
          </div>
          <button type="submit" className="button" disabled={!conclusion.trim() || update.isPending}>
            Save conclusion
          </button>
        </form>
      )}
      <FormAlert error={update.error} />
    </li>
  );
}

/** A new thread, owned by whoever opens it unless another person is chosen. */
function OpenThreadForm({ incident }: { incident: Incident }) {
  const session = useSession();
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState(session.user.handle);
  const add = useIncidentChange((input: { title: string; owner: string }) => incidentWorkApi.openThread(incident.id, input), () => setTitle(''));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (title.trim()) add.mutate({ title: title.trim(), owner });
  }
  return (
    <form className="form-row form-row-end threads-add" onSubmit={submit} aria-label="Open a thread">
      <div className="field">
        <label htmlFor="thread-new-title">New thread</label>
        <input id="thread-new-title" value={title} maxLength={200} onChange={(event) => setTitle(event.target.value)} placeholder="Is it the database failover?" />
      </div>
      <div className="field">
        <label htmlFor="thread-new-owner">Owner</label>
        <select id="thread-new-owner" value={owner} onChange={(event) => setOwner(event.target.value)}>
          <PeopleOptions />
        </select>
      </div>
      <button type="submit" className="button" disabled={!title.trim() || add.isPending}>
        Open thread
      </button>
      <FormAlert error={add.error} />
    </form>
  );
}
