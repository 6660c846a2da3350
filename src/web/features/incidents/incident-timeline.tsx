import { memo, useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useSession } from '../../app/session.js';
import { errorMessage, FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { formatInstant } from '../../ui/time.js';
import { incidentsApi, type Incident, type IncidentTimelineEntry } from './incidents.api.js';
import type { IncidentTimeline } from './use-incident-timeline.js';

/** Names of the kinds this page knows; kinds other parts add later read as their key, capitalized. */
const kindNames: Partial<Record<string, string>> = { milestone: 'Milestone', note: 'Note', role: 'Role', edit: 'Edit', alert: 'Alert', update: 'Update', thread: 'Thread', task: 'Task', responder: 'Responder', reminder: 'Reminder', change: 'Change', status_page: 'Status page' };
const kindName = (kind: string) => kindNames[kind] ?? kind.charAt(0).toUpperCase() + kind.slice(1);
const changeNames: Record<IncidentTimelineEntry['history'][number]['change'], string> = { text: 'reworded', pin: 'pinned', unpin: 'unpinned' };

type EditEntry = (entry: IncidentTimelineEntry, input: { pinned?: boolean; summary?: string }) => Promise<void>;

/**
 * The live timeline, newest first beside the note box. Rows are memoized and keep their identity
 * while unchanged (see use-incident-timeline.ts), so a new note renders one row, not 2,000; rows off
 * screen skip layout and paint (`content-visibility: auto` in styles.css); a long timeline is
 * rendered newest slice first (`useSlices`).
 */
export function TimelineSection({ incident, timeline, canWrite, keyOnly, onKeyOnly }: { incident: Incident; timeline: IncidentTimeline; canWrite: boolean; keyOnly: boolean; onKeyOnly: (value: boolean) => void }) {
  const session = useSession();
  const zone = session.user.timeZone;
  const { accept } = timeline;
  const incidentId = incident.id;
  const edit = useCallback<EditEntry>(async (entry, input) => accept(await incidentsApi.editEntry(incidentId, entry.id, input)), [accept, incidentId]);
  const shown = useMemo(() => {
    const list = keyOnly ? timeline.entries.filter((e) => e.pinned) : timeline.entries;
    return [...list].reverse();
  }, [timeline.entries, keyOnly]);
  const pinnedCount = useMemo(() => timeline.entries.reduce((n, e) => n + (e.pinned ? 1 : 0), 0), [timeline.entries]);
  const visible = useSlices(shown);

  return (
    <Section
      title="Timeline"
      description={`${timeline.entries.length} ${timeline.entries.length === 1 ? 'entry' : 'entries'}, ${pinnedCount} key ${pinnedCount === 1 ? 'event' : 'events'}. New entries appear as they are written.`}
      actions={
        <label className="checkbox incident-key-only">
          <input type="checkbox" checked={keyOnly} onChange={(event) => onKeyOnly(event.target.checked)} /> Key events only
        </label>
      }
    >
      {canWrite && <NoteForm incident={incident} onAdded={accept} />}
      {timeline.status === 'loading' ? (
        <Loading label="Loading the timeline…" />
      ) : timeline.status === 'error' ? (
        <QueryError error={timeline.error} retry={timeline.reload} />
      ) : shown.length === 0 ? (
        <EmptyState title={keyOnly ? 'No key events yet' : 'Nothing yet'}>{keyOnly && <p>Pin an entry to make it a key event.</p>}</EmptyState>
      ) : (
        <ol className="incident-timeline" aria-label="Timeline entries">
          {visible.map((entry) => (
            <TimelineRow key={entry.id} entry={entry} zone={zone} canWrite={canWrite} edit={edit} />
          ))}
        </ol>
      )}
    </Section>
  );
}

/** Rows rendered before the first paint; the rest follow in slices of SLICE, one slice per frame. */
const FIRST_SLICE = 100;
const SLICE = 500;

/**
 * The newest entries first, the rest right after: a 2,000-entry timeline paints its heading and the
 * entries on screen without waiting for the DOM of 1,900 rows nobody sees yet. Each further slice is
 * rendered after the browser painted (a frame, then a task), so the page stays responsive meanwhile;
 * rows already rendered are memoized and cost nothing when the next slice comes.
 */
function useSlices<T>(items: readonly T[]): readonly T[] {
  const [limit, setLimit] = useState(FIRST_SLICE);
  const complete = limit >= items.length;
  useEffect(() => {
    if (complete) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setLimit((n) => n + SLICE), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [complete, limit]);
  return complete ? items : items.slice(0, limit);
}

function NoteForm({ incident, onAdded }: { incident: Incident; onAdded: (entry: IncidentTimelineEntry) => void }) {
  const [note, setNote] = useState('');
  const [pinned, setPinned] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = note.trim();
    if (!text || pending) return;
    setPending(true);
    setError(null);
    try {
      onAdded(await incidentsApi.addNote(incident.id, text, pinned));
      setNote('');
      setPinned(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  }
  return (
    <form className="form note-form incident-note-form" onSubmit={(event) => void submit(event)} aria-label="Add note">
      <FormAlert error={error} />
      <label htmlFor="incident-note" className="visually-hidden">
        Note
      </label>
      <textarea
        id="incident-note"
        rows={2}
        value={note}
        maxLength={5000}
        onChange={(event) => setNote(event.target.value)}
        onKeyDown={(event) => {
          // Ctrl/Cmd+Enter posts, the way chat tools do; Escape leaves the box so shortcuts work again.
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) event.currentTarget.form?.requestSubmit();
          if (event.key === 'Escape') event.currentTarget.blur();
        }}
        placeholder="What you found, did or decided"
      />
      <div className="form-actions">
        <label className="checkbox">
          <input type="checkbox" checked={pinned} onChange={(event) => setPinned(event.target.checked)} /> Key event
        </label>
        <button type="submit" className="button button-small" disabled={pending || !note.trim()}>
          Add note
        </button>
      </div>
    </form>
  );
}

const TimelineRow = memo(function TimelineRow({ entry, zone, canWrite, edit }: { entry: IncidentTimelineEntry; zone: string; canWrite: boolean; edit: EditEntry }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(entry.summary);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(input: { pinned?: boolean; summary?: string }) {
    setPending(true);
    setError(null);
    try {
      await edit(entry, input);
      setEditing(false);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setPending(false);
    }
  }

  return (
    <li className={`incident-entry incident-entry-${entry.kind}${entry.pinned ? ' incident-entry-pinned' : ''}`} data-entry-id={entry.id}>
      <div className="timeline-entry-head">
        <span className="timeline-entry-kind">{kindName(entry.kind)}</span>
        {entry.pinned && <span className="badge incident-key">Key event</span>}
        <span className="muted small">
          <time dateTime={entry.at} title={`${entry.at} (UTC)`}>
            {formatInstant(entry.at, zone)}
          </time>
          {entry.actor && <> · {entry.actor}</>}
          {entry.editedAt && <> · edited</>}
        </span>
      </div>
      {editing ? (
        <form
          className="form incident-entry-edit"
          aria-label="Edit note"
          onSubmit={(event) => {
            event.preventDefault();
            if (text.trim()) void run({ summary: text.trim() });
          }}
        >
          <label className="visually-hidden" htmlFor={`edit-${entry.id}`}>
            Note text
          </label>
          <textarea id={`edit-${entry.id}`} rows={3} value={text} maxLength={5000} onChange={(event) => setText(event.target.value)} autoFocus />
          <div className="form-actions">
            <button type="submit" className="button button-small button-primary" disabled={pending || !text.trim()}>
              Save
            </button>
            <button type="button" className="button button-small" onClick={() => (setEditing(false), setText(entry.summary))}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p className="timeline-entry-summary">{entry.summary}</p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {canWrite && !editing && (
        <div className="incident-entry-actions">
          <button type="button" className="button button-small button-quiet" disabled={pending} onClick={() => void run({ pinned: !entry.pinned })}>
            {entry.pinned ? 'Unpin' : 'Pin'}
          </button>
          {entry.kind === 'note' && (
            <button type="button" className="button button-small button-quiet" onClick={() => (setText(entry.summary), setEditing(true))}>
              Edit
            </button>
          )}
        </div>
      )}
      {entry.history.length > 0 && (
        <details className="incident-entry-history">
          <summary>History ({entry.history.length})</summary>
          <ul>
            {entry.history.map((h, i) => (
              <li key={i}>
                {formatInstant(h.at, zone)} · {h.by} {changeNames[h.change]}
                {h.previousSummary !== null && (
                  <>
                    ; before: <q>{h.previousSummary}</q>
                  </>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
});
