import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { severities, type Severity, type Urgency } from '../alerts/alerts.api.js';
import { severityName } from '../alerts/alert-badges.js';
import { routingApi, routingQuery, useRoutingChange, type RoutingRule, type RuleCondition } from './routing.api.js';
import { RulesPreview } from './rules-preview.js';
import { servicesQuery, type Service } from './services.api.js';

const fieldSuggestions = ['title', 'description', 'source', 'severity', 'dedupKey', 'integrationType', 'labels.env', 'labels.alertname', 'labels.instance', 'labels.job', 'labels.component'];
const ops: Array<{ value: RuleCondition['op']; label: string }> = [
  { value: 'equals', label: 'equals' },
  { value: 'not-equals', label: 'does not equal' },
  { value: 'regex', label: 'matches regex' },
  { value: 'in', label: 'is one of' },
  { value: 'exists', label: 'exists' },
];

interface Draft {
  key: number;
  rule: RoutingRule;
}

let nextKey = 0;
const draftOf = (rule: RoutingRule): Draft => ({ key: ++nextKey, rule });
const newRule = (n: number): RoutingRule => ({ name: `Rule ${n}`, conditions: [{ field: 'labels.env', op: 'equals', value: '' }], actions: { urgency: 'low' }, continue: false });

/**
 * A service's routing rules: an ordered list, each with conditions (all must hold) and actions. The
 * draft can be tested against the service's latest events before it is saved.
 */
export function RulesSection({ service, manage }: { service: Service; manage: boolean }) {
  const routing = useQuery(routingQuery(service.handle));
  return (
    <Section
      title="Routing rules"
      description="Run on every event before deduplication, in order: the first rule whose conditions all hold decides (unless it says “keep going”). They can set severity or urgency, route to another service, suppress or drop."
    >
      {routing.isPending ? (
        <Loading />
      ) : routing.isError ? (
        <QueryError error={routing.error} retry={() => void routing.refetch()} />
      ) : (
        <RulesEditor service={service} saved={routing.data.rules} manage={manage} />
      )}
    </Section>
  );
}

function RulesEditor({ service, saved, manage }: { service: Service; saved: RoutingRule[]; manage: boolean }) {
  const [drafts, setDrafts] = useState<Draft[]>(() => saved.map(draftOf));
  const [dirty, setDirty] = useState(false);
  const services = useQuery(servicesQuery());
  const save = useRoutingChange(service.handle, (rules: RoutingRule[]) => routingApi.putRules(service.handle, rules), () => setDirty(false));
  const errors = fieldErrors(save.error);
  const rules = drafts.map((d) => d.rule);
  const targets = (services.data ?? []).filter((s) => s.id !== service.id);

  const change = (next: Draft[]) => {
    setDrafts(next);
    setDirty(true);
  };
  const update = (key: number, rule: RoutingRule) => change(drafts.map((d) => (d.key === key ? { key, rule } : d)));
  const move = (index: number, step: -1 | 1) => {
    const next = [...drafts];
    const [item] = next.splice(index, 1);
    next.splice(index + step, 0, item as Draft);
    change(next);
  };

  return (
    <div className="rules-editor">
      {drafts.length === 0 && <p className="muted">No rules: every event goes to this service with the urgency its severity gives it.</p>}
      <ol className="rules-list">
        {drafts.map((draft, index) => (
          <li key={draft.key} className="panel rule" aria-label={`Rule ${index + 1}: ${draft.rule.name}`}>
            <RuleForm
              rule={draft.rule}
              index={index}
              errors={errors}
              targets={targets}
              manage={manage}
              onChange={(rule) => update(draft.key, rule)}
            />
            {manage && (
              <div className="form-actions rule-actions">
                <button type="button" className="button button-small" disabled={index === 0} onClick={() => move(index, -1)} aria-label={`Move rule ${index + 1} up`}>
                  Move up
                </button>
                <button type="button" className="button button-small" disabled={index === drafts.length - 1} onClick={() => move(index, 1)} aria-label={`Move rule ${index + 1} down`}>
                  Move down
                </button>
                <button type="button" className="button button-small" onClick={() => change(drafts.filter((d) => d.key !== draft.key))} aria-label={`Remove rule ${index + 1}`}>
                  Remove rule
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
      {manage && (
        <>
          <FormAlert error={save.error} fields={Object.keys(errors).filter((k) => k.startsWith('rules.'))} />
          <div className="form-actions">
            <button type="button" className="button" onClick={() => change([...drafts, draftOf(newRule(drafts.length + 1))])}>
              Add rule
            </button>
            <button type="button" className="button button-primary" disabled={save.isPending || !dirty} onClick={() => save.mutate(rules)}>
              {save.isPending ? 'Saving…' : 'Save rules'}
            </button>
            {dirty && <span className="muted">Unsaved changes</span>}
            {!dirty && save.isSuccess && <span role="status">Rules saved</span>}
          </div>
        </>
      )}
      <RulesPreview service={service} rules={rules} />
    </div>
  );
}

function RuleForm({ rule, index, errors, targets, manage, onChange }: { rule: RoutingRule; index: number; errors: Record<string, string>; targets: Service[]; manage: boolean; onChange: (rule: RoutingRule) => void }) {
  const at = `rules.${index}`;
  const conditions = rule.conditions ?? [];
  const setCondition = (i: number, c: RuleCondition) => onChange({ ...rule, conditions: conditions.map((old, j) => (j === i ? c : old)) });
  const actions = rule.actions;
  const setAction = (patch: Partial<RoutingRule['actions']>) => {
    const next = { ...actions, ...patch };
    for (const k of Object.keys(next) as Array<keyof typeof next>) if (next[k] === undefined || next[k] === false) delete next[k];
    onChange({ ...rule, actions: next });
  };
  return (
    <fieldset className="rule-form" disabled={!manage}>
      <legend>
        Rule {index + 1}
      </legend>
      <div className="form-row">
        <Field label="Rule name" name={`${at}.name`} error={errors[`${at}.name`]}>
          {(control) => <input {...control} value={rule.name} onChange={(e) => onChange({ ...rule, name: e.target.value })} required />}
        </Field>
      </div>
      <h4 className="rule-heading">When {conditions.length === 0 ? 'any event arrives' : 'all of these hold'}</h4>
      {errors[`${at}.conditions`] && <p className="field-error">{errors[`${at}.conditions`]}</p>}
      {conditions.map((c, i) => (
        <div className="form-row form-row-end rule-condition" key={i}>
          <Field label="Field" name={`${at}.conditions.${i}.field`} error={errors[`${at}.conditions.${i}.field`]} hint={i === 0 ? 'labels.<name> reads a label' : undefined}>
            {(control) => (
              <>
                <input {...control} list={`rule-fields`} value={c.field} onChange={(e) => setCondition(i, { ...c, field: e.target.value })} spellCheck={false} />
                <datalist id="rule-fields">
                  {fieldSuggestions.map((f) => (
                    <option key={f} value={f} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Operator" name={`${at}.conditions.${i}.op`} error={errors[`${at}.conditions.${i}.op`]}>
            {(control) => (
              <select {...control} value={c.op} onChange={(e) => setCondition(i, withOp(c, e.target.value as RuleCondition['op']))}>
                {ops.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {c.op === 'in' ? (
            <Field label="Values (comma-separated)" name={`${at}.conditions.${i}.values`} error={errors[`${at}.conditions.${i}.values`]}>
              {(control) => <input {...control} value={(c.values ?? []).join(', ')} onChange={(e) => setCondition(i, { ...c, values: e.target.value.split(',').map((v) => v.trim()).filter(Boolean) })} />}
            </Field>
          ) : c.op !== 'exists' ? (
            <Field label={c.op === 'regex' ? 'Pattern' : 'Value'} name={`${at}.conditions.${i}.value`} error={errors[`${at}.conditions.${i}.value`]}>
              {(control) => <input {...control} value={c.value ?? ''} onChange={(e) => setCondition(i, { ...c, value: e.target.value })} spellCheck={false} />}
            </Field>
          ) : (
            <span />
          )}
          <button type="button" className="button button-small" onClick={() => onChange({ ...rule, conditions: conditions.filter((_, j) => j !== i) })} aria-label={`Remove condition ${i + 1} of rule ${index + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="button button-small" onClick={() => onChange({ ...rule, conditions: [...conditions, { field: 'labels.env', op: 'equals', value: '' }] })}>
          Add condition
        </button>
      </div>
      <h4 className="rule-heading">Then</h4>
      {errors[`${at}.actions`] && <p className="field-error">{errors[`${at}.actions`]}</p>}
      <div className="form-row">
        <Field label="Set severity" name={`${at}.actions.severity`} error={errors[`${at}.actions.severity`]}>
          {(control) => (
            <select {...control} value={actions.severity ?? ''} onChange={(e) => setAction({ severity: (e.target.value || undefined) as Severity | undefined })}>
              <option value="">Keep</option>
              {severities.map((s) => (
                <option key={s} value={s}>
                  {severityName(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Set urgency" name={`${at}.actions.urgency`} error={errors[`${at}.actions.urgency`]}>
          {(control) => (
            <select {...control} value={actions.urgency ?? ''} onChange={(e) => setAction({ urgency: (e.target.value || undefined) as Urgency | undefined })}>
              <option value="">By severity</option>
              <option value="high">High (page now)</option>
              <option value="low">Low (within support hours)</option>
              <option value="backlog">Backlog (notify no one)</option>
            </select>
          )}
        </Field>
        <Field label="Route to service" name={`${at}.actions.routeTo`} error={errors[`${at}.actions.routeTo`]}>
          {(control) => (
            <select {...control} value={actions.routeTo ?? ''} onChange={(e) => setAction({ routeTo: e.target.value || undefined })}>
              <option value="">This service</option>
              {targets.map((s) => (
                <option key={s.id} value={s.handle}>
                  {s.name} ({s.handle})
                </option>
              ))}
              {actions.routeTo && !targets.some((s) => s.handle === actions.routeTo) && <option value={actions.routeTo}>{actions.routeTo}</option>}
            </select>
          )}
        </Field>
      </div>
      <div className="rule-flags">
        <label className="checkbox">
          <input type="checkbox" checked={actions.suppress ?? false} onChange={(e) => setAction({ suppress: e.target.checked })} />
          Suppress (record it, notify no one)
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={actions.drop ?? false} onChange={(e) => setAction({ drop: e.target.checked })} />
          Drop (keep only in the event log)
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={rule.continue ?? false} onChange={(e) => onChange({ ...rule, continue: e.target.checked })} />
          Keep going: try later rules too
        </label>
      </div>
      {errors[`${at}.actions.drop`] && <p className="field-error">{errors[`${at}.actions.drop`]}</p>}
    </fieldset>
  );
}

function withOp(c: RuleCondition, op: RuleCondition['op']): RuleCondition {
  if (op === 'in') return { field: c.field, op, values: c.values ?? (c.value ? [c.value] : []) };
  if (op === 'exists') return { field: c.field, op };
  return { field: c.field, op, value: c.value ?? c.values?.[0] ?? '' };
}
