import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { fieldErrors } from '../../api/client.js';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { browserTimeZone, TimeZoneInput, timeZoneProblem, timeZones } from '../../ui/time-zone-input.js';
import { teamsQuery } from '../teams/teams.api.js';
import { usersQuery } from '../users/users.api.js';
import type { LayerInput, Restriction, Schedule, ScheduleInput } from './oncall.api.js';
import { PeopleListInput } from './people-list-input.js';
import { localDate, wallToInstant } from './zoned-time.js';
import { FormActions } from '../../ui/form-actions.js';

type TurnUnit = LayerInput['turn']['unit'];
type Advance = NonNullable<LayerInput['advance']>;

interface LayerDraft {
  key: number;
  id?: string | undefined;
  name: string;
  participants: string[];
  startDate: string;
  handoffTime: string;
  endDate: string;
  turnUnit: TurnUnit;
  turnCount: number;
  advance: Advance;
  restrictions: Restriction[];
  shadows: string[];
  timeZone: string;
  /** The saved layer's exact instants and the fields they were shown as, kept while those fields are untouched. */
  saved?: { start: string; end: string | null; startDate: string; endDate: string; handoffTime: string; zone: string };
}

export const weekdays = [
  { value: 1, short: 'Mon', long: 'Monday' },
  { value: 2, short: 'Tue', long: 'Tuesday' },
  { value: 3, short: 'Wed', long: 'Wednesday' },
  { value: 4, short: 'Thu', long: 'Thursday' },
  { value: 5, short: 'Fri', long: 'Friday' },
  { value: 6, short: 'Sat', long: 'Saturday' },
  { value: 7, short: 'Sun', long: 'Sunday' },
] as const;

export const advanceExplanations: Record<Advance, string> = {
  calendar: 'Turns keep advancing through off-duty time: whoever’s whole turn falls off duty has no duty that time round.',
  'on-duty': 'Only on-duty time counts: each person gets a full turn of duty, so nobody is skipped over weekends or nights.',
};

const unitNames: Record<TurnUnit, [string, string]> = { hours: ['hour', 'hours'], days: ['day', 'days'], weeks: ['week', 'weeks'] };

let nextKey = 1;

function draftFromLayer(layer: Schedule['layers'][number], scheduleZone: string): LayerDraft {
  const zone = layer.timeZone ?? scheduleZone;
  return {
    key: nextKey++,
    id: layer.id,
    name: layer.name,
    participants: [...layer.participants],
    startDate: localDate(layer.start, zone),
    handoffTime: layer.handoffTime,
    endDate: layer.end ? localDate(layer.end, zone) : '',
    turnUnit: layer.turn.unit,
    turnCount: layer.turn.count,
    advance: layer.advance,
    restrictions: layer.restrictions.map((r) => ({ ...r })),
    shadows: [...layer.shadows],
    timeZone: layer.timeZone ?? '',
    saved: {
      start: layer.start,
      end: layer.end,
      startDate: localDate(layer.start, zone),
      endDate: layer.end ? localDate(layer.end, zone) : '',
      handoffTime: layer.handoffTime,
      zone,
    },
  };
}

function newLayer(index: number, zone: string): LayerDraft {
  return {
    key: nextKey++,
    name: index === 0 ? 'Primary' : `Layer ${index + 1}`,
    participants: [],
    startDate: localDate(Date.now(), zone),
    handoffTime: '09:00',
    endDate: '',
    turnUnit: 'weeks',
    turnCount: 1,
    advance: 'calendar',
    restrictions: [],
    shadows: [],
    timeZone: '',
  };
}

/** Turns a layer draft into the API's layer; wall times are read in the layer's (or schedule's) zone. */
function layerInput(draft: LayerDraft, scheduleZone: string): LayerInput | string {
  const zone = draft.timeZone || scheduleZone;
  // An untouched layer keeps its exact saved instants (set through the API or config, they need not
  // fall on the handoff time); edited dates are read as the handoff time on that date.
  const saved = draft.saved;
  const unchanged = saved !== undefined && saved.handoffTime === draft.handoffTime && saved.zone === zone;
  const start = unchanged && saved.startDate === draft.startDate ? saved.start : wallToInstant(draft.startDate, draft.handoffTime, zone);
  if (!start) return `${draft.name}: pick a start date and a handoff time`;
  // A layer's end is exclusive: ending "on" a date means duty stops at that date's handoff time.
  const end = unchanged && saved.endDate === draft.endDate ? saved.end : draft.endDate ? wallToInstant(draft.endDate, draft.handoffTime, zone) : null;
  return {
    ...(draft.id ? { id: draft.id } : {}),
    name: draft.name.trim(),
    participants: draft.participants,
    start,
    ...(end ? { end } : {}),
    handoffTime: draft.handoffTime,
    turn: { unit: draft.turnUnit, count: draft.turnCount },
    restrictions: draft.restrictions,
    advance: draft.advance,
    shadows: draft.shadows,
    ...(draft.timeZone ? { timeZone: draft.timeZone } : {}),
  };
}

interface ScheduleFormProps {
  schedule?: Schedule;
  /** Pre-selected owning team (creating from a team page). */
  team?: string;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onSubmit: (input: ScheduleInput) => void;
  onCancel?: () => void;
}

/** Creates or edits a schedule: name, handle (on create only), zone, team and its layers. */
export function ScheduleForm({ schedule, team, error, pending, submitLabel, onSubmit, onCancel }: ScheduleFormProps) {
  const users = useQuery(usersQuery(false));
  const teams = useQuery(teamsQuery(false));
  const [zone, setZone] = useState(schedule?.timeZone ?? browserTimeZone());
  const [layers, setLayers] = useState<LayerDraft[]>(() => (schedule ? schedule.layers.map((l) => draftFromLayer(l, schedule.timeZone)) : [newLayer(0, zone)]));
  const [localError, setLocalError] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(error), ...localError };
  const people = users.data ?? [];

  function update(key: number, change: Partial<LayerDraft>) {
    setLayers((all) => all.map((layer) => (layer.key === key ? { ...layer, ...change } : layer)));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const timeZone = formText(data, 'timeZone');
    const problems: Record<string, string> = {};
    const zoneProblem = timeZoneProblem(timeZone);
    if (zoneProblem) problems.timeZone = zoneProblem;
    const built = layers.map((layer, index) => {
      if (layer.participants.length === 0) problems[`layers.${index}.participants`] = 'a rotation needs at least one participant';
      return layerInput(layer, timeZone);
    });
    built.forEach((layer, index) => typeof layer === 'string' && (problems[`layers.${index}.start`] = layer));
    setLocalError(problems);
    if (Object.keys(problems).length > 0) return;
    const teamValue = formText(data, 'team');
    onSubmit({
      handle: schedule?.handle ?? formText(data, 'handle'),
      name: formText(data, 'name'),
      description: formText(data, 'description'),
      timeZone,
      ...(teamValue ? { team: teamValue } : {}),
      layers: built as LayerInput[],
    });
  }

  const layerFields = layers.flatMap((_, i) => ['participants', 'start', 'name', 'handoffTime', 'turn', 'turn.count', 'restrictions', 'shadows', 'timeZone', 'end'].map((f) => `layers.${i}.${f}`));

  return (
    <form className="form" onSubmit={submit} aria-label={schedule ? 'Edit schedule' : 'New schedule'}>
      <FormAlert error={error} fields={['handle', 'name', 'description', 'timeZone', 'team', ...layerFields]} />
      <div className="form-row">
        <Field label="Name" name="name" error={errors.name}>
          {(control) => <input {...control} defaultValue={schedule?.name} required autoFocus={!schedule} />}
        </Field>
        {!schedule && (
          <Field label="Handle" name="handle" error={errors.handle} hint="Used in URLs, config and the CLI, like platform-primary.">
            {(control) => <input {...control} spellCheck={false} autoComplete="off" required />}
          </Field>
        )}
      </div>
      <div className="form-row">
        <Field label="Time zone" name="timeZone" error={errors.timeZone} hint="Handoffs and restrictions are wall times in this zone; DST is followed.">
          {(control) => (
            <span onChange={(event) => setZone((event.target as HTMLInputElement).value)}>
              <TimeZoneInput control={control} defaultValue={zone} />
            </span>
          )}
        </Field>
        <Field label="Team" name="team" error={errors.team} hint="The team that owns and edits this schedule.">
          {(control) => (
            <select {...control} defaultValue={schedule?.teamId ?? team ?? ''}>
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
        {(control) => <textarea {...control} defaultValue={schedule?.description} rows={2} />}
      </Field>

      <div className="layers">
        <div className="layers-header">
          <h3>Layers</h3>
          <p className="muted small">Later layers take priority over earlier ones wherever they have someone on duty; overrides beat every layer.</p>
        </div>
        {layers.map((layer, index) => (
          <LayerEditor
            key={layer.key}
            layer={layer}
            index={index}
            count={layers.length}
            zone={layer.timeZone || zone}
            people={people}
            names={schedule?.users ?? {}}
            errors={errors}
            onChange={(change) => update(layer.key, change)}
            onRemove={() => setLayers((all) => all.filter((l) => l.key !== layer.key))}
            onMove={(by) =>
              setLayers((all) => {
                const next = [...all];
                const [item] = next.splice(index, 1);
                if (item) next.splice(index + by, 0, item);
                return next;
              })
            }
          />
        ))}
        <button type="button" className="button" onClick={() => setLayers((all) => [...all, newLayer(all.length, zone)])}>
          Add layer
        </button>
      </div>

      <FormActions pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}

interface LayerEditorProps {
  layer: LayerDraft;
  index: number;
  count: number;
  zone: string;
  people: Parameters<typeof PeopleListInput>[0]['people'];
  names: Record<string, { name: string }>;
  errors: Record<string, string>;
  onChange: (change: Partial<LayerDraft>) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
}

function LayerEditor({ layer, index, count, zone, people, names, errors, onChange, onRemove, onMove }: LayerEditorProps) {
  const id = useId();
  const e = (field: string) => errors[`layers.${index}.${field}`];
  const unit = unitNames[layer.turnUnit][layer.turnCount === 1 ? 0 : 1];
  const zoneListId = `${id}-zones`;
  return (
    <fieldset className="layer-editor">
      <legend>
        Layer {index + 1}: {layer.name || 'unnamed'}
      </legend>
      <div className="layer-editor-tools">
        <button type="button" className="button button-quiet button-small" onClick={() => onMove(-1)} disabled={index === 0} aria-label={`Move layer ${layer.name} up`}>
          ↑ Up
        </button>
        <button type="button" className="button button-quiet button-small" onClick={() => onMove(1)} disabled={index === count - 1} aria-label={`Move layer ${layer.name} down`}>
          ↓ Down
        </button>
        <button type="button" className="button button-danger-quiet button-small" onClick={onRemove} disabled={count === 1}>
          Remove layer
        </button>
      </div>
      <div className="form-row">
        <Field label="Layer name" name={`layer-${index}-name`} error={e('name')}>
          {(control) => <input {...control} value={layer.name} onChange={(event) => onChange({ name: event.target.value })} required />}
        </Field>
        <Field label="Start date" name={`layer-${index}-start`} error={e('start')} hint={`The first person’s first turn starts at the handoff time on this date (${zone}).`}>
          {(control) => <input {...control} type="date" value={layer.startDate} onChange={(event) => onChange({ startDate: event.target.value })} required />}
        </Field>
        <Field label="Handoff time" name={`layer-${index}-handoff`} error={e('handoffTime')} hint={zone}>
          {(control) => <input {...control} type="time" value={layer.handoffTime} onChange={(event) => onChange({ handoffTime: event.target.value })} required />}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Turn length" name={`layer-${index}-turn-count`} error={e('turn.count') ?? e('turn')}>
          {(control) => <input {...control} type="number" min={1} max={1000} value={layer.turnCount} onChange={(event) => onChange({ turnCount: Math.max(1, Number(event.target.value) || 1) })} required />}
        </Field>
        <Field label="Turn unit" name={`layer-${index}-turn-unit`}>
          {(control) => (
            <select {...control} value={layer.turnUnit} onChange={(event) => onChange({ turnUnit: event.target.value as TurnUnit })}>
              <option value="hours">Hours</option>
              <option value="days">Days</option>
              <option value="weeks">Weeks</option>
            </select>
          )}
        </Field>
        <Field label="Advance" name={`layer-${index}-advance`} hint={advanceExplanations[layer.advance]}>
          {(control) => (
            <select {...control} value={layer.advance} onChange={(event) => onChange({ advance: event.target.value as Advance })}>
              <option value="calendar">With the calendar</option>
              <option value="on-duty">By on-duty time</option>
            </select>
          )}
        </Field>
      </div>
      <p className="muted small">
        Each person is on call for {layer.turnCount} {unit}, handing off at {layer.handoffTime || '—'} {zone}
        {layer.turnUnit === 'weeks' ? ', on the weekday of the start date' : ''}.
      </p>
      <PeopleListInput
        label={`Participants of ${layer.name || `layer ${index + 1}`}, in turn order`}
        value={layer.participants}
        onChange={(participants) => onChange({ participants })}
        people={people}
        names={names}
        ordered
        allowRepeats
        addLabel="Add participant"
        error={e('participants')}
      />
      <RestrictionsEditor layerName={layer.name || `layer ${index + 1}`} value={layer.restrictions} onChange={(restrictions) => onChange({ restrictions })} error={e('restrictions')} zone={zone} />
      <details className="layer-more" open={layer.shadows.length > 0 || Boolean(layer.endDate) || Boolean(layer.timeZone)}>
        <summary>Shadows, end date and layer time zone</summary>
        <div className="form">
          <PeopleListInput
            label={`Shadows of ${layer.name || `layer ${index + 1}`} (get copies of its pages to learn; never responsible)`}
            value={layer.shadows}
            onChange={(shadows) => onChange({ shadows })}
            people={people}
            names={names}
            addLabel="Add shadow"
            error={e('shadows')}
          />
          <div className="form-row">
            <Field label="End date (optional)" name={`layer-${index}-end`} error={e('end')} hint="The layer has no duty from the handoff time on this date.">
              {(control) => <input {...control} type="date" value={layer.endDate} onChange={(event) => onChange({ endDate: event.target.value })} />}
            </Field>
            <Field label="Layer time zone (optional)" name={`layer-${index}-zone`} error={e('timeZone')} hint="For follow-the-sun: this layer’s wall times in another zone.">
              {(control) => (
                <>
                  <input {...control} list={zoneListId} value={layer.timeZone} onChange={(event) => onChange({ timeZone: event.target.value.trim() })} placeholder="Schedule’s zone" autoComplete="off" spellCheck={false} />
                  <datalist id={zoneListId}>
                    {layer.timeZone.length > 1 && timeZones().filter((z) => z.toLowerCase().includes(layer.timeZone.toLowerCase())).slice(0, 50).map((z) => <option key={z} value={z} />)}
                  </datalist>
                </>
              )}
            </Field>
          </div>
        </div>
      </details>
    </fieldset>
  );
}

function RestrictionsEditor({ layerName, value, onChange, error, zone }: { layerName: string; value: Restriction[]; onChange: (value: Restriction[]) => void; error?: string | undefined; zone: string }) {
  const set = (index: number, restriction: Restriction) => onChange(value.map((r, i) => (i === index ? restriction : r)));
  return (
    <fieldset className="restrictions">
      <legend>On duty</legend>
      {value.length === 0 ? (
        <p className="muted small">Always on duty. Add a window to limit duty to certain hours or days ({zone}).</p>
      ) : (
        <p className="muted small">Only inside these windows ({zone}); windows that touch join up.</p>
      )}
      {value.map((restriction, index) => (
        <div className="restriction" key={index} role="group" aria-label={`Window ${index + 1} of ${layerName}`}>
          <select
            aria-label="Kind of window"
            value={restriction.kind}
            onChange={(event) =>
              set(index, event.target.value === 'daily' ? { kind: 'daily', start: restriction.start, end: restriction.end } : { kind: 'weekly', startDay: 1, start: restriction.start, endDay: 5, end: restriction.end })
            }
          >
            <option value="daily">Every day</option>
            <option value="weekly">Across the week</option>
          </select>
          {restriction.kind === 'weekly' && (
            <select aria-label="From day" value={restriction.startDay} onChange={(event) => set(index, { ...restriction, startDay: Number(event.target.value) })}>
              {weekdays.map((d) => (
                <option key={d.value} value={d.value}>
                  {d.long}
                </option>
              ))}
            </select>
          )}
          <input aria-label="From" type="time" value={restriction.start} onChange={(event) => set(index, { ...restriction, start: event.target.value })} />
          <span className="muted">to</span>
          {restriction.kind === 'weekly' && (
            <select aria-label="Until day" value={restriction.endDay} onChange={(event) => set(index, { ...restriction, endDay: Number(event.target.value) })}>
              {weekdays.map((d) => (
                <option key={d.value} value={d.value}>
                  {d.long}
                </option>
              ))}
            </select>
          )}
          <input aria-label="Until" type="time" value={restriction.end === '24:00' ? '00:00' : restriction.end} onChange={(event) => set(index, { ...restriction, end: event.target.value })} />
          {restriction.kind === 'daily' && (
            <span className="restriction-days" role="group" aria-label="On days (all when none ticked)">
              {weekdays.map((d) => {
                const days = restriction.days ?? [];
                return (
                  <label key={d.value} className="checkbox day-check">
                    <input
                      type="checkbox"
                      checked={days.includes(d.value)}
                      onChange={(event) => {
                        const next = event.target.checked ? [...days, d.value].sort() : days.filter((x) => x !== d.value);
                        const { days: _drop, ...rest } = restriction;
                        set(index, next.length > 0 ? { ...rest, days: next } : rest);
                      }}
                    />
                    {d.short}
                  </label>
                );
              })}
            </span>
          )}
          <button type="button" className="button button-quiet button-small" onClick={() => onChange(value.filter((_, i) => i !== index))}>
            Remove window
          </button>
        </div>
      ))}
      <button type="button" className="button button-small" onClick={() => onChange([...value, { kind: 'daily', start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }])}>
        Add on-duty window
      </button>
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
