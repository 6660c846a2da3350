import { infiniteQueryOptions, keepPreviousData, useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { SessionInfo } from '../../../contracts/auth.js';
import type { CreatedSubscriber, CreateSubscriber, Subscriber, SubscriberKind, SubscriberList, updateSubscriberSchema } from '../../../contracts/status-subscribers.js';
import type {
  createComponentSchema,
  createIncidentSchema,
  createIncidentUpdateSchema,
  createMaintenanceSchema,
  createMaintenanceUpdateSchema,
  createStatusPageSchema,
  StatusComponent,
  StatusIncident,
  StatusPage,
  StatusPageDetail,
  updateComponentSchema,
  updateStatusPageSchema,
} from '../../../contracts/status-pages.js';
import { api } from '../../api/client.js';
import { roleAtLeast } from '../../app/permissions.js';

export type { CreatedSubscriber, CreateSubscriber, StatusComponent, StatusIncident, StatusPage, StatusPageDetail, Subscriber, SubscriberKind, SubscriberList };

const ref = (v: string) => encodeURIComponent(v);

export const componentStatusNames = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
} as const;
export type ComponentStatusName = keyof typeof componentStatusNames;

export const statusPagesQuery = () => ({ queryKey: ['status-pages', 'list'] as const, queryFn: async () => (await api.get<{ items: StatusPage[] }>('/status-pages')).items });
export const statusPageQuery = (page: string) => ({ queryKey: ['status-pages', 'detail', page] as const, queryFn: () => api.get<StatusPageDetail>(`/status-pages/${ref(page)}`) });
export const statusIncidentsQuery = (page: string, kind: 'incidents' | 'maintenances') => ({
  queryKey: ['status-pages', 'detail', page, kind] as const,
  queryFn: async () => (await api.get<{ items: StatusIncident[] }>(`/status-pages/${ref(page)}/${kind}`, { limit: 20 })).items,
});
/**
 * A status page's subscribers (admins), optionally of one kind, 100 at a time (`fetchNextPage` follows
 * the cursor); every answer carries the counts per kind of the whole page. Under the page's key, so
 * every status-page change re-reads it.
 */
export const statusSubscribersQuery = (page: string, kind: SubscriberKind | '') =>
  infiniteQueryOptions({
    queryKey: ['status-pages', 'detail', page, 'subscribers', kind] as const,
    queryFn: ({ pageParam }) => api.get<SubscriberList>(`/status-pages/${ref(page)}/subscribers`, { kind, limit: 100, cursor: pageParam }),
    initialPageParam: '',
    getNextPageParam: (last: SubscriberList) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });

export const statusPagesApi = {
  create: (input: z.input<typeof createStatusPageSchema>) => api.post<StatusPage>('/status-pages', input),
  update: (page: string, input: z.input<typeof updateStatusPageSchema>) => api.patch<StatusPage>(`/status-pages/${ref(page)}`, input),
  addComponent: (page: string, input: z.input<typeof createComponentSchema>) => api.post<StatusComponent>(`/status-pages/${ref(page)}/components`, input),
  updateComponent: (page: string, component: string, input: z.input<typeof updateComponentSchema>) => api.patch<StatusComponent>(`/status-pages/${ref(page)}/components/${ref(component)}`, input),
  removeComponent: (page: string, component: string) => api.delete<void>(`/status-pages/${ref(page)}/components/${ref(component)}`),
  postIncident: (page: string, input: z.input<typeof createIncidentSchema>) => api.post<StatusIncident>(`/status-pages/${ref(page)}/incidents`, input),
  postIncidentUpdate: (page: string, incident: string, input: z.input<typeof createIncidentUpdateSchema>) => api.post<StatusIncident>(`/status-pages/${ref(page)}/incidents/${ref(incident)}/updates`, input),
  scheduleMaintenance: (page: string, input: z.input<typeof createMaintenanceSchema>) => api.post<StatusIncident>(`/status-pages/${ref(page)}/maintenances`, input),
  removeIncident: (page: string, incident: string) => api.delete<void>(`/status-pages/${ref(page)}/incidents/${ref(incident)}`),
  removeMaintenance: (page: string, maintenance: string) => api.delete<void>(`/status-pages/${ref(page)}/maintenances/${ref(maintenance)}`),
  /** Puts `ids` (siblings, in their new order) at positions 0, 10, 20…, changing only those that move. */
  reorder: async (page: string, siblings: readonly StatusComponent[], ids: readonly string[]) => {
    for (const [index, id] of ids.entries()) {
      const position = index * 10;
      if (siblings.find((c) => c.id === id)?.position !== position) await api.patch<StatusComponent>(`/status-pages/${ref(page)}/components/${ref(id)}`, { position });
    }
  },
  postMaintenanceUpdate: (page: string, maintenance: string, input: z.input<typeof createMaintenanceUpdateSchema>) => api.post<StatusIncident>(`/status-pages/${ref(page)}/maintenances/${ref(maintenance)}/updates`, input),
  /** Admins add subscribers confirmed; a webhook's answer carries its signing secret this once. */
  addSubscriber: (page: string, input: CreateSubscriber) => api.post<CreatedSubscriber>(`/status-pages/${ref(page)}/subscribers`, input),
  updateSubscriber: (page: string, subscriber: string, input: z.input<typeof updateSubscriberSchema>) => api.patch<Subscriber>(`/status-pages/${ref(page)}/subscribers/${ref(subscriber)}`, input),
  removeSubscriber: (page: string, subscriber: string) => api.delete<void>(`/status-pages/${ref(page)}/subscribers/${ref(subscriber)}`),
};

/** A mutation that re-reads every status-page query once it succeeded. */
export function useStatusPageChange<A extends unknown[], R>(call: (...args: A) => Promise<R>, onDone?: (result: R) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (args: A) => call(...args),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['status-pages'] });
      onDone?.(result);
    },
  });
}

export const canShape = (session: SessionInfo) => roleAtLeast(session.user.role, 'admin');
export const canRespond = (session: SessionInfo) => roleAtLeast(session.user.role, 'responder');
