import { Temporal } from 'temporal-polyfill';

/**
 * Status-page rules (issue 7, ADR 0036, docs/status-pages.md): the overall status in words, the
 * Statuspage `indicator`, and uptime per day from a component's status history. Pure: no clock, no
 * database; instants are epoch milliseconds passed in.
 */

/** A component's status, as Atlassian Statuspage names them (clients parse these strings). */
export const componentStatuses = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export type ComponentStatus = (typeof componentStatuses)[number];

/** Public incident statuses (`postmortem` is Statuspage's extra state once one is published). */
export const incidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const maintenanceStatuses = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export type MaintenanceStatus = (typeof maintenanceStatuses)[number];

export const impacts = ['none', 'minor', 'major', 'critical'] as const;
export type Impact = (typeof impacts)[number];

/** The page-wide `status.indicator`; `maintenance` when only maintenance is going on. */
export type Indicator = Impact | 'maintenance';

/** What the overall status needs to know of a component. */
export interface ComponentState {
  status: ComponentStatus;
}

export interface OverallStatus {
  indicator: Indicator;
  /** The words the page shows and `status.description` carries. */
  description: string;
}

const severityOf: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 0, degraded_performance: 1, partial_outage: 2, major_outage: 3 };
const impactRank: Record<Impact, number> = { none: 0, minor: 1, major: 2, critical: 3 };

/** The words for each indicator, as Statuspage writes them. */
export const indicatorDescriptions: Record<Indicator, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
  maintenance: 'Service Under Maintenance',
};

/**
 * The page's overall status from its public (leaf) components and its unresolved incidents.
 *
 * - A component status maps to an impact: degraded → minor, partial outage → major, major outage →
 *   major, or critical when every component that is not under maintenance is in a major outage.
 * - An unresolved incident raises the indicator to at least its impact (an incident may be declared
 *   before anyone touched a component, as on Statuspage).
 * - With nothing else going on, a component under maintenance or a maintenance in progress gives
 *   `maintenance`, "Service Under Maintenance".
 */
export function overallStatus(components: readonly ComponentState[], openIncidentImpacts: readonly Impact[] = [], maintenanceInProgress = false): OverallStatus {
  let rank = 0;
  const running = components.filter((c) => c.status !== 'under_maintenance');
  const allMajor = running.length > 0 && running.every((c) => c.status === 'major_outage');
  for (const c of components) {
    const s = severityOf[c.status];
    const r = s === 3 ? (allMajor ? 3 : 2) : s;
    rank = Math.max(rank, r);
  }
  for (const impact of openIncidentImpacts) rank = Math.max(rank, impactRank[impact]);
  const indicator: Indicator = rank > 0 ? (impacts[rank] as Impact) : components.some((c) => c.status === 'under_maintenance') || maintenanceInProgress ? 'maintenance' : 'none';
  return { indicator, description: indicatorDescriptions[indicator] };
}

/** The worst of several component statuses (a group shows its worst member; maintenance beats operational). */
export function worstStatus(statuses: readonly ComponentStatus[]): ComponentStatus {
  let worst: ComponentStatus = 'operational';
  for (const s of statuses) {
    if (severityOf[s] > severityOf[worst] || (worst === 'operational' && s === 'under_maintenance')) worst = s;
  }
  return worst;
}

/** One status period start: from `at` on, the component had `status` (until the next entry). */
export interface StatusChange {
  at: number;
  status: ComponentStatus;
}

export interface UptimeDay {
  /** The calendar day in the page's zone, `YYYY-MM-DD`. */
  date: string;
  /** 0…1, or null when nothing of the day counts (before the component existed, in the future, all maintenance). */
  uptime: number | null;
  majorMs: number;
  partialMs: number;
  degradedMs: number;
  maintenanceMs: number;
}

/** The weight of each status in outage time: the Statuspage/instatus rule (WIRE-FORMATS.md). */
export const OUTAGE_WEIGHT: Record<ComponentStatus, number> = { operational: 0, degraded_performance: 0, partial_outage: 0.3, major_outage: 1, under_maintenance: 0 };

/**
 * Uptime per calendar day (in `zone`) for the `days` days ending with the one holding `now`, oldest
 * first. Outage time = major + 0.3 × partial; degraded counts as up; maintenance is taken out of the
 * day (neither up nor down), so uptime = 1 − outage / (counted time − maintenance). Time before the
 * first history entry and after `now` is not counted. Day boundaries come from Temporal, so a DST day
 * has its 23 or 25 hours.
 */
export function uptimeByDay(history: readonly StatusChange[], options: { zone: string; now: number; days: number }): UptimeDay[] {
  const sorted = [...history].sort((a, b) => a.at - b.at);
  const today = Temporal.Instant.fromEpochMilliseconds(options.now).toZonedDateTimeISO(options.zone).toPlainDate();
  const out: UptimeDay[] = [];
  for (let i = options.days - 1; i >= 0; i--) {
    const date = today.subtract({ days: i });
    const start = date.toZonedDateTime({ timeZone: options.zone }).epochMilliseconds;
    const end = date.add({ days: 1 }).toZonedDateTime({ timeZone: options.zone }).epochMilliseconds;
    const totals: Record<ComponentStatus, number> = { operational: 0, degraded_performance: 0, partial_outage: 0, major_outage: 0, under_maintenance: 0 };
    let counted = 0;
    for (let k = 0; k < sorted.length; k++) {
      const entry = sorted[k] as StatusChange;
      const from = Math.max(entry.at, start);
      const to = Math.min(sorted[k + 1]?.at ?? Infinity, end, options.now);
      if (to <= from) continue;
      totals[entry.status] += to - from;
      counted += to - from;
    }
    const base = counted - totals.under_maintenance;
    const outage = totals.major_outage * OUTAGE_WEIGHT.major_outage + totals.partial_outage * OUTAGE_WEIGHT.partial_outage;
    out.push({
      date: date.toString(),
      uptime: base > 0 ? 1 - outage / base : null,
      majorMs: totals.major_outage,
      partialMs: totals.partial_outage,
      degradedMs: totals.degraded_performance,
      maintenanceMs: totals.under_maintenance,
    });
  }
  return out;
}

/** Uptime over several days: counted time weighted, days without counted time skipped. Null when none count. */
export function uptimeOver(days: readonly UptimeDay[]): number | null {
  let down = 0;
  let weight = 0;
  for (const d of days) {
    if (d.uptime === null) continue;
    down += 1 - d.uptime;
    weight += 1;
  }
  return weight === 0 ? null : 1 - down / weight;
}

/**
 * Where a maintenance with automatic transitions should be at `now`: `in_progress` from
 * `scheduledFor`, `completed` from `scheduledUntil`. Never moves backwards and leaves a status set by
 * hand further along alone (a maintenance finished early stays completed).
 */
export function maintenanceStatusAt(current: MaintenanceStatus, window: { scheduledFor: number; scheduledUntil: number }, now: number): MaintenanceStatus {
  const order = maintenanceStatuses.indexOf(current);
  const due: MaintenanceStatus = now >= window.scheduledUntil ? 'completed' : now >= window.scheduledFor ? 'in_progress' : 'scheduled';
  return maintenanceStatuses.indexOf(due) > order ? due : current;
}

const STATUS_WORDS: Record<string, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};

/** A component, incident or maintenance status in words, as the public page and subscribers' messages say it. */
export function statusWord(status: string): string {
  return STATUS_WORDS[status] ?? status;
}
