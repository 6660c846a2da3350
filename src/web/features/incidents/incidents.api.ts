import { keepPreviousData, useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { SessionInfo } from '../../../contracts/auth.js';
import type {
  assignIncidentRoleSchema,
  declareIncidentSchema,
  Incident,
  IncidentSeverityDefinition,
  IncidentStatus,
  incidentStatusChangeSchema,
  IncidentTimelineEntry,
  updateIncidentSchema,
} from '../../../contracts/incidents.js';
import { api } from '../../api/client.js';
import { roleAtLeast } from '../../app/permissions.js';

export type { Incident, IncidentSeverityDefinition, IncidentStatus, IncidentTimelineEntry };
export type DeclareIncidentInput = z.input<typeof declareIncidentSchema>;
export type IncidentStatusChange = z.input<typeof incidentStatusChangeSchema>;
export type AssignIncidentRoleInput = z.input<typeof assignIncidentRoleSchema>;
export type UpdateIncidentInput = z.input<typeof updateIncidentSchema>;

/** Incident views re-read this often while live updates are not connected (see features/live). */
export const INCIDENT_REFRESH_MS = 10_000;

/** The whole timeline in one request: the server's maximum page. Later entries come `after` the last id. */
export const TIMELINE_PAGE = 5000;

export interface IncidentFilters {
  /** Comma-separated statuses or `open`; empty means every status. */
  status?: string | undefined;
  severity?: string | undefined;
  service?: string | undefined;
  before?: string | undefined;
}

export const openStatuses: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring'];
export const statusNames: Record<IncidentStatus, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' };

/** Names of the built-in roles, in the order the war room lists them (command first). */
export const builtInRoleNames: ReadonlyArray<readonly [role: string, name: string]> = [
  ['incident_commander', 'Incident commander'],
  ['communications_lead', 'Communications lead'],
  ['operations_lead', 'Operations lead'],
  ['scribe', 'Scribe'],
];

/** "Incident commander", or the name of a custom role (`custom:db-liaison` → "db-liaison"). */
export function roleLabel(role: string): string {
  return builtInRoleNames.find(([key]) => key === role)?.[1] ?? role.replace(/^custom:/, '');
}

const ref = (incident: string) => encodeURIComponent(incident);

export const incidentsQuery = (filters: IncidentFilters) => ({
  queryKey: ['incidents', 'list', filters] as const,
  queryFn: () => api.get<{ items: Incident[]; nextBefore: string | null }>('/incidents', { ...filters }),
  placeholderData: keepPreviousData,
});

export const incidentQuery = (incident: string) => ({
  queryKey: ['incidents', 'detail', incident] as const,
  queryFn: () => api.get<Incident>(`/incidents/${ref(incident)}`),
});

export const severitiesQuery = () => ({
  queryKey: ['incidents', 'severities'] as const,
  queryFn: async () => (await api.get<{ items: IncidentSeverityDefinition[] }>('/incident-severities')).items,
  staleTime: 5 * 60_000,
});

export const incidentsApi = {
  declare: (input: DeclareIncidentInput) => api.post<Incident>('/incidents', input),
  update: (incident: string, input: UpdateIncidentInput) => api.patch<Incident>(`/incidents/${ref(incident)}`, input),
  changeStatus: (incident: string, input: IncidentStatusChange) => api.post<Incident>(`/incidents/${ref(incident)}/status`, input),
  assignRole: (incident: string, role: string, input: AssignIncidentRoleInput) => api.put<Incident>(`/incidents/${ref(incident)}/roles/${encodeURIComponent(role)}`, input),
  releaseRole: (incident: string, role: string, holder: string) => api.delete<Incident>(`/incidents/${ref(incident)}/roles/${encodeURIComponent(role)}?holder=${encodeURIComponent(holder)}`),
  timeline: (incident: string, after?: string) => api.get<{ items: IncidentTimelineEntry[]; nextAfter: string | null }>(`/incidents/${ref(incident)}/timeline`, { after, limit: TIMELINE_PAGE }),
  addNote: (incident: string, note: string, pinned = false) => api.post<IncidentTimelineEntry>(`/incidents/${ref(incident)}/timeline`, { note, ...(pinned ? { pinned } : {}) }),
  editEntry: (incident: string, entry: string, input: { pinned?: boolean; summary?: string }) => api.patch<IncidentTimelineEntry>(`/incidents/${ref(incident)}/timeline/${encodeURIComponent(entry)}`, input),
};

/** A change to incidents: lists and details are re-read (the live stream tells other pages). */
export function useIncidentChange<Input, Output>(change: (input: Input) => Promise<Output>, onDone?: (output: Output) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      await queryClient.invalidateQueries({ queryKey: ['incidents'] });
    },
  });
}

/** Responders and above run incidents; viewers read them. */
export function canRespond(session: SessionInfo): boolean {
  return roleAtLeast(session.user.role, 'responder');
}

/** Who is in charge: the incident commander, or null while the role is vacant. */
export function commanderOf(incident: Incident): Incident['roles'][number] | null {
  return incident.roles.find((r) => r.role === 'incident_commander') ?? null;
}
