import { isUnresolved, type PageSnapshot, type SnapshotComponent, type SnapshotIncident } from './snapshot.js';
import { overallStatus, type Impact } from './status.js';

/**
 * The Atlassian Statuspage public API v2 documents (WIRE-FORMATS.md), field for field, so existing
 * status widgets and aggregators read a Firebreak page unchanged. Field names are Statuspage's
 * (snake_case), instants ISO 8601 with milliseconds in UTC.
 */

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** How many incidents `incidents.json` lists, as on Statuspage. */
export const INCIDENTS_LISTED = 50;

export function pageJson(s: PageSnapshot) {
  return { id: s.page.id, name: s.page.name, url: s.page.url, time_zone: s.page.timeZone, updated_at: iso(s.page.updatedAt) };
}

/** Leaf components (not groups), the ones whose status counts. */
export function leafComponents(s: PageSnapshot): SnapshotComponent[] {
  return s.components.filter((c) => !c.group);
}

export function statusJson(s: PageSnapshot, now: number) {
  const open = s.incidents.filter((i) => i.kind === 'incident' && isUnresolved(i)).map((i) => i.impact as Impact);
  const maintenance = s.incidents.some((i) => i.kind === 'maintenance' && i.status === 'in_progress' && (i.scheduledFor ?? 0) <= now);
  return overallStatus(leafComponents(s), open, maintenance);
}

export function componentJson(s: PageSnapshot, c: SnapshotComponent) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    position: c.position,
    description: c.description,
    showcase: c.showcase,
    start_date: c.startDate,
    group_id: c.groupId,
    page_id: s.page.id,
    group: c.group,
    only_show_if_degraded: c.onlyShowIfDegraded,
    ...(c.group ? { components: [...c.components] } : {}),
  };
}

export function incidentJson(s: PageSnapshot, i: SnapshotIncident) {
  const byId = new Map(s.components.map((c) => [c.id, c]));
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    monitoring_at: iso(i.monitoringAt),
    resolved_at: iso(i.resolvedAt),
    impact: i.impact,
    shortlink: `${s.page.url}/incidents/${i.id}`,
    started_at: iso(i.startedAt),
    page_id: s.page.id,
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: i.id,
      created_at: iso(u.createdAt),
      updated_at: iso(u.updatedAt),
      display_at: iso(u.displayAt),
      affected_components: u.affectedComponents.map((a) => ({ code: a.code, name: a.name, old_status: a.oldStatus, new_status: a.newStatus })),
      deliver_notifications: true,
    })),
    components: i.componentIds.map((id) => byId.get(id)).filter((c): c is SnapshotComponent => c !== undefined).map((c) => componentJson(s, c)),
    ...(i.kind === 'maintenance' ? { scheduled_for: iso(i.scheduledFor), scheduled_until: iso(i.scheduledUntil) } : {}),
  };
}

const incidents = (s: PageSnapshot) => s.incidents.filter((i) => i.kind === 'incident');
const maintenances = (s: PageSnapshot) => s.incidents.filter((i) => i.kind === 'maintenance');
const upcoming = (s: PageSnapshot) => maintenances(s).filter((m) => m.status === 'scheduled').sort((a, b) => (a.scheduledFor ?? 0) - (b.scheduledFor ?? 0));
const active = (s: PageSnapshot) => maintenances(s).filter((m) => m.status === 'in_progress' || m.status === 'verifying');

/**
 * Every `/api/v2/…` document of a page, by path relative to `/api/v2/`. Rendered together on each
 * change (the cache serves them as bytes), so they always agree with each other.
 */
export function statuspageDocuments(s: PageSnapshot, now: number): Record<string, unknown> {
  const page = pageJson(s);
  const status = statusJson(s, now);
  const components = s.components.map((c) => componentJson(s, c));
  const unresolved = incidents(s).filter(isUnresolved).map((i) => incidentJson(s, i));
  return {
    'summary.json': { page, components, incidents: unresolved, scheduled_maintenances: [...active(s), ...upcoming(s)].map((m) => incidentJson(s, m)), status },
    'status.json': { page, status },
    'components.json': { page, components },
    'incidents.json': { page, incidents: incidents(s).slice(0, INCIDENTS_LISTED).map((i) => incidentJson(s, i)) },
    'incidents/unresolved.json': { page, incidents: unresolved },
    'scheduled-maintenances.json': { page, scheduled_maintenances: maintenances(s).slice(0, INCIDENTS_LISTED).map((m) => incidentJson(s, m)) },
    'scheduled-maintenances/upcoming.json': { page, scheduled_maintenances: upcoming(s).map((m) => incidentJson(s, m)) },
    'scheduled-maintenances/active.json': { page, scheduled_maintenances: active(s).map((m) => incidentJson(s, m)) },
  };
}
