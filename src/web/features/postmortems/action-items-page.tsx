import { useQuery } from '@tanstack/react-query';
import { Link, useLocation, useSearch } from 'wouter';
import { useSession } from '../../app/session.js';
import { Field } from '../../ui/field.js';
import { EmptyState, Loading, PageHeader, QueryError } from '../../ui/page.js';
import { teamsQuery } from '../teams/teams.api.js';
import { ActionItemsTable } from './action-items-section.js';
import { actionItemsQuery, canWrite, type ActionItem, type ActionItemFilters } from './postmortems.api.js';
import './postmortems.css';

const statusChoices = [
  { value: '', label: 'Open and in progress' },
  { value: 'open', label: 'Open' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
  { value: 'wont_do', label: 'Won’t do' },
  { value: 'open,in_progress,done,wont_do', label: 'Any status' },
] as const;

type GroupBy = 'none' | 'team' | 'owner';
type Params = ActionItemFilters & { group?: GroupBy | undefined };
const keys = ['status', 'owner', 'team', 'overdue', 'sort', 'group'] as const;

function paramsFromSearch(search: string): Params {
  const p = new URLSearchParams(search);
  return Object.fromEntries(keys.map((k) => [k, p.get(k) || undefined]).filter(([, v]) => v)) as Params;
}

function groupOf(item: ActionItem, by: GroupBy): string {
  if (by === 'team') return item.team?.name ?? 'No team';
  if (by === 'owner') return item.owner?.name ?? 'Nobody';
  return '';
}

/** `/action-items`: open action items across every postmortem, by team, owner and age, so they get done. */
export function ActionItemsPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const params = paramsFromSearch(useSearch());
  const { group = 'none', ...filters } = params;
  const items = useQuery(actionItemsQuery({ ...filters, sort: filters.sort ?? 'age' }));
  const teams = useQuery(teamsQuery());

  function set(change: Partial<Params>) {
    const next = { ...params, ...change };
    const search = new URLSearchParams();
    for (const key of keys) if (next[key]) search.set(key, String(next[key]));
    const qs = search.toString();
    navigate(`/action-items${qs ? `?${qs}` : ''}`, { replace: true });
  }

  const groups = new Map<string, ActionItem[]>();
  for (const item of items.data ?? []) {
    const key = groupOf(item, group);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const writable = canWrite(session);
  return (
    <>
      <p className="breadcrumb">
        <Link href="/postmortems">Postmortems</Link>
      </p>
      <PageHeader title="Action items" description="Follow-ups from every postmortem. Overdue items remind their owner and the postmortem’s owner every day." />
      <div className="form-row filters">
        <Field label="Status" name="status">
          {(control) => (
            <select {...control} value={filters.status ?? ''} onChange={(event) => set({ status: event.target.value || undefined })}>
              {statusChoices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Owner" name="owner">
          {(control) => (
            <select {...control} value={filters.owner ?? ''} onChange={(event) => set({ owner: event.target.value || undefined })}>
              <option value="">Anyone</option>
              <option value="me">Me</option>
            </select>
          )}
        </Field>
        <Field label="Team" name="team">
          {(control) => (
            <select {...control} value={filters.team ?? ''} onChange={(event) => set({ team: event.target.value || undefined })}>
              <option value="">Any team</option>
              {(teams.data ?? []).map((t) => (
                <option key={t.id} value={t.handle}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Overdue" name="overdue">
          {(control) => (
            <select {...control} value={filters.overdue ?? ''} onChange={(event) => set({ overdue: (event.target.value || undefined) as Params['overdue'] })}>
              <option value="">Overdue or not</option>
              <option value="true">Only overdue</option>
            </select>
          )}
        </Field>
        <Field label="Sort" name="sort">
          {(control) => (
            <select {...control} value={filters.sort ?? 'age'} onChange={(event) => set({ sort: event.target.value as Params['sort'] })}>
              <option value="age">Oldest first</option>
              <option value="due">Due date</option>
              <option value="priority">Priority</option>
            </select>
          )}
        </Field>
        <Field label="Group by" name="group">
          {(control) => (
            <select {...control} value={group} onChange={(event) => set({ group: event.target.value === 'none' ? undefined : (event.target.value as GroupBy) })}>
              <option value="none">Nothing</option>
              <option value="team">Team</option>
              <option value="owner">Owner</option>
            </select>
          )}
        </Field>
      </div>
      {items.isPending ? (
        <Loading />
      ) : items.isError ? (
        <QueryError error={items.error} retry={() => void items.refetch()} />
      ) : items.data.length === 0 ? (
        <EmptyState title="No action items match">
          <p>Action items are added on a postmortem’s page.</p>
        </EmptyState>
      ) : group === 'none' ? (
        <ActionItemsTable items={items.data} canWrite={writable} showPostmortem />
      ) : (
        [...groups.entries()].map(([name, list]) => (
          <section key={name} aria-label={name}>
            <h2 className="pm-group-title">
              {name} <span className="small muted">({list.length})</span>
            </h2>
            <ActionItemsTable items={list} canWrite={writable} showPostmortem groupLabel={`Action items: ${name}`} />
          </section>
        ))
      )}
    </>
  );
}
