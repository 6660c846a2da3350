import { keepPreviousData, useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { SessionInfo } from '../../../contracts/auth.js';
import type { Alert, alertPageSchema, alertTimelineEntrySchema, bulkAlertActionSchema, bulkAlertResultSchema, triggerAlertResultSchema, triggerAlertSchema } from '../../../contracts/alerts.js';
import { api } from '../../api/client.js';
import { roleAtLeast } from '../../app/permissions.js';

export type { Alert };
export type AlertPage = z.infer<typeof alertPageSchema>;
export type TimelineEntry = z.infer<typeof alertTimelineEntrySchema>;
export type AlertStatus = Alert['status'];
export type Severity = Alert['severity'];
export type Urgency = Alert['urgency'];
export type AlertAction = z.infer<typeof bulkAlertActionSchema>['action'];
export type TriggerAlertInput = z.input<typeof triggerAlertSchema>;
export type TriggerAlertResult = z.infer<typeof triggerAlertResultSchema>;
/** Each id succeeds or fails on its own (already resolved, outside a token's team, …). */
export type BulkResult = z.infer<typeof bulkAlertResultSchema>;

export const severities: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

/** Open alert views re-read this often while live updates (features/live) are not connected. */
export const ALERT_REFRESH_MS = 10_000;

export interface AlertFilters {
  service?: string | undefined;
  team?: string | undefined;
  /** Comma-separated statuses; the server's default is the open ones (triggered, acknowledged). */
  status?: string | undefined;
  urgency?: Urgency | undefined;
  q?: string | undefined;
  limit?: number | undefined;
  /** An alert id from the previous page's `nextBefore`. */
  before?: string | undefined;
}

const ref = (idOrHandle: string) => encodeURIComponent(idOrHandle);

export const alertsQuery = (filters: AlertFilters) => ({
  queryKey: ['alerts', 'list', filters] as const,
  queryFn: () => api.get<AlertPage>('/alerts', { ...filters }),
  refetchInterval: ALERT_REFRESH_MS,
  placeholderData: keepPreviousData,
});

export const alertQuery = (alert: string) => ({
  queryKey: ['alerts', 'detail', alert] as const,
  queryFn: () => api.get<Alert>(`/alerts/${ref(alert)}`),
  refetchInterval: ALERT_REFRESH_MS,
});

export const alertTimelineQuery = (alert: string) => ({
  queryKey: ['alerts', 'timeline', alert] as const,
  queryFn: async () => (await api.get<{ items: TimelineEntry[] }>(`/alerts/${ref(alert)}/timeline`)).items,
  refetchInterval: ALERT_REFRESH_MS,
});

export const alertsApi = {
  act: (alert: string, action: AlertAction, note?: string) => api.post<Alert>(`/alerts/${ref(alert)}/${action}`, note ? { note } : {}),
  addNote: (alert: string, note: string) => api.post<unknown>(`/alerts/${ref(alert)}/notes`, { note }),
  reassign: (alert: string, to: { user: string } | { escalationPolicy: string }) => api.post<Alert>(`/alerts/${ref(alert)}/reassign`, to),
  snooze: (alert: string, input: { minutes: number } | { until: string }) => api.post<Alert>(`/alerts/${ref(alert)}/snooze`, input),
  bulk: (ids: string[], action: AlertAction) => api.post<BulkResult>('/alerts/bulk', { ids, action }),
  trigger: async (input: TriggerAlertInput): Promise<TriggerAlertResult> => {
    // The contract answers {outcome, dedupKey, alert}; an early server answered the bare alert.
    const answer = await api.post<TriggerAlertResult | Alert>('/alerts', input);
    return 'outcome' in answer ? answer : { outcome: 'created', dedupKey: answer.dedupKey, alert: answer };
  },
};

/** A change to alerts: lists, details, timelines and services' open-alert counts are re-read. */
export function useAlertChange<Input, Output>(change: (input: Input) => Promise<Output>, onDone?: (output: Output) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['alerts'] }), queryClient.invalidateQueries({ queryKey: ['services'] })]);
    },
  });
}

/** Responders and above acknowledge, resolve, annotate and trigger alerts; viewers only read. */
export function canRespond(session: SessionInfo): boolean {
  return roleAtLeast(session.user.role, 'responder');
}
