import type { FinalSchedule, Schedule } from './oncall.api.js';
import { personStyle } from './person-colour.js';
import { nameOf } from './schedule-timeline.js';
import { formatDateTime, formatDuration } from './zoned-time.js';

/**
 * The final schedule as a table: the timeline's alternative for screen-reader and keyboard users,
 * and a precise reading for everyone. Gaps are rows of their own.
 */
export function ScheduleEntriesTable({ schedule, final, zone }: { schedule: Schedule; final: FinalSchedule; zone: string }) {
  const users = { ...schedule.users, ...final.users };
  const layerNames = new Map(final.layers.map((layer) => [layer.layerId, layer.name]));
  const rows = [
    ...final.entries.map((entry) => ({
      start: entry.start,
      end: entry.end,
      userId: entry.userId as string | null,
      source:
        entry.source.kind === 'override'
          ? `Override${entry.source.replaces ? `, covering ${nameOf(users, entry.source.replaces)}` : ''}`
          : `Rotation ${layerNames.get(entry.source.layerId) ?? entry.source.layerId}`,
    })),
    ...final.gaps.map((gap) => ({ start: gap.start, end: gap.end, userId: null, source: 'Gap: no one is on call' })),
  ].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));

  return (
    <div className="table-wrap">
      <table className="table table-stack">
        <caption className="visually-hidden">Final schedule, times in {zone}</caption>
        <thead>
          <tr>
            <th scope="col">On call</th>
            <th scope="col">From ({zone})</th>
            <th scope="col">Until ({zone})</th>
            <th scope="col">Length</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                Nothing in this period.
              </td>
            </tr>
          )}
          {rows.map((row) => (
            <tr key={`${row.start}-${row.userId ?? 'gap'}`} className={row.userId ? undefined : 'row-gap'}>
              <td>
                {row.userId ? (
                  <span className="person-chip" style={personStyle(row.userId)}>
                    {nameOf(users, row.userId)}
                  </span>
                ) : (
                  <span className="gap-chip">No one</span>
                )}
              </td>
              <td data-label="From">{formatDateTime(row.start, zone)}</td>
              <td data-label="Until">{formatDateTime(row.end, zone)}</td>
              <td data-label="Length">{formatDuration(Date.parse(row.end) - Date.parse(row.start))}</td>
              <td data-label="Why">{row.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
