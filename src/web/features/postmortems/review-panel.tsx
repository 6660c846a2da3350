import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSession } from '../../app/session.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { FormActions } from '../../ui/form-actions.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { statusIncidentsQuery, statusPagesQuery } from '../status-pages/status-pages.api.js';
import { MarkdownView } from './section-editor.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { agendaQuery, postmortemsApi, publicationsQuery, usePostmortemChange, type Postmortem, type Publication, type PublicVersion, type TransitionAction } from './postmortems.api.js';

/**
 * Review and publication: named reviewers and their decisions, the state changes (submit, withdraw,
 * publish, reopen), the review meeting's agenda and informal round, and the public version.
 */
export function ReviewPanel({ pm, canWrite, dirty }: { pm: Postmortem; canWrite: boolean; dirty: boolean }) {
  return (
    <>
      <ReviewersSection pm={pm} canWrite={canWrite} dirty={dirty} />
      <MeetingSection pm={pm} canWrite={canWrite && pm.status !== 'published'} />
      {canWrite && <PublicVersionSection pm={pm} />}
    </>
  );
}

const decisionNames = { approved: 'Approved', changes_requested: 'Changes requested' } as const;

function ReviewersSection({ pm, canWrite, dirty }: { pm: Postmortem; canWrite: boolean; dirty: boolean }) {
  const session = useSession();
  const [editing, setEditing] = useState(false);
  const [reopening, setReopening] = useState(false);
  const reviewers = usePostmortemChange((list: string[]) => postmortemsApi.setReviewers(pm.id, pm.version, list), () => setEditing(false));
  const transition = usePostmortemChange(({ action, reason }: { action: TransitionAction; reason?: string }) => postmortemsApi.transition(pm.id, pm.version, action, reason), () => setReopening(false));
  const review = usePostmortemChange((input: { decision: 'approved' | 'changes_requested'; comment?: string }) => postmortemsApi.review(pm.id, input));
  const me = pm.reviewers.find((r) => r.id === session.user.id);
  const [comment, setComment] = useState('');

  const saveReviewers = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const list = formText(new FormData(event.currentTarget), 'reviewers').split(',').map((r) => r.trim()).filter(Boolean);
    reviewers.mutate(list);
  };
  const act = (action: TransitionAction, reason?: string) => transition.mutate(reason ? { action, reason } : { action });

  return (
    <Section
      title="Review"
      description="Draft → in review → published. Submitting emails the named reviewers; publishing needs every one’s approval."
      actions={
        canWrite &&
        !editing && (
          <button type="button" className="button" onClick={() => setEditing(true)}>
            Choose reviewers
          </button>
        )
      }
    >
      {editing && (
        <form className="form" onSubmit={saveReviewers} aria-label="Choose reviewers">
          <FormAlert error={reviewers.error} fields={['reviewers']} />
          <Field label="Reviewers" name="reviewers" hint="User handles, comma-separated.">
            {(control) => <input {...control} className="input" defaultValue={pm.reviewers.map((r) => r.handle).join(', ')} />}
          </Field>
          <FormActions pending={reviewers.isPending} submitLabel="Save reviewers" onCancel={() => setEditing(false)} />
        </form>
      )}
      {pm.reviewers.length === 0 ? (
        <p className="muted">No reviewers named yet.</p>
      ) : (
        <ul className="pm-reviewers" aria-label="Reviewers">
          {pm.reviewers.map((r) => (
            <li key={r.id}>
              <strong>{r.name}</strong>{' '}
              {r.decision ? (
                <span className={r.decision === 'approved' ? 'badge badge-active' : 'badge pm-overdue'}>{decisionNames[r.decision]}</span>
              ) : (
                <span className="muted small">No decision yet</span>
              )}
              {r.decidedAt && (
                <span className="small muted">
                  {' '}
                  <Time value={r.decidedAt} />
                </span>
              )}
              {r.comment && <span className="small"> — {r.comment}</span>}
            </li>
          ))}
        </ul>
      )}
      {me && pm.status === 'in_review' && (
        <div className="form" role="group" aria-label="Your review">
          <Field label="Comment for the author (optional)" name="review-comment">
            {(control) => <input {...control} className="input" value={comment} maxLength={5000} onChange={(event) => setComment(event.target.value)} />}
          </Field>
          <div className="row-buttons">
            <button type="button" className="button button-primary" disabled={review.isPending} onClick={() => review.mutate({ decision: 'approved', ...(comment.trim() ? { comment: comment.trim() } : {}) })}>
              Approve
            </button>
            <button type="button" className="button" disabled={review.isPending} onClick={() => review.mutate({ decision: 'changes_requested', ...(comment.trim() ? { comment: comment.trim() } : {}) })}>
              Request changes
            </button>
          </div>
          <FormAlert error={review.error} />
        </div>
      )}
      {canWrite && (
        <div className="row-buttons pm-transitions">
          {dirty && <span className="small muted">Save your changes before changing the state.</span>}
          {pm.status === 'draft' && (
            <button type="button" className="button button-primary" disabled={dirty || transition.isPending} onClick={() => act('submit')}>
              Submit for review
            </button>
          )}
          {pm.status === 'in_review' && (
            <>
              <button type="button" className="button button-primary" disabled={dirty || transition.isPending} onClick={() => act('publish')}>
                Publish
              </button>
              <button type="button" className="button" disabled={dirty || transition.isPending} onClick={() => act('withdraw')}>
                Back to draft
              </button>
            </>
          )}
          {pm.status === 'published' && !reopening && (
            <button type="button" className="button" onClick={() => setReopening(true)}>
              Reopen
            </button>
          )}
        </div>
      )}
      {reopening && (
        <form
          className="form"
          aria-label="Reopen the postmortem"
          onSubmit={(event) => {
            event.preventDefault();
            act('reopen', formText(new FormData(event.currentTarget), 'reason'));
          }}
        >
          <Field label="Why reopen" name="reason">
            {(control) => <input {...control} className="input" required maxLength={2000} />}
          </Field>
          <FormActions pending={transition.isPending} submitLabel="Reopen" onCancel={() => setReopening(false)} />
        </form>
      )}
      <FormAlert error={transition.error} />
      {pm.submittedAt && (
        <p className="small muted">
          Submitted <Time value={pm.submittedAt} />
          {pm.publishedAt && (
            <>
              {' '}
              · published <Time value={pm.publishedAt} />
            </>
          )}
        </p>
      )}
    </Section>
  );
}

const roundNames = { worked: 'What worked', didnt: 'What didn’t', start: 'Start doing', stop: 'Stop doing', improve: 'Improve', notes: 'Other notes' } as const;
type RoundKey = keyof typeof roundNames;

/** The review meeting: the agenda generated from the document, and the informal round's notes saved into the postmortem. */
function MeetingSection({ pm, canWrite }: { pm: Postmortem; canWrite: boolean }) {
  const [showAgenda, setShowAgenda] = useState(false);
  const agenda = useQuery({ ...agendaQuery(pm.id), enabled: showAgenda });
  const session = useSession();
  const save = usePostmortemChange((notes: Partial<Record<RoundKey, string>>) => postmortemsApi.update(pm.id, { baseVersion: pm.version, reviewNotes: notes }, session.csrfToken));
  const prompts = new Map(agenda.data?.informalRound.map((r) => [r.key, r.prompt]) ?? []);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const notes: Partial<Record<RoundKey, string>> = {};
    for (const key of Object.keys(roundNames) as RoundKey[]) {
      const text = formText(data, key);
      if (text) notes[key] = text;
    }
    save.mutate(notes);
  };
  return (
    <Section
      title="Review meeting"
      description="An agenda generated from the document, and an informal round for small teams."
      actions={
        <button type="button" className="button" aria-expanded={showAgenda} onClick={() => setShowAgenda((v) => !v)}>
          {showAgenda ? 'Hide agenda' : 'Show agenda'}
        </button>
      }
    >
      {showAgenda &&
        (agenda.isPending ? (
          <Loading />
        ) : agenda.isError ? (
          <QueryError error={agenda.error} retry={() => void agenda.refetch()} />
        ) : (
          <div className="pm-agenda" aria-label="Agenda">
            <h3>{agenda.data.title}</h3>
            <ol>
              {agenda.data.items.map((item) => (
                <li key={item.heading}>
                  <strong>{item.heading}</strong> <span className="small muted">({item.minutes} min)</span>
                  <ul>
                    {item.points.map((point, i) => (
                      <li key={i}>{point}</li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
            <details>
              <summary>Agenda as Markdown</summary>
              <MarkdownView markdown={agenda.data.markdown} label="Agenda as Markdown" />
            </details>
          </div>
        ))}
      <form className="form" onSubmit={submit} aria-label="Informal round">
        <div className="pm-round">
          {(Object.keys(roundNames) as RoundKey[]).map((key) => (
            <Field key={`${key}-${pm.version}`} label={roundNames[key]} name={key} hint={key === 'notes' ? undefined : prompts.get(key)}>
              {(control) => <textarea {...control} className="input" rows={3} defaultValue={pm.reviewNotes?.[key] ?? ''} readOnly={!canWrite} />}
            </Field>
          ))}
        </div>
        <FormAlert error={save.error} />
        {canWrite && <FormActions pending={save.isPending} submitLabel="Save meeting notes" />}
      </form>
    </Section>
  );
}

/** The public version: the sections not marked internal (or those chosen), published to a status-page incident. */
function PublicVersionSection({ pm }: { pm: Postmortem }) {
  const pages = useQuery(statusPagesQuery());
  const [page, setPage] = useState('');
  const incidents = useQuery({ ...statusIncidentsQuery(page, 'incidents'), enabled: page !== '' });
  const [published, setPublished] = useState<PublicVersion | null>(null);
  const publish = usePostmortemChange((input: { statusPageIncident: string; sections: string[] }) => postmortemsApi.publishPublic(pm.id, input), setPublished);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    publish.mutate({ statusPageIncident: formText(data, 'statusPageIncident'), sections: data.getAll('sections').map(String) });
  };
  return (
    <Section title="Public version" description="Publish the sections meant for customers to a status-page incident, which then links to it.">
      <Publications pm={pm} onWithdrawn={() => setPublished(null)} />
      {pm.status !== 'published' ? (
        <p className="muted">Publish the postmortem first (Review): the public version is made from the approved text.</p>
      ) : pages.isError ? (
        <QueryError error={pages.error} />
      ) : (pages.data ?? []).length === 0 ? (
        <p className="muted">No status pages yet.</p>
      ) : (
        <form className="form" onSubmit={submit} aria-label="Publish the public version">
          <FormAlert error={publish.error} />
          <div className="form-row">
            <Field label="Status page" name="statusPage">
              {(control) => (
                <select {...control} value={page} onChange={(event) => setPage(event.target.value)}>
                  <option value="">Choose…</option>
                  {(pages.data ?? []).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Status-page incident" name="statusPageIncident">
              {(control) => (
                <select {...control} required disabled={!incidents.data}>
                  {(incidents.data ?? []).map((i) => (
                    <option key={i.id} value={i.id}>
                      {i.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <fieldset className="field">
            <legend>Sections to publish</legend>
            {pm.sections.map((s) => (
              <label key={s.key} className="checkbox">
                <input type="checkbox" name="sections" value={s.key} defaultChecked={!s.internal} /> {s.title}
                {s.internal && <span className="small muted"> (internal)</span>}
              </label>
            ))}
          </fieldset>
          <FormActions pending={publish.isPending} submitLabel="Publish public version" pendingLabel="Publishing…" />
        </form>
      )}
      {published && (
        <p role="status">
          Published: <a href={published.url}>{published.url}</a>
        </p>
      )}
    </Section>
  );
}

/**
 * Where the public version is published now, each with **Withdraw**: the status-page incident stops
 * linking to it and its address answers 404 (publishing again makes a new address).
 */
function Publications({ pm, onWithdrawn }: { pm: Postmortem; onWithdrawn: () => void }) {
  const publications = useQuery(publicationsQuery(pm.id));
  const withdraw = usePostmortemChange((statusPageIncident: string | undefined) => postmortemsApi.withdrawPublic(pm.id, statusPageIncident), onWithdrawn);
  if (publications.isPending) return <Loading />;
  if (publications.isError) return <QueryError error={publications.error} retry={() => void publications.refetch()} />;
  if (publications.data.length === 0) return null;
  const where = (p: Publication) => (p.statusPageIncident ? `${p.statusPageIncident.page.name}: ${p.statusPageIncident.name}` : 'a status-page incident that was deleted');
  return (
    <>
      <ul className="pm-publications" aria-label="Published public versions">
        {publications.data.map((p) => (
          <li key={p.id}>
            <span>
              On {where(p)} — <a href={p.url}>{p.title}</a>{' '}
              <span className="small muted">
                (<Time value={p.publishedAt} /> by {p.publishedBy})
              </span>
            </span>
            {/* Without its status-page incident it is already withdrawn (its address answers 404). */}
            {p.statusPageIncident && (
              <ConfirmButton
                label="Withdraw"
                question={`Withdraw the public version from ${where(p)}? The status page stops linking to it and its address stops working.`}
                pending={withdraw.isPending}
                onConfirm={() => withdraw.mutate(p.statusPageIncident?.id)}
              />
            )}
          </li>
        ))}
      </ul>
      <FormAlert error={withdraw.error} />
    </>
  );
}
