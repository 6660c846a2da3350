import type { ComponentStatus, Impact, IncidentStatus, MaintenanceStatus } from './status.js';

/**
 * What a status page shows, read once per change and rendered from (HTML, Statuspage JSON, feeds).
 * Holds only public data: the service builds it from the status-page tables alone (never from
 * internal incidents), and drops components marked not public before it gets here.
 */
export interface PageSnapshot {
  page: {
    id: string;
    slug: string;
    name: string;
    /** The page's public address (custom domain or `<publicUrl>/status/<slug>`), no trailing slash. */
    url: string;
    timeZone: string;
    brandColor: string;
    logoUrl: string | null;
    footerLinks: readonly { label: string; url: string }[];
    updatedAt: number;
  };
  /** Groups and leaf components, in display order (position, then name). */
  components: readonly SnapshotComponent[];
  /** Incidents and maintenances, newest first. */
  incidents: readonly SnapshotIncident[];
}

export interface SnapshotComponent {
  id: string;
  name: string;
  description: string | null;
  status: ComponentStatus;
  position: number;
  groupId: string | null;
  group: boolean;
  showcase: boolean;
  onlyShowIfDegraded: boolean;
  startDate: string | null;
  createdAt: number;
  updatedAt: number;
  /** Ids of the member components, for groups. */
  components: readonly string[];
}

export interface SnapshotUpdate {
  id: string;
  status: IncidentStatus | MaintenanceStatus;
  body: string;
  createdAt: number;
  updatedAt: number;
  displayAt: number;
  affectedComponents: readonly { code: string; name: string; oldStatus: ComponentStatus; newStatus: ComponentStatus }[];
}

export interface SnapshotIncident {
  id: string;
  kind: 'incident' | 'maintenance';
  name: string;
  status: IncidentStatus | MaintenanceStatus;
  impact: Impact;
  createdAt: number;
  updatedAt: number;
  startedAt: number;
  monitoringAt: number | null;
  resolvedAt: number | null;
  scheduledFor: number | null;
  scheduledUntil: number | null;
  postmortemUrl: string | null;
  /** Newest first, as Statuspage lists them. */
  updates: readonly SnapshotUpdate[];
  /** Affected component ids. */
  componentIds: readonly string[];
}

/** An incident still open (not resolved) or a maintenance not completed. */
export function isUnresolved(incident: Pick<SnapshotIncident, 'status'>): boolean {
  return incident.status !== 'resolved' && incident.status !== 'completed';
}
