import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { fieldErrors, isApiError } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { SecretOnce } from '../../ui/secret-once.js';
import { Time } from '../../ui/time.js';
import {
  canShape,
  statusPagesApi,
  statusSubscribersQuery,
  useStatusPageChange,
  type CreatedSubscriber,
  type CreateSubscriber,
  type StatusComponent,
  type StatusPageDetail,
  type Subscriber,
  type SubscriberKind,
} from './status-pages.api.js';

const kindNames: Record<SubscriberKind, string> = { email: 'Email', webhook: 'Webhook', slack: 'Slack', teams: 'Microsoft Teams' };
const kinds = Object.keys(kindNames) as SubscriberKind[];

/** Long addresses and hosts wrap anywhere rather than pushing a phone's screen sideways. */
const wrap = { overflowWrap: 'anywhere', minWidth: 0 } as const;

/**
 * The Subscribers section of a status page's admin screen (docs/status-pages.md, "Subscribers"):
 * how many of each kind, the list with each one's components and last failed delivery, and adding,
 * re-scoping and removing them. Admins only, as the API: the list holds people's email addresses.
 */
export function SubscribersSection({ page }: { page: StatusPageDetail }) {
  const session = useSession();
  if (!canShape(session)) return null;
  return <Subscribers page={page} />;
}

function Subscribers({ page }: { page: StatusPageDetail }) {
  const [kind, setKind] = useState<SubscriberKind | ''>('');
  const [created, setCreated] = useState<CreatedSubscriber | null>(null);
  const list = useInfiniteQuery(statusSubscribersQuery(page.id, kind));
  const counts = list.data?.pages[0]?.counts;
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filterId = useId();
  return (
    <Section
      title="Subscribers"
      description="Told of public incidents, maintenance and component changes on this page. People sign up on the public page and confirm by email; subscribers you add here count as confirmed."
    >
      {counts && (
        <ul aria-label="Subscribers by kind" style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 16px', listStyle: 'none', padding: 0, margin: '0 0 12px' }}>
          {kinds.map((k) => (
            <li key={k}>
              {kindNames[k]}: <strong>{counts[k]}</strong>
            </li>
          ))}
        </ul>
      )}
      <div className="inline-form">
        <label htmlFor={filterId}>Show</label>{' '}
        <select id={filterId} value={kind} style={{ width: 'auto', maxWidth: '100%' }} onChange={(e) => setKind(e.target.value as SubscriberKind | '')}>
          <option value="">Every kind</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {kindNames[k]}
            </option>
          ))}
        </select>
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <QueryError error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p>{kind ? `No ${kindNames[kind]} subscribers.` : 'No subscribers yet.'}</p>
      ) : (
        <ul aria-label="Subscribers" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {items.map((s) => (
            <li key={s.id} style={{ borderTop: '1px solid var(--border)', padding: '10px 0', ...wrap }}>
              <SubscriberRow page={page} subscriber={s} />
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" className="button button-small" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {list.isFetchingNextPage ? 'Loading…' : 'Show more subscribers'}
        </button>
      )}
      {created?.signingSecret && <SigningSecret created={created} secret={created.signingSecret} onDone={() => setCreated(null)} />}
      <AddSubscriber page={page} onCreated={setCreated} />
    </Section>
  );
}

const shortKindNames: Record<SubscriberKind, string> = { email: 'Email', webhook: 'Webhook', slack: 'Slack', teams: 'Teams' };

/**
 * How a subscriber is named in labels and questions: its address, or its kind and host. `short` is for
 * the text of a button, which does not wrap: a long target is cut in the middle (its start and its
 * domain stay) to fit a phone; the row above shows it whole.
 */
function describe(s: Subscriber, short = false): string {
  const max = 18;
  const target = !short || s.target.length <= max ? s.target : `${s.target.slice(0, 7)}…${s.target.slice(-(max - 8))}`;
  return s.kind === 'email' ? target : `${(short ? shortKindNames : kindNames)[s.kind]} ${target}`;
}

function SubscriberRow({ page, subscriber: s }: { page: StatusPageDetail; subscriber: Subscriber }) {
  const [editing, setEditing] = useState(false);
  const remove = useStatusPageChange(statusPagesApi.removeSubscriber);
  const name = describe(s);
  return (
    <>
      <p style={{ margin: 0, ...wrap }}>
        <strong>{s.target}</strong> <span className="badge">{kindNames[s.kind]}</span> <span className="badge">{s.confirmed ? 'Confirmed' : 'Pending confirmation'}</span>
      </p>
      <p className="small" style={{ margin: '4px 0', ...wrap }}>
        Components: {s.components.length === 0 ? 'all, and every incident' : s.components.map((c) => c.name).join(', ')}
        {s.kind !== 'email' && s.email && <> · failure notices to {s.email}</>}
        {' · '}
        {s.confirmed ? (
          <>
            since <Time value={s.confirmedAt ?? s.createdAt} />
          </>
        ) : (
          <>
            signed up <Time value={s.createdAt} />
          </>
        )}
      </p>
      {s.lastFailure && (
        <p className="small" style={{ margin: '4px 0', color: 'var(--danger)', ...wrap }}>
          Last delivery failed <Time value={s.lastFailure.at} />: {s.lastFailure.message}
        </p>
      )}
      {editing ? (
        <EditComponents page={page} subscriber={s} name={name} onDone={() => setEditing(false)} />
      ) : (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
          <button type="button" className="button button-small" aria-label={`Change components of ${name}`} onClick={() => setEditing(true)}>
            Change components
          </button>
          <ConfirmButton
            label={`Remove ${describe(s, true)}`}
            question={`Remove ${name}? It gets nothing more from this page${s.kind === 'email' ? ' and is not told' : ''}.`}
            pending={remove.isPending}
            onConfirm={() => remove.mutate([page.id, s.id])}
          />
        </div>
      )}
      <FormAlert error={remove.error} />
    </>
  );
}

function EditComponents({ page, subscriber, name, onDone }: { page: StatusPageDetail; subscriber: Subscriber; name: string; onDone: () => void }) {
  const [chosen, setChosen] = useState(() => new Set(subscriber.components.map((c) => c.id)));
  const save = useStatusPageChange(statusPagesApi.updateSubscriber, onDone);
  const errors = fieldErrors(save.error);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate([page.id, subscriber.id, { components: [...chosen] }]);
  }
  return (
    <form onSubmit={submit} className="form" aria-label={`Components of ${name}`} style={{ gap: 8 }}>
      <FormAlert error={save.error} fields={componentKeys(errors)} />
      <ComponentChoices components={choices(page.components, chosen)} value={chosen} onChange={setChosen} error={componentError(errors)} />
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
        <button type="submit" className="button button-small button-primary" disabled={save.isPending}>
          Save components
        </button>
        <button type="button" className="button button-small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * Field messages of a refused request: validation errors, and a conflict that names its field (an
 * address that already subscribes), so both show under the field concerned.
 */
function fieldMessages(error: unknown): Record<string, string> {
  if (!isApiError(error, 'CONFLICT')) return fieldErrors(error);
  return Object.fromEntries(error.issues.map((i) => [i.path.replace(/^body\.?/, ''), i.message]));
}

/** A conflict shown under its field needs no second message above the form. */
const formLevel = (error: unknown) => (isApiError(error, 'CONFLICT') && error.issues.length > 0 ? null : error);

/** The API's fields about the chosen components (`components`, `components.3`): shown under the checkboxes. */
const componentKeys = (errors: Record<string, string>) => Object.keys(errors).filter((k) => k === 'components' || k.startsWith('components.'));
const componentError = (errors: Record<string, string>) => componentKeys(errors).map((k) => errors[k])[0];

interface Choice {
  id: string;
  label: string;
}

/**
 * The components a subscriber can follow, as the API allows: those the public sees (a group's members
 * only while the group is public), groups included (a group covers its members), in the page's order,
 * and any already chosen so saving never drops one silently.
 */
function choices(components: readonly StatusComponent[], chosen: ReadonlySet<string>): Choice[] {
  const out: Choice[] = [];
  const shown = (c: StatusComponent, groupPublic = true) => (c.public && groupPublic) || chosen.has(c.id);
  for (const c of components.filter((x) => x.groupId === null)) {
    if (shown(c)) out.push({ id: c.id, label: c.group ? `${c.name} (the whole group)` : c.name });
    if (!c.group) continue;
    for (const m of components.filter((x) => x.groupId === c.id)) if (shown(m, c.public)) out.push({ id: m.id, label: `${c.name} / ${m.name}` });
  }
  return out;
}

/** One checkbox per component; none ticked means the whole page. */
function ComponentChoices({ components, value, onChange, error }: { components: Choice[]; value: ReadonlySet<string>; onChange: (next: Set<string>) => void; error?: string | undefined }) {
  const errorId = useId();
  if (components.length === 0) return <p className="muted small">This page has no public components: subscribers hear about everything on it.</p>;
  return (
    <fieldset className={error ? 'field field-invalid' : 'field'} aria-describedby={error ? errorId : undefined} style={{ minWidth: 0 }}>
      <legend>Components (none ticked: everything on the page)</legend>
      {components.map((c) => (
        <label key={c.id} style={{ display: 'block', ...wrap }}>
          <input
            type="checkbox"
            checked={value.has(c.id)}
            onChange={(e) => {
              const next = new Set(value);
              if (e.target.checked) next.add(c.id);
              else next.delete(c.id);
              onChange(next);
            }}
          />{' '}
          {c.label}
        </label>
      ))}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

const urlLabels: Record<Exclude<SubscriberKind, 'email'>, { label: string; hint: string }> = {
  webhook: { label: 'Webhook URL', hint: 'Firebreak POSTs Statuspage-shaped JSON here, signed with a secret you see once after adding it.' },
  slack: { label: 'Slack webhook URL', hint: 'A Slack incoming-webhook address (https://hooks.slack.com/services/…). Kept encrypted; only its host is shown again.' },
  teams: { label: 'Teams webhook URL', hint: 'A Microsoft Teams incoming-webhook address. Kept encrypted; only its host is shown again.' },
};

function AddSubscriber({ page, onCreated }: { page: StatusPageDetail; onCreated: (created: CreatedSubscriber) => void }) {
  const [kind, setKind] = useState<SubscriberKind>('email');
  const [email, setEmail] = useState('');
  const [url, setUrl] = useState('');
  const [components, setComponents] = useState<Set<string>>(new Set());
  const add = useStatusPageChange(statusPagesApi.addSubscriber, (created) => {
    setEmail('');
    setUrl('');
    setComponents(new Set());
    // Only a webhook's answer has a secret; a later email keeps an unsaved secret on screen.
    if (created.signingSecret) onCreated(created);
  });
  const errors = fieldMessages(add.error);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = [...components];
    const input: CreateSubscriber =
      kind === 'email'
        ? { kind, email: email.trim(), components: chosen }
        : kind === 'webhook'
          ? { kind, url: url.trim(), ...(email.trim() ? { email: email.trim() } : {}), components: chosen }
          : { kind, url: url.trim(), components: chosen };
    add.mutate([page.id, input]);
  }
  return (
    <form onSubmit={submit} className="form panel" aria-label="Add subscriber" style={{ marginTop: 16 }}>
      <h3>Add a subscriber</h3>
      <FormAlert error={formLevel(add.error)} fields={['kind', 'email', 'url', ...componentKeys(errors)]} />
      <Field label="Kind" name="kind" error={errors.kind}>
        {(control) => (
          <select
            {...control}
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as SubscriberKind);
              add.reset();
            }}
          >
            {kinds.map((k) => (
              <option key={k} value={k}>
                {kindNames[k]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {kind !== 'email' && (
        <Field label={urlLabels[kind].label} name="url" error={errors.url} hint={urlLabels[kind].hint}>
          {(control) => <input {...control} type="url" inputMode="url" autoComplete="off" spellCheck={false} value={url} onChange={(e) => setUrl(e.target.value)} required />}
        </Field>
      )}
      {(kind === 'email' || kind === 'webhook') && (
        <Field
          label={kind === 'email' ? 'Email address' : 'Email for failure notices (optional)'}
          name="email"
          error={errors.email}
          hint={kind === 'email' ? 'Added as confirmed: you vouch for it. Every message carries a one-click unsubscribe link.' : 'Told when deliveries to the webhook keep failing.'}
        >
          {(control) => <input {...control} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} required={kind === 'email'} />}
        </Field>
      )}
      <ComponentChoices components={choices(page.components, components)} value={components} onChange={setComponents} error={componentError(errors)} />
      <button type="submit" className="button button-primary" disabled={add.isPending} style={{ alignSelf: 'flex-start' }}>
        {add.isPending ? 'Adding…' : 'Add subscriber'}
      </button>
    </form>
  );
}

/** A new webhook subscriber's signing secret, shown this once: the server keeps it encrypted and never answers it again. */
function SigningSecret({ created, secret, onDone }: { created: CreatedSubscriber; secret: string; onDone: () => void }) {
  return (
    <div style={{ marginTop: 16 }}>
      <SecretOnce region="Webhook signing secret" title={<>Webhook {created.target} added</>} label="Signing secret" secret={secret} onDone={onDone}>
        <strong>Copy the signing secret now: it is shown once.</strong> Each delivery carries <code>Firebreak-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</code>, the HMAC-SHA256 of{' '}
        <code>&lt;t&gt;.&lt;body&gt;</code> with this secret; check it before trusting a delivery.
      </SecretOnce>
    </div>
  );
}
