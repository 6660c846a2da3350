import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { SessionInfo } from '../../../contracts/auth.js';
import type { MaintenanceWindow, maintenanceWindowInputSchema, MatcherView, Silence, silenceInputSchema } from '../../../contracts/suppression.js';
import { api } from '../../api/client.js';
import { canManageTeam, isAdmin, roleAtLeast } from '../../app/permissions.js';

export type { MaintenanceWindow, MatcherView, Silence };
export type MaintenanceWindowInput = z.input<typeof maintenanceWindowInputSchema>;
export type SilenceInput = z.input<typeof silenceInputSchema>;

/** Suppression changes what open alerts show: windows, silences and alerts are re-read after each one. */
export const SUPPRESSION_REFRESH_MS = 30_000;

export const maintenanceWindowsQuery = (filters: { service?: string; active?: boolean } = {}) => ({
  queryKey: ['maintenance-windows', 'list', filters] as const,
  queryFn: async () =>
    (await api.get<{ items: MaintenanceWindow[] }>('/maintenance-windows', { service: filters.service, active: filters.active === undefined ? undefined : String(filters.active) })).items,
  refetchInterval: SUPPRESSION_REFRESH_MS,
});

export const silencesQuery = (filters: { service?: string; state?: string } = {}) => ({
  queryKey: ['silences', 'list', filters] as const,
  queryFn: async () => (await api.get<{ items: Silence[] }>('/silences', { service: filters.service, state: filters.state })).items,
  refetchInterval: SUPPRESSION_REFRESH_MS,
});

export const suppressionApi = {
  createWindow: (input: MaintenanceWindowInput) => api.post<MaintenanceWindow>('/maintenance-windows', input),
  endWindow: (id: string) => api.post<MaintenanceWindow>(`/maintenance-windows/${encodeURIComponent(id)}/end`),
  deleteWindow: (id: string) => api.delete(`/maintenance-windows/${encodeURIComponent(id)}`),
  createSilence: (input: SilenceInput) => api.post<Silence>('/silences', input),
  expireSilence: (id: string) => api.post<Silence>(`/silences/${encodeURIComponent(id)}/expire`),
};

/** A change to windows or silences; their lists and the alerts they suppress are re-read. */
export function useSuppressionChange<Input, Output>(change: (input: Input) => Promise<Output>, onDone?: (output: Output) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      await Promise.all(['maintenance-windows', 'silences', 'alerts'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
    },
  });
}

/** Mirrors the server: windows change with an admin, or a team admin of every covered service's team. */
export function canManageWindows(session: SessionInfo, teamIds: ReadonlyArray<string | null>): boolean {
  if (isAdmin(session)) return true;
  return teamIds.length > 0 && teamIds.every((id) => id !== null && canManageTeam(session, { id }));
}

/** Mirrors the server: responders and above silence. */
export const canSilence = (session: SessionInfo) => roleAtLeast(session.user.role, 'responder');

export const formatMatcher = (m: MatcherView) => `${m.name}${m.op}"${m.value}"`;
