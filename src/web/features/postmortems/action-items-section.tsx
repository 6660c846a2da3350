import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import {
  actionItemStatusNames,
  postmortemActionItemsQuery,
  postmortemsApi,
  priorityNames,
  usePostmortemChange,
  type ActionItem,
  type CreateActionItemInput,
  type Postmortem,
} from './postmortems.api.js';

const statuses = Object.entries(actionItemStatusNames) as Array<[ActionItem['status'], string]>;
const priorities = Object.entries(priorityNames) as Array<[ActionItem['priority'], string]>;

/**
 * The postmortem's action items: what will stop this happening again, each with an owner, priority,
 * due date, status and tracker link. Without any, the author says why (checked when submitting).
 */
export function ActionItemsSection({ pm, canWrite, canEditText, reason, onReason }: { pm: Postmortem; canWrite: boolean; canEditText: boolean; reason: string; onReason: (text: string) => void }) {
  const items = useQuery(postmortemActionItemsQuery(pm.id));
  const [adding, setAdding] = useState(false);
  const add = usePostmortemChange((input: CreateActionItemInput) => postmortemsApi.addActionItem(pm.id, input), () => setAdding(false));
  return (
    <Section
      title="Tracked action items"
      description="What will stop this from happening again. Open items are chased until done; see all of them under Action items."
      actions={
        canWrite &&
        !adding && (
          <button type="button" className="button" onClick={() => setAdding(true)}>
            Add action item
          </button>
        )
      }
    >
      {adding && <ActionItemForm title="Add action item" submitLabel="Add action item" pending={add.isPending} error={add.error} onSubmit={(input) => add.mutate(input)} onCancel={() => setAdding(false)} />}
      {items.isPending ? (
        <Loading />
      ) : items.isError ? (
        <QueryError error={items.error} retry={() => void items.refetch()} />
      ) : items.data.length === 0 ? (
        <>
          <p className="muted">No action items yet.</p>
          <Field label="Why no action items" name="noActionItemsReason" hint="Needed to submit without action items: the cost of doing something versus nothing (for example, an outage of a dependency you cannot change). Saved with the document.">
            {(control) => <textarea {...control} className="input" rows={2} value={reason} readOnly={!canEditText} onChange={(event) => onReason(event.target.value)} />}
          </Field>
        </>
      ) : (
        <ActionItemsTable items={items.data} canWrite={canWrite} showPostmortem={false} />
      )}
    </Section>
  );
}

/** Action items as a table; inline status changes, edit and delete for writers. Shared with /action-items. */
export function ActionItemsTable({ items, canWrite, showPostmortem, groupLabel }: { items: readonly ActionItem[]; canWrite: boolean; showPostmortem: boolean; groupLabel?: string }) {
  return (
    <div className="table-wrap">
      <table className="table table-stack pm-action-items" aria-label={groupLabel ?? 'Action items'}>
        <thead>
          <tr>
            <th scope="col">Item</th>
            {showPostmortem && <th scope="col">Postmortem</th>}
            <th scope="col">Owner</th>
            <th scope="col">Priority</th>
            <th scope="col">Due</th>
            <th scope="col">Age</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <ActionItemRow key={item.id} item={item} canWrite={canWrite} showPostmortem={showPostmortem} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ActionItemRow({ item, canWrite, showPostmortem }: { item: ActionItem; canWrite: boolean; showPostmortem: boolean }) {
  const [editing, setEditing] = useState(false);
  const update = usePostmortemChange((input: Parameters<typeof postmortemsApi.updateActionItem>[1]) => postmortemsApi.updateActionItem(item.id, input), () => setEditing(false));
  const remove = usePostmortemChange(() => postmortemsApi.deleteActionItem(item.id));
  // Repeated failures to fix something: the same item in several postmortems, linked so it shows.
  const link = usePostmortemChange((other: string) => postmortemsApi.linkActionItem(item.id, other));
  // The tracker issue later, through the tracker webhook: the link appears once the tracker answered.
  const [trackerAsked, setTrackerAsked] = useState(false);
  const tracker = usePostmortemChange(() => postmortemsApi.requestTrackerIssue(item.id), () => setTrackerAsked(true));
  const queryClient = useQueryClient();
  // The tracker answers within seconds, or retries take minutes: look again for a while, then stop.
  useEffect(() => {
    if (!trackerAsked || item.trackerUrl) return;
    let tries = 0;
    const timer = window.setInterval(() => {
      tries += 1;
      if (tries > 20) window.clearInterval(timer);
      void queryClient.invalidateQueries({ queryKey: ['postmortems'] });
    }, 3_000);
    return () => window.clearInterval(timer);
  }, [trackerAsked, item.trackerUrl, queryClient]);
  const closed = item.status === 'done' || item.status === 'wont_do';
  const cols = showPostmortem ? 7 : 6;
  return (
    <>
      <tr aria-label={`${item.reference} ${item.title}`}>
        <td>
          <span className="row-title">
            {item.reference} {item.title}
          </span>
          {item.trackerUrl && (
            <a className="small" href={item.trackerUrl} target="_blank" rel="noopener noreferrer">
              Tracker issue
            </a>
          )}
          {item.team && <span className="small muted"> Team: {item.team.name}</span>}
          {item.similar.length > 0 && (
            <ul className="small pm-similar" aria-label={`The same item elsewhere: ${item.reference}`}>
              {item.similar.map((s) => (
                <li key={s.id}>
                  {s.linked ? 'Same item' : 'Looks like'} <Link href={`/postmortems/${s.postmortemReference}`}>{s.postmortemReference}</Link> {s.reference} {s.title} ({actionItemStatusNames[s.status]})
                  {canWrite && !s.linked && (
                    <>
                      {' '}
                      <button type="button" className="button button-small button-quiet" disabled={link.isPending} onClick={() => link.mutate(s.id)}>
                        Link as the same item
                      </button>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          {canWrite && (
            <span className="row-buttons">
              <button type="button" className="button button-small button-quiet" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
                Edit
              </button>
              <ConfirmButton label="Delete" question={`Delete ${item.reference}?`} onConfirm={() => remove.mutate(undefined)} pending={remove.isPending} />
              {!item.trackerUrl && !closed && !trackerAsked && (
                <button type="button" className="button button-small button-quiet" disabled={tracker.isPending} onClick={() => tracker.mutate(undefined)}>
                  Create tracker issue
                </button>
              )}
            </span>
          )}
          {trackerAsked && !item.trackerUrl && (
            <span className="small muted" role="status">
              {' '}
              Tracker issue requested; its link appears here once the tracker answers.
            </span>
          )}
          {tracker.error !== null && <FormAlert error={tracker.error} />}
        </td>
        {showPostmortem && (
          <td data-label="Postmortem">
            <Link href={`/postmortems/${item.postmortem.reference}`}>
              {item.postmortem.reference} {item.postmortem.title}
            </Link>
          </td>
        )}
        <td data-label="Owner">{item.owner?.name ?? <span className="muted">Nobody</span>}</td>
        <td data-label="Priority">{priorityNames[item.priority]}</td>
        <td data-label="Due">
          {item.dueDate ?? <span className="muted">—</span>}
          {item.overdue && <span className="badge pm-overdue">Overdue</span>}
        </td>
        <td data-label="Age">{item.ageDays === 1 ? '1 day' : `${item.ageDays} days`}</td>
        <td data-label="Status">
          {canWrite ? (
            <select aria-label={`Status of ${item.reference}`} value={item.status} disabled={update.isPending} onChange={(event) => update.mutate({ status: event.target.value as ActionItem['status'] })}>
              {statuses.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          ) : (
            actionItemStatusNames[item.status]
          )}
          <FormAlert error={editing ? null : (update.error ?? remove.error ?? link.error)} />
        </td>
      </tr>
      {editing && (
        <tr>
          <td colSpan={cols}>
            <ActionItemForm title={`Edit ${item.reference}`} submitLabel="Save action item" item={item} pending={update.isPending} error={update.error} onSubmit={(input) => update.mutate({ ...input, owner: input.owner ?? null, team: input.team ?? null, dueDate: input.dueDate ?? null, trackerUrl: input.trackerUrl ?? null })} onCancel={() => setEditing(false)} />
          </td>
        </tr>
      )}
    </>
  );
}

const itemFields = ['title', 'description', 'owner', 'team', 'priority', 'dueDate', 'trackerUrl'];

function ActionItemForm({
  title,
  submitLabel,
  item,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  title: string;
  submitLabel: string;
  item?: ActionItem;
  pending: boolean;
  error: unknown;
  onSubmit: (input: CreateActionItemInput & { title: string }) => void;
  onCancel: () => void;
}) {
  const errors = fieldErrors(error);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const opt = (name: string) => formText(data, name) || undefined;
    onSubmit({
      title: formText(data, 'title'),
      description: formText(data, 'description'),
      owner: opt('owner'),
      team: opt('team'),
      priority: (formText(data, 'priority') || 'medium') as ActionItem['priority'],
      dueDate: opt('dueDate'),
      trackerUrl: opt('trackerUrl'),
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={title}>
      <FormAlert error={error} fields={itemFields} />
      <Field label="Title" name="title" error={errors.title}>
        {(control) => <input {...control} className="input" required maxLength={300} defaultValue={item?.title} />}
      </Field>
      <Field label="Description" name="description" error={errors.description}>
        {(control) => <textarea {...control} className="input" rows={2} maxLength={10000} defaultValue={item?.description} />}
      </Field>
      <div className="form-row">
        <Field label="Owner" name="owner" error={errors.owner} hint="User handle">
          {(control) => <input {...control} className="input" defaultValue={item?.owner?.handle} />}
        </Field>
        <Field label="Team" name="team" error={errors.team} hint="Team handle">
          {(control) => <input {...control} className="input" defaultValue={item?.team?.handle} />}
        </Field>
        <Field label="Priority" name="priority" error={errors.priority}>
          {(control) => (
            <select {...control} defaultValue={item?.priority ?? 'medium'}>
              {priorities.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Due date" name="dueDate" error={errors.dueDate}>
          {(control) => <input {...control} type="date" className="input" defaultValue={item?.dueDate ?? undefined} />}
        </Field>
      </div>
      <Field label="Tracker issue URL" name="trackerUrl" error={errors.trackerUrl}>
        {(control) => <input {...control} type="url" className="input" defaultValue={item?.trackerUrl ?? undefined} />}
      </Field>
      <FormActions pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
