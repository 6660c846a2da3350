/**
 * Formatting instants for people, in a chosen IANA zone, with Intl.DateTimeFormat and an explicit
 * `timeZone` (never an offset applied by hand). Every time shown carries its zone's name, added by
 * the caller or here: "Mon, Jan 4, 2027, 09:00 America/New_York". Kept apart from zoned-time.ts,
 * which needs Temporal, so pages outside the on-call area (a team's "on call now") stay light.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

const formatOptions = {
  dateTime: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  date: { weekday: 'short', day: 'numeric', month: 'short' },
  longDate: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  monthYear: { month: 'long', year: 'numeric' },
  weekday: { weekday: 'short', day: 'numeric' },
  dayNumber: { day: 'numeric' },
  span: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
  isoDate: { year: 'numeric', month: '2-digit', day: '2-digit' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

type FormatKind = keyof typeof formatOptions;

function formatter(zone: string, kind: FormatKind): Intl.DateTimeFormat {
  const key = `${zone}|${kind}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, { ...formatOptions[kind], timeZone: zone });
    formatters.set(key, format);
  }
  return format;
}

const toDate = (instant: string | number) => new Date(instant);

/** "Mon, 4 Jan 2027, 09:00" in `zone`, without the zone's name: callers add it. */
export function formatDateTime(instant: string | number, zone: string): string {
  return formatter(zone, 'dateTime').format(toDate(instant));
}

/** "09:00" in `zone`. */
export function formatTime(instant: string | number, zone: string): string {
  return formatter(zone, 'time').format(toDate(instant));
}

/** "Mon, 4 Jan" in `zone`. */
export function formatDate(instant: string | number, zone: string): string {
  return formatter(zone, 'date').format(toDate(instant));
}

/** "Monday, 4 January 2027" in `zone`. */
export function formatLongDate(instant: string | number, zone: string): string {
  return formatter(zone, 'longDate').format(toDate(instant));
}

/** Short labels for a timeline axis and headings: "Mon 4", "4", "January 2027". */
export function formatPart(instant: number, zone: string, kind: 'weekday' | 'dayNumber' | 'monthYear' | 'time'): string {
  return formatter(zone, kind).format(toDate(instant));
}

/**
 * An interval with its zone, short when both ends fall on the same local day:
 * "Mon, 4 Jan 2027, 09:00 – 17:00 Europe/London", otherwise both dates in full.
 */
export function formatRange(start: string | number, end: string | number, zone: string): string {
  const sameDay = formatter(zone, 'isoDate').format(toDate(start)) === formatter(zone, 'isoDate').format(toDate(end));
  return `${formatDateTime(start, zone)} – ${sameDay ? formatTime(end, zone) : formatDateTime(end, zone)} ${zone}`;
}

/** The days of a period, "Mon, Jan 4 – Sun, Jan 10, 2027" (the locale decides the shape). */
export function formatDateSpan(start: number, endInclusive: number, zone: string): string {
  return formatter(zone, 'span').formatRange(new Date(start), new Date(endInclusive));
}

/** A length of time: "7 d", "12 h", "1 d 2 h 30 min". */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [days ? `${days} d` : '', hours ? `${hours} h` : '', rest ? `${rest} min` : ''].filter(Boolean);
  return parts.join(' ') || '0 min';
}
