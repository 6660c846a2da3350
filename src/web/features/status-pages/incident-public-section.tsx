import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Incident } from '../../../contracts/incidents.js';
import type { IncidentStatusPostsView, StatusIncident } from '../../../contracts/status-pages.js';
import type { ComponentStatus } from '../../../core/statuspages/status.js';
import { api } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { canRespond, useIncidentChange } from '../incidents/incidents.api.js';

type PageChoice = IncidentStatusPostsView['pages'][number];
type Post = IncidentStatusPostsView['posts'][number];

const componentStatusNames: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};
const incidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
const impacts = ['none', 'minor', 'major', 'critical'] as const;

/** Under `incidents`, so every live change of the incident re-reads it. */
export const incidentStatusPostsQuery = (incident: Incident, changed: number) => ({
  queryKey: ['incidents', 'status-page-posts', incident.id, changed] as const,
  queryFn: () => api.get<IncidentStatusPostsView>(`/incidents/${encodeURIComponent(incident.id)}/status-page-posts`),
  placeholderData: (previous: IncidentStatusPostsView | undefined) => previous,
});

/**
 * The public status composer on the incident page (docs/status-pages.md, "Publishing from an
 * incident"): its own title and text, written for customers (nothing internal is copied), with the
 * components of impacted services preselected at a status suggested by the severity.
 */
export function IncidentPublicSection({ incident, changed }: { incident: Incident; changed: number }) {
  const session = useSession();
  const data = useQuery(incidentStatusPostsQuery(incident, changed));
  const canAct = canRespond(session);
  return (
    <Section title="Public status" description="What customers read on the status pages. Write it for them: internal notes, names and the incident title never go there by themselves.">
      {data.isPending ? (
        <Loading />
      ) : data.isError ? (
        <QueryError error={data.error} retry={() => void data.refetch()} />
      ) : data.data.pages.length === 0 ? (
        <p className="muted">No status page yet (Status pages in the menu).</p>
      ) : (
        <>
          {data.data.posts.map((post) => (
            <PostedIncident key={post.incident.id} incident={incident} post={post} page={data.data.pages.find((p) => p.id === post.page.id)} canAct={canAct} />
          ))}
          {canAct && <NewPost incident={incident} pages={data.data.pages} first={data.data.posts.length === 0} />}
        </>
      )}
    </Section>
  );
}

/** Each affected component and its new status; `''` leaves one out. */
function ComponentChoices({ page, value, onChange, legend }: { page: PageChoice; value: Record<string, ComponentStatus | ''>; onChange: (next: Record<string, ComponentStatus | ''>) => void; legend: string }) {
  if (page.components.length === 0) return <p className="muted small">This page has no components.</p>;
  return (
    <fieldset className="field">
      <legend>{legend}</legend>
      {page.components.map((c) => {
        const id = `public-component-${page.id}-${c.id}-${legend.length}`;
        return (
          <div key={c.id} className="inline-form" style={{ marginBottom: 4 }}>
            <label htmlFor={id} style={{ minWidth: '12em', display: 'inline-block' }}>
              {c.groupName ? `${c.groupName} / ` : ''}
              {c.name}
            </label>{' '}
            <select id={id} value={value[c.id] ?? ''} onChange={(event) => onChange({ ...value, [c.id]: event.target.value as ComponentStatus | '' })}>
              <option value="">Not affected (now {componentStatusNames[c.status].toLowerCase()})</option>
              {Object.entries(componentStatusNames).map(([status, name]) => (
                <option key={status} value={status}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </fieldset>
  );
}

const affectedList = (value: Record<string, ComponentStatus | ''>) =>
  Object.entries(value)
    .filter((entry): entry is [string, ComponentStatus] => entry[1] !== '')
    .map(([component, status]) => ({ component, status }));

const preselection = (page: PageChoice | undefined): Record<string, ComponentStatus | ''> =>
  Object.fromEntries((page?.components ?? []).filter((c) => c.preselected).map((c) => [c.id, c.suggestedStatus]));

function NewPost({ incident, pages, first }: { incident: Incident; pages: readonly PageChoice[]; first: boolean }) {
  const [pageId, setPageId] = useState(pages[0]?.id ?? '');
  const page = pages.find((p) => p.id === pageId);
  const [name, setName] = useState('');
  const [status, setStatus] = useState<(typeof incidentStatuses)[number]>('investigating');
  const [impact, setImpact] = useState<(typeof impacts)[number]>('minor');
  const [body, setBody] = useState('');
  const [components, setComponents] = useState(() => preselection(pages[0]));
  const [open, setOpen] = useState(first);
  const post = useIncidentChange(
    (input: Record<string, unknown>) => api.post<StatusIncident>(`/incidents/${encodeURIComponent(incident.id)}/status-page-posts`, input),
    () => {
      setName('');
      setBody('');
      setOpen(false);
    },
  );
  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Post another public incident
      </button>
    );
  }
  function choosePage(id: string) {
    setPageId(id);
    setComponents(preselection(pages.find((p) => p.id === id)));
  }
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    post.mutate({ page: pageId, name: name.trim(), status, impact, body: body.trim(), components: affectedList(components) });
  }
  const id = (what: string) => `public-post-${incident.id}-${what}`;
  return (
    <form onSubmit={submit} aria-label="Post to a status page">
      <FormAlert error={post.error} fields={[]} />
      <div className="field">
        <label htmlFor={id('page')}>Status page</label>
        <select id={id('page')} value={pageId} onChange={(event) => choosePage(event.target.value)}>
          {pages.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.visibility})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={id('name')}>Public title</label>
        <input id={id('name')} value={name} maxLength={200} onChange={(event) => setName(event.target.value)} placeholder="What customers notice, e.g. Card payments failing" />
      </div>
      <div className="inline-form">
        <label htmlFor={id('status')}>Status</label>{' '}
        <select id={id('status')} value={status} onChange={(event) => setStatus(event.target.value as (typeof incidentStatuses)[number])}>
          {incidentStatuses.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>{' '}
        <label htmlFor={id('impact')}>Impact</label>{' '}
        <select id={id('impact')} value={impact} onChange={(event) => setImpact(event.target.value as (typeof impacts)[number])}>
          {impacts.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={id('body')}>Public message</label>
        <textarea id={id('body')} rows={3} maxLength={10_000} value={body} onChange={(event) => setBody(event.target.value)} placeholder="What customers see, what we are doing, when we will update next." />
      </div>
      {page && <ComponentChoices page={page} value={components} onChange={setComponents} legend="Affected components" />}
      <button type="submit" className="button button-primary" disabled={!name.trim() || !body.trim() || post.isPending}>
        {post.isPending ? 'Posting…' : 'Post publicly'}
      </button>
    </form>
  );
}

function PostedIncident({ incident, post, page, canAct }: { incident: Incident; post: Post; page: PageChoice | undefined; canAct: boolean }) {
  const latest = post.incident.updates[0];
  const [status, setStatus] = useState<(typeof incidentStatuses)[number]>('monitoring');
  const [body, setBody] = useState('');
  const [components, setComponents] = useState<Record<string, ComponentStatus | ''>>({});
  const update = useIncidentChange(
    (input: Record<string, unknown>) => api.post<StatusIncident>(`/incidents/${encodeURIComponent(incident.id)}/status-page-posts/${encodeURIComponent(post.incident.id)}/updates`, input),
    () => {
      setBody('');
      setComponents({});
    },
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ status, body: body.trim(), components: affectedList(components) });
  }
  const id = (what: string) => `public-update-${post.incident.id}-${what}`;
  const resolved = post.incident.status === 'resolved';
  return (
    <article aria-label={`Public incident on ${post.page.name}`} style={{ borderTop: '1px solid var(--border)', padding: '8px 0' }}>
      <p style={{ margin: 0 }}>
        <strong>{post.incident.name}</strong> on{' '}
        <a href={`/status/${encodeURIComponent(post.page.slug)}`} target="_blank" rel="noreferrer">
          {post.page.name}
        </a>
        : <span className="badge">{post.incident.status}</span> <span className="muted small">impact {post.incident.impact}</span>
      </p>
      {latest && (
        <p className="small" style={{ margin: '4px 0' }}>
          <Time value={latest.displayAt} /> <span className="incident-text">{latest.body}</span>
        </p>
      )}
      {canAct && !resolved && (
        <form onSubmit={submit} aria-label={`Update the public incident on ${post.page.name}`}>
          <FormAlert error={update.error} fields={[]} />
          <div className="inline-form">
            <label htmlFor={id('status')}>New status</label>{' '}
            <select id={id('status')} value={status} onChange={(event) => setStatus(event.target.value as (typeof incidentStatuses)[number])}>
              {incidentStatuses.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={id('body')}>Public update</label>
            <textarea id={id('body')} rows={2} maxLength={10_000} value={body} onChange={(event) => setBody(event.target.value)} />
          </div>
          {page && <ComponentChoices page={page} value={components} onChange={setComponents} legend="Component statuses from this update" />}
          <button type="submit" className="button" disabled={!body.trim() || update.isPending}>
            {update.isPending ? 'Posting…' : 'Post update'}
          </button>
        </form>
      )}
    </article>
  );
}
