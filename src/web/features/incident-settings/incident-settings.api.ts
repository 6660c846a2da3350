import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { createIncidentRuleSchema, createIncidentSeveritySchema, IncidentRule, IncidentSeverityView, PostmortemPolicy, postmortemPolicyViewSchema, updateIncidentRuleSchema, updateIncidentSeveritySchema } from '../../../contracts/incident-rules.js';
import type { Service } from '../../../contracts/alerts.js';
import { api } from '../../api/client.js';

export type PostmortemPolicyView = z.infer<typeof postmortemPolicyViewSchema>;
export type SeverityInput = z.input<typeof createIncidentSeveritySchema>;
export type SeverityChanges = z.input<typeof updateIncidentSeveritySchema>;
export type RuleInput = z.input<typeof createIncidentRuleSchema>;
export type RuleChanges = z.input<typeof updateIncidentRuleSchema>;

/** Where the incident settings live (Settings → Incidents). */
export const incidentSettingsHref = '/settings/incidents';

const key = ['incident-settings'] as const;

export const severitiesQuery = { queryKey: [...key, 'severities'] as const, queryFn: async () => (await api.get<{ items: IncidentSeverityView[] }>('/incident-severities/settings')).items };
export const rulesQuery = { queryKey: [...key, 'rules'] as const, queryFn: async () => (await api.get<{ items: IncidentRule[] }>('/incident-rules')).items };
export const policyQuery = { queryKey: [...key, 'postmortem-policy'] as const, queryFn: () => api.get<PostmortemPolicyView>('/postmortem-policy') };
export const servicesQuery = { queryKey: ['services'] as const, queryFn: async () => (await api.get<{ items: Service[] }>('/services')).items };

const path = (base: string, ref: string) => `${base}/${encodeURIComponent(ref)}`;

export const incidentSettingsApi = {
  createSeverity: (input: SeverityInput) => api.post<IncidentSeverityView>('/incident-severities', input),
  updateSeverity: ({ key: ref, changes }: { key: string; changes: SeverityChanges }) => api.patch<IncidentSeverityView>(path('/incident-severities', ref), changes),
  removeSeverity: (ref: string) => api.delete(path('/incident-severities', ref)),
  createRule: (input: RuleInput) => api.post<IncidentRule>('/incident-rules', input),
  updateRule: ({ ref, changes }: { ref: string; changes: RuleChanges }) => api.patch<IncidentRule>(path('/incident-rules', ref), changes),
  removeRule: (ref: string) => api.delete(path('/incident-rules', ref)),
  putPolicy: (policy: PostmortemPolicy) => api.put<PostmortemPolicyView>('/postmortem-policy', policy),
};

/** A mutation that refreshes every incident setting (and the severities incidents use) once it succeeds. */
export function useSettingsChange<I, O>(run: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: key });
      await client.invalidateQueries({ queryKey: ['incident-severities'] });
    },
  });
}
