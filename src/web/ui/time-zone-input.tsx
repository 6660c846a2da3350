import { useId } from 'react';
import type { ControlProps } from './field.js';

let zones: readonly string[] | null = null;

/** Every IANA time zone this browser knows, for the picker's suggestions. */
export function timeZones(): readonly string[] {
  zones ??= Intl.supportedValuesOf('timeZone');
  return zones;
}

/** The browser's own time zone, the default for new people. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * True for a zone in the browser's list. Aliases the list leaves out (`UTC`, `Asia/Calcutta`) are
 * accepted when Intl can format in them: the server accepts those too.
 */
export function isKnownTimeZone(zone: string): boolean {
  if (timeZones().includes(zone)) return true;
  if (!zone.includes('/') && zone !== 'UTC') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Checks a submitted zone; returns the message to show beside the field, or undefined. */
export function timeZoneProblem(zone: string): string | undefined {
  if (!zone) return 'is required';
  return isKnownTimeZone(zone) ? undefined : `“${zone}” is not a time zone; pick one from the list, such as Europe/Lisbon`;
}

/** A text input that suggests IANA zones as you type (a native, searchable datalist). */
export function TimeZoneInput({ control, defaultValue }: { control: ControlProps; defaultValue: string }) {
  const listId = `${useId()}-zones`;
  return (
    <>
      <input {...control} list={listId} defaultValue={defaultValue} autoComplete="off" spellCheck={false} required />
      <datalist id={listId}>
        {timeZones().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
