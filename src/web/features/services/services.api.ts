import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { SessionInfo } from '../../../contracts/auth.js';
import type {
  integrationInputSchema,
  integrationSchema,
  integrationUpdateSchema,
  integrationWithKeySchema,
  Service,
  serviceInputSchema,
  serviceUpdateSchema,
} from '../../../contracts/alerts.js';
import { api } from '../../api/client.js';
import { isAdmin } from '../../app/permissions.js';

export type { Service };
export type ServiceInput = z.input<typeof serviceInputSchema>;
export type ServiceUpdate = z.input<typeof serviceUpdateSchema>;
export type Integration = z.infer<typeof integrationSchema>;
export type IntegrationWithKey = z.infer<typeof integrationWithKeySchema>;
export type IntegrationInput = z.input<typeof integrationInputSchema>;
export type IntegrationUpdate = z.input<typeof integrationUpdateSchema>;
export type IntegrationType = Integration['type'];

const ref = (idOrHandle: string) => encodeURIComponent(idOrHandle);

export const integrationTypeNames: Record<IntegrationType, string> = { 'events-v2': 'Events API v2', alertmanager: 'Alertmanager', grafana: 'Grafana', webhook: 'Webhook', opsgenie: 'Opsgenie API', victorops: 'Splunk On-Call (VictorOps)', email: 'Email', heartbeat: 'Heartbeat' };

export const servicesQuery = () => ({
  queryKey: ['services', 'list'] as const,
  queryFn: async () => {
    const answer = await api.get<{ items: Service[] } | Service[]>('/services');
    return Array.isArray(answer) ? answer : answer.items;
  },
});

export const serviceQuery = (service: string) => ({
  queryKey: ['services', 'detail', service] as const,
  queryFn: () => api.get<Service>(`/services/${ref(service)}`),
});

/** One integration with its key and where to post: for admins and the owning team only. */
export const integrationQuery = (service: string, integration: string) => ({
  queryKey: ['services', 'integration', service, integration] as const,
  queryFn: () => api.get<IntegrationWithKey>(`/services/${ref(service)}/integrations/${ref(integration)}`),
  staleTime: 0,
  gcTime: 0,
});

export const servicesApi = {
  create: (input: ServiceInput) => api.post<Service>('/services', input),
  update: (service: string, input: ServiceUpdate) => api.patch<Service>(`/services/${ref(service)}`, input),
  remove: (service: string) => api.delete(`/services/${ref(service)}`),
  addIntegration: (service: string, input: IntegrationInput) => api.post<IntegrationWithKey>(`/services/${ref(service)}/integrations`, input),
  updateIntegration: (service: string, integration: string, input: IntegrationUpdate) =>
    api.patch<Integration>(`/services/${ref(service)}/integrations/${ref(integration)}`, input),
  rotateKey: (service: string, integration: string, graceMinutes: number) =>
    api.post<IntegrationWithKey>(`/services/${ref(service)}/integrations/${ref(integration)}/rotate`, { graceMinutes }),
};

/** A change to a service or its integrations; lists, the detail and open-alert counts are re-read. */
export function useServiceChange<Input, Output>(change: (input: Input) => Promise<Output>, onDone?: (output: Output) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      await queryClient.invalidateQueries({ queryKey: ['services'] });
    },
  });
}

/** Mirrors the server's rule for reading integration keys: admins and members of the owning team. */
export function canReadKeys(session: SessionInfo, teamId: string | null): boolean {
  return isAdmin(session) || (teamId !== null && session.user.teams.some((t) => t.id === teamId));
}

/**
 * Mirrors the server's rule for showing service controls: admins, and team admins of the owning
 * team; services without a team are for admins. Without `teamId` (creating): admins and anyone who
 * is a team admin somewhere. The server checks again on every change.
 */
export function canManageService(session: SessionInfo, teamId?: string | null): boolean {
  if (isAdmin(session)) return true;
  if (teamId === null) return false;
  return session.user.teams.some((t) => t.role === 'admin' && (teamId === undefined || t.id === teamId));
}
