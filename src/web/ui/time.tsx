import { useQuery } from '@tanstack/react-query';
import { sessionQuery } from '../app/session.js';

const formats = new Map<string, Intl.DateTimeFormat>();

/** Formats an instant as "21 Nov 2026, 09:00" in the given zone. */
export function formatInstant(iso: string, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone });
    formats.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

/**
 * An instant shown in the signed-in person's time zone (the one on their profile, which is where
 * their on-call shifts are shown too), with the exact UTC instant on hover.
 */
export function Time({ value, fallback = '—' }: { value: string | null; fallback?: string }) {
  const { data: session } = useQuery(sessionQuery);
  if (!value) return <span className="muted">{fallback}</span>;
  const zone = session?.user.timeZone ?? 'UTC';
  return (
    <time dateTime={value} title={`${value} (UTC)`}>
      {formatInstant(value, zone)}
    </time>
  );
}
