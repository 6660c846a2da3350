import { createHash } from 'node:crypto';
import ICAL from 'ical.js';

/**
 * iCalendar (RFC 5545) for on-call feeds, written with ical.js from jCal (RFC 7265) so escaping,
 * line folding and CRLF line ends are the library's, not ours.
 *
 * - Times are UTC (`DTSTART:20261102T090000Z`): every calendar client shows them in its own zone, and
 *   no VTIMEZONE has to be embedded.
 * - UIDs come from (schedule id, user id, shift start), so a client refreshing the feed updates the
 *   events it has instead of adding duplicates; a shift that changes length keeps its UID.
 * - `X-PUBLISHED-TTL` (Outlook, Apple) and `REFRESH-INTERVAL` (RFC 7986) ask clients to refresh hourly.
 */

export interface CalendarEvent {
  uid: string;
  start: number;
  end: number;
  summary: string;
  description?: string;
}

export interface CalendarDocument {
  name: string;
  description: string;
  /** DTSTAMP of every event: when this copy of the feed was produced. */
  now: number;
  events: readonly CalendarEvent[];
}

export const FEED_TTL = 'PT1H';

/** A stable, opaque event UID: the same shift always gets the same one. */
export function eventUid(scheduleId: string, userId: string, start: number): string {
  return `${createHash('sha256').update(`${scheduleId}\n${userId}\n${start}`).digest('hex').slice(0, 32)}@firebreak`;
}

/** `2026-11-02T09:00:00Z`: the jCal form of a UTC date-time (no milliseconds). */
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Text for a property ical.js does not know, escaped as TEXT by hand (RFC 5545 3.3.11). */
const escapeText = (text: string) => text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** Renders a feed as `text/calendar`. */
export function renderCalendar(doc: CalendarDocument): string {
  const stamp = utc(doc.now);
  const events = doc.events.map((e) => [
    'vevent',
    [
      ['uid', {}, 'text', e.uid],
      ['dtstamp', {}, 'date-time', stamp],
      ['dtstart', {}, 'date-time', utc(e.start)],
      ['dtend', {}, 'date-time', utc(e.end)],
      ['summary', {}, 'text', e.summary],
      ...(e.description !== undefined ? [['description', {}, 'text', e.description]] : []),
      ['transp', {}, 'text', 'OPAQUE'],
    ],
    [],
  ]);
  const jcal = [
    'vcalendar',
    [
      ['prodid', {}, 'text', '-//Firebreak//On-call schedules//EN'],
      ['version', {}, 'text', '2.0'],
      ['calscale', {}, 'text', 'GREGORIAN'],
      ['method', {}, 'text', 'PUBLISH'],
      ['x-wr-calname', {}, 'unknown', escapeText(doc.name)],
      ['x-wr-caldesc', {}, 'unknown', escapeText(doc.description)],
      ['x-published-ttl', {}, 'unknown', FEED_TTL],
      ['refresh-interval', {}, 'duration', FEED_TTL],
    ],
    events,
  ];
  return ICAL.stringify(jcal as Parameters<typeof ICAL.stringify>[0]);
}
