import { useId, useRef, useState, type FocusEvent, type MouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { FinalSchedule, Schedule, UsersMap } from './oncall.api.js';
import { personStyle } from './person-colour.js';
import { dayStarts, formatDuration, formatPart, formatRange, hourStarts, localWeekday, snapToWall, type Zoom } from './zoned-time.js';

export interface Range {
  start: number;
  end: number;
}

/** What a click or a drag on the timeline asks for: an override over `range`, perhaps covering someone. */
export interface OverrideRequest {
  range: Range;
  replaces?: string | undefined;
}

type BarKind = 'shift' | 'override' | 'gap' | 'shadow';

interface Bar {
  key: string;
  start: number;
  end: number;
  userId: string | null;
  kind: BarKind;
  /** Written on the bar. */
  label: string;
  /** Where the bar comes from, for the tooltip: "Rotation Primary", "Override covering Bo Chen". */
  detail: string;
}

interface Row {
  key: string;
  label: string;
  hint?: string;
  kind: 'layer' | 'overrides' | 'shadows' | 'final';
  bars: Bar[];
}

interface TimelineProps {
  schedule: Schedule;
  final: FinalSchedule;
  window: Range;
  zone: string;
  zoom: Zoom;
  now: number;
  /** The range picked for a new override, highlighted on the final row. */
  selection: Range | null;
  /** True while a newer period loads: drawn faded. */
  stale?: boolean;
  /** False for people who may not add overrides: bars only show their details, and dragging does nothing. */
  interactive?: boolean;
  onRequestOverride: (request: OverrideRequest) => void;
}

/** Minutes a dragged range snaps to on the wall clock, per zoom. */
const snapMinutes: Record<Zoom, number> = { day: 15, week: 60, month: 60 };
/** The track is never narrower than this; the timeline scrolls sideways on phones. */
const minTrackWidth: Record<Zoom, number> = { day: 560, week: 560, month: 640 };

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase();
}

export function nameOf(users: UsersMap, userId: string | null | undefined): string {
  if (!userId) return 'No one';
  return users[userId]?.name ?? userId;
}

/** Builds the rows: each layer in priority order, the overrides, shadows (when any), then the final schedule. */
function buildRows(schedule: Schedule, final: FinalSchedule): Row[] {
  const users = { ...schedule.users, ...final.users };
  const layerNames = new Map(final.layers.map((layer) => [layer.layerId, layer.name]));
  const ms = (iso: string) => Date.parse(iso);
  const rows: Row[] = final.layers.map((layer, index) => ({
    key: `layer-${layer.layerId}`,
    label: layer.name,
    hint: `Layer ${index + 1}`,
    kind: 'layer',
    bars: layer.entries.map((entry, i) => ({
      key: `${layer.layerId}-${i}`,
      start: ms(entry.start),
      end: ms(entry.end),
      userId: entry.userId,
      kind: 'shift',
      label: nameOf(users, entry.userId),
      detail: `Rotation ${layer.name}`,
    })),
  }));
  rows.push({
    key: 'overrides',
    label: 'Overrides',
    kind: 'overrides',
    bars: final.overrides.map((override) => ({
      key: override.id,
      start: Math.max(ms(override.start), ms(final.window.start)),
      end: Math.min(ms(override.end), ms(final.window.end)),
      userId: override.userId,
      kind: 'override',
      label: nameOf(users, override.userId),
      detail: override.replacesUserId ? `Override covering ${nameOf(users, override.replacesUserId)}` : 'Override',
    })),
  });
  if (final.shadows.length > 0) {
    rows.push({
      key: 'shadows',
      label: 'Shadows',
      hint: 'Copies only',
      kind: 'shadows',
      bars: final.shadows.map((shadow, i) => ({
        key: `shadow-${i}`,
        start: ms(shadow.start),
        end: ms(shadow.end),
        userId: shadow.userId,
        kind: 'shadow',
        label: nameOf(users, shadow.userId),
        detail: `Shadowing ${layerNames.get(shadow.layerId) ?? 'a layer'}: gets copies of its pages, never responsible`,
      })),
    });
  }
  const finalBars: Bar[] = final.entries.map((entry, i) => {
    const override = entry.source.kind === 'override' ? entry.source : null;
    return {
      key: `final-${i}`,
      start: ms(entry.start),
      end: ms(entry.end),
      userId: entry.userId,
      kind: override ? 'override' : 'shift',
      label: nameOf(users, entry.userId),
      detail: override
        ? `Override${override.replaces ? ` covering ${nameOf(users, override.replaces)}` : ''}`
        : `Rotation ${entry.source.kind === 'layer' ? (layerNames.get(entry.source.layerId) ?? '') : ''}`.trim(),
    };
  });
  for (const [i, gap] of final.gaps.entries()) {
    finalBars.push({ key: `gap-${i}`, start: ms(gap.start), end: ms(gap.end), userId: null, kind: 'gap', label: 'No one', detail: 'Gap: no one is on call' });
  }
  rows.push({ key: 'final', label: 'Final schedule', hint: 'Who is paged', kind: 'final', bars: finalBars.sort((a, b) => a.start - b.start) });
  return rows;
}

/**
 * The schedule as a timeline: one row per layer, the overrides, and the final schedule (who is
 * actually paged), over one day, week or month in `zone`. Bars are buttons: choosing one asks for an
 * override covering it. Dragging across the final row with a mouse picks a range for a new override.
 * The tooltip (hover or keyboard focus) gives exact times with their zone; the bar's accessible
 * name says the same.
 */
export function ScheduleTimeline({ schedule, final, window, zone, zoom, now, selection, stale = false, interactive = true, onRequestOverride }: TimelineProps) {
  const rows = buildRows(schedule, final);
  const gridRef = useRef<HTMLDivElement>(null);
  const tooltipId = useId();
  const [tip, setTip] = useState<{ bar: Bar; left: number; top: number } | null>(null);
  const [drag, setDrag] = useState<Range | null>(null);
  const dragState = useRef<{ x: number; instant: number; pointer: number; moved: boolean } | null>(null);
  const span = window.end - window.start;
  const pct = (t: number) => Math.min(100, Math.max(0, ((t - window.start) / span) * 100));

  const ticks = zoom === 'day' ? hourStarts(window.start, window.end, zone, 3) : dayStarts(window.start, window.end, zone);
  const days = zoom === 'day' ? [] : dayStarts(window.start, window.end, zone);
  const tickLabel = (t: number) => (zoom === 'day' ? formatPart(t, zone, 'time') : zoom === 'week' ? formatPart(t, zone, 'weekday') : formatPart(t, zone, 'dayNumber'));

  function showTip(bar: Bar, element: HTMLElement) {
    const grid = gridRef.current;
    if (!grid) return;
    const box = element.getBoundingClientRect();
    const gridBox = grid.getBoundingClientRect();
    const left = Math.min(Math.max(box.left - gridBox.left + Math.min(box.width / 2, 120), 8), grid.clientWidth - 8);
    setTip({ bar, left, top: box.bottom - gridBox.top + 6 });
  }

  /** The instant under a pointer on the final row's track, snapped to the wall clock. */
  function instantAt(clientX: number, track: HTMLElement): number {
    const box = track.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return snapToWall(window.start + ratio * span, zone, snapMinutes[zoom]);
  }

  function rangeOf(a: number, b: number): Range {
    const start = Math.min(a, b);
    const end = Math.max(a, b);
    return { start, end: end > start ? end : start + snapMinutes[zoom] * 60_000 };
  }

  // Drag to select works with a mouse only: on touch screens a horizontal swipe scrolls the
  // timeline, and the "Add override" form is there for touch and keyboard users.
  function pointerDown(event: ReactPointerEvent<HTMLDivElement>) {
    if (event.pointerType !== 'mouse' || event.button !== 0) return;
    dragState.current = { x: event.clientX, instant: instantAt(event.clientX, event.currentTarget), pointer: event.pointerId, moved: false };
  }

  function pointerMove(event: ReactPointerEvent<HTMLDivElement>) {
    const state = dragState.current;
    if (!state || state.pointer !== event.pointerId) return;
    if (!state.moved && Math.abs(event.clientX - state.x) < 5) return;
    if (!state.moved) {
      state.moved = true;
      event.currentTarget.setPointerCapture(event.pointerId);
      setTip(null);
    }
    setDrag(rangeOf(state.instant, instantAt(event.clientX, event.currentTarget)));
  }

  function pointerUp(event: ReactPointerEvent<HTMLDivElement>) {
    const state = dragState.current;
    dragState.current = null;
    if (!state || !state.moved) return;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
    const range = rangeOf(state.instant, instantAt(event.clientX, event.currentTarget));
    setDrag(null);
    onRequestOverride({ range });
  }

  const shown = drag ?? selection;
  const nowVisible = now >= window.start && now < window.end;

  return (
    <div className={stale ? 'timeline timeline-stale' : 'timeline'} role="group" aria-label={`Timeline, ${formatRange(window.start, window.end, zone)}`} aria-busy={stale}>
      <div className="timeline-scroll">
        <div className="timeline-grid" ref={gridRef} style={{ minWidth: `calc(var(--timeline-label) + ${minTrackWidth[zoom]}px)` }} onMouseLeave={() => setTip(null)}>
          <div className="timeline-row timeline-axis" aria-hidden="true">
            <div className="timeline-label" />
            <div className="timeline-track">
              {ticks.map((t) => (
                <span key={t} className="timeline-tick" style={{ left: `${pct(t)}%` }}>
                  {tickLabel(t)}
                </span>
              ))}
              {nowVisible && (
                <span className="timeline-now-label" style={{ left: `${pct(now)}%` }}>
                  Now
                </span>
              )}
            </div>
          </div>
          <div className="timeline-body">
            <div className="timeline-overlay" aria-hidden="true">
              {days.map((t) => {
                const weekday = localWeekday(t, zone);
                const next = days.find((d) => d > t) ?? window.end;
                return (
                  <span key={t}>
                    {weekday >= 6 && <span className="timeline-weekend" style={{ left: `${pct(t)}%`, width: `${pct(next) - pct(t)}%` }} />}
                    <span className={weekday === 1 ? 'timeline-line timeline-line-strong' : 'timeline-line'} style={{ left: `${pct(t)}%` }} />
                  </span>
                );
              })}
              {zoom === 'day' && ticks.map((t) => <span key={t} className="timeline-line" style={{ left: `${pct(t)}%` }} />)}
              {nowVisible && <span className="timeline-now" style={{ left: `${pct(now)}%` }} />}
            </div>
            {rows.map((row) => (
              <div key={row.key} className={`timeline-row timeline-row-${row.kind}`}>
                <div className="timeline-label">
                  <span className="timeline-label-name">{row.label}</span>
                  {row.hint && <span className="timeline-label-hint">{row.hint}</span>}
                </div>
                <div
                  className="timeline-track"
                  data-testid={row.kind === 'final' ? 'final-track' : undefined}
                  {...(row.kind === 'final' && interactive ? { onPointerDown: pointerDown, onPointerMove: pointerMove, onPointerUp: pointerUp, onPointerCancel: () => ((dragState.current = null), setDrag(null)) } : {})}
                >
                  {row.bars.length === 0 && <span className="timeline-empty">{row.kind === 'overrides' ? 'No overrides in this period' : 'No one on duty in this period'}</span>}
                  {row.bars.map((bar) => {
                    const left = pct(bar.start);
                    const width = Math.max(pct(bar.end) - left, 0.15);
                    const times = formatRange(bar.start, bar.end, zone);
                    const coverable = interactive && bar.kind !== 'shadow';
                    const common = {
                      className: `timeline-bar timeline-bar-${bar.kind}`,
                      style: { left: `${left}%`, width: `${width}%`, ...(bar.userId ? personStyle(bar.userId) : {}) },
                      'aria-label': `${bar.label}, ${times}. ${bar.detail}.`,
                      'aria-describedby': tip?.bar.key === bar.key ? tooltipId : undefined,
                      onMouseEnter: (event: MouseEvent<HTMLElement>) => !dragState.current?.moved && showTip(bar, event.currentTarget),
                      onMouseLeave: () => setTip(null),
                      onFocus: (event: FocusEvent<HTMLElement>) => showTip(bar, event.currentTarget),
                      onBlur: () => setTip(null),
                    };
                    const content = (
                      <>
                        {/* The stylesheet shows initials instead when the bar is too narrow for the name. */}
                        <span className="timeline-bar-text">
                          {bar.label}
                          {bar.kind === 'override' && row.kind === 'final' && <span className="timeline-bar-tag"> override</span>}
                        </span>
                        <span className="timeline-bar-short" aria-hidden="true">
                          {bar.kind === 'gap' ? '!' : initials(bar.label)}
                        </span>
                      </>
                    );
                    // A bar is a button where choosing it asks for an override; otherwise a focusable
                    // picture of the shift, so keyboard users still reach its details.
                    return coverable ? (
                      <button key={bar.key} type="button" {...common} onClick={() => onRequestOverride({ range: { start: bar.start, end: bar.end }, replaces: bar.userId ?? undefined })}>
                        {content}
                      </button>
                    ) : (
                      <span key={bar.key} role="img" tabIndex={0} {...common}>
                        {content}
                      </span>
                    );
                  })}
                  {row.kind === 'final' && shown && (
                    <span className="timeline-selection" style={{ left: `${pct(shown.start)}%`, width: `${pct(shown.end) - pct(shown.start)}%` }} aria-hidden="true">
                      {/* The label hangs off the side with more room, so it stays inside the timeline. */}
                      <span className={pct(shown.start) > 50 ? 'timeline-selection-label timeline-selection-label-end' : 'timeline-selection-label'}>{formatRange(shown.start, shown.end, zone)}</span>
                    </span>
                  )}
                </div>
              </div>
            ))}
          </div>
          {tip && (
            <div className="timeline-tooltip" role="tooltip" id={tooltipId} style={{ left: tip.left, top: tip.top }}>
              <strong>{tip.bar.label}</strong>
              <span>{formatRange(tip.bar.start, tip.bar.end, zone)}</span>
              <span className="muted">
                {tip.bar.detail} · {formatDuration(tip.bar.end - tip.bar.start)}
                {tip.bar.start <= window.start || tip.bar.end >= window.end ? ' in this view' : ''}
              </span>
              {(tip.bar.start <= window.start || tip.bar.end >= window.end) && (
                <span className="muted">{tip.bar.start <= window.start ? (tip.bar.end >= window.end ? 'Starts before and continues after this view' : 'Starts before this view') : 'Continues after this view'}</span>
              )}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
