import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { roleLabel } from '../incidents/incidents.api.js';
import { draftFromPlaybook, inputFromDraft, PlaybookForm, type PlaybookDraft } from './playbook-form.js';
import { playbooksApi, playbooksQuery, usePlaybookChange, type Playbook } from './playbooks.api.js';

/** Which incidents get a playbook, in words. */
function appliesText(playbook: Playbook): string {
  const rule = playbook.appliesTo;
  if (!rule) return 'Only added by hand';
  const severities = rule.severities.length > 0 ? rule.severities.join(', ') : 'any severity';
  const services = rule.services.length > 0 ? `impacting ${rule.services.join(', ')}` : 'any service';
  return `Every declared incident: ${severities}, ${services}`;
}

/**
 * Playbooks: reusable checklists that declared incidents get as tasks, by severity and service (ADR
 * 0030). Everyone reads them; admins create, edit and delete them. The built-in “first five minutes”
 * checklist is customized (or switched off) by saving a playbook of that name.
 */
export function PlaybooksPage() {
  const session = useSession();
  const admin = isAdmin(session);
  const playbooks = useQuery(playbooksQuery());
  const [editing, setEditing] = useState<{ mode: 'create' | 'edit'; playbook?: Playbook; draft: PlaybookDraft } | null>(null);
  const close = () => setEditing(null);
  const create = usePlaybookChange((draft: PlaybookDraft) => playbooksApi.create(inputFromDraft(draft)), close);
  const save = usePlaybookChange((draft: PlaybookDraft) => {
    const { name: _name, ...rest } = inputFromDraft(draft);
    return playbooksApi.update(draft.name, { ...rest, description: rest.description ?? '', appliesTo: rest.appliesTo ?? null });
  }, close);
  const pending = editing?.mode === 'create' ? create : save;

  return (
    <>
      <PageHeader
        title="Playbooks"
        description="Checklists declared incidents get as tasks, by severity and service. The first five minutes checklist applies to every incident unless you replace it."
        actions={
          admin &&
          !editing && (
            <button type="button" className="button button-primary" onClick={() => setEditing({ mode: 'create', draft: draftFromPlaybook() })}>
              New playbook
            </button>
          )
        }
      />
      {editing && (
        <PlaybookForm
          key={editing.playbook?.name ?? 'new'}
          initial={editing.draft}
          creating={editing.mode === 'create'}
          error={pending.error}
          pending={pending.isPending}
          onSubmit={(draft) => (editing.mode === 'create' ? create.mutate(draft) : save.mutate(draft))}
          onCancel={() => {
            create.reset();
            save.reset();
            close();
          }}
        />
      )}
      {playbooks.isPending ? (
        <Loading />
      ) : playbooks.isError ? (
        <QueryError error={playbooks.error} retry={() => void playbooks.refetch()} />
      ) : (
        playbooks.data.map((playbook) => (
          <PlaybookCard
            key={playbook.name}
            playbook={playbook}
            admin={admin && !editing}
            onEdit={() =>
              setEditing(
                playbook.builtIn
                  ? { mode: 'create', draft: draftFromPlaybook(playbook, playbook.name) }
                  : { mode: 'edit', playbook, draft: draftFromPlaybook(playbook) },
              )
            }
          />
        ))
      )}
    </>
  );
}

function PlaybookCard({ playbook, admin, onEdit }: { playbook: Playbook; admin: boolean; onEdit: () => void }) {
  const remove = usePlaybookChange(() => playbooksApi.remove(playbook.name));
  return (
    <Section
      title={playbook.title}
      description={
        <>
          <code>{playbook.name}</code> · {appliesText(playbook)}
          {playbook.builtIn && ' · built in'}
          {playbook.managedBy === 'config' && ' · managed by config-as-code'}
        </>
      }
      actions={
        admin && (
          <span className="page-actions">
            <button type="button" className="button button-small" onClick={onEdit}>
              {playbook.builtIn ? 'Customize' : 'Edit'}
            </button>
            {!playbook.builtIn && (
              <ConfirmButton
                label="Delete"
                question={playbook.name === 'first-five-minutes' ? `Delete “${playbook.title}”? The built-in first five minutes checklist applies again.` : `Delete “${playbook.title}”? Incidents keep the tasks it gave them.`}
                onConfirm={() => remove.mutate(undefined)}
                pending={remove.isPending}
              />
            )}
          </span>
        )
      }
    >
      {playbook.description && <p className="muted">{playbook.description}</p>}
      <ol className="playbook-items">
        {playbook.items.map((item, i) => (
          <li key={i}>
            <strong>{item.title}</strong>
            {item.ownerRole && <span className="muted small"> · {roleLabel(item.ownerRole)}</span>}
            {item.description && <p className="muted small">{item.description}</p>}
            {item.link && (
              <a href={item.link} target="_blank" rel="noreferrer noopener" className="small">
                {item.link}
              </a>
            )}
          </li>
        ))}
      </ol>
      <FormAlert error={remove.error} />
    </Section>
  );
}
