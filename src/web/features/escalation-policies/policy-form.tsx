import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert } from '../../ui/field.js';
import { schedulesQuery } from '../oncall/oncall.api.js';
import { teamsQuery } from '../teams/teams.api.js';
import { usersQuery } from '../users/users.api.js';
import type { EscalationPolicy, EscalationPolicyInput, TargetType } from './escalation-policies.api.js';

interface TargetDraft {
  type: TargetType;
  ref: string;
}

interface LevelDraft {
  key: number;
  delayMinutes: number;
  targets: TargetDraft[];
}

export interface PolicyDraft {
  handle: string;
  name: string;
  description: string;
  team: string;
  levels: LevelDraft[];
  repeat: number;
  fallback: TargetDraft | null;
  skipEmptyLevels: boolean;
}

let nextKey = 1;

export function draftFromPolicy(policy?: EscalationPolicy): PolicyDraft {
  if (!policy) {
    return { handle: '', name: '', description: '', team: '', levels: [{ key: nextKey++, delayMinutes: 10, targets: [{ type: 'schedule', ref: '' }] }], repeat: 0, fallback: null, skipEmptyLevels: true };
  }
  return {
    handle: policy.handle,
    name: policy.name,
    description: policy.description,
    team: policy.teamId ?? '',
    levels: policy.levels.map((level) => ({ key: nextKey++, delayMinutes: level.delayMinutes, targets: level.targets.map((t) => ({ type: t.type, ref: t.id })) })),
    repeat: policy.repeat,
    fallback: policy.fallback ? { type: policy.fallback.type, ref: policy.fallback.id } : null,
    skipEmptyLevels: policy.skipEmptyLevels,
  };
}

/** The draft without React keys, for comparing with the saved version. */
export function draftSignature(draft: PolicyDraft): string {
  return JSON.stringify({ ...draft, levels: draft.levels.map(({ delayMinutes, targets }) => ({ delayMinutes, targets })) });
}

export function inputFromDraft(draft: PolicyDraft): EscalationPolicyInput {
  return {
    handle: draft.handle.trim(),
    name: draft.name.trim(),
    description: draft.description.trim(),
    ...(draft.team ? { team: draft.team } : {}),
    levels: draft.levels.map((level) => ({ delayMinutes: level.delayMinutes, targets: level.targets.filter((t) => t.ref) })),
    repeat: draft.repeat,
    fallback: draft.fallback?.ref ? draft.fallback : null,
    skipEmptyLevels: draft.skipEmptyLevels,
  };
}

const typeLabels: Record<TargetType, string> = { user: 'Person', schedule: 'Schedule', team: 'Team' };

/** Options for a target picker: people, schedules or teams, by id. */
function useTargetOptions() {
  const users = useQuery(usersQuery(false));
  const schedules = useQuery(schedulesQuery());
  const teams = useQuery(teamsQuery(false));
  return {
    user: (users.data ?? []).filter((u) => !u.deactivatedAt).map((u) => ({ id: u.id, label: `${u.name} (${u.handle})` })),
    schedule: (schedules.data ?? []).map((s) => ({ id: s.id, label: s.name })),
    team: (teams.data ?? []).map((t) => ({ id: t.id, label: t.name })),
  } satisfies Record<TargetType, { id: string; label: string }[]>;
}

interface PolicyFormProps {
  draft: PolicyDraft;
  onChange: (draft: PolicyDraft) => void;
  creating: boolean;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onSubmit: () => void;
  onCancel?: () => void;
  /** Shown beside the save button: "Saved.", "Unsaved changes". */
  status?: string;
}

/**
 * The escalation-policy editor: levels (targets and the minutes to wait without an acknowledgement
 * before the next level), repeats, a fallback and whether empty levels are skipped. Controlled, so
 * the page can tell when the draft differs from the saved policy.
 */
export function PolicyForm({ draft, onChange, creating, error, pending, submitLabel, onSubmit, onCancel, status }: PolicyFormProps) {
  const options = useTargetOptions();
  const teams = useQuery(teamsQuery(false));
  const errors = fieldErrors(error);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (change: Partial<PolicyDraft>) => onChange({ ...draft, ...change });
  const setLevel = (index: number, change: Partial<LevelDraft>) => set({ levels: draft.levels.map((l, i) => (i === index ? { ...l, ...change } : l)) });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const empty = draft.levels.findIndex((l) => l.targets.every((t) => !t.ref));
    if (empty >= 0) {
      setProblem(`Level ${empty + 1} needs at least one target.`);
      return;
    }
    setProblem(null);
    onSubmit();
  }

  const levelFields = draft.levels.flatMap((_, i) => [`levels.${i}.delayMinutes`, `levels.${i}.targets`]);

  return (
    <form className="form" onSubmit={submit} aria-label={creating ? 'New escalation policy' : 'Edit escalation policy'}>
      <FormAlert error={error} fields={['handle', 'name', 'description', 'team', 'repeat', 'fallback', ...levelFields]} />
      {problem && (
        <div className="alert alert-error" role="alert">
          <p>{problem}</p>
        </div>
      )}
      <div className="form-row">
        <Field label="Name" name="name" error={errors.name}>
          {(control) => <input {...control} value={draft.name} onChange={(event) => set({ name: event.target.value })} required autoFocus={creating} />}
        </Field>
        {creating && (
          <Field label="Handle" name="handle" error={errors.handle} hint="Used in URLs, config and the CLI, like platform-critical.">
            {(control) => <input {...control} value={draft.handle} onChange={(event) => set({ handle: event.target.value })} spellCheck={false} autoComplete="off" required />}
          </Field>
        )}
        <Field label="Team" name="team" error={errors.team} hint="Owns and edits it; every team can read it.">
          {(control) => (
            <select {...control} value={draft.team} onChange={(event) => set({ team: event.target.value })}>
              <option value="">No team</option>
              {(teams.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label="Description" name="description" error={errors.description}>
        {(control) => <textarea {...control} value={draft.description} onChange={(event) => set({ description: event.target.value })} rows={2} />}
      </Field>

      <ol className="levels">
        {draft.levels.map((level, index) => (
          <li key={level.key} className="level">
            <fieldset className="level-fieldset">
              <legend>Level {index + 1}</legend>
              <div className="level-tools">
                <button
                  type="button"
                  className="button button-quiet button-small"
                  aria-label={`Move level ${index + 1} up`}
                  disabled={index === 0}
                  onClick={() => {
                    const levels = [...draft.levels];
                    const [item] = levels.splice(index, 1);
                    if (item) levels.splice(index - 1, 0, item);
                    set({ levels });
                  }}
                >
                  ↑
                </button>
                <button type="button" className="button button-danger-quiet button-small" disabled={draft.levels.length === 1} onClick={() => set({ levels: draft.levels.filter((_, i) => i !== index) })}>
                  Remove level {index + 1}
                </button>
              </div>
              <p className="muted small">{index === 0 ? 'Notified as soon as the alert fires.' : `Notified when level ${index} has not acknowledged in time.`}</p>
              <ul className="targets">
                {level.targets.map((target, t) => (
                  <li key={t} className="target">
                    <TargetPicker
                      label={`Level ${index + 1} target ${t + 1}`}
                      value={target}
                      options={options}
                      onChange={(next) => setLevel(index, { targets: level.targets.map((x, i) => (i === t ? next : x)) })}
                    />
                    <button type="button" className="button button-quiet button-small" disabled={level.targets.length === 1} onClick={() => setLevel(index, { targets: level.targets.filter((_, i) => i !== t) })} aria-label={`Remove level ${index + 1} target ${t + 1}`}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
              {errors[`levels.${index}.targets`] && <p className="field-error">{errors[`levels.${index}.targets`]}</p>}
              <button type="button" className="button button-small" onClick={() => setLevel(index, { targets: [...level.targets, { type: 'user', ref: '' }] })}>
                Add target
              </button>
              <div className="level-delay">
                <Field label={`Minutes before escalating past level ${index + 1}`} name={`level-${index}-delay`} error={errors[`levels.${index}.delayMinutes`]}>
                  {(control) => (
                    <input {...control} type="number" min={1} max={1440} value={level.delayMinutes} onChange={(event) => setLevel(index, { delayMinutes: Math.max(1, Math.min(1440, Number(event.target.value) || 1)) })} required />
                  )}
                </Field>
              </div>
            </fieldset>
          </li>
        ))}
      </ol>
      <div>
        <button type="button" className="button" onClick={() => set({ levels: [...draft.levels, { key: nextKey++, delayMinutes: 15, targets: [{ type: 'user', ref: '' }] }] })}>
          Add level
        </button>
      </div>

      <div className="form-row">
        <Field label="Repeat" name="repeat" error={errors.repeat} hint="How many more times to run through every level when nobody acknowledges.">
          {(control) => (
            <select {...control} value={draft.repeat} onChange={(event) => set({ repeat: Number(event.target.value) })}>
              {Array.from({ length: 10 }, (_, n) => (
                <option key={n} value={n}>
                  {n === 0 ? 'Do not repeat' : n === 1 ? 'Repeat once' : `Repeat ${n} times`}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field">
          <span className="field-label" id="fallback-label">
            Fallback (optional)
          </span>
          {draft.fallback ? (
            <div className="target">
              <TargetPicker label="Fallback" value={draft.fallback} options={options} onChange={(fallback) => set({ fallback })} />
              <button type="button" className="button button-quiet button-small" onClick={() => set({ fallback: null })}>
                No fallback
              </button>
            </div>
          ) : (
            <button type="button" className="button button-small fit" onClick={() => set({ fallback: { type: 'user', ref: '' } })} aria-describedby="fallback-label">
              Add a fallback
            </button>
          )}
          <p className="field-hint">Notified when every level and repeat went unanswered.</p>
          {errors.fallback && <p className="field-error">{errors.fallback}</p>}
        </div>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={draft.skipEmptyLevels} onChange={(event) => set({ skipEmptyLevels: event.target.checked })} />
        Skip levels with nobody on call at once (instead of waiting out their minutes)
      </label>

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <span className="muted" role="status">
          {status}
        </span>
      </div>
    </form>
  );
}

function TargetPicker({ label, value, options, onChange }: { label: string; value: TargetDraft; options: ReturnType<typeof useTargetOptions>; onChange: (value: TargetDraft) => void }) {
  const list = options[value.type];
  return (
    <span className="target-picker" role="group" aria-label={label}>
      <select aria-label={`${label} kind`} value={value.type} onChange={(event) => onChange({ type: event.target.value as TargetType, ref: '' })}>
        {(Object.keys(typeLabels) as TargetType[]).map((type) => (
          <option key={type} value={type}>
            {typeLabels[type]}
          </option>
        ))}
      </select>
      <select aria-label={`${label} ${typeLabels[value.type].toLowerCase()}`} value={value.ref} onChange={(event) => onChange({ ...value, ref: event.target.value })}>
        <option value="">Choose {value.type === 'user' ? 'a person' : `a ${value.type}`}</option>
        {list.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </span>
  );
}
