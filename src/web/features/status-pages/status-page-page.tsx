import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { fieldErrors } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import {
  canRespond,
  canShape,
  componentStatusNames,
  statusIncidentsQuery,
  statusPageQuery,
  statusPagesApi,
  useStatusPageChange,
  type ComponentStatusName,
  type StatusComponent,
  type StatusIncident,
  type StatusPageDetail,
} from './status-pages.api.js';
import { SubscribersSection } from './subscribers-section.js';

const statuses = Object.entries(componentStatusNames) as [ComponentStatusName, string][];
const incidentStatuses = [
  ['investigating', 'Investigating'],
  ['identified', 'Identified'],
  ['monitoring', 'Monitoring'],
  ['resolved', 'Resolved'],
] as const;
type IncidentStatusName = (typeof incidentStatuses)[number][0];

/** `/status-pages/:page`: components and groups, public incidents and maintenance of one page. */
export function StatusPagePage({ page }: { page: string }) {
  const detail = useQuery(statusPageQuery(page));
  if (detail.isPending) return <Loading />;
  if (detail.isError) return <QueryError error={detail.error} retry={() => void detail.refetch()} />;
  const p = detail.data;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/status-pages">Status pages</Link>
      </p>
      <PageHeader
        title={p.name}
        description={
          <>
            {p.visibility === 'public' ? 'Public' : 'Private'} · <a href={`/status/${p.slug}`}>View the public page</a> · <a href={`/status/${p.slug}/api/v2/summary.json`}>summary.json</a>
          </>
        }
      />
      <Components page={p} />
      <PageSettings page={p} />
      <Incidents page={p} />
      <Maintenances page={p} />
      <SubscribersSection page={p} />
    </>
  );
}

function Components({ page }: { page: StatusPageDetail }) {
  const session = useSession();
  const groups = page.components.filter((c) => c.group);
  const top = page.components.filter((c) => c.groupId === null);
  return (
    <Section title="Components" description="Groups hold components (two levels). A group shows its worst component.">
      {page.components.length === 0 ? (
        <p>No components yet.</p>
      ) : (
        <ul className="status-components">
          {top.map((c) => (
            <li key={c.id}>
              <ComponentRow page={page} component={c} siblings={top} />
              {c.group && (
                <ul>
                  {page.components
                    .filter((m) => m.groupId === c.id)
                    .map((m, _index, members) => (
                      <li key={m.id}>
                        <ComponentRow page={page} component={m} siblings={members} />
                      </li>
                    ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {canShape(session) && <AddComponent page={page} groups={groups} />}
    </Section>
  );
}

function ComponentRow({ page, component, siblings }: { page: StatusPageDetail; component: StatusComponent; siblings: readonly StatusComponent[] }) {
  const session = useSession();
  const update = useStatusPageChange(statusPagesApi.updateComponent);
  const remove = useStatusPageChange(statusPagesApi.removeComponent);
  const reorder = useStatusPageChange(statusPagesApi.reorder);
  const index = siblings.findIndex((c) => c.id === component.id);
  /** Swaps this component with its neighbour `by` places away (-1 up, +1 down), in the public order. */
  const move = (by: -1 | 1) => {
    const ids = siblings.map((c) => c.id);
    const other = ids[index + by];
    if (other === undefined) return;
    ids[index + by] = component.id;
    ids[index] = other;
    reorder.mutate([page.id, siblings, ids]);
  };
  const label = `Status of ${component.name}`;
  return (
    <div className="form-row">
      <strong>{component.name}</strong>
      {component.group ? <span> (group)</span> : null}
      {!component.public && <span> · not public</span>}
      {!component.group &&
        (canRespond(session) ? (
          <select aria-label={label} value={component.status} disabled={update.isPending} onChange={(e) => update.mutate([page.id, component.id, { status: e.target.value as ComponentStatusName }])}>
            {statuses.map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        ) : (
          <span> · {componentStatusNames[component.status]}</span>
        ))}
      {canShape(session) && (
        <>
          <button type="button" className="button button-small button-quiet" aria-label={`Move ${component.name} up`} disabled={index <= 0 || reorder.isPending} onClick={() => move(-1)}>
            ↑
          </button>
          <button type="button" className="button button-small button-quiet" aria-label={`Move ${component.name} down`} disabled={index >= siblings.length - 1 || reorder.isPending} onClick={() => move(1)}>
            ↓
          </button>
        </>
      )}
      {canShape(session) && (
        <ConfirmButton
          label={`Remove ${component.name}`}
          question={component.group ? `Remove the group ${component.name}? Its components stay, ungrouped.` : `Remove ${component.name}? Its uptime history goes with it.`}
          pending={remove.isPending}
          onConfirm={() => remove.mutate([page.id, component.id])}
        />
      )}
      <FormAlert error={update.error ?? remove.error ?? reorder.error} />
    </div>
  );
}

function AddComponent({ page, groups }: { page: StatusPageDetail; groups: StatusComponent[] }) {
  const [name, setName] = useState('');
  const [groupId, setGroupId] = useState('');
  const [isGroup, setIsGroup] = useState(false);
  const [isPublic, setIsPublic] = useState(true);
  const add = useStatusPageChange(statusPagesApi.addComponent, () => setName(''));
  const errors = fieldErrors(add.error);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate([page.id, { name, group: isGroup, groupId: isGroup || !groupId ? null : groupId, public: isPublic }]);
  }
  return (
    <form onSubmit={submit} className="form" aria-label="Add component">
      <FormAlert error={add.error} fields={['name', 'groupId']} />
      <Field label="Component name" name="name" error={errors.name}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <label>
        <input type="checkbox" checked={isGroup} onChange={(e) => setIsGroup(e.target.checked)} /> This is a group
      </label>
      {!isGroup && groups.length > 0 && (
        <Field label="In group" name="groupId" error={errors.groupId}>
          {(control) => (
            <select {...control} value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              <option value="">No group</option>
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <label>
        <input type="checkbox" checked={isPublic} onChange={(e) => setIsPublic(e.target.checked)} /> Shown publicly
      </label>
      <button type="submit" className="button" disabled={add.isPending}>
        Add component
      </button>
    </form>
  );
}

function Incidents({ page }: { page: StatusPageDetail }) {
  const session = useSession();
  const incidents = useQuery(statusIncidentsQuery(page.id, 'incidents'));
  return (
    <Section title="Public incidents" description="What you write here is public: write it for customers. Internal notes stay on the internal incident.">
      {incidents.isPending ? <Loading /> : incidents.isError ? <QueryError error={incidents.error} /> : incidents.data.length === 0 ? <p>No public incidents.</p> : incidents.data.map((i) => <IncidentCard key={i.id} page={page} incident={i} />)}
      {canRespond(session) && <PostIncident page={page} />}
    </Section>
  );
}

function IncidentCard({ page, incident }: { page: StatusPageDetail; incident: StatusIncident }) {
  const session = useSession();
  const [status, setStatus] = useState<IncidentStatusName>('identified');
  const [body, setBody] = useState('');
  const [affected, setAffected] = useState<Record<string, ComponentStatusName | ''>>({});
  const post = useStatusPageChange(statusPagesApi.postIncidentUpdate, () => {
    setBody('');
    setAffected({});
  });
  const remove = useStatusPageChange(statusPagesApi.removeIncident);
  const leaves = page.components.filter((c) => !c.group);
  return (
    <article className="card">
      <h3>{incident.name}</h3>
      <p>
        {incident.status} · {incident.impact} impact
      </p>
      {canShape(session) && (
        <ConfirmButton label={`Delete ${incident.name}`} question={`Delete the public incident ${incident.name} with its updates? Only for one posted by mistake: it disappears from the page and its history.`} pending={remove.isPending} onConfirm={() => remove.mutate([page.id, incident.id])} />
      )}
      <FormAlert error={remove.error} />
      <ul>
        {incident.updates.map((u) => (
          <li key={u.id}>
            <strong>{u.status}</strong> — {u.body}
          </li>
        ))}
      </ul>
      {canRespond(session) && incident.status !== 'resolved' && (
        <form
          className="form"
          aria-label={`Update ${incident.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            post.mutate([page.id, incident.id, { status, body, components: chosen(affected) }]);
          }}
        >
          <FormAlert error={post.error} />
          <Field label="New status" name="status">
            {(control) => (
              <select {...control} value={status} onChange={(e) => setStatus(e.target.value as IncidentStatusName)}>
                {incidentStatuses.map(([v, n]) => (
                  <option key={v} value={v}>
                    {n}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Update" name="body">
            {(control) => <textarea {...control} value={body} onChange={(e) => setBody(e.target.value)} required rows={3} />}
          </Field>
          <AffectedComponents components={leaves} value={affected} onChange={setAffected} legend="Component statuses from this update" />
          <button type="submit" className="button" disabled={post.isPending}>
            Post update
          </button>
        </form>
      )}
    </article>
  );
}

function PostIncident({ page }: { page: StatusPageDetail }) {
  const [name, setName] = useState('');
  const [body, setBody] = useState('');
  const [impact, setImpact] = useState<'none' | 'minor' | 'major' | 'critical'>('minor');
  const [affected, setAffected] = useState<Record<string, ComponentStatusName | ''>>({});
  const post = useStatusPageChange(statusPagesApi.postIncident, () => {
    setName('');
    setBody('');
    setAffected({});
  });
  const errors = fieldErrors(post.error);
  const leaves = page.components.filter((c) => !c.group);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    post.mutate([page.id, { name, body, impact, status: 'investigating', components: chosen(affected) }]);
  }
  return (
    <form onSubmit={submit} className="form" aria-label="Post a public incident">
      <h3>Post a public incident</h3>
      <FormAlert error={post.error} fields={['name', 'body', 'impact']} />
      <Field label="Title" name="name" error={errors.name}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field label="Impact" name="impact" error={errors.impact}>
        {(control) => (
          <select {...control} value={impact} onChange={(e) => setImpact(e.target.value as typeof impact)}>
            <option value="none">None</option>
            <option value="minor">Minor</option>
            <option value="major">Major</option>
            <option value="critical">Critical</option>
          </select>
        )}
      </Field>
      <Field label="Message" name="body" error={errors.body} hint="Plain text; line breaks are kept.">
        {(control) => <textarea {...control} value={body} onChange={(e) => setBody(e.target.value)} required rows={4} />}
      </Field>
      <AffectedComponents components={leaves} value={affected} onChange={setAffected} legend="Affected components" />
      <button type="submit" className="button button-primary" disabled={post.isPending}>
        Post incident
      </button>
    </form>
  );
}

function Maintenances({ page }: { page: StatusPageDetail }) {
  const session = useSession();
  const items = useQuery(statusIncidentsQuery(page.id, 'maintenances'));
  const [name, setName] = useState('');
  const [body, setBody] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [components, setComponents] = useState<Set<string>>(new Set());
  // Minutes before the start subscribers are reminded; '' none (Statuspage offers 1, 24 and 72 hours).
  const [remind, setRemind] = useState('60');
  const schedule = useStatusPageChange(statusPagesApi.scheduleMaintenance, () => setName(''));
  const cancel = useStatusPageChange(statusPagesApi.removeMaintenance);
  const errors = fieldErrors(schedule.error);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // datetime-local is the browser's local time; Date turns it into an instant.
    schedule.mutate([page.id, { name, body, scheduledFor: new Date(from).toISOString(), scheduledUntil: new Date(until).toISOString(), components: [...components], remindSubscribersMinutesBefore: remind === '' ? null : Number(remind) }]);
  }
  return (
    <Section title="Scheduled maintenance" description="Moves to in progress and completed at its times; its components show under maintenance meanwhile.">
      {items.isPending ? <Loading /> : items.isError ? <QueryError error={items.error} /> : items.data.length === 0 ? <p>None scheduled.</p> : (
        <ul>
          {items.data.map((m) => (
            <li key={m.id}>
              <strong>{m.name}</strong> · {m.status} · {m.scheduledFor && new Date(m.scheduledFor).toLocaleString()} – {m.scheduledUntil && new Date(m.scheduledUntil).toLocaleString()}
              {m.remindSubscribersMinutesBefore !== null && <> · subscribers reminded {reminderLead(m.remindSubscribersMinutesBefore)} before</>}{' '}
              {canShape(session) && <ConfirmButton label={`Cancel ${m.name}`} question={`Cancel and delete the maintenance ${m.name}?`} pending={cancel.isPending} onConfirm={() => cancel.mutate([page.id, m.id])} />}
            </li>
          ))}
        </ul>
      )}
      <FormAlert error={cancel.error} />
      {canRespond(session) && (
        <form onSubmit={submit} className="form" aria-label="Schedule maintenance">
          <FormAlert error={schedule.error} fields={['name', 'body', 'scheduledFor', 'scheduledUntil', 'remindSubscribersMinutesBefore']} />
          <Field label="Title" name="name" error={errors.name}>
            {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
          </Field>
          <Field label="Message" name="body" error={errors.body}>
            {(control) => <textarea {...control} value={body} onChange={(e) => setBody(e.target.value)} required rows={3} />}
          </Field>
          <Field label="Starts" name="scheduledFor" error={errors.scheduledFor}>
            {(control) => <input {...control} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />}
          </Field>
          <Field label="Ends" name="scheduledUntil" error={errors.scheduledUntil}>
            {(control) => <input {...control} type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} required />}
          </Field>
          <Field label="Remind subscribers" name="remindSubscribersMinutesBefore" error={errors.remindSubscribersMinutesBefore}>
            {(control) => (
              <select {...control} value={remind} onChange={(e) => setRemind(e.target.value)}>
                <option value="">No reminder</option>
                <option value="60">1 hour before</option>
                <option value="1440">24 hours before</option>
                <option value="4320">72 hours before</option>
              </select>
            )}
          </Field>
          <fieldset>
            <legend>Components</legend>
            {page.components
              .filter((c) => !c.group)
              .map((c) => (
                <label key={c.id}>
                  <input
                    type="checkbox"
                    checked={components.has(c.id)}
                    onChange={(e) => {
                      const next = new Set(components);
                      if (e.target.checked) next.add(c.id);
                      else next.delete(c.id);
                      setComponents(next);
                    }}
                  />{' '}
                  {c.name}
                </label>
              ))}
          </fieldset>
          <button type="submit" className="button" disabled={schedule.isPending}>
            Schedule maintenance
          </button>
        </form>
      )}
    </Section>
  );
}

type Affected = Record<string, ComponentStatusName | ''>;

/** The components given a status, as the API takes them (`Not affected` ones left out). */
function chosen(affected: Affected): { component: string; status: ComponentStatusName }[] {
  return Object.entries(affected)
    .filter((entry): entry is [string, ComponentStatusName] => entry[1] !== '')
    .map(([component, status]) => ({ component, status }));
}

/** One status dropdown per component: what the public sees it as from this incident or update on. */
function AffectedComponents({ components, value, onChange, legend }: { components: StatusComponent[]; value: Affected; onChange: (next: Affected) => void; legend: string }) {
  if (components.length === 0) return null;
  return (
    <fieldset>
      <legend>{legend}</legend>
      {components.map((c) => (
        <Field key={c.id} label={`${c.name} becomes`} name={`affected-${c.id}`}>
          {(control) => (
            <select {...control} value={value[c.id] ?? ''} onChange={(e) => onChange({ ...value, [c.id]: e.target.value as ComponentStatusName | '' })}>
              <option value="">Unchanged</option>
              {statuses.map(([v, n]) => (
                <option key={v} value={v}>
                  {n}
                </option>
              ))}
            </select>
          )}
        </Field>
      ))}
    </fieldset>
  );
}

/** Admins: the page's name, visibility, zone, colour, logo and custom domain. */
function PageSettings({ page }: { page: StatusPageDetail }) {
  const session = useSession();
  const [name, setName] = useState(page.name);
  const [visibility, setVisibility] = useState(page.visibility);
  const [timeZone, setTimeZone] = useState(page.timeZone);
  const [brandColor, setBrandColor] = useState(page.brandColor);
  const [logoUrl, setLogoUrl] = useState(page.logoUrl ?? '');
  const [customDomain, setCustomDomain] = useState(page.customDomain ?? '');
  const [footerLinks, setFooterLinks] = useState(page.footerLinks.map((l) => ({ ...l })));
  const [domains, setDomains] = useState(page.allowedEmailDomains.join('\n'));
  const save = useStatusPageChange(statusPagesApi.update);
  const errors = fieldErrors(save.error);
  if (!canShape(session)) return null;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const allowedEmailDomains = domains
      .split(/[\s,]+/)
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean);
    const links = footerLinks.map((l) => ({ label: l.label.trim(), url: l.url.trim() })).filter((l) => l.label || l.url);
    save.mutate([page.id, { name, visibility, timeZone, brandColor, logoUrl: logoUrl.trim() || null, customDomain: customDomain.trim() || null, footerLinks: links, allowedEmailDomains }]);
  }
  return (
    <Section title="Page settings" description="How the page looks, where it is served, and who may see it when private.">
      <form onSubmit={submit} className="form" aria-label="Page settings">
        <FormAlert error={save.error} fields={['name', 'visibility', 'timeZone', 'brandColor', 'logoUrl', 'customDomain', 'allowedEmailDomains']} />
        <Field label="Page name" name="name" error={errors.name}>
          {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Visibility" name="visibility" error={errors.visibility}>
          {(control) => (
            <select {...control} value={visibility} onChange={(e) => setVisibility(e.target.value as 'public' | 'private')}>
              <option value="public">Public</option>
              <option value="private">Private (logged-in users only)</option>
            </select>
          )}
        </Field>
        <Field label="Time zone" name="timeZone" error={errors.timeZone}>
          {(control) => <input {...control} value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />}
        </Field>
        <Field label="Brand colour" name="brandColor" error={errors.brandColor} hint="#rrggbb, used for links.">
          {(control) => <input {...control} value={brandColor} onChange={(e) => setBrandColor(e.target.value)} required />}
        </Field>
        <Field label="Logo URL" name="logoUrl" error={errors.logoUrl} hint="An https:// image address; leave empty for none.">
          {(control) => <input {...control} type="url" value={logoUrl} onChange={(e) => setLogoUrl(e.target.value)} />}
        </Field>
        <Field label="Custom domain" name="customDomain" error={errors.customDomain} hint="For example status.example.com, pointed at Firebreak; the page is then also served at / of that host.">
          {(control) => <input {...control} value={customDomain} onChange={(e) => setCustomDomain(e.target.value)} />}
        </Field>
        <Field label="Allowed email domains" name="allowedEmailDomains" error={errors.allowedEmailDomains} hint="Private pages: only signed-in people with an address in one of these domains (or a subdomain) see the page; admins always. One per line; empty: every signed-in person.">
          {(control) => <textarea {...control} rows={2} value={domains} onChange={(e) => setDomains(e.target.value)} />}
        </Field>
        <fieldset>
          <legend>Footer links</legend>
          {footerLinks.map((link, i) => (
            <div key={i} className="form-row">
              <Field label={`Link ${i + 1} label`} name={`footerLinks.${i}.label`} error={errors[`footerLinks.${i}.label`]}>
                {(control) => <input {...control} value={link.label} onChange={(e) => setFooterLinks(footerLinks.map((l, j) => (j === i ? { ...l, label: e.target.value } : l)))} />}
              </Field>
              <Field label={`Link ${i + 1} URL`} name={`footerLinks.${i}.url`} error={errors[`footerLinks.${i}.url`]}>
                {(control) => <input {...control} type="url" value={link.url} onChange={(e) => setFooterLinks(footerLinks.map((l, j) => (j === i ? { ...l, url: e.target.value } : l)))} />}
              </Field>
              <button type="button" className="button button-small button-quiet" onClick={() => setFooterLinks(footerLinks.filter((_, j) => j !== i))}>
                Remove link {i + 1}
              </button>
            </div>
          ))}
          {footerLinks.length < 10 && (
            <button type="button" className="button button-small" onClick={() => setFooterLinks([...footerLinks, { label: '', url: '' }])}>
              Add footer link
            </button>
          )}
        </fieldset>
        <button type="submit" className="button" disabled={save.isPending}>
          Save settings
        </button>
        {save.isSuccess && <p role="status">Saved.</p>}
      </form>
    </Section>
  );
}

/** "1 hour", "24 hours", "90 minutes": how long before a maintenance its subscribers are reminded. */
function reminderLead(minutes: number): string {
  if (minutes % 60 !== 0) return `${minutes} minutes`;
  const hours = minutes / 60;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}
