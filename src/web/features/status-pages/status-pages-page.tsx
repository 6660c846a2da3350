import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { fieldErrors } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { Field, FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { canShape, statusPagesApi, statusPagesQuery, useStatusPageChange } from './status-pages.api.js';

/** `/status-pages`: every status page with its public address; admins create new ones here. */
export function StatusPagesPage() {
  const session = useSession();
  const pages = useQuery(statusPagesQuery());
  return (
    <>
      <PageHeader title="Status pages" description="What customers see during an outage: components, public incidents and maintenance, at /status/<slug> and in Statuspage-compatible JSON." />
      {pages.isPending ? (
        <Loading />
      ) : pages.isError ? (
        <QueryError error={pages.error} retry={() => void pages.refetch()} />
      ) : pages.data.length === 0 ? (
        <EmptyState title="No status pages yet">{canShape(session) ? <p>Create one below, then add its components.</p> : <p>An admin creates status pages.</p>}</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Visibility</th>
                <th scope="col">Public address</th>
              </tr>
            </thead>
            <tbody>
              {pages.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link href={`/status-pages/${p.slug}`}>{p.name}</Link>
                  </td>
                  <td>{p.visibility === 'public' ? 'Public' : 'Private (logged-in users)'}</td>
                  <td>
                    <a href={`/status/${p.slug}`}>/status/{p.slug}</a>
                    {p.customDomain && <> · {p.customDomain}</>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canShape(session) && <CreateStatusPage />}
    </>
  );
}

function CreateStatusPage() {
  const [, navigate] = useLocation();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const create = useStatusPageChange(statusPagesApi.create, (page) => navigate(`/status-pages/${page.slug}`));
  const errors = fieldErrors(create.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate([{ slug, name, visibility, timeZone }]);
  }

  return (
    <Section title="New status page">
      <form onSubmit={submit} className="form" aria-label="New status page">
        <FormAlert error={create.error} fields={['slug', 'name', 'visibility', 'timeZone']} />
        <Field label="Name" name="name" error={errors.name}>
          {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Slug" name="slug" error={errors.slug} hint="The address: /status/<slug>. Lowercase letters, digits and hyphens.">
          {(control) => <input {...control} value={slug} onChange={(e) => setSlug(e.target.value)} required />}
        </Field>
        <Field label="Visibility" name="visibility" error={errors.visibility}>
          {(control) => (
            <select {...control} value={visibility} onChange={(e) => setVisibility(e.target.value as 'public' | 'private')}>
              <option value="public">Public</option>
              <option value="private">Private (logged-in users only)</option>
            </select>
          )}
        </Field>
        <Field label="Time zone" name="timeZone" error={errors.timeZone} hint="Times on the page are shown in this zone.">
          {(control) => <input {...control} value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />}
        </Field>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Create status page
        </button>
      </form>
    </Section>
  );
}
