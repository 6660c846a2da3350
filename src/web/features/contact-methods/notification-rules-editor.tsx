import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { MAX_RULE_DELAY_MINUTES, MAX_RULES_PER_URGENCY, type ContactMethod, type NotificationRules, type PutNotificationRulesBody, type Urgency } from '../../../contracts/notify.js';
import { fieldErrors } from '../../api/client.js';
import { FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { methodName } from './contact-method-row.js';
import { contactMethodsApi, contactMethodsQuery, notificationRulesQuery, useNotifyChange } from './contact-methods.api.js';

interface DraftRule {
  /** Stable React key for a row being edited. */
  key: number;
  delayMinutes: string;
  contactMethodId: string;
}

type Draft = Record<Urgency, DraftRule[]>;

const urgencyText: Record<Urgency, { title: string; description: string }> = {
  high: { title: 'High urgency', description: 'Pages that need you now. Keep going until someone acknowledges.' },
  low: { title: 'Low urgency', description: 'Things to look at soon; held during your quiet hours.' },
};

let nextKey = 1;
const toDraft = (rules: NotificationRules): Draft => ({
  high: rules.high.map((r) => ({ key: nextKey++, delayMinutes: String(r.delayMinutes), contactMethodId: r.contactMethodId })),
  low: rules.low.map((r) => ({ key: nextKey++, delayMinutes: String(r.delayMinutes), contactMethodId: r.contactMethodId })),
});

/** Notification rules per urgency: “after N minutes, notify via M”, in order. */
export function NotificationRulesSection() {
  const rules = useQuery(notificationRulesQuery);
  const methods = useQuery(contactMethodsQuery);
  // Kept here, not in the editor: saving remounts the editor (below), and TanStack Query drops the
  // callbacks of a mutation whose component unmounted, so the confirmation would never show.
  const [status, setStatus] = useState('');
  const put = useNotifyChange(contactMethodsApi.putRules);
  return (
    <Section title="Notification rules" description="When something pages you, Firebreak follows these steps until you acknowledge. Unverified methods are skipped.">
      {rules.isPending || methods.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <QueryError error={rules.error} retry={() => void rules.refetch()} />
      ) : methods.isError ? (
        <QueryError error={methods.error} retry={() => void methods.refetch()} />
      ) : methods.data.length === 0 ? (
        <EmptyState title="Add a contact method first">
          <p>Rules say which of your contact methods Firebreak uses, and when.</p>
        </EmptyState>
      ) : (
        // Remounted when the stored rules change (not when only a method's verification does), so the
        // draft starts from what is stored without losing edits to a verification elsewhere on the page.
        <RulesEditor key={rulesKey(rules.data)} saved={rules.data} methods={methods.data} put={put} status={status} setStatus={setStatus} />
      )}
    </Section>
  );
}

const rulesKey = (rules: NotificationRules) => JSON.stringify([rules.high, rules.low].map((list) => list.map((r) => [r.delayMinutes, r.contactMethodId])));

interface RulesEditorProps {
  saved: NotificationRules;
  methods: ContactMethod[];
  put: ReturnType<typeof useNotifyChange<PutNotificationRulesBody, NotificationRules>>;
  status: string;
  setStatus: (status: string) => void;
}

function RulesEditor({ saved, methods, put, status, setStatus }: RulesEditorProps) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(saved));
  const errors = fieldErrors(put.error);
  const byId = new Map(methods.map((m) => [m.id, m]));

  const change = (urgency: Urgency, update: (rules: DraftRule[]) => DraftRule[]) => {
    setStatus('');
    setDraft((current) => ({ ...current, [urgency]: update(current[urgency]) }));
  };

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = {
      high: draft.high.map((r) => ({ delayMinutes: Number(r.delayMinutes), contactMethodId: r.contactMethodId })),
      low: draft.low.map((r) => ({ delayMinutes: Number(r.delayMinutes), contactMethodId: r.contactMethodId })),
    };
    put.mutate(body, { onSuccess: () => setStatus('Saved.') });
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Notification rules">
      {saved.warnings.length > 0 && (
        <div className="alert alert-info" role="note">
          {saved.warnings.map((warning) => (
            <p key={warning}>{warning}</p>
          ))}
        </div>
      )}
      <FormAlert error={put.error} fields={Object.keys(errors).filter((f) => /^(high|low)\./.test(f))} />
      <div className="rules-grid">
        {(['high', 'low'] as const).map((urgency) => (
          <fieldset key={urgency} className="rule-list" aria-label={urgencyText[urgency].title}>
            <legend>{urgencyText[urgency].title}</legend>
            <p className="muted small">{urgencyText[urgency].description}</p>
            {draft[urgency].length === 0 ? (
              <p className="muted">{urgency === 'high' ? 'No rules: you will not be paged.' : 'No rules: low-urgency notifications do not reach you.'}</p>
            ) : (
              <ol>
                {draft[urgency].map((rule, index) => {
                  const label = `${urgencyText[urgency].title} rule ${index + 1}`;
                  const method = byId.get(rule.contactMethodId);
                  const problem = errors[`${urgency}.${index}.delayMinutes`] ?? errors[`${urgency}.${index}.contactMethodId`] ?? errors[`${urgency}.${index}`];
                  return (
                    <li key={rule.key} className="rule" aria-label={label}>
                      <span>After</span>
                      <input
                        type="number"
                        min={0}
                        max={MAX_RULE_DELAY_MINUTES}
                        step={1}
                        required
                        aria-label={`Minutes, ${label}`}
                        value={rule.delayMinutes}
                        onChange={(event) => change(urgency, (rules) => rules.map((r) => (r.key === rule.key ? { ...r, delayMinutes: event.target.value } : r)))}
                      />
                      <span>minutes, notify via</span>
                      <select
                        aria-label={`Contact method, ${label}`}
                        value={rule.contactMethodId}
                        onChange={(event) => change(urgency, (rules) => rules.map((r) => (r.key === rule.key ? { ...r, contactMethodId: event.target.value } : r)))}
                      >
                        {!method && <option value={rule.contactMethodId}>(removed method)</option>}
                        {methods.map((m) => (
                          <option key={m.id} value={m.id}>
                            {methodName(m)}
                          </option>
                        ))}
                      </select>
                      <button type="button" className="button button-small button-quiet" aria-label={`Move up, ${label}`} disabled={index === 0} onClick={() => change(urgency, (rules) => move(rules, index, -1))}>
                        ↑
                      </button>
                      <button
                        type="button"
                        className="button button-small button-quiet"
                        aria-label={`Move down, ${label}`}
                        disabled={index === draft[urgency].length - 1}
                        onClick={() => change(urgency, (rules) => move(rules, index, 1))}
                      >
                        ↓
                      </button>
                      <button type="button" className="button button-small button-danger-quiet" aria-label={`Remove, ${label}`} onClick={() => change(urgency, (rules) => rules.filter((r) => r.key !== rule.key))}>
                        Remove
                      </button>
                      {method && !method.verified && <span className="rule-warning">Not verified: skipped when paging until you verify it.</span>}
                      {problem && <span className="rule-warning">{problem}</span>}
                    </li>
                  );
                })}
              </ol>
            )}
            <button
              type="button"
              className="button button-small"
              disabled={draft[urgency].length >= MAX_RULES_PER_URGENCY}
              onClick={() =>
                change(urgency, (rules) => [...rules, { key: nextKey++, delayMinutes: rules.at(-1)?.delayMinutes ?? '0', contactMethodId: methods[0]!.id }])
              }
            >
              Add rule
            </button>
          </fieldset>
        ))}
      </div>
      <p className="muted small">Rules are kept in order of their minutes; rules with the same minutes keep the order shown.</p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={put.isPending}>
          {put.isPending ? 'Saving…' : 'Save rules'}
        </button>
        <span className="muted" role="status">
          {status}
        </span>
      </div>
    </form>
  );
}

function move<T>(items: T[], index: number, by: -1 | 1): T[] {
  const target = index + by;
  if (target < 0 || target >= items.length) return items;
  const copy = [...items];
  [copy[index], copy[target]] = [copy[target]!, copy[index]!];
  return copy;
}
