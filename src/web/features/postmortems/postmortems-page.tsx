import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { fieldErrors } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { EmptyState, Loading, PageHeader, QueryError } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { ServiceFilter } from '../services/service-filter.js';
import { PostmortemStatusBadge } from './postmortem-badges.js';
import { canEditTemplates, canWrite, postmortemsApi, postmortemsQuery, statusNames, templatesQuery, usePostmortemChange, type CreatePostmortemInput, type PostmortemFilters, type PostmortemStatus } from './postmortems.api.js';
import './postmortems.css';

const filterKeys = ['q', 'status', 'tag', 'service', 'owner', 'from', 'to'] as const;
type FilterKey = (typeof filterKeys)[number];

/** Filters and the search live in the address (bookmarkable, shareable). */
function filtersFromSearch(search: string): Partial<Record<FilterKey, string>> {
  const params = new URLSearchParams(search);
  return Object.fromEntries(filterKeys.map((k) => [k, params.get(k) || undefined]).filter(([, v]) => v));
}

/** A date input's day as the instant it starts (UTC): the API's `from`/`to` are instants. */
const dayStart = (day: string | undefined) => (day ? `${day}T00:00:00Z` : undefined);

/** `…the «pool» was…` → text with <mark>: the server wraps matches in « ». */
export function Snippet({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  const re = /«([^»]*)»/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    parts.push(text.slice(last, m.index), <mark key={m.index}>{m[1]}</mark>);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return <span className="small muted pm-snippet">{parts}</span>;
}

/** `/postmortems`: search (full text, tags, services, dates) and the list; start a standalone one. */
export function PostmortemsPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const filters = filtersFromSearch(useSearch());
  const [cursors, setCursors] = useState<string[]>([]);
  const [starting, setStarting] = useState(false);
  const query: PostmortemFilters = { ...filters, from: dayStart(filters.from), to: dayStart(filters.to), cursor: cursors.at(-1) };
  const list = useQuery(postmortemsQuery(query));

  function setFilters(change: Partial<Record<FilterKey, string | undefined>>) {
    setCursors([]);
    const next = { ...filters, ...change };
    const params = new URLSearchParams();
    for (const key of filterKeys) if (next[key]) params.set(key, next[key] as string);
    const qs = params.toString();
    navigate(`/postmortems${qs ? `?${qs}` : ''}`, { replace: true });
  }

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFilters({ q: formText(new FormData(event.currentTarget), 'q') || undefined });
  };

  const items = list.data?.items ?? [];
  const filtered = Object.keys(filters).length > 0;
  return (
    <>
      <PageHeader
        title="Postmortems"
        description="Blameless reports of what happened, why, and what will stop it happening again."
        actions={
          <>
            <Link href="/action-items" className="button pm-action">
              Action items
            </Link>
            {canEditTemplates(session) && (
              <Link href="/postmortems/templates" className="button pm-action">
                Templates
              </Link>
            )}
            {canWrite(session) && !starting && (
              <button type="button" className="button button-primary pm-action" onClick={() => setStarting(true)}>
                New postmortem
              </button>
            )}
          </>
        }
      />
      {starting && <NewPostmortemForm onCancel={() => setStarting(false)} />}
      <form className="form-row filters pm-search" role="search" aria-label="Search postmortems" onSubmit={onSearch}>
        <Field label="Search" name="q" hint="All words must match; end a word with * for a prefix.">
          {(control) => <input {...control} type="search" className="input" defaultValue={filters.q ?? ''} key={filters.q ?? ''} maxLength={200} />}
        </Field>
        <div className="form-row-end">
          <button type="submit" className="button">
            Search
          </button>
        </div>
      </form>
      <div className="form-row filters">
        <Field label="Status" name="status">
          {(control) => (
            <select {...control} value={filters.status ?? ''} onChange={(event) => setFilters({ status: event.target.value || undefined })}>
              <option value="">Any status</option>
              {(Object.entries(statusNames) as Array<[PostmortemStatus, string]>).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ServiceFilter value={filters.service} onChange={(service) => setFilters({ service })} />
        <Field label="Tag" name="tag">
          {(control) => <input {...control} className="input" defaultValue={filters.tag ?? ''} key={filters.tag ?? ''} onBlur={(event) => event.target.value.trim() !== (filters.tag ?? '') && setFilters({ tag: event.target.value.trim() || undefined })} />}
        </Field>
        <Field label="Owner" name="owner">
          {(control) => (
            <select {...control} value={filters.owner ?? ''} onChange={(event) => setFilters({ owner: event.target.value || undefined })}>
              <option value="">Anyone</option>
              <option value="me">Me</option>
            </select>
          )}
        </Field>
        <Field label="From" name="from">
          {(control) => <input {...control} type="date" className="input" value={filters.from ?? ''} onChange={(event) => setFilters({ from: event.target.value || undefined })} />}
        </Field>
        <Field label="Before" name="to">
          {(control) => <input {...control} type="date" className="input" value={filters.to ?? ''} onChange={(event) => setFilters({ to: event.target.value || undefined })} />}
        </Field>
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <QueryError error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={filtered ? 'No postmortems match' : 'No postmortems yet'}>
          <p>{filtered ? 'Try fewer words or filters.' : 'Start one from a resolved incident’s page (“Start postmortem”), or here for a launch or other event worth recording.'}</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table table-stack" aria-label="Postmortems">
              <thead>
                <tr>
                  <th scope="col">Postmortem</th>
                  <th scope="col">Status</th>
                  <th scope="col">Occurred</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Due</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((pm) => (
                  <tr key={pm.id}>
                    <td>
                      <Link href={`/postmortems/${pm.reference}`} className="row-title">
                        {pm.reference} {pm.title}
                      </Link>
                      <span className="small muted">
                        {[pm.incidentReference, pm.severity, pm.services.map((s) => s.name).join(', '), pm.tags.map((t) => `#${t}`).join(' ')].filter(Boolean).join(' · ')}
                      </span>
                      {pm.snippet && <Snippet text={pm.snippet} />}
                    </td>
                    <td data-label="Status">
                      <PostmortemStatusBadge status={pm.status} />
                      {pm.overdue && <span className="badge pm-overdue">Overdue</span>}
                    </td>
                    <td data-label="Occurred">
                      <Time value={pm.occurredAt} />
                    </td>
                    <td data-label="Owner">{pm.owner?.name ?? <span className="muted">Nobody</span>}</td>
                    <td data-label="Due">
                      <Time value={pm.dueAt} />
                    </td>
                    <td data-label="Updated">
                      <Time value={pm.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            {cursors.length > 0 && (
              <button type="button" className="button button-small" onClick={() => setCursors([])}>
                First page
              </button>
            )}
            {list.data.nextCursor && (
              <button type="button" className="button button-small" onClick={() => setCursors([...cursors, list.data.nextCursor ?? ''])}>
                More
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}

/** A postmortem from an incident (drafted from it) or standalone (a launch, a near miss). */
function NewPostmortemForm({ onCancel }: { onCancel: () => void }) {
  const [, navigate] = useLocation();
  const templates = useQuery(templatesQuery());
  const create = usePostmortemChange((input: CreatePostmortemInput) => postmortemsApi.create(input), (pm) => navigate(`/postmortems/${pm.reference}`));
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const incident = formText(data, 'incident');
    const title = formText(data, 'title');
    const template = formText(data, 'template');
    create.mutate({ ...(incident ? { incident } : {}), ...(title ? { title } : {}), ...(template ? { template } : {}) });
  };
  return (
    <form className="form card" onSubmit={submit} aria-label="New postmortem">
      <FormAlert error={create.error} fields={['incident', 'title', 'template']} />
      <Field label="Incident" name="incident" error={errors.incident} hint="For example INC-42: the postmortem is drafted from it. Leave empty for a standalone one.">
        {(control) => <input {...control} className="input" maxLength={128} />}
      </Field>
      <Field label="Title" name="title" error={errors.title} hint="Default: the incident’s title.">
        {(control) => <input {...control} className="input" maxLength={500} />}
      </Field>
      <Field label="Template" name="template" error={errors.template}>
        {(control) => (
          <select {...control} defaultValue="">
            <option value="">Standard (default)</option>
            {(templates.data ?? []).map((t) => (
              <option key={t.handle} value={t.handle}>
                {t.title}
              </option>
            ))}
          </select>
        )}
      </Field>
      <FormActions pending={create.isPending} submitLabel="Start postmortem" pendingLabel="Drafting…" onCancel={onCancel} />
    </form>
  );
}
