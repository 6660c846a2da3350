import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { Field, formText } from '../../ui/field.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { auditQuery, type AuditFilter } from './audit.api.js';
import { AuditEntryRow } from './audit-entry-row.js';

/** Who changed what, and when: every change made through the API, newest first (admins only). */
export function AuditPage() {
  const session = useSession();
  const [filter, setFilter] = useState<AuditFilter>({ action: '', targetType: '' });
  const audit = useInfiniteQuery({ ...auditQuery(filter), enabled: isAdmin(session) });

  if (!isAdmin(session)) {
    return <EmptyState title="Admins only">The audit log is visible to admins and owners.</EmptyState>;
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setFilter({ action: formText(data, 'action'), targetType: formText(data, 'targetType') });
  }

  const entries = audit.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Section title="Audit log" description="Every change made through the web app, the API or the CLI.">
      <form className="form-row form-row-end filters" onSubmit={submit} aria-label="Filter the audit log">
        <Field label="Action" name="action" hint="For example team.create or token.create.">
          {(control) => <input {...control} defaultValue={filter.action} spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label="Target type" name="targetType" hint="For example team, user or token.">
          {(control) => <input {...control} defaultValue={filter.targetType} spellCheck={false} autoComplete="off" />}
        </Field>
        <button type="submit" className="button">
          Filter
        </button>
      </form>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <QueryError error={audit.error} retry={() => void audit.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState title="No entries">{filter.action || filter.targetType ? 'Nothing matches this filter.' : 'Nothing has changed yet.'}</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <AuditEntryRow key={entry.id} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
          <div className="form-actions">
            {audit.hasNextPage ? (
              <button type="button" className="button" onClick={() => void audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
                {audit.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
              </button>
            ) : (
              <span className="muted">That is everything.</span>
            )}
          </div>
        </>
      )}
    </Section>
  );
}
