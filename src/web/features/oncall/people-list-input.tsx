import { useId, useState } from 'react';
import type { User } from '../../../contracts/users.js';

interface PeopleListInputProps {
  /** The group's accessible name, such as "Participants of Primary". */
  label: string;
  value: readonly string[];
  onChange: (value: string[]) => void;
  people: readonly User[];
  /** Ordered lists (rotation participants) get move up/down buttons and numbers. */
  ordered?: boolean;
  /** Whether one person may appear more than once (a rotation may list someone twice). */
  allowRepeats?: boolean;
  addLabel: string;
  error?: string | undefined;
  /** Names for ids not in `people` (deactivated users kept on an existing schedule). */
  names?: Record<string, { name: string }>;
}

/** A list of people with add, remove and (when ordered) reorder, all as plain buttons and a select. */
export function PeopleListInput({ label, value, onChange, people, ordered = false, allowRepeats = false, addLabel, error, names = {} }: PeopleListInputProps) {
  const selectId = useId();
  const [choice, setChoice] = useState('');
  const nameOf = (id: string) => people.find((p) => p.id === id)?.name ?? names[id]?.name ?? id;
  const candidates = people.filter((p) => !p.deactivatedAt && (allowRepeats || !value.includes(p.id)));

  function move(index: number, by: -1 | 1) {
    const next = [...value];
    const [item] = next.splice(index, 1);
    if (item === undefined) return;
    next.splice(index + by, 0, item);
    onChange(next);
  }

  return (
    <fieldset className={error ? 'people-list field-invalid' : 'people-list'}>
      <legend>{label}</legend>
      {value.length === 0 ? (
        <p className="muted small">Nobody yet.</p>
      ) : (
        <ol className={ordered ? 'people-items people-items-ordered' : 'people-items'}>
          {value.map((id, index) => (
            <li key={`${id}-${index}`} className="people-item">
              <span className="people-item-name">{nameOf(id)}</span>
              <span className="people-item-actions">
                {ordered && (
                  <>
                    <button type="button" className="button button-quiet button-small" aria-label={`Move ${nameOf(id)} up`} disabled={index === 0} onClick={() => move(index, -1)}>
                      ↑
                    </button>
                    <button type="button" className="button button-quiet button-small" aria-label={`Move ${nameOf(id)} down`} disabled={index === value.length - 1} onClick={() => move(index, 1)}>
                      ↓
                    </button>
                  </>
                )}
                <button type="button" className="button button-quiet button-small" aria-label={`Remove ${nameOf(id)}`} onClick={() => onChange(value.filter((_, i) => i !== index))}>
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
      <div className="people-add">
        <label htmlFor={selectId} className="visually-hidden">
          {addLabel}
        </label>
        <select id={selectId} value={choice} onChange={(event) => setChoice(event.target.value)}>
          <option value="">{candidates.length === 0 ? 'Everyone is already listed' : 'Choose a person'}</option>
          {candidates.map((person) => (
            <option key={person.id} value={person.id}>
              {person.name} ({person.handle})
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button-small"
          disabled={!choice}
          onClick={() => {
            onChange([...value, choice]);
            setChoice('');
          }}
        >
          {addLabel}
        </button>
      </div>
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
